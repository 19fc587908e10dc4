// Blob detection on a batch of 8-bit frames, one data-parallel pipeline for both backends.
//
// 1. Scan: the batch is cut into 4 KiB tiles of 32 chunks of 128 bytes; each tile records which
//    of its chunks hold a pixel at or above the threshold (a vectorisable max per chunk). This is
//    the only pass over every pixel, so a mostly dark frame costs little more than reading it.
// 2. Runs: the hot chunks are cut into runs, maximal horizontal segments of bright pixels (broken
//    at chunk and row ends), each with its exact 64-bit integer moments.
// 3. Label: 8-connected components by lock-free union-find over the runs: each run is linked to
//    the run it continues across a chunk boundary and to the runs of the row above that touch it,
//    by atomic-min hooking, so every root is the smallest run index of its component whatever the
//    thread schedule (Playne & Hawick 2018, "A new algorithm for parallel connected-component
//    labelling on GPUs", IEEE TPDS 29(6); run-based labelling as in He et al. 2008, "A run-based
//    two-scan labeling algorithm", IEEE TIP 17(5)).
// 4. Measure: moments summed per component (integers: bit-identical across backends and thread
//    counts), then centroid, area and roundness, then the size and roundness filters.
#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/permutation_iterator.h>
#include <thrust/iterator/zip_iterator.h>
#include <thrust/reduce.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>
#include <thrust/transform_scan.h>

#include <cmath>
#include <cstdint>

#include "atomics.cuh"
#include "device_array.cuh"
#include "policy.cuh"
#include "kernels.h"

namespace midstance {
namespace MS_BACKEND_NS {
namespace thrust = THRUST_NS_QUALIFIER;
namespace {

constexpr int64_t kChunkBytes = 128;
constexpr int64_t kChunksPerTile = 32;  // one bit each in a tile's mask
constexpr int64_t kTileBytes = kChunkBytes * kChunksPerTile;

MS_HD inline int PopCount(uint32_t x) {
#if defined(__CUDA_ARCH__)
  return __popc(x);
#else
  return __builtin_popcount(x);
#endif
}

// Bit c set when chunk c of the tile holds a pixel >= threshold.
struct HotChunkMask {
  const uint8_t* pixels;
  int64_t total;
  uint8_t threshold;
  MS_HD uint32_t operator()(int64_t tile) const {
    uint32_t mask = 0;
    for (int64_t c = 0; c < kChunksPerTile; ++c) {
      const int64_t begin = tile * kTileBytes + c * kChunkBytes;
      if (begin >= total) break;
      const uint8_t* p = pixels + begin;
      uint8_t peak = 0;
      if (begin + kChunkBytes <= total) {
        for (int k = 0; k < kChunkBytes; ++k) peak = p[k] > peak ? p[k] : peak;
      } else {
        for (int64_t k = 0; k < total - begin; ++k) peak = p[k] > peak ? p[k] : peak;
      }
      if (peak >= threshold) mask |= 1u << c;
    }
    return mask;
  }
};

struct MaskPopCount {
  MS_HD int operator()(uint32_t mask) const { return PopCount(mask); }
};

struct ListHotChunks {
  const uint32_t* masks;
  const int* write_offsets;  // exclusive
  int64_t* hot_chunks;
  MS_HD void operator()(int64_t tile) const {
    int out = write_offsets[tile];
    for (uint32_t m = masks[tile]; m != 0; m &= m - 1) {
      int c = 0;
      while (!((m >> c) & 1u)) ++c;
      hot_chunks[out++] = tile * kChunksPerTile + c;
    }
  }
};

// Exact integer moments of a set of pixels, coordinates within the frame (fits 64 bits for up to
// 2^30 pixels per call, which the compute layer guarantees).
struct Moments {
  int64_t count, w, wx, wy;
  int64_t sx, sy, sxx, syy, sxy;
};

struct MomentsSum {
  MS_HD Moments operator()(const Moments& a, const Moments& b) const {
    return {a.count + b.count, a.w + b.w,     a.wx + b.wx,   a.wy + b.wy,  a.sx + b.sx,
            a.sy + b.sy,       a.sxx + b.sxx, a.syy + b.syy, a.sxy + b.sxy};
  }
};

struct Run {
  int64_t start;  // linear index in the batch of the run's first pixel
  int length;
};

// Walks the runs of one hot chunk; `emit` (if any) receives each run and its moments.
struct ChunkRuns {
  const uint8_t* pixels;
  int64_t total;
  int width;
  int64_t frame_pixels;
  uint8_t threshold;

