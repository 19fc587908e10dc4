// Inverse kinematics of the lower-limb chain (ik_chain.h, batched by compute::SolveIkBatch) against
// Ceres Solver on the same weighted least-squares problem (Lu & O'Connor 1999, J Biomech 32:129):
// a hand-built 7-segment chain, a gait-like sequence, markers with 1 mm Gaussian noise, both
// solvers started from InitialiseFrames. The Ceres side has its own templated forward kinematics,
// written from the convention (not from ik_chain.h): R_child = R_parent Rz(a) Rx(b) Ry(c),
// origin_child = origin_parent + R_parent * centre_in_parent, root R = reference * Rz Rx Ry with
// free translation; automatic differentiation, DENSE_QR, tolerances 1e-14, joint limits as
// bounds. At an active joint limit the reference is Ceres with that angle held at the limit,
// checked against the optimality conditions (see JointAtLimitReachesTheConstrainedOptimum).
#include <ceres/ceres.h>
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "midstance/compute.h"
#include "midstance/ik_chain.h"
#include "midstance/skeleton.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kSegments = 7;      // pelvis, thigh, shank and foot of each side
constexpr int kCoordinates = 22;  // 6 root + 2 x (hip 3 + knee 3 + ankle 2)

double Rad(double degrees) { return degrees * kPi / 180; }

// --- the chain, described independently of IkChain ----------------------------------------------

struct SegmentSpec {
  int parent = -1;
  std::array<double, 3> centre_in_parent_m{};
  std::array<int, 3> coordinate{-1, -1, -1};  // Z X Y; the root uses q[3..5] implicitly
  std::array<double, 3> locked_rad{};
  std::array<double, 3> lower_rad{};
  std::array<double, 3> upper_rad{};
};

struct MarkerSpec {
  int segment;
  std::array<double, 3> local_m;
  double weight;
};

struct LegModel {
  std::vector<SegmentSpec> segments;
  std::vector<MarkerSpec> markers;
};

// Segments in skeleton.h's order (SkeletonSegment). Pelvis frame: X anterior, Y up, Z right,
// origin between the ASIS. Side sign s: -1 left, +1 right.
LegModel BuildLegModel() {
  LegModel model;
  model.segments.resize(kSegments);
  model.markers = {{kPelvis, {0.0, 0.0, -0.125}, 1.0},
                   {kPelvis, {0.0, 0.0, 0.125}, 1.0},
                   {kPelvis, {-0.165, 0.02, -0.045}, 1.0},
                   {kPelvis, {-0.165, 0.02, 0.045}, 1.0}};
  int next = kRootCoordinates;
  for (int side = 0; side < 2; ++side) {
    const double s = side == 0 ? -1 : 1;
    const int thigh = side == 0 ? kThighLeft : kThighRight;
    SegmentSpec& hip = model.segments[thigh];
    hip.parent = kPelvis;
    hip.centre_in_parent_m = {-0.03, -0.08, s * 0.085};
    hip.coordinate = {next, next + 1, next + 2};
    hip.lower_rad = {-0.5, -0.5, -0.7};
    hip.upper_rad = {2.0, 0.5, 0.7};
    SegmentSpec& knee = model.segments[thigh + 1];
    knee.parent = thigh;
    knee.centre_in_parent_m = {0, -0.42, 0};
    knee.coordinate = {next + 3, next + 4, next + 5};
    knee.lower_rad = {-2.5, -0.35, -0.6};
    knee.upper_rad = {0.1, 0.35, 0.6};
    SegmentSpec& ankle = model.segments[thigh + 2];
    ankle.parent = thigh + 1;
    ankle.centre_in_parent_m = {0, -0.41, 0};
    ankle.coordinate = {next + 6, next + 7, -1};
    ankle.locked_rad = {0, 0, s * 0.05};
    ankle.lower_rad = {-0.9, -0.6, -kPi};
    ankle.upper_rad = {0.6, 0.6, kPi};
    next += 8;
    // Off-axis clusters on the lateral side, plus an epicondyle / malleolus marker weighted up.
    model.markers.push_back({thigh, {0.03, -0.15, s * 0.075}, 1.0});
    model.markers.push_back({thigh, {0.05, -0.25, s * 0.08}, 1.0});
    model.markers.push_back({thigh, {-0.02, -0.21, s * 0.085}, 0.8});
    model.markers.push_back({thigh, {0.0, -0.42, s * 0.055}, 2.0});
    model.markers.push_back({thigh + 1, {0.035, -0.12, s * 0.06}, 1.0});
    model.markers.push_back({thigh + 1, {0.04, -0.25, s * 0.055}, 1.0});
    model.markers.push_back({thigh + 1, {-0.025, -0.19, s * 0.065}, 0.8});
    model.markers.push_back({thigh + 1, {0.0, -0.41, s * 0.045}, 2.0});
    model.markers.push_back({thigh + 2, {-0.06, -0.04, 0.0}, 1.0});
    model.markers.push_back({thigh + 2, {0.15, -0.07, -s * 0.03}, 1.0});
    model.markers.push_back({thigh + 2, {0.13, -0.07, s * 0.035}, 1.0});
  }
  return model;
}

