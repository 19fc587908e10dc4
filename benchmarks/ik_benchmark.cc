// Inverse kinematics of a 7-segment lower-limb chain (22 coordinates, 26 markers; ik_chain.h) over
// 10,000 frames of synthetic gait with 1 mm marker noise: compute::SolveIkBatch on the CPU backend
// against one Ceres Solver problem per frame (automatic differentiation, Levenberg-Marquardt,
// dense normal Cholesky, joint limits as bounds, num_threads 1 per solve, frames spread over the
// same number of OpenMP threads). Both start from InitialiseFrames and stop on the same
// tolerances (relative cost change 1e-12, step 1e-10); the agreement and the mean RMS marker
// residual of both are printed so that equal work is visible. Items are frames.
#include <benchmark/benchmark.h>
#include <ceres/ceres.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench_support.h"
#include "midstance/compute.h"
#include "midstance/ik_chain.h"
#include "midstance/skeleton.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kFrames = 10000;
constexpr int kSegments = 7;
constexpr int kMarkers = 26;
constexpr int kCoordinates = 22;  // 6 root + 2 x (hip 3 + knee 3 + ankle 2)

double Rad(double degrees) { return degrees * kPi / 180; }

// The chain of tests/ik_ceres_test.cc: pelvis frame X anterior, Y up, Z right; hips at
// (-0.03, -0.08, +-0.085) m, thigh 0.42 m, shank 0.41 m; hip and knee 3 angles, ankle 2 (axial
// rotation locked); off-axis lateral clusters plus epicondyle / malleolus markers.
IkChain BuildChain() {
  IkChain chain;
  chain.segment_count = kSegments;
  chain.coordinate_count = kCoordinates;
  auto add_marker = [&chain](int segment, double x, double y, double z, double weight) {
    const int m = chain.marker_count++;
    chain.marker_segment[m] = segment;
    chain.marker_local_m[m][0] = x;
    chain.marker_local_m[m][1] = y;
    chain.marker_local_m[m][2] = z;
    chain.marker_weight[m] = weight;
  };
  add_marker(0, 0.0, 0.0, -0.125, 1);
  add_marker(0, 0.0, 0.0, 0.125, 1);
  add_marker(0, -0.165, 0.02, -0.045, 1);
  add_marker(0, -0.165, 0.02, 0.045, 1);
  for (int side = 0; side < 2; ++side) {
    const double s = side == 0 ? -1 : 1;
    const int thigh = 1 + 3 * side, first = kRootCoordinates + 8 * side;
    const struct {
      int parent;
      double centre[3];
      int coordinate[3];
      double lower[3], upper[3];
    } joints[3] = {{0, {-0.03, -0.08, s * 0.085}, {first, first + 1, first + 2}, {-0.5, -0.5, -0.7}, {2.0, 0.5, 0.7}},
                   {thigh, {0, -0.42, 0}, {first + 3, first + 4, first + 5}, {-2.5, -0.35, -0.6}, {0.1, 0.35, 0.6}},
                   {thigh + 1, {0, -0.41, 0}, {first + 6, first + 7, -1}, {-0.9, -0.6, -kPi}, {0.6, 0.6, kPi}}};
    for (int j = 0; j < 3; ++j) {
      ChainJoint& joint = chain.joints[thigh + j];
      joint.parent = joints[j].parent;
      for (int k = 0; k < 3; ++k) {
        joint.centre_in_parent_m[k] = joints[j].centre[k];
        joint.coordinate[k] = joints[j].coordinate[k];
        joint.lower_rad[k] = joints[j].lower[k];
        joint.upper_rad[k] = joints[j].upper[k];
      }
    }
    chain.joints[thigh + 2].locked_rad[2] = s * 0.05;
    add_marker(thigh, 0.03, -0.15, s * 0.075, 1);
    add_marker(thigh, 0.05, -0.25, s * 0.08, 1);
    add_marker(thigh, -0.02, -0.21, s * 0.085, 0.8);
    add_marker(thigh, 0.0, -0.42, s * 0.055, 2);
    add_marker(thigh + 1, 0.035, -0.12, s * 0.06, 1);
    add_marker(thigh + 1, 0.04, -0.25, s * 0.055, 1);
    add_marker(thigh + 1, -0.025, -0.19, s * 0.065, 0.8);
    add_marker(thigh + 1, 0.0, -0.41, s * 0.045, 2);
    add_marker(thigh + 2, -0.06, -0.04, 0.0, 1);
    add_marker(thigh + 2, 0.15, -0.07, -s * 0.03, 1);
    add_marker(thigh + 2, 0.13, -0.07, s * 0.035, 1);
  }
  return chain;
}

