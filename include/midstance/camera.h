#pragma once
// A calibrated camera: pinhole intrinsics, OpenCV radial-tangential distortion (k1 k2 p1 p2 k3),
// pose cam_from_world, resolution and frame rate. Projection and undistortion share their maths
// with the kernels through CameraParams (camera_params.h).
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "midstance/camera_params.h"
#include "midstance/rigid3.h"

namespace midstance {

struct LensDistortion {
  double k1 = 0, k2 = 0, p1 = 0, p2 = 0, k3 = 0;  // OpenCV order: k1 k2 p1 p2 k3
};

struct Camera {
  std::string name;
  int width_px = 0;
  int height_px = 0;
  double rate_hz = 0;
  double fx_px = 0, fy_px = 0, cx_px = 0, cy_px = 0;
  LensDistortion distortion;
  Rigid3d cam_from_world;

  Eigen::Matrix3d IntrinsicMatrix() const;
  Eigen::Vector3d CentreInWorld() const;

  // World point -> distorted pixel; nullopt behind the camera.
  std::optional<Eigen::Vector2d> ProjectToPixel(const Eigen::Vector3d& point_in_world) const;
  // Distorted pixel -> ideal pixel (same intrinsics, no distortion); nullopt if not invertible.
  std::optional<Eigen::Vector2d> UndistortPixel(const Eigen::Vector2d& pixel) const;

  CameraParams ToParams() const;

  // Throws CalibrationError naming `source` (the file) and the field when a value is not finite,
  // a focal length or the resolution is not positive, or the rotation is not a proper rotation.
  void Validate(const std::string& source) const;
};

// Checks that `rotation` is a proper rotation (orthonormal, det +1) to 1e-6; the calibration
// readers call it before turning a stored matrix into a quaternion.
bool IsProperRotation(const Eigen::Matrix3d& rotation);

// Calibration readers' checks. SetIntrinsics takes a 3x3 K of the form [[fx,0,cx],[0,fy,cy],[0,0,1]]
// (the model has no skew; anything else is a CalibrationError naming `file` and `field`).
void SetIntrinsics(const Eigen::Matrix3d& k, const std::string& file, const std::string& field, Camera* camera);
// Two cameras with one name would make the session's choice arbitrary.
void RequireUniqueNames(const std::vector<Camera>& cameras, const std::string& file);

// Calibration readers' conversions of a stored rotation; throw CalibrationError naming `file` and
// `field` for a matrix that is not a proper rotation or a Rodrigues vector that is not finite.
Eigen::Quaterniond RotationFromStoredMatrix(const Eigen::Matrix3d& rotation, const std::string& file,
                                            const std::string& field);
Eigen::Quaterniond RotationFromStoredRodrigues(const Eigen::Vector3d& rvec, const std::string& file,
                                               const std::string& field);

}  // namespace midstance