IkChain ToChain(const LegModel& model) {
  IkChain chain;
  chain.segment_count = static_cast<int>(model.segments.size());
  for (int s = 0; s < chain.segment_count; ++s) {
    const SegmentSpec& spec = model.segments[s];
    ChainJoint& joint = chain.joints[s];
    joint.parent = spec.parent;
    for (int k = 0; k < 3; ++k) {
      joint.centre_in_parent_m[k] = spec.centre_in_parent_m[k];
      if (spec.parent < 0) continue;
      joint.coordinate[k] = spec.coordinate[k];
      joint.locked_rad[k] = spec.locked_rad[k];
      joint.lower_rad[k] = spec.lower_rad[k];
      joint.upper_rad[k] = spec.upper_rad[k];
    }
  }
  chain.coordinate_count = kCoordinates;
  chain.marker_count = static_cast<int>(model.markers.size());
  for (int m = 0; m < chain.marker_count; ++m) {
    chain.marker_segment[m] = model.markers[m].segment;
    for (int k = 0; k < 3; ++k) chain.marker_local_m[m][k] = model.markers[m].local_m[k];
    chain.marker_weight[m] = model.markers[m].weight;
  }
  return chain;
}

// --- independent forward kinematics, templated for Ceres's Jets --------------------------------

template <typename T>
using Matrix3 = Eigen::Matrix<T, 3, 3>;
template <typename T>
using Vector3 = Eigen::Matrix<T, 3, 1>;

// Rz(z) Rx(x) Ry(y) multiplied out by hand.
template <typename T>
Matrix3<T> ZxyRotation(const T& z, const T& x, const T& y) {
  using std::cos;
  using std::sin;
  const T cz = cos(z), sz = sin(z), cx = cos(x), sx = sin(x), cy = cos(y), sy = sin(y);
  Matrix3<T> r;
  r << cz * cy - sz * sx * sy, -sz * cx, cz * sy + sz * sx * cy,  //
      sz * cy + cz * sx * sy, cz * cx, sz * sy - cz * sx * cy,    //
      -cx * sy, sx, cx * cy;
  return r;
}