// Lab frame Z up, X forward: pelvis X -> lab X, pelvis Y -> lab Z, pelvis Z (right) -> lab -Y.
constexpr double kLabFromPelvis[9] = {1, 0, 0, 0, 0, -1, 0, 1, 0};

struct Problem {
  IkChain chain = BuildChain();
  std::vector<double> markers_m;  // [frame][marker][3]
  std::vector<double> reference;  // [frame][9]
  std::vector<double> start;      // [frame][coordinate]
};

// Gait cycles of 100 frames (hip flexion -20..+30 deg, knee 2..60, ankle +-12, small
// ab/adduction and rotations, the left leg half a cycle behind), each frame's angles jittered by
// up to 3 deg so that no two frames are the same problem.
const Problem& Frames() {
  static const Problem problem = [] {
    Problem p;
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> jitter(-Rad(3), Rad(3));
    std::normal_distribution<double> noise(0, 0.001);
    p.markers_m.reserve(static_cast<size_t>(kFrames) * kMarkers * 3);
    for (int f = 0; f < kFrames; ++f) {
      const double phase = 2 * kPi * f / 100;
      double q[kCoordinates];
      q[0] = 1.3 * f / 100.0;
      q[1] = 0.02 * std::sin(phase);
      q[2] = 0.92 + 0.015 * std::cos(2 * phase);
      q[3] = Rad(3 * std::sin(2 * phase));
      q[4] = Rad(4 * std::sin(phase));
      q[5] = Rad(5 * std::sin(phase + 0.3));
      for (int side = 0; side < 2; ++side) {
        const double a = phase + (side == 0 ? kPi : 0);
        double* leg = q + kRootCoordinates + 8 * side;
        leg[0] = Rad(5 + 25 * std::sin(a));
        leg[1] = Rad(4 * std::sin(a + 0.7));
        leg[2] = Rad(6 * std::sin(a + 1.3));
        leg[3] = -Rad(31 - 29 * std::cos(a - 0.6));
        leg[4] = Rad(2 * std::sin(a));
        leg[5] = Rad(5 * std::sin(a + 0.4));
        leg[6] = Rad(12 * std::sin(a - 1.0));
        leg[7] = Rad(5 * std::sin(a + 2.0));
      }
      for (int i = 3; i < kCoordinates; ++i) q[i] += jitter(rng);
      SegmentPose poses[kMaxChainSegments];
      ChainPoses(p.chain, kLabFromPelvis, q, poses);
      for (int m = 0; m < kMarkers; ++m) {
        double y[3];
        MarkerPosition(p.chain, poses, m, y);
        for (double v : y) p.markers_m.push_back(v + noise(rng));
      }
    }
    p.reference = InitialiseFrames(p.chain, kFrames, p.markers_m, &p.start);
    return p;
  }();
  return problem;
}

// --- the peer: Ceres with its own templated forward kinematics ------------------------------------

template <typename T>
using Matrix3 = Eigen::Matrix<T, 3, 3>;
template <typename T>
using Vector3 = Eigen::Matrix<T, 3, 1>;

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

// sqrt(w) (p(q) - y) of every marker of one frame (the benchmark's frames have them all).
struct FrameResidual {
  const IkChain* chain;
  const double* reference = nullptr;   // this frame's [9]
  const double* measured_m = nullptr;  // this frame's [marker][3]

