#include "midstance/joint_centres.h"

#include <cmath>
#include <limits>

#include <Eigen/Geometry>

#include "midstance/skeleton.h"

namespace midstance {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
Eigen::Vector3d NaNVector() { return Eigen::Vector3d::Constant(kNaN); }
double RightSign(int side) { return side == kRightLimb ? 1.0 : -1.0; }
}  // namespace

Eigen::Matrix3d PelvisAxes(const Eigen::Vector3d& asis_left, const Eigen::Vector3d& asis_right,
                           const Eigen::Vector3d& back) {
  const Eigen::Vector3d z = (asis_right - asis_left).normalized();
  const Eigen::Vector3d mid = 0.5 * (asis_left + asis_right);
  Eigen::Vector3d x = mid - back;
  x = (x - x.dot(z) * z).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d r;
  r << x, y, z;
  return r;
}

Eigen::Vector3d HarringtonHipCentre(double pelvis_width_m, double pelvis_depth_m, int side) {
  const double pw = pelvis_width_m * 1000, pd = pelvis_depth_m * 1000;
  return Eigen::Vector3d(-0.24 * pd - 9.9, -0.30 * pw - 10.9, RightSign(side) * (0.33 * pw + 7.3)) / 1000;
}

Eigen::Vector3d DavisHipCentre(double leg_length_m, double inter_asis_m, double marker_radius_m, int side) {
  const double ll = leg_length_m * 1000, r = marker_radius_m * 1000, half_ia = inter_asis_m * 500;
  const double theta = 0.5, beta = 0.314;
  const double c = 0.115 * ll - 15.3;
  const double asis_trochanter = 0.1288 * ll - 48.56;
  const double x = c * std::cos(theta) * std::sin(beta) - (asis_trochanter + r) * std::cos(beta);
  const double lateral = half_ia - c * std::sin(theta);
  const double z_up = -c * std::cos(theta) * std::cos(beta) - (asis_trochanter + r) * std::sin(beta);
  // Plug-in Gait (x, y left, z up) -> ISB (x, y up, z right).
  return Eigen::Vector3d(x, z_up, RightSign(side) * lateral) / 1000;
}

Eigen::Vector3d ChordJointCentre(const Eigen::Vector3d& proximal_centre, const Eigen::Vector3d& wand,
                                 const Eigen::Vector3d& lateral, double offset_m) {
  const Eigen::Vector3d ac = proximal_centre - lateral;
  const double d = ac.norm();
  if (!(d > offset_m) || !(offset_m > 0)) return NaNVector();
  const Eigen::Vector3d u = ac / d;
  Eigen::Vector3d w = wand - lateral;
  w -= w.dot(u) * u;
  if (!(w.norm() > 1e-9)) return NaNVector();
  w.normalize();
  const double c = offset_m / d;
  return lateral + offset_m * (c * u - std::sqrt(1 - c * c) * w);
}

Eigen::Matrix3d LongAxisFrame(const Eigen::Vector3d& proximal, const Eigen::Vector3d& distal,
                              const Eigen::Vector3d& right_direction) {
  const Eigen::Vector3d y = (proximal - distal).normalized();
  const Eigen::Vector3d z = (right_direction - right_direction.dot(y) * y).normalized();
  const Eigen::Vector3d x = y.cross(z);
  Eigen::Matrix3d r;
  r << x, y, z;
  return r;
}

Eigen::Matrix3d FootAxes(const Eigen::Vector3d& heel, const Eigen::Vector3d& toe, const Eigen::Vector3d& right_direction) {
  const Eigen::Vector3d x = (toe - heel).normalized();
  const Eigen::Vector3d z = (right_direction - right_direction.dot(x) * x).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d r;
  r << x, y, z;
  return r;
}

}  // namespace midstance