template <typename T>
void ModelMarkers(const LegModel& model, const double reference[9], const T* q, std::vector<Vector3<T>>* markers) {
  const size_t n = model.segments.size();
  std::array<Matrix3<T>, kSegments> rotation;
  std::array<Vector3<T>, kSegments> origin;
  Matrix3<T> ref;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) ref(i, j) = T(reference[3 * i + j]);
  }
  for (size_t s = 0; s < n; ++s) {
    const SegmentSpec& spec = model.segments[s];
    if (spec.parent < 0) {
      rotation[s] = ref * ZxyRotation(q[3], q[4], q[5]);
      origin[s] << q[0], q[1], q[2];
      continue;
    }
    T angle[3];
    for (int k = 0; k < 3; ++k) angle[k] = spec.coordinate[k] >= 0 ? q[spec.coordinate[k]] : T(spec.locked_rad[k]);
    const Matrix3<T>& parent = rotation[static_cast<size_t>(spec.parent)];
    const Vector3<T> centre(T(spec.centre_in_parent_m[0]), T(spec.centre_in_parent_m[1]), T(spec.centre_in_parent_m[2]));
    rotation[s] = parent * ZxyRotation(angle[0], angle[1], angle[2]);
    origin[s] = origin[static_cast<size_t>(spec.parent)] + parent * centre;
  }
  markers->resize(model.markers.size());
  for (size_t m = 0; m < model.markers.size(); ++m) {
    const MarkerSpec& marker = model.markers[m];
    const Vector3<T> local(T(marker.local_m[0]), T(marker.local_m[1]), T(marker.local_m[2]));
    (*markers)[m] = origin[static_cast<size_t>(marker.segment)] + rotation[static_cast<size_t>(marker.segment)] * local;
  }
}

bool Present(const double* y) { return std::isfinite(y[0]) && std::isfinite(y[1]) && std::isfinite(y[2]); }

// sqrt(w) (p(q) - y) for the markers present in one frame.
struct FrameResidual {
  const LegModel* model;
  const double* reference;
  const double* measured_m;
  std::vector<int> present;

  template <typename T>
  bool operator()(const T* q, T* residual) const {
    std::vector<Vector3<T>> p;
    ModelMarkers(*model, reference, q, &p);
    for (size_t i = 0; i < present.size(); ++i) {
      const int m = present[i];
      const double root_w = std::sqrt(model->markers[static_cast<size_t>(m)].weight);
      for (int k = 0; k < 3; ++k) residual[3 * i + k] = root_w * (p[static_cast<size_t>(m)][k] - measured_m[3 * m + k]);
    }
    return true;
  }
};

struct CeresFrame {
  std::array<double, kCoordinates> q{};
  double cost = 0;  // sum w |r|^2, as IkFrameResult::cost
  ceres::Solver::Summary summary;
};

CeresFrame SolveWithCeres(const LegModel& model, const double* reference, const double* measured_m, const double* start,
                          const std::vector<std::pair<int, double>>& held = {}) {
  CeresFrame out;
  std::copy(start, start + kCoordinates, out.q.begin());
  for (const auto& [index, value] : held) out.q[static_cast<size_t>(index)] = value;
  auto* functor = new FrameResidual{&model, reference, measured_m, {}};
  for (int m = 0; m < static_cast<int>(model.markers.size()); ++m) {
    if (Present(measured_m + 3 * m)) functor->present.push_back(m);
  }
  const int residuals = 3 * static_cast<int>(functor->present.size());
  ceres::Problem problem;
  problem.AddResidualBlock(new ceres::AutoDiffCostFunction<FrameResidual, ceres::DYNAMIC, kCoordinates>(functor, residuals),
                           nullptr, out.q.data());
  for (const SegmentSpec& spec : model.segments) {
    for (int k = 0; k < 3; ++k) {
      if (spec.parent < 0 || spec.coordinate[k] < 0) continue;
      problem.SetParameterLowerBound(out.q.data(), spec.coordinate[k], spec.lower_rad[k]);
      problem.SetParameterUpperBound(out.q.data(), spec.coordinate[k], spec.upper_rad[k]);
    }
  }
  if (!held.empty()) {
    std::vector<int> constant;
    for (const auto& h : held) constant.push_back(h.first);
    problem.SetManifold(out.q.data(), new ceres::SubsetManifold(kCoordinates, constant));
  }
  ceres::Solver::Options options;
  options.trust_region_strategy_type = ceres::LEVENBERG_MARQUARDT;
  options.linear_solver_type = ceres::DENSE_QR;
  options.function_tolerance = 1e-14;
  options.gradient_tolerance = 1e-14;
  options.parameter_tolerance = 1e-14;
  options.max_num_iterations = 500;
  options.num_threads = 1;
  options.logging_type = ceres::SILENT;
  ceres::Solve(options, &problem, &out.summary);
  out.cost = 2 * out.summary.final_cost;  // Ceres minimises 1/2 |r|^2
  return out;
}

