// Zero-lag filtering of many channels at once (filter.h): one work item per column runs
// scipy.signal.sosfiltfilt's algorithm over each NaN-free run of its column.
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#if !defined(__CUDACC__)
#include <omp.h>
#endif

#include "device_array.cuh"
#include "policy.cuh"
#include "kernels.h"
#include "midstance/filter.h"

namespace midstance {
namespace MS_BACKEND_NS {
namespace thrust = THRUST_NS_QUALIFIER;
namespace {

constexpr int kMaxSections = kMaxButterworthOrder / 2;
// scipy.signal.sosfiltfilt pads by 3 * (2 * sections + 1) samples (its default padlen).
constexpr int kMaxPadding = 3 * (2 * kMaxSections + 1);

// The filter travels by value inside the functor, so no pointer to host memory reaches a kernel.
struct Cascade {
  int sections = 0;
  int padding = 0;
  double sos[kMaxSections][6] = {};         // b0 b1 b2 a0 a1 a2, a0 = 1
  double step_state[kMaxSections][2] = {};  // state a unit step leaves behind (sosfilt_zi)
};

// Direct form II transposed, section after section (scipy's _sosfilt). The terms that do not
// wait for this sample's output are summed first: the recursion's critical path is then
// y -> a1 y -> z0 -> y, three operations per sample instead of scipy's four.
struct CascadeState {
  double z[kMaxSections][2];

  // Steady state for a constant input x0 (sosfilt_zi(sos) * x0).
  MS_HD void Start(const Cascade& f, double x0) {
    for (int s = 0; s < f.sections; ++s) {
      z[s][0] = f.step_state[s][0] * x0;
      z[s][1] = f.step_state[s][1] * x0;
    }
  }
  MS_HD double Step(const Cascade& f, double x) {
    for (int s = 0; s < f.sections; ++s) {
      const double* c = f.sos[s];
      const double y = c[0] * x + z[s][0];
      z[s][0] = (c[1] * x + z[s][1]) - c[4] * y;
      z[s][1] = c[2] * x - c[5] * y;
      x = y;
    }
    return x;
  }
};

// Columns [first, first + count) of the input, and where their samples live in the scratch:
// sample i of block column c at c * column_stride + i * sample_stride.
struct ColumnBlock {
  int first;
  int count;
  int64_t column_stride;
  int64_t sample_stride;
};

#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
// CPU: columns pass through the scratch a block at a time, so that a call holds one full-size
// buffer (the result) besides the caller's, not two. A block is a multiple of 8 columns (64 bytes
// of a row) per thread. Speed is the same as with one block of all columns (measured with
// 16 x 10^6 and 300 x 10^5 samples).
constexpr int64_t kCpuScratchValues = int64_t{1} << 23;  // 64 MiB
constexpr int64_t kColumnsPerCacheLine = 8;

int BlockColumns(int64_t samples, int columns) {
  const int64_t unit = kColumnsPerCacheLine * omp_get_max_threads();
  return static_cast<int>(std::min<int64_t>(columns, std::max<int64_t>(1, kCpuScratchValues / samples / unit) * unit));
}

// Each column contiguous, so a thread streams through its own columns; in the row-major layout
// every pass over a column would fetch each cache line again for every column it holds.
ColumnBlock MakeBlock(int first, int count, int64_t samples) { return {first, count, samples, 1}; }
#else
// CUDA: one block of all columns, sample-major, so adjacent threads (columns) touch adjacent
// addresses at each step.
int BlockColumns(int64_t, int columns) { return columns; }
ColumnBlock MakeBlock(int first, int count, int64_t) { return {first, count, 1, count}; }
#endif

struct ColumnView {
  double* data;
  int64_t stride;
  MS_HD double& operator[](int64_t i) const { return data[i * stride]; }
};

// scipy.signal.sosfiltfilt over samples [begin, end) of x, in place (end - begin > padding). The
// odd extensions are generated rather than stored: the left one's outputs never reach the run in
// either pass; only the forward outputs over the right one are kept, as the backward pass's start.
MS_HD inline void FilterRun(const Cascade& f, const ColumnView& x, int64_t begin, int64_t end) {
  const int pad = f.padding;
  double right[kMaxPadding];
  for (int k = 0; k < pad; ++k) right[k] = 2 * x[end - 1] - x[end - 2 - k];
  CascadeState state;
  state.Start(f, 2 * x[begin] - x[begin + pad]);
  for (int k = pad; k >= 1; --k) state.Step(f, 2 * x[begin] - x[begin + k]);
  for (int64_t i = begin; i < end; ++i) x[i] = state.Step(f, x[i]);
  for (int k = 0; k < pad; ++k) right[k] = state.Step(f, right[k]);
  state.Start(f, right[pad - 1]);
  for (int k = pad - 1; k >= 0; --k) state.Step(f, right[k]);
  for (int64_t i = end - 1; i >= begin; --i) x[i] = state.Step(f, x[i]);
}

struct FilterColumn {
  Cascade filter;
  double* scratch;
  ColumnBlock block;
  int64_t samples;
  int64_t* runs;  // per input column: runs filtered, runs too short
  MS_HD void operator()(int c) const {
    const ColumnView x{scratch + c * block.column_stride, block.sample_stride};
    int64_t filtered = 0, too_short = 0;
    for (int64_t begin = 0; begin < samples;) {
      if (std::isnan(x[begin])) {
        ++begin;
        continue;
      }
      int64_t end = begin + 1;
      while (end < samples && !std::isnan(x[end])) ++end;
      if (end - begin > filter.padding) {
        FilterRun(filter, x, begin, end);
        ++filtered;
      } else {
        ++too_short;
      }
      begin = end;
    }
    runs[2 * (block.first + c)] = filtered;
    runs[2 * (block.first + c) + 1] = too_short;
  }
};

// Row r of a block, from the row-major input to the scratch, and back into the row-major result.
struct GatherRow {
  const double* input;
  double* scratch;
  ColumnBlock block;
  int columns;
  MS_HD void operator()(int64_t r) const {
    for (int c = 0; c < block.count; ++c) {
      scratch[c * block.column_stride + r * block.sample_stride] = input[r * columns + block.first + c];
    }
  }
};

struct ScatterRow {
  const double* scratch;
  double* output;
  ColumnBlock block;
  int columns;
  MS_HD void operator()(int64_t r) const {
    for (int c = 0; c < block.count; ++c) {
      output[r * columns + block.first + c] = scratch[c * block.column_stride + r * block.sample_stride];
    }
  }
};

// The device memory of one call and the steps that filter one block of columns through it.
struct ColumnFilter {
  Cascade cascade;
  int64_t samples;
  int columns;
  const double* input;
  double* scratch;
  double* output;
  int64_t* runs;