  template <typename T>
  bool operator()(const T* q, T* residual) const {
    std::array<Matrix3<T>, kSegments> rotation;
    std::array<Vector3<T>, kSegments> origin;
    Matrix3<T> ref;
    for (int i = 0; i < 9; ++i) ref(i / 3, i % 3) = T(reference[i]);
    rotation[0] = ref * ZxyRotation(q[3], q[4], q[5]);
    origin[0] << q[0], q[1], q[2];
    for (int s = 1; s < kSegments; ++s) {
      const ChainJoint& joint = chain->joints[s];
      T angle[3];
      for (int k = 0; k < 3; ++k) angle[k] = joint.coordinate[k] >= 0 ? q[joint.coordinate[k]] : T(joint.locked_rad[k]);
      const Vector3<T> centre(T(joint.centre_in_parent_m[0]), T(joint.centre_in_parent_m[1]), T(joint.centre_in_parent_m[2]));
      origin[s] = origin[joint.parent] + rotation[joint.parent] * centre;
      rotation[s] = rotation[joint.parent] * ZxyRotation(angle[0], angle[1], angle[2]);
    }
    for (int m = 0; m < kMarkers; ++m) {
      const int s = chain->marker_segment[m];
      const Vector3<T> local(T(chain->marker_local_m[m][0]), T(chain->marker_local_m[m][1]), T(chain->marker_local_m[m][2]));
      const Vector3<T> p = origin[s] + rotation[s] * local;
      const double root_w = std::sqrt(chain->marker_weight[m]);
      for (int k = 0; k < 3; ++k) residual[3 * m + k] = root_w * (p[k] - measured_m[3 * m + k]);
    }
    return true;
  }
};

ceres::Solver::Options CeresOptions() {
  ceres::Solver::Options options;
  options.trust_region_strategy_type = ceres::LEVENBERG_MARQUARDT;
  options.linear_solver_type = ceres::DENSE_NORMAL_CHOLESKY;
  options.function_tolerance = 1e-12;   // IkFrameOptions::cost_tolerance
  options.parameter_tolerance = 1e-10;  // IkFrameOptions::step_tolerance
  options.gradient_tolerance = 1e-10;
  options.max_num_iterations = 100;
  options.num_threads = 1;
  options.logging_type = ceres::SILENT;
  return options;
}

// One Problem per thread, built once: each frame only points the residual at its data and
// resets the coordinates, so the peer pays for solving, not for building problems.
void SolveAllWithCeres(const Problem& p, int threads, std::vector<double>* q, std::vector<int>* iterations) {
  const ceres::Solver::Options options = CeresOptions();
#pragma omp parallel num_threads(threads)
  {
    std::array<double, kCoordinates> x{};
    auto* functor = new FrameResidual{&p.chain};
    ceres::Problem problem;
    problem.AddResidualBlock(new ceres::AutoDiffCostFunction<FrameResidual, 3 * kMarkers, kCoordinates>(functor), nullptr,
                             x.data());
    for (int s = 1; s < kSegments; ++s) {
      const ChainJoint& joint = p.chain.joints[s];
      for (int k = 0; k < 3; ++k) {
        if (joint.coordinate[k] < 0) continue;
        problem.SetParameterLowerBound(x.data(), joint.coordinate[k], joint.lower_rad[k]);
        problem.SetParameterUpperBound(x.data(), joint.coordinate[k], joint.upper_rad[k]);
      }
    }
    ceres::Solver::Summary summary;
#pragma omp for schedule(static)
    for (int f = 0; f < kFrames; ++f) {
      const size_t first = static_cast<size_t>(kCoordinates) * static_cast<size_t>(f);
      functor->reference = &p.reference[9 * static_cast<size_t>(f)];
      functor->measured_m = &p.markers_m[3 * static_cast<size_t>(kMarkers) * static_cast<size_t>(f)];
      std::copy(p.start.begin() + static_cast<std::ptrdiff_t>(first),
                p.start.begin() + static_cast<std::ptrdiff_t>(first + kCoordinates), x.begin());
      ceres::Solve(options, &problem, &summary);
      (*iterations)[static_cast<size_t>(f)] = summary.num_successful_steps + summary.num_unsuccessful_steps;
      std::copy(x.begin(), x.end(), q->begin() + static_cast<std::ptrdiff_t>(first));
    }
  }
}

// Each side's solutions and iterations per frame from its last run, for the agreement printed
// after the timings.
struct Outcome {
  std::vector<double> q;
  std::vector<int> iterations;
};
Outcome& Last(int side) {
  static Outcome outcome[2];
  return outcome[side];
}

