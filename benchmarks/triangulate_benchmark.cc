// Batched triangulation (8 cameras, 10^6 points) against the per-point SVD DLT that aniposelib
// and Pose2Sim use (Hartley & Zisserman 2004, 12.2), here with Eigen's JacobiSVD, on the same
// points and thread count.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <Eigen/SVD>
#include <cstdio>
#include <random>

#include "bench_support.h"
#include "midstance/compute.h"
#include "midstance/synth.h"

namespace midstance {
namespace {

constexpr int kPoints = 1000000;

struct Problem {
  std::vector<Camera> cameras;
  std::vector<Eigen::Matrix<double, 3, 4>> projections;
  TriangulationBatch batch;
};

const Problem& Points() {
  static Problem problem = [] {
    Problem p;
    p.cameras = MakeCameraRing(SynthOptions());
    for (const Camera& c : p.cameras) {
      p.batch.cameras.push_back(c.ToParams());
      Eigen::Matrix<double, 3, 4> rt;
      rt << c.cam_from_world.RotationMatrix(), c.cam_from_world.translation;
      p.projections.push_back(c.IntrinsicMatrix() * rt);
    }
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> x(-1.5, 1.5), y(-0.8, 0.8), z(0.05, 1.8);
    std::normal_distribution<double> noise(0, 0.05);
    p.batch.point_count = kPoints;
    p.batch.ideal_uv.reserve(static_cast<size_t>(kPoints) * p.cameras.size() * 2);
    for (int i = 0; i < kPoints; ++i) {
      const double point[3] = {x(rng), y(rng), z(rng)};
      for (const CameraParams& c : p.batch.cameras) {
        double u = 0, v = 0;
        ProjectToIdealPixel(c, point, &u, &v);
        p.batch.ideal_uv.push_back(u + noise(rng));
        p.batch.ideal_uv.push_back(v + noise(rng));
      }
    }
    return p;
  }();
  return problem;
}

void BM_Midstance(benchmark::State& state) {
  const Problem& p = Points();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const std::vector<double> xyz = compute::TriangulateBatch(Backend::kCpu, p.batch, static_cast<int>(state.range(1)));
    benchmark::DoNotOptimize(xyz.data());
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}

void BM_EigenSvdDlt(benchmark::State& state) {
  const Problem& p = Points();
  const int threads = static_cast<int>(state.range(0));
  const int cameras = static_cast<int>(p.cameras.size());
  std::vector<double> xyz(3 * static_cast<size_t>(kPoints));
  for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int i = 0; i < kPoints; ++i) {
      Eigen::Matrix<double, Eigen::Dynamic, 4> a(2 * cameras, 4);
      const double* uv = &p.batch.ideal_uv[2 * static_cast<size_t>(cameras) * i];
      for (int c = 0; c < cameras; ++c) {
        const auto& m = p.projections[static_cast<size_t>(c)];
        a.row(2 * c) = uv[2 * c] * m.row(2) - m.row(0);
        a.row(2 * c + 1) = uv[2 * c + 1] * m.row(2) - m.row(1);
      }
      const Eigen::Vector4d h = Eigen::JacobiSVD<Eigen::Matrix<double, Eigen::Dynamic, 4>>(a, Eigen::ComputeFullV).matrixV().col(3);
      for (int r = 0; r < 3; ++r) xyz[3 * static_cast<size_t>(i) + r] = h(r) / h(3);
    }
    benchmark::DoNotOptimize(xyz.data());
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}

// Args: threads, Gauss-Newton iterations after the linear solve.
BENCHMARK(BM_Midstance)->Args({1, 0})->Args({1, 2})->Args({2, 0})->Args({2, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EigenSvdDlt)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace midstance

int main(int argc, char** argv) {
  auto rates = midstance::bench::RunAll(argc, argv);
  for (int threads : {1, 2}) {
    const std::string t = std::to_string(threads);
    const double peer = rates["BM_EigenSvdDlt/" + t + "/real_time"];
    midstance::bench::PrintCompare("triangulate_8cam_linear_" + t + "thread", rates["BM_Midstance/" + t + "/0/real_time"],
                                   "eigen_svd_dlt", peer, "Mpoints/s", 1e-6);
    midstance::bench::PrintCompare("triangulate_8cam_refined_" + t + "thread", rates["BM_Midstance/" + t + "/2/real_time"],
                                   "eigen_svd_dlt", peer, "Mpoints/s", 1e-6);
  }
  return 0;
}
