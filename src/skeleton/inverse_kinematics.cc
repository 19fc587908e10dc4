// Inverse kinematics over a trial: each frame starts from segment-wise rigid fits (so frames are
// independent and the batch parallelises), the batched Levenberg-Marquardt kernel solves the
// global problem (ik_chain.h), and joint angles, centres and velocities are read off the poses.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include <Eigen/Geometry>
#include <Eigen/SVD>

#include "midstance/compute.h"
#include "midstance/error.h"
#include "midstance/filter.h"
#include "midstance/skeleton.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDegrees = 180.0 / M_PI;
// Rigid markers of one segment keep their distances up to skin motion and noise; beyond this the
// labels of the static and dynamic trials disagree.
constexpr double kClusterLabelTolerance = 0.010;
// Beyond this, with no relabelling that fits, the calibration is not of these markers: refused.
constexpr double kClusterMismatchLimit = 0.025;

using RowMatrix3 = Eigen::Matrix<double, 3, 3, Eigen::RowMajor>;


bool Present(const double* p) { return std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]); }

// Least-squares rotation taking `local` points onto `measured` ones (Kabsch 1976, Acta Cryst
// A32:922, with the reflection guard of Umeyama 1991). False when the points are (near) collinear.
bool FitRotation(const std::vector<Eigen::Vector3d>& local, const std::vector<Eigen::Vector3d>& measured, Eigen::Matrix3d* rotation) {
  if (local.size() < 3) return false;
  Eigen::Vector3d local_mean = Eigen::Vector3d::Zero(), measured_mean = Eigen::Vector3d::Zero();
  for (size_t i = 0; i < local.size(); ++i) local_mean += local[i], measured_mean += measured[i];
  local_mean /= static_cast<double>(local.size());
  measured_mean /= static_cast<double>(local.size());
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
  for (size_t i = 0; i < local.size(); ++i) covariance += (measured[i] - measured_mean) * (local[i] - local_mean).transpose();
  const Eigen::JacobiSVD<Eigen::Matrix3d> svd(covariance, Eigen::ComputeFullU | Eigen::ComputeFullV);
  if (!(svd.singularValues()[1] > 1e-6 * svd.singularValues()[0])) return false;
  Eigen::Matrix3d d = Eigen::Matrix3d::Identity();
  d(2, 2) = (svd.matrixU() * svd.matrixV().transpose()).determinant() < 0 ? -1 : 1;
  *rotation = svd.matrixU() * d * svd.matrixV().transpose();
  return true;
}

// Segments whose markers cannot fix them in a frame, and why (parents before children).
struct Determinacy {
  // Value-initialised: a chain has fewer segments than kMaxChainSegments, and the default copy
  // of this struct reads every entry (an indeterminate bool is undefined behaviour).
  bool determined[kMaxChainSegments] = {};
  std::string reason;  // the first undetermined segment's reason, "" if all determined
};

int FreeRotations(const ChainJoint& joint) {
  int n = 0;
  for (int k = 0; k < 3; ++k) n += joint.coordinate[k] >= 0 ? 1 : 0;
  return n;
}

// A segment is determined by its own markers: the pelvis by 3, a segment hanging from a joint
// centre by 2 when it turns about 3 axes (with the centre, three points), by 1 for fewer axes.
Determinacy SegmentsDetermined(const IkChain& chain, const double* markers) {
  int present[kMaxChainSegments] = {}, total[kMaxChainSegments] = {};
  for (int m = 0; m < chain.marker_count; ++m) {
    ++total[chain.marker_segment[m]];
    if (Present(markers + 3 * m)) ++present[chain.marker_segment[m]];
  }
  Determinacy d;
  for (int s = 0; s < chain.segment_count; ++s) {
    const ChainJoint& joint = chain.joints[s];
    const int needed = joint.parent < 0 ? 3 : FreeRotations(joint) == 3 ? 2 : 1;
    const bool parent_ok = joint.parent < 0 || d.determined[joint.parent];
    d.determined[s] = parent_ok && present[s] >= std::min(needed, total[s]) && present[s] > 0;
    if (!d.determined[s] && parent_ok && d.reason.empty()) {
      d.reason = std::string(SegmentName(s)) + ": " + std::to_string(present[s]) + " of " + std::to_string(total[s]) +
                 " markers, needs " + std::to_string(needed);
    }
  }
  return d;
}

