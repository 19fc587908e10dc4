#include "midstance/camera.h"

#include <cmath>
#include <sstream>

#include "midstance/error.h"

namespace midstance {

Eigen::Matrix3d Camera::IntrinsicMatrix() const {
  Eigen::Matrix3d k;
  k << fx_px, 0, cx_px, 0, fy_px, cy_px, 0, 0, 1;
  return k;
}

Eigen::Vector3d Camera::CentreInWorld() const { return cam_from_world.Inverse().translation; }

CameraParams Camera::ToParams() const {
  CameraParams params;
  params.fx = fx_px;
  params.fy = fy_px;
  params.cx = cx_px;
  params.cy = cy_px;
  params.k1 = distortion.k1;
  params.k2 = distortion.k2;
  params.p1 = distortion.p1;
  params.p2 = distortion.p2;
  params.k3 = distortion.k3;
  const Eigen::Matrix3d r = cam_from_world.RotationMatrix();
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) params.rotation[3 * i + j] = r(i, j);
    params.translation[i] = cam_from_world.translation[i];
  }
  return params;
}

std::optional<Eigen::Vector2d> Camera::ProjectToPixel(const Eigen::Vector3d& point_in_world) const {
  const CameraParams params = ToParams();
  double u, v;
  if (!midstance::ProjectToPixel(params, point_in_world.data(), &u, &v)) return std::nullopt;
  return Eigen::Vector2d(u, v);
}

std::optional<Eigen::Vector2d> Camera::UndistortPixel(const Eigen::Vector2d& pixel) const {
  const CameraParams params = ToParams();
  double u, v;
  if (!midstance::UndistortPixel(params, pixel.x(), pixel.y(), &u, &v)) return std::nullopt;
  return Eigen::Vector2d(u, v);
}

bool IsProperRotation(const Eigen::Matrix3d& rotation) {
  if (!rotation.allFinite()) return false;
  const double orthonormality = (rotation * rotation.transpose() - Eigen::Matrix3d::Identity()).norm();
  return orthonormality < 1e-6 && std::fabs(rotation.determinant() - 1.0) < 1e-6;
}

void SetIntrinsics(const Eigen::Matrix3d& k, const std::string& file, const std::string& field, Camera* camera) {
  if (k(0, 1) != 0 || k(1, 0) != 0 || k(2, 0) != 0 || k(2, 1) != 0 || k(2, 2) != 1) {
    std::ostringstream got;
    got << "skew " << k(0, 1) << ", row 2 = [" << k(1, 0) << " ...], row 3 = [" << k(2, 0) << ", " << k(2, 1) << ", "
        << k(2, 2) << "]";
    throw CalibrationError(file, field, "[[fx, 0, cx], [0, fy, cy], [0, 0, 1]] (no skew)", got.str());
  }
  camera->fx_px = k(0, 0);
  camera->fy_px = k(1, 1);
  camera->cx_px = k(0, 2);
  camera->cy_px = k(1, 2);
}

void RequireUniqueNames(const std::vector<Camera>& cameras, const std::string& file) {
  for (size_t i = 0; i < cameras.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (cameras[i].name == cameras[j].name) {
        throw CalibrationError(file, "camera names", "each name once", "'" + cameras[i].name + "' twice");
      }
    }
  }
}

Eigen::Quaterniond RotationFromStoredMatrix(const Eigen::Matrix3d& rotation, const std::string& file,
                                            const std::string& field) {
  if (!IsProperRotation(rotation)) {
    std::ostringstream got;
    got << "a matrix with determinant " << rotation.determinant();
    throw CalibrationError(file, field, "an orthonormal matrix with determinant +1", got.str());
  }
  return Eigen::Quaterniond(rotation);
}

Eigen::Quaterniond RotationFromStoredRodrigues(const Eigen::Vector3d& rvec, const std::string& file,
                                               const std::string& field) {
  if (!rvec.allFinite()) throw CalibrationError(file, field, "finite values", "NaN or infinity");
  return QuaternionFromRodrigues(rvec);
}

namespace {
std::string Str(double value) {
  std::ostringstream s;
  s << value;
  return s.str();
}
}  // namespace

void Camera::Validate(const std::string& source) const {
  const std::string where = "camera '" + name + "'";
  auto require_finite = [&](double value, const char* field) {
    if (!std::isfinite(value)) {
      throw CalibrationError(source, where + " " + field, "a finite number", Str(value));
    }
  };
  for (auto [value, field] : {std::pair{fx_px, "fx"}, {fy_px, "fy"}, {cx_px, "cx"}, {cy_px, "cy"},
                              {distortion.k1, "k1"}, {distortion.k2, "k2"}, {distortion.p1, "p1"},
                              {distortion.p2, "p2"}, {distortion.k3, "k3"}, {rate_hz, "rate"}}) {
    require_finite(value, field);
  }
  if (fx_px <= 0 || fy_px <= 0) {
    throw CalibrationError(source, where + " focal length", "positive fx and fy",
                           Str(fx_px) + ", " + Str(fy_px));
  }
  if (width_px <= 0 || height_px <= 0) {
    throw CalibrationError(source, where + " size", "positive width and height",
                           std::to_string(width_px) + " x " + std::to_string(height_px));
  }
  if (!(rate_hz > 0)) throw CalibrationError(source, where + " rate", "a positive rate in Hz", Str(rate_hz));
  if (!cam_from_world.translation.allFinite()) {
    throw CalibrationError(source, where + " translation", "finite values", "NaN or infinity");
  }
  if (!cam_from_world.rotation.coeffs().allFinite() ||
      std::fabs(cam_from_world.rotation.norm() - 1.0) > 1e-6) {
    throw CalibrationError(source, where + " rotation", "a proper rotation", "NaN or a non-unit quaternion");
  }
}

}  // namespace midstance
