// Camera model against OpenCV: projection (cv::projectPoints) and undistortion
// (cv::undistortPoints, iterated to convergence) agree to 1e-6 px.
#include <gtest/gtest.h>

#include <opencv2/calib3d.hpp>
#include <random>

#include "midstance/camera.h"
#include "midstance/error.h"
#include "midstance/synth.h"

namespace midstance {
namespace {

std::vector<Camera> TestCameras() {
  SynthOptions options;
  std::vector<Camera> cameras = MakeCameraRing(options);
  // A strongly distorted wide lens as well as the ring's typical ones.
  Camera wide = cameras[0];
  wide.name = "wide";
  wide.distortion = {-0.28, 0.09, 1.2e-3, -8e-4, -0.012};
  cameras.push_back(wide);
  return cameras;
}

cv::Mat CameraMatrix(const Camera& c) {
  return (cv::Mat_<double>(3, 3) << c.fx_px, 0, c.cx_px, 0, c.fy_px, c.cy_px, 0, 0, 1);
}
cv::Mat DistortionVector(const Camera& c) {
  return (cv::Mat_<double>(1, 5) << c.distortion.k1, c.distortion.k2, c.distortion.p1, c.distortion.p2, c.distortion.k3);
}

TEST(Camera, ProjectionMatchesOpenCv) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> x(-2, 2), y(-1, 1), z(0, 2);
  for (const Camera& camera : TestCameras()) {
    std::vector<cv::Point3d> points;
    for (int i = 0; i < 500; ++i) points.emplace_back(x(rng), y(rng), z(rng));
    const Eigen::Vector3d rvec = RodriguesFromQuaternion(camera.cam_from_world.rotation);
    const Eigen::Vector3d& t = camera.cam_from_world.translation;
    std::vector<cv::Point2d> expected;
    cv::projectPoints(points, cv::Vec3d(rvec.x(), rvec.y(), rvec.z()), cv::Vec3d(t.x(), t.y(), t.z()),
                      CameraMatrix(camera), DistortionVector(camera), expected);
    double worst = 0;
    for (size_t i = 0; i < points.size(); ++i) {
      const auto pixel = camera.ProjectToPixel(Eigen::Vector3d(points[i].x, points[i].y, points[i].z));
      ASSERT_TRUE(pixel.has_value());
      worst = std::max({worst, std::abs(pixel->x() - expected[i].x), std::abs(pixel->y() - expected[i].y)});
    }
    EXPECT_LT(worst, 1e-6) << camera.name;
  }
}

TEST(Camera, UndistortionMatchesOpenCvAndInvertsProjection) {
  std::mt19937 rng(5);
  for (const Camera& camera : TestCameras()) {
    std::uniform_real_distribution<double> u(0, camera.width_px - 1), v(0, camera.height_px - 1);
    std::vector<cv::Point2d> pixels;
    for (int i = 0; i < 500; ++i) pixels.emplace_back(u(rng), v(rng));
    std::vector<cv::Point2d> expected;
    const cv::Mat k = CameraMatrix(camera);
    cv::undistortPoints(pixels, expected, k, DistortionVector(camera), cv::noArray(), k,
                        cv::TermCriteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 500, 1e-15));
    double worst_opencv = 0, worst_roundtrip = 0;
    for (size_t i = 0; i < pixels.size(); ++i) {
      const auto ideal = camera.UndistortPixel(Eigen::Vector2d(pixels[i].x, pixels[i].y));
      ASSERT_TRUE(ideal.has_value());
      worst_opencv = std::max({worst_opencv, std::abs(ideal->x() - expected[i].x), std::abs(ideal->y() - expected[i].y)});
      // Distorting the ideal pixel again must give back the recorded pixel.
      const CameraParams p = camera.ToParams();
      double xd, yd;
      DistortNormalized(p, (ideal->x() - p.cx) / p.fx, (ideal->y() - p.cy) / p.fy, &xd, &yd);
      worst_roundtrip = std::max({worst_roundtrip, std::abs(xd * p.fx + p.cx - pixels[i].x),
                                  std::abs(yd * p.fy + p.cy - pixels[i].y)});
    }
    EXPECT_LT(worst_opencv, 1e-6) << camera.name;
    EXPECT_LT(worst_roundtrip, 1e-9) << camera.name;
  }
}

TEST(Camera, BehindTheCameraHasNoProjection) {
  const Camera camera = TestCameras()[0];
  const Eigen::Vector3d behind = camera.CentreInWorld() - 2.0 * (camera.cam_from_world.rotation.inverse() * Eigen::Vector3d::UnitZ());
  EXPECT_FALSE(camera.ProjectToPixel(behind).has_value());
}

TEST(Camera, ValidateNamesTheFieldOfBadValues) {
  Camera camera = TestCameras()[0];
  camera.fx_px = std::numeric_limits<double>::quiet_NaN();
  try {
    camera.Validate("calib.toml");
    FAIL() << "NaN focal length accepted";
  } catch (const CalibrationError& error) {
    EXPECT_NE(std::string(error.what()).find("calib.toml"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("fx"), std::string::npos);
  }
  camera = TestCameras()[0];
  camera.width_px = 0;
  EXPECT_THROW(camera.Validate("calib.toml"), CalibrationError);
}

TEST(Camera, ProperRotationCheck) {
  EXPECT_TRUE(IsProperRotation(Eigen::Matrix3d::Identity()));
  Eigen::Matrix3d reflection = Eigen::Matrix3d::Identity();
  reflection(2, 2) = -1;
  EXPECT_FALSE(IsProperRotation(reflection));
  Eigen::Matrix3d singular = Eigen::Matrix3d::Identity();
  singular(1, 1) = 0;
  EXPECT_FALSE(IsProperRotation(singular));
}

TEST(Rigid3d, ComposeAndInvert) {
  const Rigid3d a(Eigen::Quaterniond(Eigen::AngleAxisd(0.3, Eigen::Vector3d(1, 2, 3).normalized())), Eigen::Vector3d(1, -2, 0.5));
  const Eigen::Vector3d p(0.2, 0.4, -0.7);
  EXPECT_LT(((a.Inverse() * (a * p)) - p).norm(), 1e-12);
  EXPECT_LT(((a * a.Inverse()) * p - p).norm(), 1e-12);
  const Eigen::Vector3d r(0.1, -0.2, 0.3);
  EXPECT_LT((RodriguesFromQuaternion(QuaternionFromRodrigues(r)) - r).norm(), 1e-12);
}

}  // namespace
}  // namespace midstance