void ToRowMajor(const Eigen::Matrix3d& m, double* out) {
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) out[3 * i + j] = m(i, j);
  }
}

Eigen::Matrix3d FromRowMajor(const double* r) { return Eigen::Map<const RowMatrix3>(r); }

// One frame's start: returns the root reference rotation, fills q.
void InitialiseFrame(const IkChain& chain, const double* markers, double* reference, double* q) {
  Eigen::Matrix3d rotation[kMaxChainSegments];
  Eigen::Vector3d origin[kMaxChainSegments];
  for (int i = 0; i < chain.coordinate_count; ++i) q[i] = 0;
  for (int s = 0; s < chain.segment_count; ++s) {
    const ChainJoint& joint = chain.joints[s];
    std::vector<Eigen::Vector3d> local, measured;
    if (joint.parent >= 0) {
      origin[s] = origin[joint.parent] + rotation[joint.parent] * Eigen::Map<const Eigen::Vector3d>(joint.centre_in_parent_m);
      local.push_back(Eigen::Vector3d::Zero());
      measured.push_back(origin[s]);
    }
    for (int m = 0; m < chain.marker_count; ++m) {
      if (chain.marker_segment[m] != s || !Present(markers + 3 * m)) continue;
      local.push_back(Eigen::Map<const Eigen::Vector3d>(chain.marker_local_m[m]));
      measured.push_back(Eigen::Map<const Eigen::Vector3d>(markers + 3 * m));
    }
    Eigen::Matrix3d fitted;
    const bool fit = FitRotation(local, measured, &fitted);
    if (joint.parent < 0) {
      rotation[s] = fit ? fitted : Eigen::Matrix3d::Identity();
      Eigen::Vector3d local_mean = Eigen::Vector3d::Zero(), measured_mean = Eigen::Vector3d::Zero();
      for (size_t i = 0; i < local.size(); ++i) local_mean += local[i], measured_mean += measured[i];
      origin[s] = local.empty() ? Eigen::Vector3d::Zero()
                                : Eigen::Vector3d((measured_mean - rotation[s] * local_mean) / static_cast<double>(local.size()));
      ToRowMajor(rotation[s], reference);
      for (int k = 0; k < 3; ++k) q[k] = origin[s][k];
      continue;
    }
    double angles[3] = {joint.locked_rad[0], joint.locked_rad[1], joint.locked_rad[2]};
    if (fit) {
      double relative[9];
      ToRowMajor(rotation[joint.parent].transpose() * fitted, relative);
      JcsAngles(relative, angles);
    }
    for (int k = 0; k < 3; ++k) {
      if (joint.coordinate[k] < 0) {
        angles[k] = joint.locked_rad[k];
      } else {
        angles[k] = std::min(joint.upper_rad[k], std::max(joint.lower_rad[k], angles[k]));
        q[joint.coordinate[k]] = angles[k];
      }
    }
    double local_rotation[9];
    JcsRotation(angles[0], angles[1], angles[2], local_rotation);
    rotation[s] = rotation[joint.parent] * FromRowMajor(local_rotation);
  }
}

// Central differences of filtered columns (NaN where a neighbour is missing); `values` is
// [frame][columns].
std::vector<double> FilteredDerivative(std::vector<double> values, int frames, int columns, double rate_hz,
                                       const KinematicsOptions& options, Backend backend) {
  if (options.filter_hz > 0 && frames > 0) {
    ButterworthOptions filter;
    filter.order = options.filter_order;
    filter.cutoff_hz = std::min(options.filter_hz, 0.45 * rate_hz);
    FilterZeroLag(backend, filter, rate_hz, frames, columns, &values);
  }
  std::vector<double> derivative(values.size(), kNaN);
  for (int f = 1; f + 1 < frames; ++f) {
    for (int c = 0; c < columns; ++c) {
      derivative[static_cast<size_t>(f) * columns + c] =
          (values[static_cast<size_t>(f + 1) * columns + c] - values[static_cast<size_t>(f - 1) * columns + c]) * rate_hz / 2;
    }
  }
  return derivative;
}

