// Detection throughput on the same frames and thread count as the peer, OpenCV's
// cv::threshold + cv::connectedComponentsWithStats (8-connectivity), and the machine's memory
// read bandwidth measured in the same run (the physical limit of a pass over the pixels).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "bench_support.h"
#include "midstance/detect.h"
#include "midstance/synth.h"

namespace midstance {
namespace {

constexpr int kFrames = 24;  // cycled, 31-100 MB in all: more than the caches hold

struct FrameSet {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // kFrames frames
  const uint8_t* Frame(int i) const { return pixels.data() + static_cast<size_t>(i % kFrames) * width * height; }
};

// Mocap-like frames: dark background with read noise, 20-60 blurred marker discs of 2-5 px radius.
const FrameSet& Frames(int width, int height) {
  static std::map<std::pair<int, int>, FrameSet> cache;
  FrameSet& set = cache[{width, height}];
  if (!set.pixels.empty()) return set;
  set.width = width;
  set.height = height;
  set.pixels.resize(static_cast<size_t>(width) * height * kFrames);
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 0.5);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int f = 0; f < kFrames; ++f) {
    uint8_t* frame = set.pixels.data() + static_cast<size_t>(f) * width * height;
    for (size_t i = 0; i < static_cast<size_t>(width) * height; ++i) frame[i] = static_cast<uint8_t>(std::max(0.0, std::round(noise(rng))));
    const int markers = 20 + static_cast<int>(40 * unit(rng));
    for (int m = 0; m < markers; ++m) {
      DrawBlurredDisc(frame, width, height, 10 + (width - 20) * unit(rng), 10 + (height - 20) * unit(rng), 2 + 3 * unit(rng),
                      200 + 40 * unit(rng), 0.65);
    }
  }
  return set;
}

void SetThreads(int threads) {
  omp_set_num_threads(threads);
  cv::setNumThreads(threads);
}

void BM_Midstance(benchmark::State& state) {
  const FrameSet& set = Frames(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  SetThreads(static_cast<int>(state.range(2)));
  const DetectOptions options;
  int i = 0;
  for (auto _ : state) {
    const DetectedBlobs blobs = DetectMarkers(Backend::kCpu, ImageBatchView{set.Frame(i++), set.width, set.height, 1}, options);
    benchmark::DoNotOptimize(blobs.blobs.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(set.width) * set.height);
}

// As `midstance process` calls it: kBatch consecutive frames of one camera per call.
constexpr int kBatch = 8;
void BM_MidstanceBatched(benchmark::State& state) {
  const FrameSet& set = Frames(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  SetThreads(static_cast<int>(state.range(2)));
  const DetectOptions options;
  int i = 0;
  for (auto _ : state) {
    const DetectedBlobs blobs =
        DetectMarkers(Backend::kCpu, ImageBatchView{set.Frame(i), set.width, set.height, kBatch}, options);
    i = (i + kBatch) % kFrames;
    benchmark::DoNotOptimize(blobs.blobs.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * kBatch * static_cast<int64_t>(set.width) * set.height);
}

void BM_OpenCv(benchmark::State& state) {
  const FrameSet& set = Frames(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  SetThreads(static_cast<int>(state.range(2)));
  cv::Mat binary, labels, stats, centroids;
  int i = 0;
  for (auto _ : state) {
    const cv::Mat frame(set.height, set.width, CV_8UC1, const_cast<uint8_t*>(set.Frame(i++)));
    cv::threshold(frame, binary, DetectOptions().threshold - 1, 255, cv::THRESH_BINARY);
    const int count = cv::connectedComponentsWithStats(binary, labels, stats, centroids, 8, CV_32S,
                                                       static_cast<int>(state.range(3)));
    benchmark::DoNotOptimize(count);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(set.width) * set.height);
}

// Read bandwidth: sum of a 256 MiB buffer as 64-bit words, the same threads.
void BM_ReadBandwidth(benchmark::State& state) {
  static std::vector<uint64_t> buffer(32u << 20, 1);
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    uint64_t sum = 0;
#pragma omp parallel for num_threads(threads) reduction(+ : sum)
    for (size_t i = 0; i < buffer.size(); ++i) sum += buffer[i];
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(buffer.size() * sizeof(uint64_t)));
}

BENCHMARK(BM_ReadBandwidth)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Midstance)->Args({1280, 1024, 1})->Args({1280, 1024, 2})->Args({2048, 2048, 1})->Args({2048, 2048, 2})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_MidstanceBatched)->Args({1280, 1024, 1})->Args({1280, 1024, 2})->Args({2048, 2048, 1})->Args({2048, 2048, 2})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
// The peer runs with both of its fastest labelling algorithms (BBDT is fastest on one thread
// here, Spaghetti on two; the default picks a slower one at one thread); COMPARE takes the faster.
BENCHMARK(BM_OpenCv)
    ->ArgsProduct({{1280}, {1024}, {1, 2}, {cv::CCL_BBDT, cv::CCL_SPAGHETTI}})
    ->ArgsProduct({{2048}, {2048}, {1, 2}, {cv::CCL_BBDT, cv::CCL_SPAGHETTI}})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace midstance

int main(int argc, char** argv) {
  auto rates = midstance::bench::RunAll(argc, argv);
  for (const char* size : {"1280/1024", "2048/2048"}) {
    for (int threads : {1, 2}) {
      const std::string suffix = std::string(size) + "/" + std::to_string(threads) + "/real_time";
      const std::string peer_prefix = "BM_OpenCv/" + std::string(size) + "/" + std::to_string(threads) + "/";
      const double peer = std::max(rates[peer_prefix + std::to_string(cv::CCL_BBDT) + "/real_time"],
                                   rates[peer_prefix + std::to_string(cv::CCL_SPAGHETTI) + "/real_time"]);
      const double single = rates["BM_Midstance/" + suffix];
      const double ours = rates["BM_MidstanceBatched/" + suffix];
      std::string name = std::string("detect_") + size + "_" + std::to_string(threads) + "thread";
      std::replace(name.begin(), name.end(), '/', 'x');
      midstance::bench::PrintCompare(name + "_one_frame_per_call", single, "opencv_best_ccl", peer, "frames/s");
      midstance::bench::PrintCompare(name + "_batch8", ours, "opencv_best_ccl", peer, "frames/s");
      const double bandwidth = rates["BM_ReadBandwidth/" + std::to_string(threads) + "/real_time"];
      const int w = std::stoi(size), h = std::stoi(std::string(size).substr(5));
      for (const auto& [label, rate] : {std::pair<const char*, double>{"one frame per call", single}, {"batch of 8", ours}}) {
        if (bandwidth > 0 && rate > 0) {
          std::printf("BANDWIDTH %s (%s): midstance reads %.2f GB/s, machine read bandwidth %.2f GB/s (%d threads), %.0f %%\n",
                      name.c_str(), label, rate * w * h / 1e9, bandwidth / 1e9, threads, 100.0 * rate * w * h / bandwidth);
        }
      }
    }
  }
  return 0;
}