// --- synthetic gait ----------------------------------------------------------------------------

// Lab frame Z up, X forward: pelvis X -> lab X, pelvis Y -> lab Z, pelvis Z (right) -> lab -Y.
constexpr double kLabFromPelvis[9] = {1, 0, 0, 0, 0, -1, 0, 1, 0};

// Joint coordinates of frame f of a 50-frame cycle: hip flexion -20..+30 deg, knee flexion 2..60
// deg, ankle +-12 deg, small ab/adduction and rotations; the left leg half a cycle behind.
std::array<double, kCoordinates> GaitPose(int frame, int frames_per_cycle) {
  const double phase = 2 * kPi * frame / frames_per_cycle;
  std::array<double, kCoordinates> q{};
  q[0] = 1.3 * frame / 100.0;
  q[1] = 0.02 * std::sin(phase);
  q[2] = 0.92 + 0.015 * std::cos(2 * phase);
  q[3] = Rad(3 * std::sin(2 * phase));
  q[4] = Rad(4 * std::sin(phase));
  q[5] = Rad(5 * std::sin(phase + 0.3));
  for (int side = 0; side < 2; ++side) {
    const double p = phase + (side == 0 ? kPi : 0);
    double* leg = q.data() + kRootCoordinates + 8 * side;
    leg[0] = Rad(5 + 25 * std::sin(p));
    leg[1] = Rad(4 * std::sin(p + 0.7));
    leg[2] = Rad(6 * std::sin(p + 1.3));
    leg[3] = -Rad(31 - 29 * std::cos(p - 0.6));
    leg[4] = Rad(2 * std::sin(p));
    leg[5] = Rad(5 * std::sin(p + 0.4));
    leg[6] = Rad(12 * std::sin(p - 1.0));
    leg[7] = Rad(5 * std::sin(p + 2.0));
  }
  return q;
}

// Markers [frame][marker][3] of the truth poses (ik_chain.h's forward kinematics) plus noise.
std::vector<double> MeasuredMarkers(const IkChain& chain, const std::vector<std::array<double, kCoordinates>>& truth,
                                    double noise_m, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, noise_m);
  std::vector<double> markers;
  for (const auto& q : truth) {
    SegmentPose poses[kMaxChainSegments];
    ChainPoses(chain, kLabFromPelvis, q.data(), poses);
    for (int m = 0; m < chain.marker_count; ++m) {
      double p[3];
      MarkerPosition(chain, poses, m, p);
      for (double v : p) markers.push_back(v + noise(rng));
    }
  }
  return markers;
}

struct Solutions {
  std::vector<double> reference;  // [frame][9], from InitialiseFrames
  std::vector<double> start;      // [frame][coordinate]
  std::vector<double> batch;      // compute::SolveIkBatch
  std::vector<IkFrameResult> batch_results;
  std::vector<CeresFrame> ceres;
};

const double* FrameMarkers(const IkChain& chain, const std::vector<double>& markers, int f) {
  return &markers[3 * static_cast<size_t>(chain.marker_count) * static_cast<size_t>(f)];
}

Solutions SolveBoth(const LegModel& model, const IkChain& chain, int frames, const std::vector<double>& markers) {
  Solutions s;
  s.reference = InitialiseFrames(chain, frames, markers, &s.start);
  s.batch = s.start;
  s.batch_results = compute::SolveIkBatch(Backend::kCpu, chain, frames, markers, s.reference, IkFrameOptions(), &s.batch);
  for (int f = 0; f < frames; ++f) {
    s.ceres.push_back(SolveWithCeres(model, &s.reference[9 * static_cast<size_t>(f)], FrameMarkers(chain, markers, f),
                                     &s.start[static_cast<size_t>(kCoordinates) * f]));
  }
  return s;
}

