// The trial model's few operations (trial_model.h).
#include "midstance/trial_model.h"

#include <Eigen/Dense>

namespace midstance {
namespace {

void RotateSeries(std::vector<double>* xyz, const Eigen::Matrix3d& rotation) {
  for (size_t i = 0; i + 2 < xyz->size(); i += 3) {
    const Eigen::Vector3d v = rotation * Eigen::Vector3d((*xyz)[i], (*xyz)[i + 1], (*xyz)[i + 2]);
    for (size_t k = 0; k < 3; ++k) (*xyz)[i + k] = v(static_cast<Eigen::Index>(k));
  }
}

}  // namespace

const char* SideName(Side side) { return side == Side::kLeft ? "left" : side == Side::kRight ? "right" : "unknown"; }

int MarkerTrajectories::Find(const std::string& label) const {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == label) return static_cast<int>(i);
  }
  return -1;
}

void RotateMarkers(MarkerTrajectories* markers, const Eigen::Matrix3d& rotation) { RotateSeries(&markers->positions_m, rotation); }

void RotateTrial(Trial* trial, const Eigen::Matrix3d& internal_from_file) {
  RotateMarkers(&trial->markers, internal_from_file);
  // A plate's corners carry its whole geometry: its axes and surface follow them, and so do the
  // forces, COP and moments computed from its channels. ORIGIN is in the plate's own frame.
  for (ForcePlate& plate : trial->plates) {
    for (Eigen::Vector3d& corner : plate.corners_m) corner = internal_from_file * corner;
  }
  for (GroundReaction& g : trial->ground_reactions) {
    RotateSeries(&g.force_n, internal_from_file);
    RotateSeries(&g.point_m, internal_from_file);
    RotateSeries(&g.torque_nm, internal_from_file);
  }
  trial->lab_frame.internal_from_file = internal_from_file * trial->lab_frame.internal_from_file;
}

int64_t ZeroMarkersToNan(MarkerTrajectories* markers) {
  int64_t changed = 0;
  std::vector<double>& p = markers->positions_m;
  for (size_t i = 0; i + 2 < p.size(); i += 3) {
    if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 0) {
      p[i] = p[i + 1] = p[i + 2] = NAN;
      ++changed;
    }
  }
  return changed;
}

}  // namespace midstance