  template <class Emit>
  MS_HD int Walk(int64_t chunk, Emit emit) const {
    const int64_t begin = chunk * kChunkBytes;
    const int64_t end = begin + kChunkBytes < total ? begin + kChunkBytes : total;
    int runs = 0;
    int64_t i = begin;
    while (i < end) {
      if (pixels[i] < threshold) {
        ++i;
        continue;
      }
      const int64_t within = i % frame_pixels;
      const int64_t x0 = within % width, y = within / width;
      const int64_t row_end = i + (width - x0);  // first index of the next row
      const int64_t stop = row_end < end ? row_end : end;
      Moments m = {0, 0, 0, 0, 0, 0, 0, 0, 0};
      int64_t j = i;
      for (; j < stop && pixels[j] >= threshold; ++j) {
        const int64_t x = x0 + (j - i);
        const int64_t w = static_cast<int64_t>(pixels[j]) - threshold + 1;
        m.count += 1;
        m.w += w;
        m.wx += w * x;
        m.wy += w * y;
        m.sx += x;
        m.sy += y;
        m.sxx += x * x;
        m.syy += y * y;
        m.sxy += x * y;
      }
      emit(runs, Run{i, static_cast<int>(j - i)}, m);
      ++runs;
      i = j;
    }
    return runs;
  }
};

// Counts the runs of a chunk without walking them: a run starts at every bright pixel whose left
// neighbour in the chunk is dark, plus at bright row starts whose predecessor (the end of the
// previous row) is bright too. Branch-free, so the compiler vectorises it.
struct CountRuns {
  ChunkRuns walker;
  MS_HD int operator()(int64_t chunk) const {
    const uint8_t* p = walker.pixels;
    const uint8_t t = walker.threshold;
    const int64_t begin = chunk * kChunkBytes;
    const int64_t end = begin + kChunkBytes < walker.total ? begin + kChunkBytes : walker.total;
    int runs = p[begin] >= t;
    for (int64_t i = begin + 1; i < end; ++i) runs += (p[i] >= t) & (p[i - 1] < t);
    // Rows start at multiples of the width (frames hold whole rows).
    const int64_t width = walker.width;
    for (int64_t r = (begin / width + 1) * width; r < end; r += width) runs += (p[r] >= t) & (p[r - 1] >= t);
    return runs;
  }
};

struct StoreRun {
  Run* runs;
  Moments* moments;
  int first;
  MS_HD void operator()(int k, const Run& run, const Moments& m) const {
    runs[first + k] = run;
    moments[first + k] = m;
  }
};

struct EmitRuns {
  ChunkRuns walker;
  const int64_t* hot_chunks;
  const int* write_offsets;  // exclusive
  Run* runs;
  Moments* moments;
  MS_HD void operator()(int hot) const {
    walker.Walk(hot_chunks[hot], StoreRun{runs, moments, write_offsets[hot]});
  }
};

MS_HD inline int FindRoot(const int* parent, int i) {
  for (;;) {
    const int p = AtomicLoad(&parent[i]);
    if (p == i) return i;
    i = p;
  }
}

MS_HD inline void Unite(int* parent, int a, int b) {
  bool done = false;
  while (!done) {
    a = FindRoot(parent, a);
    b = FindRoot(parent, b);
    if (a < b) {
      const int old = AtomicMin(&parent[b], a);
      done = old == b;
      b = old;
    } else if (b < a) {
      const int old = AtomicMin(&parent[a], b);
      done = old == a;
      a = old;
    } else {
      done = true;
    }
  }
}

// Links run k to the run it continues (split at a chunk boundary) and to the runs of the row
// above that touch it, 8-connected. Runs are sorted and disjoint, so their ends are sorted too.
struct LinkRun {
  const Run* runs;
  int* parent;
  int width;
  int64_t frame_pixels;
  MS_HD void operator()(int k) const {
    const Run r = runs[k];
    const int64_t within = r.start % frame_pixels;
    const int64_t x0 = within % width, y = within / width;
    const int64_t x1 = x0 + r.length - 1;
    if (k > 0 && x0 > 0 && runs[k - 1].start + runs[k - 1].length == r.start) Unite(parent, k, k - 1);
    if (y == 0) return;
    const int64_t first = r.start - width - (x0 > 0 ? 1 : 0);
    const int64_t last = r.start - width + (x1 - x0) + (x1 + 1 < width ? 1 : 0);
    int lo = 0, hi = k;  // first run ending at or after `first`
    while (lo < hi) {
      const int mid = lo + (hi - lo) / 2;
      if (runs[mid].start + runs[mid].length - 1 < first) lo = mid + 1; else hi = mid;
    }
    for (int j = lo; j < k && runs[j].start <= last; ++j) Unite(parent, k, j);
  }
};

struct FlattenToRoot {
  int* parent;
  MS_HD void operator()(int k) const { parent[k] = FindRoot(parent, k); }
};

struct BlobFromMoments {
  MS_HD Centroid2D operator()(const Moments& m) const {
    Centroid2D c;
    const double w = static_cast<double>(m.w);
    c.x_px = static_cast<double>(m.wx) / w;
    c.y_px = static_cast<double>(m.wy) / w;
    c.area_px = static_cast<int>(m.count);
    // Shape from the unweighted second central moments of the mask.
    const double n = static_cast<double>(m.count);
    const double mx = static_cast<double>(m.sx) / n, my = static_cast<double>(m.sy) / n;
    const double mu20 = static_cast<double>(m.sxx) / n - mx * mx;
    const double mu02 = static_cast<double>(m.syy) / n - my * my;
    const double mu11 = static_cast<double>(m.sxy) / n - mx * my;
    const double half_trace = 0.5 * (mu20 + mu02);
    const double root_term = sqrt(fmax(0.0, 0.25 * (mu20 - mu02) * (mu20 - mu02) + mu11 * mu11));
    const double major = half_trace + root_term;
    const double minor = fmax(0.0, half_trace - root_term);
    c.roundness = major > 1e-12 ? sqrt(minor / major) : 1.0;
    return c;
  }
};

struct PassesFilter {
  BlobFilter filter;
  MS_HD bool operator()(const Centroid2D& c) const {
    return c.area_px >= filter.min_area_px && c.area_px <= filter.max_area_px &&
           c.roundness >= filter.min_roundness;
  }
};

struct FrameOfRun {
  const Run* runs;
  int64_t frame_pixels;
  MS_HD int operator()(int root) const { return static_cast<int>(runs[root].start / frame_pixels); }
};

}  // namespace

DetectedBlobs DetectBlobs(const ImageBatchView& batch, int threshold, const BlobFilter& filter) {
  using thrust::counting_iterator;
  DetectedBlobs result;
  result.frame_begin.assign(static_cast<size_t>(batch.frame_count) + 1, 0);
  const int64_t frame_pixels = static_cast<int64_t>(batch.width_px) * batch.height_px;
  const int64_t total = frame_pixels * batch.frame_count;
  if (total == 0) return result;
  const uint8_t level = static_cast<uint8_t>(threshold < 1 ? 1 : threshold > 255 ? 255 : threshold);
  const auto pixels = DeviceArray<uint8_t>::Upload(batch.pixels, static_cast<size_t>(total));

  // 1. Hot chunks, in increasing order. The scan is the one step that always runs in parallel.
  const int64_t tiles = (total + kTileBytes - 1) / kTileBytes;
  DeviceBuffer<uint32_t> masks(static_cast<size_t>(tiles));
  WithPolicy(total, [&](auto policy) {
    thrust::transform(policy, counting_iterator<int64_t>(0), counting_iterator<int64_t>(tiles), masks.data(),
                      HotChunkMask{pixels.data(), total, level});
  });
  DeviceBuffer<int> hot_offsets(static_cast<size_t>(tiles) + 1);
  WithPolicy(tiles, [&](auto policy) {
    thrust::transform_inclusive_scan(policy, masks.data(), masks.end(), hot_offsets.data() + 1, MaskPopCount(),
                                     thrust::plus<int>());
  });
  const int hot_count = hot_offsets.Back();
  if (hot_count == 0) return result;
  DeviceBuffer<int64_t> hot(static_cast<size_t>(hot_count));
  WithPolicy(tiles * 4, [&](auto policy) {
    thrust::for_each(policy, counting_iterator<int64_t>(0), counting_iterator<int64_t>(tiles),
                     ListHotChunks{masks.data(), hot_offsets.data(), hot.data()});
  });

  // 2. Runs with their moments, sorted by start.
  const int64_t chunk_work = static_cast<int64_t>(hot_count) * kChunkBytes;
  const ChunkRuns walker{pixels.data(), total, batch.width_px, frame_pixels, level};
  DeviceBuffer<int> run_offsets(static_cast<size_t>(hot_count) + 1);
  WithPolicy(chunk_work, [&](auto policy) {
    thrust::transform(policy, hot.data(), hot.end(), run_offsets.data() + 1, CountRuns{walker});
  });
  WithPolicy(hot_count, [&](auto policy) {
    thrust::inclusive_scan(policy, run_offsets.data() + 1, run_offsets.end(), run_offsets.data() + 1);
  });
  const int run_count = run_offsets.Back();
  DeviceBuffer<Run> runs(static_cast<size_t>(run_count));
  DeviceBuffer<Moments> run_moments(static_cast<size_t>(run_count));
  WithPolicy(4 * chunk_work, [&](auto policy) {
    thrust::for_each(policy, counting_iterator<int>(0), counting_iterator<int>(hot_count),
                     EmitRuns{walker, hot.data(), run_offsets.data(), runs.data(), run_moments.data()});
  });

  // 3. Union-find over runs.
  const int64_t run_work = 16 * static_cast<int64_t>(run_count);
  DeviceBuffer<int> parent(static_cast<size_t>(run_count));
  DeviceBuffer<int> member(static_cast<size_t>(run_count));
  WithPolicy(run_work, [&](auto policy) {
    thrust::sequence(policy, parent.data(), parent.end());
    thrust::sequence(policy, member.data(), member.end());
    thrust::for_each(policy, counting_iterator<int>(0), counting_iterator<int>(run_count),
                     LinkRun{runs.data(), parent.data(), batch.width_px, frame_pixels});
    thrust::for_each(policy, counting_iterator<int>(0), counting_iterator<int>(run_count), FlattenToRoot{parent.data()});
  });

  // 4. Moments per component: group runs by root (stable: raster order within a component).
  DeviceBuffer<int> roots(static_cast<size_t>(run_count));
  DeviceBuffer<Moments> moments(static_cast<size_t>(run_count));
  const int component_count = WithPolicy(run_work, [&](auto policy) {
    thrust::stable_sort_by_key(policy, parent.data(), parent.end(), member.data());
    const auto reduced_end = thrust::reduce_by_key(
        policy, parent.data(), parent.end(), thrust::make_permutation_iterator(run_moments.data(), member.data()),
        roots.data(), moments.data(), thrust::equal_to<int>(), MomentsSum());
    return static_cast<int>(reduced_end.first - roots.data());
  });

  DeviceBuffer<Centroid2D> blobs(static_cast<size_t>(component_count));
  DeviceBuffer<int> frames(static_cast<size_t>(component_count));
  DeviceBuffer<Centroid2D> kept_blobs(static_cast<size_t>(component_count));
  DeviceBuffer<int> kept_frames(static_cast<size_t>(component_count));
  DeviceBuffer<int> frame_begin(static_cast<size_t>(batch.frame_count) + 1);
  const int kept = WithPolicy(16 * static_cast<int64_t>(component_count) + batch.frame_count, [&](auto policy) {
    thrust::transform(policy, moments.data(), moments.data() + component_count, blobs.data(), BlobFromMoments());
    thrust::transform(policy, roots.data(), roots.data() + component_count, frames.data(), FrameOfRun{runs.data(), frame_pixels});
    const auto source = thrust::make_zip_iterator(thrust::make_tuple(blobs.data(), frames.data()));
    const auto destination = thrust::make_zip_iterator(thrust::make_tuple(kept_blobs.data(), kept_frames.data()));
    const auto kept_end =
        thrust::copy_if(policy, source, source + component_count, blobs.data(), destination, PassesFilter{filter});
    const int count = static_cast<int>(kept_end - destination);
    thrust::lower_bound(policy, kept_frames.data(), kept_frames.data() + count, counting_iterator<int>(0),
                        counting_iterator<int>(batch.frame_count + 1), frame_begin.data());
    return count;
  });
  std::vector<Centroid2D> all_kept(kept_blobs.size());
  kept_blobs.CopyToHost(all_kept.data());
  result.blobs.assign(all_kept.begin(), all_kept.begin() + kept);
  frame_begin.CopyToHost(result.frame_begin.data());
  return result;
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