// Every coordinate of every frame against `expected`: translations within 1e-6 m, angles within
// 1e-4 rad; the batched cost no higher than the reference's beyond rounding.
void ExpectAgreement(const Solutions& s, const std::vector<CeresFrame>& expected, const char* what) {
  const int frames = static_cast<int>(expected.size());
  double max_angle = 0, max_translation = 0, sum_angle2 = 0, max_cost_excess = 0;
  for (int f = 0; f < frames; ++f) {
    const CeresFrame& c = expected[static_cast<size_t>(f)];
    ASSERT_TRUE(c.summary.IsSolutionUsable()) << "frame " << f << ": " << c.summary.BriefReport();
    EXPECT_EQ(c.summary.termination_type, ceres::CONVERGENCE) << "frame " << f << ": " << c.summary.BriefReport();
    const IkFrameResult& r = s.batch_results[static_cast<size_t>(f)];
    EXPECT_TRUE(r.converged) << "frame " << f << ", " << r.iterations << " iterations";
    EXPECT_LE(r.cost, c.cost * (1 + 1e-8) + 1e-14) << "frame " << f;
    max_cost_excess = std::max(max_cost_excess, r.cost / c.cost - 1);
    double frame_angle = 0, frame_translation = 0;
    int worst = 0;
    for (int i = 0; i < kCoordinates; ++i) {
      const double d = std::fabs(s.batch[static_cast<size_t>(kCoordinates) * f + i] - c.q[static_cast<size_t>(i)]);
      if (i < 3) {
        frame_translation = std::max(frame_translation, d);
      } else {
        sum_angle2 += d * d;
        if (d > frame_angle) {
          frame_angle = d;
          worst = i;
        }
      }
    }
    EXPECT_LT(frame_translation, 1e-6) << "frame " << f;
    EXPECT_LT(frame_angle, 1e-4) << "frame " << f << ", worst coordinate " << worst;
    max_angle = std::max(max_angle, frame_angle);
    max_translation = std::max(max_translation, frame_translation);
  }
  std::printf("%s: batched vs Ceres over %d frames: angles max %.3g rad, RMS %.3g rad; translation max %.3g m; "
              "batched cost above Ceres's by at most %.3g (relative)\n",
              what, frames, max_angle, std::sqrt(sum_angle2 / (frames * (kCoordinates - 3))), max_translation,
              max_cost_excess);
}

double WeightedCost(const LegModel& model, const double* reference, const double* measured_m, const double* q) {
  std::vector<Vector3<double>> p;
  ModelMarkers(model, reference, q, &p);
  double cost = 0;
  for (size_t m = 0; m < p.size(); ++m) {
    const double* y = measured_m + 3 * m;
    if (Present(y)) cost += model.markers[m].weight * (p[m] - Vector3<double>(y[0], y[1], y[2])).squaredNorm();
  }
  return cost;
}

TEST(IkCeres, IndependentKinematicsMatchesChainPoses) {
  const LegModel model = BuildLegModel();
  const IkChain chain = ToChain(model);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> angle(-1.2, 1.2);
  const double reference[9] = {0.36, 0.48, -0.8, -0.8, 0.6, 0, 0.48, 0.64, 0.6};  // a proper rotation
  for (int trial = 0; trial < 20; ++trial) {
    double q[kCoordinates];
    for (double& v : q) v = angle(rng);
    SegmentPose poses[kMaxChainSegments];
    ChainPoses(chain, reference, q, poses);
    std::vector<Vector3<double>> ours;
    ModelMarkers(model, reference, q, &ours);
    for (int m = 0; m < chain.marker_count; ++m) {
      double p[3];
      MarkerPosition(chain, poses, m, p);
      for (int k = 0; k < 3; ++k) ASSERT_NEAR(p[k], ours[static_cast<size_t>(m)][k], 1e-12) << "marker " << m;
    }
  }
}

