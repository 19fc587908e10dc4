#pragma once
// Rigid transform b_from_a: point_in_b = rotation * point_in_a + translation (metres).
// Named by frames as in COLMAP (cam_from_world, world_from_cam).
#include <Eigen/Core>
#include <Eigen/Geometry>

namespace midstance {

struct Rigid3d {
  Eigen::Quaterniond rotation = Eigen::Quaterniond::Identity();
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();

  Rigid3d() = default;
  Rigid3d(const Eigen::Quaterniond& r, const Eigen::Vector3d& t) : rotation(r), translation(t) {}

  Eigen::Vector3d operator*(const Eigen::Vector3d& point) const {
    return rotation * point + translation;
  }
  Rigid3d operator*(const Rigid3d& other) const {
    return Rigid3d(rotation * other.rotation, rotation * other.translation + translation);
  }
  Rigid3d Inverse() const {
    const Eigen::Quaterniond inverse = rotation.inverse();
    return Rigid3d(inverse, -(inverse * translation));
  }
  Eigen::Matrix3d RotationMatrix() const { return rotation.toRotationMatrix(); }
};

// Axis-angle (Rodrigues vector, radians) <-> rotation, as cv::Rodrigues and anipose store it.
Eigen::Quaterniond QuaternionFromRodrigues(const Eigen::Vector3d& rvec);
Eigen::Vector3d RodriguesFromQuaternion(const Eigen::Quaterniond& rotation);

}  // namespace midstance
