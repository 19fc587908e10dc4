// Triangulation against a closed-form truth (exact projections) and against the per-point
// SVD DLT (Hartley & Zisserman 2004, 12.2) computed with Eigen.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <random>

#include "midstance/compute.h"
#include "midstance/error.h"
#include "midstance/synth.h"
#include "midstance/triangulation.h"

namespace midstance {
namespace {

Eigen::Vector3d DltTriangulate(const std::vector<Camera>& cameras, const double* uv) {
  Eigen::MatrixXd a(2 * cameras.size(), 4);
  for (size_t c = 0; c < cameras.size(); ++c) {
    Eigen::Matrix<double, 3, 4> p;
    p << cameras[c].cam_from_world.RotationMatrix(), cameras[c].cam_from_world.translation;
    p = cameras[c].IntrinsicMatrix() * p;
    a.row(2 * c) = uv[2 * c] * p.row(2) - p.row(0);
    a.row(2 * c + 1) = uv[2 * c + 1] * p.row(2) - p.row(1);
  }
  const Eigen::Vector4d x = Eigen::JacobiSVD<Eigen::MatrixXd>(a, Eigen::ComputeFullV).matrixV().col(3);
  return x.head<3>() / x(3);
}

struct Scene {
  std::vector<Camera> cameras = MakeCameraRing(SynthOptions());
  std::vector<Eigen::Vector3d> points;
  TriangulationBatch batch;
};

Scene MakeScene(int count, double noise_px, unsigned seed) {
  Scene scene;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> x(-1.5, 1.5), y(-0.8, 0.8), z(0.05, 1.8);
  std::normal_distribution<double> noise(0, noise_px);
  for (const Camera& c : scene.cameras) scene.batch.cameras.push_back(c.ToParams());
  for (int i = 0; i < count; ++i) {
    const Eigen::Vector3d p(x(rng), y(rng), z(rng));
    scene.points.push_back(p);
    for (const CameraParams& c : scene.batch.cameras) {
      double u = 0, v = 0;
      EXPECT_TRUE(ProjectToIdealPixel(c, p.data(), &u, &v));
      scene.batch.ideal_uv.push_back(u + (noise_px > 0 ? noise(rng) : 0));
      scene.batch.ideal_uv.push_back(v + (noise_px > 0 ? noise(rng) : 0));
    }
  }
  scene.batch.point_count = count;
  return scene;
}

TEST(Triangulation, ExactProjectionsGiveTheExactPoint) {
  const Scene scene = MakeScene(2000, 0.0, 1);
  for (int iterations : {0, 3}) {
    const std::vector<double> xyz = compute::TriangulateBatch(Backend::kCpu, scene.batch, iterations);
    double worst_m = 0;
    for (size_t i = 0; i < scene.points.size(); ++i) {
      worst_m = std::max(worst_m, (Eigen::Vector3d(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]) - scene.points[i]).norm());
    }
    EXPECT_LT(worst_m, 1e-9) << iterations << " refinement iterations";
  }
}

TEST(Triangulation, RefinedPointIsAtLeastAsGoodAsDltUnderNoise) {
  const Scene scene = MakeScene(2000, 0.1, 2);
  const std::vector<double> xyz = compute::TriangulateBatch(Backend::kCpu, scene.batch, 5);
  std::vector<int> index(scene.cameras.size());
  for (size_t c = 0; c < index.size(); ++c) index[c] = static_cast<int>(c);
  double ours2 = 0, dlt2 = 0, max_gap_m = 0, ours_error2 = 0, dlt_error2 = 0;
  const int n = static_cast<int>(scene.cameras.size());
  for (size_t i = 0; i < scene.points.size(); ++i) {
    const double* uv = &scene.batch.ideal_uv[2 * n * i];
    const Eigen::Vector3d dlt = DltTriangulate(scene.cameras, uv);
    const Eigen::Vector3d ours(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    ours2 += ReprojectionSquaredError(scene.batch.cameras.data(), index.data(), uv, n, ours.data());
    dlt2 += ReprojectionSquaredError(scene.batch.cameras.data(), index.data(), uv, n, dlt.data());
    max_gap_m = std::max(max_gap_m, (ours - dlt).norm());
    ours_error2 += (ours - scene.points[i]).squaredNorm();
    dlt_error2 += (dlt - scene.points[i]).squaredNorm();
  }
  EXPECT_LE(ours2, dlt2 * (1 + 1e-9));  // Gauss-Newton reaches the reprojection minimum
  EXPECT_LT(max_gap_m, 1e-3);           // and stays next to the DLT solution
  const double ours_rms_mm = 1000 * std::sqrt(ours_error2 / scene.points.size());
  const double dlt_rms_mm = 1000 * std::sqrt(dlt_error2 / scene.points.size());
  // 0.1 px at ~6 m with f ~ 1230 px is ~0.5 mm across each ray; 8 views bring it to ~0.3 mm.
  EXPECT_LT(ours_rms_mm, 0.4);
  EXPECT_LE(ours_rms_mm, dlt_rms_mm * 1.02);
}

TEST(Triangulation, InconsistentBatchesAreRefused) {
  Scene scene = MakeScene(10, 0.0, 3);
  TriangulationBatch short_uv = scene.batch;
  short_uv.ideal_uv.pop_back();
  EXPECT_THROW(compute::TriangulateBatch(Backend::kCpu, short_uv, 1), InvalidInput);
  TriangulationBatch too_many = scene.batch;
  too_many.cameras.resize(kMaxCameras + 1, too_many.cameras[0]);
  EXPECT_THROW(compute::TriangulateBatch(Backend::kCpu, too_many, 1), InvalidInput);
}

TEST(Triangulation, ParallelRaysAreRejected) {
  CameraParams a, b;
  a.fx = a.fy = b.fx = b.fy = 1000;
  b.translation[0] = -1e-12;  // same centre: rays are parallel
  const CameraParams cams[2] = {a, b};
  const int index[2] = {0, 1};
  const double uv[4] = {0, 0, 0, 0};
  double x[3];
  EXPECT_FALSE(TriangulateMidpoint(cams, index, uv, 2, x));
}

TEST(Triangulation, SolveSymmetric3x3MatchesEigen) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int trial = 0; trial < 100; ++trial) {
    Eigen::Matrix3d m;
    for (int i = 0; i < 9; ++i) m(i / 3, i % 3) = u(rng);
    const Eigen::Matrix3d a = m * m.transpose() + 0.1 * Eigen::Matrix3d::Identity();
    const Eigen::Vector3d b(u(rng), u(rng), u(rng));
    double a_row[9], x[3];
    for (int i = 0; i < 9; ++i) a_row[i] = a(i / 3, i % 3);
    ASSERT_TRUE(SolveSymmetric3x3(a_row, b.data(), x));
    EXPECT_LT((Eigen::Vector3d(x[0], x[1], x[2]) - a.ldlt().solve(b)).norm(), 1e-10);
  }
}

}  // namespace
}  // namespace midstance