// The closed-form normal equations (subtree sums and Jacobian screws) against J^T W J and
// J^T W r from the independent kinematics' autodiff Jacobian, far from the lab origin (where
// moment sums about the origin would lose digits), with varied weights and absent markers.
TEST(IkCeres, NormalEquationsMatchTheAutodiffJacobian) {
  const LegModel model = BuildLegModel();
  IkChain chain = ToChain(model);
  using Jet = ceres::Jet<double, kCoordinates>;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> angle(-1.0, 1.0);
  std::normal_distribution<double> noise(0, 0.01);
  const double reference[9] = {0.36, 0.48, -0.8, -0.8, 0.6, 0, 0.48, 0.64, 0.6};
  for (int m = 0; m < chain.marker_count; ++m) chain.marker_weight[m] = 0.5 + 0.25 * (m % 5);
  for (int trial = 0; trial < 10; ++trial) {
    double q[kCoordinates];
    for (double& v : q) v = angle(rng);
    q[0] = 6.5, q[1] = -3.2, q[2] = 0.9;  // metres from the origin
    std::vector<Jet> q_jet(kCoordinates);
    for (int c = 0; c < kCoordinates; ++c) q_jet[c] = Jet(q[c], c);
    std::vector<Vector3<Jet>> p;
    ModelMarkers(model, reference, q_jet.data(), &p);
    std::vector<double> measured(3 * static_cast<size_t>(chain.marker_count));
    Eigen::MatrixXd expected_normal = Eigen::MatrixXd::Zero(kCoordinates, kCoordinates);
    Eigen::VectorXd expected_gradient = Eigen::VectorXd::Zero(kCoordinates);
    for (int m = 0; m < chain.marker_count; ++m) {
      const bool absent = (m + trial) % 7 == 0;
      Eigen::Matrix<double, 3, kCoordinates> jacobian;
      Eigen::Vector3d residual;
      for (int k = 0; k < 3; ++k) {
        const double y = p[m][k].a + noise(rng);
        measured[3 * m + k] = absent ? kNaN : y;
        residual[k] = p[m][k].a - y;
        jacobian.row(k) = p[m][k].v.transpose();
      }
      if (absent) continue;
      expected_normal += chain.marker_weight[m] * jacobian.transpose() * jacobian;
      expected_gradient += chain.marker_weight[m] * jacobian.transpose() * residual;
    }
    double normal[kCoordinates * kCoordinates];
    double gradient[kCoordinates];
    IkNormalEquations(chain, reference, q, measured.data(), normal, gradient);
    const double scale = expected_normal.cwiseAbs().maxCoeff();
    for (int i = 0; i < kCoordinates; ++i) {
      EXPECT_NEAR(gradient[i], expected_gradient[i], 1e-12 * scale) << "gradient " << i;
      for (int j = 0; j < kCoordinates; ++j) {
        ASSERT_NEAR(normal[i * kCoordinates + j], expected_normal(i, j), 1e-12 * scale) << i << ", " << j;
      }
    }
  }
}

