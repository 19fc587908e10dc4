#include "midstance/rigid3.h"

namespace midstance {

Eigen::Quaterniond QuaternionFromRodrigues(const Eigen::Vector3d& rvec) {
  const double angle = rvec.norm();
  if (angle < 1e-15) return Eigen::Quaterniond::Identity();
  return Eigen::Quaterniond(Eigen::AngleAxisd(angle, rvec / angle));
}

Eigen::Vector3d RodriguesFromQuaternion(const Eigen::Quaterniond& rotation) {
  const Eigen::AngleAxisd axis_angle(rotation.normalized());
  return axis_angle.axis() * axis_angle.angle();
}

}  // namespace midstance