  void Filter(const ColumnBlock& block) const {
    const int64_t values = samples * block.count;
    const thrust::counting_iterator<int64_t> rows(0);
    WithPolicy(values, [&](auto policy) {
      thrust::for_each(policy, rows, rows + samples, GatherRow{input, scratch, block, columns});
    });
    WithPolicy(20 * values * cascade.sections, [&](auto policy) {
      thrust::for_each(policy, thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(block.count),
                       FilterColumn{cascade, scratch, block, samples, runs});
    });
    WithPolicy(values, [&](auto policy) {
      thrust::for_each(policy, rows, rows + samples, ScatterRow{scratch, output, block, columns});
    });
  }
};

// sosfilt_zi in closed form: a section with DC gain g, fed a constant u at rest, outputs y = g u,
// so y = b0 u + z0 gives z0 = (g - b0) u and z1 = b2 u - a2 y. Section s is fed the product of the
// gains before it.
Cascade MakeCascade(const SosFilter& filter) {
  Cascade cascade;
  cascade.sections = static_cast<int>(filter.sections.size());
  cascade.padding = 3 * (2 * cascade.sections + 1);
  double input = 1;
  for (int s = 0; s < cascade.sections; ++s) {
    const std::array<double, 6>& c = filter.sections[static_cast<size_t>(s)];
    for (int i = 0; i < 6; ++i) cascade.sos[s][i] = c[static_cast<size_t>(i)];
    const double gain = (c[0] + c[1] + c[2]) / ((c[3] + c[4]) + c[5]);
    cascade.step_state[s][0] = input * (gain - c[0]);
    cascade.step_state[s][1] = input * (c[2] - c[5] * gain);
    input *= gain;
  }
  return cascade;
}

}  // namespace

FilterSummary FilterColumns(const SosFilter& filter, int64_t samples, int columns, std::vector<double>* values) {
  FilterSummary summary;
  if (samples == 0 || columns == 0) return summary;
  const auto input = DeviceArray<double>::Upload(values->data(), values->size());
  DeviceBuffer<double> output(values->size());
  const int block_columns = BlockColumns(samples, columns);
  DeviceBuffer<double> scratch(static_cast<size_t>(samples) * static_cast<size_t>(block_columns));
  DeviceBuffer<int64_t> runs(2 * static_cast<size_t>(columns));
  const ColumnFilter steps{MakeCascade(filter), samples, columns, input.data(), scratch.data(), output.data(), runs.data()};
  for (int first = 0; first < columns; first += block_columns) {
    steps.Filter(MakeBlock(first, std::min(block_columns, columns - first), samples));
  }
  output.CopyToHost(values->data());
  std::vector<int64_t> host_runs(runs.size());
  runs.CopyToHost(host_runs.data());
  for (size_t c = 0; c < static_cast<size_t>(columns); ++c) {
    summary.runs_filtered += host_runs[2 * c];
    summary.runs_too_short += host_runs[2 * c + 1];
  }
  return summary;
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