TEST(IkCeres, GaitSequenceAgreesWithCeresAndRecoversTruth) {
  const LegModel model = BuildLegModel();
  const IkChain chain = ToChain(model);
  constexpr int kFrames = 50;
  std::vector<std::array<double, kCoordinates>> truth;
  for (int f = 0; f < kFrames; ++f) truth.push_back(GaitPose(f, kFrames));
  const std::vector<double> markers = MeasuredMarkers(chain, truth, 0.001, 7);
  const Solutions s = SolveBoth(model, chain, kFrames, markers);
  ExpectAgreement(s, s.ceres, "gait");

  // Against the truth: joint angles directly, the pelvis by its lab orientation and position
  // (the solvers' root angles are measured from InitialiseFrames' reference, not the truth's).
  double max_joint = 0, sum_joint2 = 0, max_pelvis = 0, max_position = 0, batch_rms = 0;
  for (int f = 0; f < kFrames; ++f) {
    const double* q = &s.batch[static_cast<size_t>(kCoordinates) * f];
    const auto& t = truth[static_cast<size_t>(f)];
    for (int i = kRootCoordinates; i < kCoordinates; ++i) {
      const double d = std::fabs(q[i] - t[static_cast<size_t>(i)]);
      max_joint = std::max(max_joint, d);
      sum_joint2 += d * d;
    }
    const Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> reference(&s.reference[9 * static_cast<size_t>(f)]);
    const Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> lab(kLabFromPelvis);
    const Matrix3<double> solved = reference * ZxyRotation(q[3], q[4], q[5]);
    const Matrix3<double> expected = lab * ZxyRotation(t[3], t[4], t[5]);
    const double cos_angle = std::clamp(((solved.transpose() * expected).trace() - 1) / 2, -1.0, 1.0);
    max_pelvis = std::max(max_pelvis, std::acos(cos_angle));
    for (int k = 0; k < 3; ++k) max_position = std::max(max_position, std::fabs(q[k] - t[static_cast<size_t>(k)]));
    batch_rms += s.batch_results[static_cast<size_t>(f)].rms_residual_m / kFrames;
  }
  const double rms_joint = std::sqrt(sum_joint2 / (kFrames * (kCoordinates - kRootCoordinates)));
  std::printf("gait: against truth (1 mm noise per axis): joint angles max %.4f rad, RMS %.4f rad; pelvis orientation "
              "max %.4f rad, position max %.2f mm; mean marker RMS residual %.3f mm\n",
              max_joint, rms_joint, max_pelvis, 1e3 * max_position, 1e3 * batch_rms);
  // 1 mm per axis on clusters about 0.1 m across: angles to about 0.01 rad RMS, the worst (knee
  // axial rotation, ankle inversion: the shortest levers) a few times that. The fitted residual is
  // sqrt(3) mm x sqrt((78 - 22) / 78) = 1.47 mm: the noise is fitted, not reproduced or exceeded.
  EXPECT_LT(max_joint, Rad(5));
  EXPECT_LT(rms_joint, Rad(1.5));
  EXPECT_LT(max_pelvis, Rad(1.5));
  EXPECT_LT(max_position, 0.003);
  EXPECT_GT(batch_rms, 0.0012);
  EXPECT_LT(batch_rms, 0.0017);
}

TEST(IkCeres, MissingMarkersStillAgree) {
  const LegModel model = BuildLegModel();
  const IkChain chain = ToChain(model);
  constexpr int kFrames = 4;
  std::vector<std::array<double, kCoordinates>> truth;
  for (int f = 0; f < kFrames; ++f) truth.push_back(GaitPose(5 + 11 * f, 50));
  std::vector<double> markers = MeasuredMarkers(chain, truth, 0.001, 8);
  // Frame by frame, drop one pelvis marker, one marker of a thigh, a shank and a foot (each
  // segment keeps enough to stay determined). Markers: pelvis 0-3, left thigh 4-7, shank 8-11,
  // foot 12-14, right thigh 15-18, shank 19-22, foot 23-25.
  const int dropped[kFrames][4] = {{0, 4, 9, 14}, {3, 16, 19, 25}, {1, 6, 21, 12}, {2, 17, 10, 23}};
  for (int f = 0; f < kFrames; ++f) {
    for (int m : dropped[f]) {
      for (int k = 0; k < 3; ++k) markers[(static_cast<size_t>(f) * chain.marker_count + m) * 3 + k] = kNaN;
    }
  }
  const Solutions s = SolveBoth(model, chain, kFrames, markers);
  for (int f = 0; f < kFrames; ++f) EXPECT_EQ(s.batch_results[static_cast<size_t>(f)].markers_used, chain.marker_count - 4);
  ExpectAgreement(s, s.ceres, "missing markers");
}

// Frames whose right knee is hyperextended past its 0.1 rad limit and whose left ankle is
// plantarflexed past its -0.9 rad limit.
struct LimitScenario {
  static constexpr int kFrames = 3;
  LegModel model = BuildLegModel();
  IkChain chain = ToChain(model);
  int knee_right = model.segments[kShankRight].coordinate[0];
  int ankle_left = model.segments[kFootLeft].coordinate[0];
  double knee_limit = model.segments[kShankRight].upper_rad[0];
  double ankle_limit = model.segments[kFootLeft].lower_rad[0];
  std::vector<double> markers;
  Solutions solutions;

  LimitScenario() {
    std::vector<std::array<double, kCoordinates>> truth;
    for (int f = 0; f < kFrames; ++f) {
      truth.push_back(GaitPose(3 + 17 * f, 50));
      truth.back()[static_cast<size_t>(knee_right)] = 0.25;
      truth.back()[static_cast<size_t>(ankle_left)] = -1.15;
    }
    markers = MeasuredMarkers(chain, truth, 0.001, 9);
    solutions = SolveBoth(model, chain, kFrames, markers);
  }
};