// Angular velocity in the lab frame from R(f+1) R(f-1)^T (central difference on SO(3)).
std::vector<double> AngularVelocity(const std::vector<double>& rotations, int frames, double rate_hz) {
  std::vector<double> omega(static_cast<size_t>(frames) * 3, kNaN);
  for (int f = 1; f + 1 < frames; ++f) {
    const Eigen::Matrix3d next = FromRowMajor(&rotations[static_cast<size_t>(f + 1) * 9]);
    const Eigen::Matrix3d previous = FromRowMajor(&rotations[static_cast<size_t>(f - 1) * 9]);
    if (!next.allFinite() || !previous.allFinite()) continue;
    const Eigen::AngleAxisd step(Eigen::Matrix3d(next * previous.transpose()));
    const Eigen::Vector3d w = step.axis() * step.angle() * rate_hz / 2;
    for (int k = 0; k < 3; ++k) omega[static_cast<size_t>(f) * 3 + k] = w[k];
  }
  return omega;
}

}  // namespace

std::array<double, 3> ClinicalAngles(const JointModel& joint, int side, const double parent_rotation[9],
                                     const double child_rotation[9]) {
  double relative[9], angles[3];
  RelativeRotation(parent_rotation, child_rotation, relative);
  JcsAngles(relative, angles);
  const std::array<int, 3>& sign = side == kRightLimb ? joint.right_sign : joint.left_sign;
  return {sign[0] * angles[0] * kDegrees, sign[1] * angles[1] * kDegrees, sign[2] * angles[2] * kDegrees};
}

const JointAngles& Kinematics::Joint(const std::string& name) const {
  for (const JointAngles& j : joints) {
    if (j.name == name) return j;
  }
  throw InternalError("no joint " + name);
}


std::vector<double> ChainMarkerPositions(const SkeletonCalibration& calibration, const MarkerTrajectories& trial) {
  const std::map<std::string, int> columns = LabelColumns(trial.labels);
  const IkChain& chain = calibration.chain;
  // A chain marker may be a midpoint "A+B".
  std::vector<std::vector<int>> sources(static_cast<size_t>(chain.marker_count));
  for (int m = 0; m < chain.marker_count; ++m) {
    std::string label = calibration.marker_labels[m];
    size_t start = 0;
    bool complete = true;
    while (true) {
      const size_t plus = label.find('+', start);
      const auto it = columns.find(UpperLabel(label.substr(start, plus - start)));
      if (it != columns.end()) {
        sources[m].push_back(it->second);
      } else {
        complete = false;  // a midpoint of the labels present would be biased: the marker is absent
      }
      if (plus == std::string::npos) break;
      start = plus + 1;
    }
    if (!complete) sources[m].clear();
  }
  std::vector<double> positions(static_cast<size_t>(trial.frame_count) * chain.marker_count * 3, kNaN);
  for (int f = 0; f < trial.frame_count; ++f) {
    for (int m = 0; m < chain.marker_count; ++m) {
      if (sources[m].empty()) continue;
      double p[3] = {0, 0, 0};
      for (int column : sources[m]) {
        for (int k = 0; k < 3; ++k) p[k] += trial.At(f, column)[k] / static_cast<double>(sources[m].size());
      }
      for (int k = 0; k < 3; ++k) positions[(static_cast<size_t>(f) * chain.marker_count + m) * 3 + k] = p[k];
    }
  }
  return positions;
}

