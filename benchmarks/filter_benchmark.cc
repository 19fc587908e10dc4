// Zero-lag Butterworth filtering (4th order, 6 Hz) of force-plate channels (16 x 10^6 samples at
// 2000 Hz) and marker coordinates (300 x 10^5 frames at 250 Hz), against a straightforward scalar,
// single-threaded sosfiltfilt (scipy.signal's algorithm: odd extension, sosfilt_zi, forward,
// backward) on the same data and coefficients. Items are samples (rows x columns).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench_support.h"
#include "midstance/filter.h"

namespace midstance {
namespace {

struct Workload {
  const char* name;
  int64_t samples;
  int columns;
  double rate_hz;
};

constexpr Workload kWorkloads[] = {{"forceplate_16ch_1M", 1000000, 16, 2000}, {"markers_300col_100k", 100000, 300, 250}};

ButterworthOptions Options() {
  ButterworthOptions options;
  options.order = 4;
  options.cutoff_hz = 6;
  return options;
}

// Filtering in place again and again costs the same as filtering fresh data (no branch depends
// on the values), so the iterations share one array.
std::vector<double>& Data(int workload) {
  static std::vector<double> data[2];
  std::vector<double>& values = data[workload];
  if (values.empty()) {
    const Workload& w = kWorkloads[workload];
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0, 2);
    values.resize(static_cast<size_t>(w.samples) * static_cast<size_t>(w.columns));
    for (size_t i = 0; i < values.size(); ++i) {
      const double t = static_cast<double>(i / static_cast<size_t>(w.columns)) / w.rate_hz;
      values[i] = 500 + 300 * std::sin(2 * 3.14159265358979 * 1.7 * t + static_cast<double>(i % 7)) + noise(rng);
    }
  }
  return values;
}

// The peer: one column at a time, copied out with its odd extension, filtered, copied back.
class ScalarFiltFilt {
 public:
  explicit ScalarFiltFilt(const SosFilter& filter) : sos_(filter.sections), zi_(sos_.size()) {
    double input = 1;  // scipy.signal.sosfilt_zi
    for (size_t s = 0; s < sos_.size(); ++s) {
      const auto& c = sos_[s];
      const double gain = (c[0] + c[1] + c[2]) / (c[3] + c[4] + c[5]);
      zi_[s] = {input * (gain - c[0]), input * (c[2] - c[5] * gain)};
      input *= gain;
    }
    padding_ = 3 * (2 * static_cast<int>(sos_.size()) + 1);
  }

  void Apply(int64_t samples, int columns, std::vector<double>* values) {
    const size_t n = static_cast<size_t>(samples), pad = static_cast<size_t>(padding_);
    std::vector<double> ext(n + 2 * pad);
    for (int c = 0; c < columns; ++c) {
      double* x = ext.data() + pad;
      for (size_t i = 0; i < n; ++i) x[i] = (*values)[i * static_cast<size_t>(columns) + static_cast<size_t>(c)];
      for (size_t k = 1; k <= pad; ++k) {
        ext[pad - k] = 2 * x[0] - x[k];
        x[n - 1 + k] = 2 * x[n - 1] - x[n - 1 - k];
      }
      Pass(ext.data(), ext.size());
      std::reverse(ext.begin(), ext.end());
      Pass(ext.data(), ext.size());
      std::reverse(ext.begin(), ext.end());
      for (size_t i = 0; i < n; ++i) (*values)[i * static_cast<size_t>(columns) + static_cast<size_t>(c)] = x[i];
    }
  }

 private:
  void Pass(double* x, size_t n) const {
    std::vector<std::array<double, 2>> z(sos_.size());
    for (size_t s = 0; s < sos_.size(); ++s) z[s] = {zi_[s][0] * x[0], zi_[s][1] * x[0]};
    for (size_t i = 0; i < n; ++i) {
      double v = x[i];
      for (size_t s = 0; s < sos_.size(); ++s) {
        const auto& c = sos_[s];
        const double y = c[0] * v + z[s][0];
        z[s][0] = c[1] * v - c[4] * y + z[s][1];
        z[s][1] = c[2] * v - c[5] * y;
        v = y;
      }
      x[i] = v;
    }
  }

  std::vector<std::array<double, 6>> sos_;
  std::vector<std::array<double, 2>> zi_;
  int padding_ = 0;
};

void BM_Midstance(benchmark::State& state) {
  const Workload& w = kWorkloads[state.range(1)];
  std::vector<double>& values = Data(static_cast<int>(state.range(1)));
  omp_set_num_threads(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    FilterZeroLag(Backend::kCpu, Options(), w.rate_hz, w.samples, w.columns, &values);
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * w.samples * w.columns);
}

void BM_ScalarFiltFilt(benchmark::State& state) {
  const Workload& w = kWorkloads[state.range(0)];
  std::vector<double>& values = Data(static_cast<int>(state.range(0)));
  ScalarFiltFilt peer(DesignButterworthLowPass(4, DesignCutoffHz(Options(), w.rate_hz), w.rate_hz));
  for (auto _ : state) {
    peer.Apply(w.samples, w.columns, &values);
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * w.samples * w.columns);
}

// Args: threads, workload.
BENCHMARK(BM_Midstance)->Args({1, 0})->Args({2, 0})->Args({1, 1})->Args({2, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScalarFiltFilt)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Both implementations on the same fresh data: they must agree before their speeds mean anything.
void PrintAgreement(int workload) {
  const Workload& w = kWorkloads[workload];
  std::vector<double> ours(static_cast<size_t>(w.samples) * static_cast<size_t>(w.columns));
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 100);
  for (double& v : ours) v = noise(rng);
  std::vector<double> peer = ours;
  FilterZeroLag(Backend::kCpu, Options(), w.rate_hz, w.samples, w.columns, &ours);
  ScalarFiltFilt(DesignButterworthLowPass(4, DesignCutoffHz(Options(), w.rate_hz), w.rate_hz))
      .Apply(w.samples, w.columns, &peer);
  double worst = 0;
  for (size_t i = 0; i < ours.size(); ++i) worst = std::max(worst, std::fabs(ours[i] - peer[i]));
  std::printf("AGREEMENT %s: largest difference from the scalar peer %.3g\n", w.name, worst);
}

}  // namespace
}  // namespace midstance

int main(int argc, char** argv) {
  auto rates = midstance::bench::RunAll(argc, argv);
  for (int workload : {0, 1}) {
    const std::string w = std::to_string(workload);
    const double peer = rates["BM_ScalarFiltFilt/" + w + "/real_time"];
    for (int threads : {1, 2}) {
      const std::string t = std::to_string(threads);
      midstance::bench::PrintCompare(std::string("filtfilt_") + midstance::kWorkloads[workload].name + "_" + t + "thread",
                                     rates["BM_Midstance/" + t + "/" + w + "/real_time"], "scalar_sosfiltfilt_1thread",
                                     peer, "Msamples/s", 1e-6);
    }
    if (peer > 0) midstance::PrintAgreement(workload);
  }
  return 0;
}