TEST(IkCeres, JointBeyondLimitSitsOnTheLimit) {
  const LimitScenario scenario;
  const Solutions& s = scenario.solutions;
  for (int f = 0; f < LimitScenario::kFrames; ++f) {
    const double* q = &s.batch[static_cast<size_t>(kCoordinates) * f];
    const auto& c = s.ceres[static_cast<size_t>(f)].q;
    EXPECT_NEAR(q[scenario.knee_right], scenario.knee_limit, 1e-12) << "frame " << f;
    EXPECT_NEAR(c[static_cast<size_t>(scenario.knee_right)], scenario.knee_limit, 1e-12) << "frame " << f;
    EXPECT_NEAR(q[scenario.ankle_left], scenario.ankle_limit, 1e-12) << "frame " << f;
    EXPECT_NEAR(c[static_cast<size_t>(scenario.ankle_left)], scenario.ankle_limit, 1e-12) << "frame " << f;
  }
}

// The constrained optimum, found by Ceres with the two limited angles held at their limits
// (SubsetManifold) and checked to be one: every other angle strictly inside its limits, and the
// cost still falling beyond each held limit (the Karush-Kuhn-Tucker sign; Nocedal & Wright 2006,
// 12.1). Ceres's own bounds are not the reference here: its trust-region step is projected onto
// the bounds after the fact, and it stops (parameter tolerance) above this optimum.
TEST(IkCeres, JointAtLimitReachesTheConstrainedOptimum) {
  const LimitScenario scenario;
  const Solutions& s = scenario.solutions;
  std::vector<CeresFrame> constrained;
  for (int f = 0; f < LimitScenario::kFrames; ++f) {
    const double* reference = &s.reference[9 * static_cast<size_t>(f)];
    const double* measured = FrameMarkers(scenario.chain, scenario.markers, f);
    constrained.push_back(SolveWithCeres(scenario.model, reference, measured, &s.start[static_cast<size_t>(kCoordinates) * f],
                                         {{scenario.knee_right, scenario.knee_limit}, {scenario.ankle_left, scenario.ankle_limit}}));
    std::array<double, kCoordinates> q = constrained.back().q;
    for (const SegmentSpec& spec : scenario.model.segments) {
      for (int k = 0; k < 3; ++k) {
        const int i = spec.coordinate[k];
        if (spec.parent < 0 || i < 0 || i == scenario.knee_right || i == scenario.ankle_left) continue;
        EXPECT_GT(q[static_cast<size_t>(i)], spec.lower_rad[k] + 1e-6) << "frame " << f << ", coordinate " << i;
        EXPECT_LT(q[static_cast<size_t>(i)], spec.upper_rad[k] - 1e-6) << "frame " << f << ", coordinate " << i;
      }
    }
    const double h = 1e-6;
    auto slope = [&](int i) {
      std::array<double, kCoordinates> plus = q, minus = q;
      plus[static_cast<size_t>(i)] += h;
      minus[static_cast<size_t>(i)] -= h;
      return (WeightedCost(scenario.model, reference, measured, plus.data()) -
              WeightedCost(scenario.model, reference, measured, minus.data())) / (2 * h);
    };
    EXPECT_LT(slope(scenario.knee_right), 0) << "frame " << f << ": the knee limit is not active";
    EXPECT_GT(slope(scenario.ankle_left), 0) << "frame " << f << ": the ankle limit is not active";
    std::printf("joint limits, frame %d: cost at the constrained optimum %.6e, batched %.6e (%d iterations), Ceres with "
                "bounds %.6e\n",
                f, constrained.back().cost, s.batch_results[static_cast<size_t>(f)].cost,
                s.batch_results[static_cast<size_t>(f)].iterations, s.ceres[static_cast<size_t>(f)].cost);
  }
  ExpectAgreement(s, constrained, "joint limits");
}

}  // namespace
}  // namespace midstance