std::vector<std::string> MatchClusterLabels(SkeletonCalibration* calibration, const MarkerTrajectories& trial) {
  std::vector<std::string> notes;
  IkChain& chain = calibration->chain;
  const std::vector<double> measured = ChainMarkerPositions(*calibration, trial);
  // Median distance between two chain markers over the trial's frames where both are seen.
  const auto trial_distance = [&](int a, int b) {
    std::vector<double> d;
    for (int f = 0; f < trial.frame_count; ++f) {
      const double* pa = &measured[(static_cast<size_t>(f) * chain.marker_count + a) * 3];
      const double* pb = &measured[(static_cast<size_t>(f) * chain.marker_count + b) * 3];
      if (Present(pa) && Present(pb)) d.push_back(std::sqrt((pa[0] - pb[0]) * (pa[0] - pb[0]) + (pa[1] - pb[1]) * (pa[1] - pb[1]) + (pa[2] - pb[2]) * (pa[2] - pb[2])));
    }
    if (d.empty()) return kNaN;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    return d[d.size() / 2];
  };
  const auto local_distance = [&](int a, int b) {
    return (Eigen::Map<const Eigen::Vector3d>(chain.marker_local_m[a]) - Eigen::Map<const Eigen::Vector3d>(chain.marker_local_m[b])).norm();
  };
  for (int s = 0; s < chain.segment_count; ++s) {
    std::vector<int> members;
    for (int m = 0; m < chain.marker_count; ++m) {
      if (chain.marker_segment[m] == s) members.push_back(m);
    }
    // The pelvis markers are bony landmarks, and left-right mirror labellings keep nearly the same
    // distances: never relabelled.
    if (s == kPelvis || members.size() < 3 || members.size() > 6) continue;
    const size_t n = members.size();
    std::vector<std::vector<double>> measured_distance(n, std::vector<double>(n, 0));
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) measured_distance[i][j] = measured_distance[j][i] = trial_distance(members[i], members[j]);
    }
    // Worst disagreement when static marker perm[i] is the trial's marker i.
    const auto mismatch = [&](const std::vector<size_t>& perm) {
      double worst = 0;
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = i + 1; j < n; ++j) {
          if (std::isnan(measured_distance[i][j])) continue;
          worst = std::max(worst, std::abs(measured_distance[i][j] - local_distance(members[perm[i]], members[perm[j]])));
        }
      }
      return worst;
    };
    std::vector<size_t> identity(n), perm(n), best;
    for (size_t i = 0; i < n; ++i) identity[i] = perm[i] = i;
    const double as_labelled = mismatch(identity);
    if (as_labelled <= kClusterLabelTolerance) continue;
    double best_mismatch = as_labelled, second_mismatch = INFINITY;
    while (std::next_permutation(perm.begin(), perm.end())) {
      const double m = mismatch(perm);
      if (m < best_mismatch) {
        second_mismatch = best_mismatch;
        best_mismatch = m, best = perm;
      } else if (m < second_mismatch) {
        second_mismatch = m;
      }
    }
    // A relabelling is taken only when no other one comes close (a symmetric cluster or a mirror
    // image fits several labellings equally well).
    const bool unique = second_mismatch > kClusterLabelTolerance;
    char text[512];
    if (best.empty() || best_mismatch > kClusterLabelTolerance || !unique) {
      std::string labels;
      for (int m : members) labels += (labels.empty() ? "" : " ") + calibration->marker_labels[m];
      if (as_labelled > kClusterMismatchLimit) {
        std::snprintf(text, sizeof(text), "up to %.0f mm different, and no relabelling fits: the calibration trial is not of "
                      "these markers", as_labelled * 1000);
        throw FileFormatError(trial.file, "markers of " + std::string(SegmentName(s)) + " (" + labels + ")",
                              "the distances between them in the calibration trial, within " +
                                  std::to_string(static_cast<int>(kClusterMismatchLimit * 1000)) + " mm",
                              text);
      }
      std::snprintf(text, sizeof(text), "%s: its markers' distances in the trial differ from the calibration by up to %.0f mm "
                    "(skin motion or a moved marker?)", SegmentName(s), as_labelled * 1000);
      notes.push_back(text);
      continue;
    }
    // Relabel: the trial's marker i takes the calibration position of marker best[i].
    double local[kMaxChainMarkers][3];
    for (size_t i = 0; i < n; ++i) {
      for (int k = 0; k < 3; ++k) local[i][k] = chain.marker_local_m[members[best[i]]][k];
    }
    std::string pairs;
    for (size_t i = 0; i < n; ++i) {
      for (int k = 0; k < 3; ++k) chain.marker_local_m[members[i]][k] = local[i][k];
      if (best[i] != i) pairs += (pairs.empty() ? "" : ", ") + calibration->marker_labels[members[i]] + " is the calibration's " + calibration->marker_labels[members[best[i]]];
    }
    std::snprintf(text, sizeof(text), "%s: marker labels differ between the calibration and this trial (distances off by up to %.0f mm "
                  "as labelled, %.1f mm matched): %s", SegmentName(s), as_labelled * 1000, best_mismatch * 1000, pairs.c_str());
    notes.push_back(text);
  }
  return notes;
}