void BM_Midstance(benchmark::State& state) {
  const Problem& p = Frames();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  std::vector<double> q;
  std::vector<IkFrameResult> results;
  for (auto _ : state) {
    q = p.start;
    results = compute::SolveIkBatch(Backend::kCpu, p.chain, kFrames, p.markers_m, p.reference, IkFrameOptions(), &q);
    benchmark::DoNotOptimize(results.data());
  }
  Last(0).q = q;
  Last(0).iterations.clear();
  for (const IkFrameResult& r : results) Last(0).iterations.push_back(r.iterations);
  state.SetItemsProcessed(state.iterations() * kFrames);
}

void BM_CeresAutoDiff(benchmark::State& state) {
  const Problem& p = Frames();
  std::vector<double> q(p.start.size());
  std::vector<int> iterations(kFrames);
  for (auto _ : state) {
    SolveAllWithCeres(p, static_cast<int>(state.range(0)), &q, &iterations);
    benchmark::DoNotOptimize(q.data());
  }
  Last(1) = {q, iterations};
  state.SetItemsProcessed(state.iterations() * kFrames);
}

// Args: threads.
BENCHMARK(BM_Midstance)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CeresAutoDiff)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Unweighted RMS marker residual of one frame's solution (as IkFrameResult::rms_residual_m).
double RmsResidual(const Problem& p, int f, const double* q) {
  SegmentPose poses[kMaxChainSegments];
  ChainPoses(p.chain, &p.reference[9 * static_cast<size_t>(f)], q, poses);
  double sum = 0;
  for (int m = 0; m < kMarkers; ++m) {
    double y[3];
    MarkerPosition(p.chain, poses, m, y);
    const double* measured = &p.markers_m[(static_cast<size_t>(f) * kMarkers + static_cast<size_t>(m)) * 3];
    for (int k = 0; k < 3; ++k) sum += (y[k] - measured[k]) * (y[k] - measured[k]);
  }
  return std::sqrt(sum / kMarkers);
}

// Both sides' solutions: equal residuals before their speeds mean anything.
void PrintAgreement() {
  const Problem& p = Frames();
  const std::vector<double>& ours = Last(0).q;
  const std::vector<double>& peer = Last(1).q;
  if (ours.size() != p.start.size() || peer.size() != p.start.size()) return;
  double max_angle = 0, max_translation = 0, rms_ours = 0, rms_peer = 0, worse = 0, iterations_ours = 0, iterations_peer = 0;
  for (int f = 0; f < kFrames; ++f) {
    const size_t first = static_cast<size_t>(kCoordinates) * static_cast<size_t>(f);
    for (int i = 0; i < kCoordinates; ++i) {
      const double d = std::fabs(ours[first + static_cast<size_t>(i)] - peer[first + static_cast<size_t>(i)]);
      if (i < 3) {
        max_translation = std::max(max_translation, d);
      } else {
        max_angle = std::max(max_angle, d);
      }
    }
    const double a = RmsResidual(p, f, &ours[first]), b = RmsResidual(p, f, &peer[first]);
    rms_ours += a / kFrames;
    rms_peer += b / kFrames;
    worse = std::max(worse, a - b);
    iterations_ours += static_cast<double>(Last(0).iterations[static_cast<size_t>(f)]) / kFrames;
    iterations_peer += static_cast<double>(Last(1).iterations[static_cast<size_t>(f)]) / kFrames;
  }
  std::printf("AGREEMENT ik_lower_limb_22dof: largest difference from Ceres %.3g rad, %.3g m; mean RMS marker residual "
              "midstance %.6f mm, ceres %.6f mm (midstance worse by at most %.3g mm in a frame); mean iterations "
              "midstance %.1f, ceres %.1f\n",
              max_angle, max_translation, 1e3 * rms_ours, 1e3 * rms_peer, 1e3 * worse, iterations_ours, iterations_peer);
}

}  // namespace
}  // namespace midstance

int main(int argc, char** argv) {
  auto rates = midstance::bench::RunAll(argc, argv);
  for (int threads : {1, 2}) {
    const std::string t = std::to_string(threads);
    midstance::bench::PrintCompare("ik_lower_limb_22dof_" + t + "thread", rates["BM_Midstance/" + t + "/real_time"],
                                   "ceres_autodiff_lm_" + t + "thread", rates["BM_CeresAutoDiff/" + t + "/real_time"],
                                   "frames/s");
  }
  midstance::PrintAgreement();
  return 0;
}