std::vector<double> InitialiseFrames(const IkChain& chain, int frame_count, const std::vector<double>& markers_m,
                                     std::vector<double>* q) {
  std::vector<double> reference(static_cast<size_t>(frame_count) * 9);
  q->assign(static_cast<size_t>(frame_count) * chain.coordinate_count, 0.0);
#pragma omp parallel for schedule(static)
  for (int f = 0; f < frame_count; ++f) {
    InitialiseFrame(chain, markers_m.data() + static_cast<size_t>(f) * chain.marker_count * 3, &reference[static_cast<size_t>(f) * 9],
                    q->data() + static_cast<size_t>(f) * chain.coordinate_count);
  }
  return reference;
}

Kinematics SolveKinematics(const SkeletonCalibration& calibration, const SkeletonModel& model,
                           const MarkerTrajectories& trial, const KinematicsOptions& options, Backend backend) {
  const IkChain& chain = calibration.chain;
  const int frames = trial.frame_count;
  const int markers = chain.marker_count;
  std::vector<double> measured = ChainMarkerPositions(calibration, trial);
  // Markers of undetermined segments leave the solve, so they cannot drag the rest.
  std::vector<Determinacy> determinacy(static_cast<size_t>(frames));
  for (int f = 0; f < frames; ++f) {
    double* frame_markers = measured.data() + static_cast<size_t>(f) * markers * 3;
    determinacy[f] = SegmentsDetermined(chain, frame_markers);
    for (int m = 0; m < markers; ++m) {
      if (!determinacy[f].determined[chain.marker_segment[m]]) {
        for (int k = 0; k < 3; ++k) frame_markers[3 * m + k] = kNaN;
      }
    }
  }
  Kinematics out;
  out.rate_hz = trial.rate_hz;
  out.frame_count = frames;
  out.marker_labels = calibration.marker_labels;
  std::vector<double> q;
  const std::vector<double> reference = InitialiseFrames(chain, frames, measured, &q);
  const std::vector<IkFrameResult> results = compute::SolveIkBatch(backend, chain, frames, measured, reference, options.solver, &q);
  out.coordinates = q;

  out.segment_rotation.assign(chain.segment_count, std::vector<double>(static_cast<size_t>(frames) * 9, kNaN));
  out.segment_origin_m.assign(chain.segment_count, std::vector<double>(static_cast<size_t>(frames) * 3, kNaN));
  out.marker_residual_m.assign(static_cast<size_t>(frames) * markers, kNaN);
  out.rms_residual_m.assign(frames, kNaN);
  out.iterations.assign(frames, 0);
  out.solved.assign(frames, 0);
  out.time_s.resize(frames);
  for (int f = 0; f < frames; ++f) {
    out.time_s[f] = trial.rate_hz > 0 ? f / trial.rate_hz : kNaN;
    const Determinacy& d = determinacy[f];
    if (!d.reason.empty()) ++out.unsolved_reasons[d.reason];
    const bool converged = results[f].converged || !d.determined[kPelvis];
    if (!converged) ++out.unsolved_reasons["solver: not converged in " + std::to_string(options.solver.max_iterations) + " iterations"];
    out.solved[f] = d.reason.empty() && converged ? 1 : 0;
    // An unconverged frame's coordinates are wherever the solver stopped, often on a joint limit
    // (150 deg, -60 deg): never a measurement, so the whole frame is NaN, counted by reason.
    if (!d.determined[kPelvis] || !converged) {
      std::fill_n(&out.coordinates[static_cast<size_t>(f) * chain.coordinate_count], chain.coordinate_count, kNaN);
      continue;
    }
    SegmentPose poses[kMaxChainSegments];
    ChainPoses(chain, &reference[static_cast<size_t>(f) * 9], &q[static_cast<size_t>(f) * chain.coordinate_count], poses);
    for (int s = 0; s < chain.segment_count; ++s) {
      if (!d.determined[s]) continue;
      std::copy(poses[s].rotation, poses[s].rotation + 9, &out.segment_rotation[s][static_cast<size_t>(f) * 9]);
      std::copy(poses[s].origin_m, poses[s].origin_m + 3, &out.segment_origin_m[s][static_cast<size_t>(f) * 3]);
    }
    double sum = 0;
    int n = 0;
    for (int m = 0; m < markers; ++m) {
      const double* y = &measured[(static_cast<size_t>(f) * markers + m) * 3];
      if (!Present(y)) continue;
      double p[3];
      MarkerPosition(chain, poses, m, p);
      const double r = std::sqrt((p[0] - y[0]) * (p[0] - y[0]) + (p[1] - y[1]) * (p[1] - y[1]) + (p[2] - y[2]) * (p[2] - y[2]));
      out.marker_residual_m[static_cast<size_t>(f) * markers + m] = r;
      sum += r * r;
      ++n;
    }
    out.rms_residual_m[f] = n > 0 ? std::sqrt(sum / n) : kNaN;
    out.iterations[f] = results[f].iterations;
  }

  // Joint angles and centres: the distal segment's joint.
  struct JointSpec { const char* name; int segment; const JointModel* model; };
  const JointSpec specs[] = {{"hip_left", kThighLeft, &model.hip},     {"hip_right", kThighRight, &model.hip},
                             {"knee_left", kShankLeft, &model.knee},   {"knee_right", kShankRight, &model.knee},
                             {"ankle_left", kFootLeft, &model.ankle},  {"ankle_right", kFootRight, &model.ankle}};
  for (const JointSpec& spec : specs) {
    JointAngles joint;
    joint.name = spec.name;
    joint.columns = spec.model->angle_names;
    joint.angles_deg.assign(static_cast<size_t>(frames) * 3, kNaN);
    const int parent = chain.joints[spec.segment].parent;
    const int side = SegmentSide(spec.segment);
    for (int f = 0; f < frames; ++f) {
      const double* rp = &out.segment_rotation[parent][static_cast<size_t>(f) * 9];
      const double* rc = &out.segment_rotation[spec.segment][static_cast<size_t>(f) * 9];
      if (!std::isfinite(rp[0]) || !std::isfinite(rc[0])) continue;
      const std::array<double, 3> angles = ClinicalAngles(*spec.model, side, rp, rc);
      std::copy(angles.begin(), angles.end(), &joint.angles_deg[static_cast<size_t>(f) * 3]);
    }
    joint.velocity_deg_s = FilteredDerivative(joint.angles_deg, frames, 3, trial.rate_hz, options, backend);
    out.joints.push_back(joint);
    out.centre_names.push_back(spec.name);
    out.centres_m.push_back(out.segment_origin_m[spec.segment]);
    out.centre_velocity_m_s.push_back(FilteredDerivative(out.segment_origin_m[spec.segment], frames, 3, trial.rate_hz, options, backend));
  }
  for (int s = 0; s < chain.segment_count; ++s) {
    std::vector<double> omega = AngularVelocity(out.segment_rotation[s], frames, trial.rate_hz);
    if (options.filter_hz > 0 && frames > 0) {
      ButterworthOptions filter;
      filter.order = options.filter_order;
      filter.cutoff_hz = std::min(options.filter_hz, 0.45 * trial.rate_hz);
      FilterZeroLag(backend, filter, trial.rate_hz, frames, 3, &omega);
    }
    out.segment_angular_velocity_rad_s.push_back(omega);
  }
  return out;
}

}  // namespace midstance
