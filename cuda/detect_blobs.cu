// Blob detection on a batch of 8-bit frames, one data-parallel pipeline for both backends.
//
// 1. Scan: the frames are cut into 128-byte chunks; a chunk is "hot" when any pixel reaches the
//    threshold. This is the only pass over every pixel, and a vectorisable max-reduction, so a
//    mostly dark frame costs little more than reading it.
// 2. Gather: the bright pixels of the hot chunks, in raster order (sorted linear indices).
// 3. Label: 8-connected components by lock-free union-find over the sparse bright pixels,
//    linking each pixel to its left and upper neighbours with atomic-min hooking, so every root
//    is the smallest index of its component whatever the thread schedule (Playne & Hawick 2018,
//    "A new algorithm for parallel connected-component labelling on GPUs", IEEE TPDS 29(6)).
// 4. Measure: per component, exact 64-bit integer moments (order-independent, so results are
//    bit-identical across backends and thread counts), then centroid, area and roundness.
#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/count.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/iterator/zip_iterator.h>
#include <thrust/reduce.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <cmath>
#include <cstdint>

#include "atomics.cuh"
#include "device_array.cuh"
#include "kernels.h"

namespace midstance {
namespace MS_BACKEND_NS {
namespace thrust = THRUST_NS_QUALIFIER;
namespace {

constexpr int64_t kChunkBytes = 128;

struct ChunkIsHot {
  const uint8_t* pixels;
  int64_t total;
  uint8_t threshold;
  MS_HD bool operator()(int64_t chunk) const {
    const int64_t begin = chunk * kChunkBytes;
    const uint8_t* p = pixels + begin;
    uint8_t peak = 0;
    if (begin + kChunkBytes <= total) {
      for (int k = 0; k < kChunkBytes; ++k) peak = p[k] > peak ? p[k] : peak;
    } else {
      for (int64_t k = 0; k < total - begin; ++k) peak = p[k] > peak ? p[k] : peak;
    }
    return peak >= threshold;
  }
};

struct CountBrightInChunk {
  const uint8_t* pixels;
  int64_t total;
  uint8_t threshold;
  MS_HD int operator()(int64_t chunk) const {
    const int64_t begin = chunk * kChunkBytes;
    const int64_t end = begin + kChunkBytes < total ? begin + kChunkBytes : total;
    int count = 0;
    for (int64_t i = begin; i < end; ++i) count += pixels[i] >= threshold;
    return count;
  }
};

struct GatherBrightInChunk {
  const uint8_t* pixels;
  int64_t total;
  uint8_t threshold;
  const int64_t* hot_chunks;
  const int* write_offsets;
  int64_t* bright_index;
  uint8_t* bright_value;
  MS_HD void operator()(int hot) const {
    const int64_t begin = hot_chunks[hot] * kChunkBytes;
    const int64_t end = begin + kChunkBytes < total ? begin + kChunkBytes : total;
    int out = write_offsets[hot];
    for (int64_t i = begin; i < end; ++i) {
      if (pixels[i] >= threshold) {
        bright_index[out] = i;
        bright_value[out] = pixels[i];
        ++out;
      }
    }
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

struct LinkToEarlierNeighbours {
  const int64_t* bright_index;
  int* parent;
  int width;
  int64_t frame_pixels;
  MS_HD void operator()(int k) const {
    const int64_t g = bright_index[k];
    const int64_t within = g % frame_pixels;
    const int x = static_cast<int>(within % width);
    const int64_t y = within / width;
    if (x > 0 && k > 0 && bright_index[k - 1] == g - 1) Unite(parent, k, k - 1);
    if (y == 0) return;
    // Upper row: (x-1, y-1), (x, y-1), (x+1, y-1), consecutive in the sorted list if present.
    const int64_t first = g - width - (x > 0 ? 1 : 0);
    const int64_t last = g - width + (x + 1 < width ? 1 : 0);
    int lo = 0, hi = k;
    while (lo < hi) {
      const int mid = lo + (hi - lo) / 2;
      if (bright_index[mid] < first) lo = mid + 1; else hi = mid;
    }
    for (int j = lo; j < k && bright_index[j] <= last; ++j) Unite(parent, k, j);
  }
};

struct FlattenToRoot {
  int* parent;
  MS_HD void operator()(int k) const { parent[k] = FindRoot(parent, k); }
};

// Exact integer moments of a component, coordinates relative to its root pixel.
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

struct PixelMoments {
  const int64_t* bright_index;
  const uint8_t* bright_value;
  const int* root_of_sorted;  // root label of each sorted entry
  const int* sorted_member;   // bright-list index of each sorted entry
  int width;
  int64_t frame_pixels;
  int threshold;
  MS_HD Moments operator()(int s) const {
    const int64_t g = bright_index[sorted_member[s]];
    const int64_t r = bright_index[root_of_sorted[s]];
    const int64_t dx = g % frame_pixels % width - r % frame_pixels % width;
    const int64_t dy = g % frame_pixels / width - r % frame_pixels / width;
    const int64_t w = static_cast<int64_t>(bright_value[sorted_member[s]]) - threshold + 1;
    return {1, w, w * dx, w * dy, dx, dy, dx * dx, dy * dy, dx * dy};
  }
};

struct BlobFromMoments {
  const int64_t* bright_index;
  int width;
  int64_t frame_pixels;
  MS_HD Centroid2D operator()(const int& root, const Moments& m) const {
    const int64_t r = bright_index[root];
    const double x0 = static_cast<double>(r % frame_pixels % width);
    const double y0 = static_cast<double>(r % frame_pixels / width);
    Centroid2D c;
    const double w = static_cast<double>(m.w);
    c.x_px = x0 + static_cast<double>(m.wx) / w;
    c.y_px = y0 + static_cast<double>(m.wy) / w;
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
    c.roundness = major > 0 ? sqrt(minor / major) : 1.0;
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

struct FrameOfRoot {
  const int64_t* bright_index;
  int64_t frame_pixels;
  MS_HD int operator()(int root) const { return static_cast<int>(bright_index[root] / frame_pixels); }
};

}  // namespace

DetectedBlobs DetectBlobs(const ImageBatchView& batch, int threshold, const BlobFilter& filter) {
  DetectedBlobs result;
  result.frame_begin.assign(static_cast<size_t>(batch.frame_count) + 1, 0);
  const int64_t frame_pixels = static_cast<int64_t>(batch.width_px) * batch.height_px;
  const int64_t total = frame_pixels * batch.frame_count;
  if (total == 0) return result;
  const uint8_t level = static_cast<uint8_t>(threshold < 1 ? 1 : threshold > 255 ? 255 : threshold);
  const auto pixels = DeviceArray<uint8_t>::Upload(batch.pixels, static_cast<size_t>(total));

  // 1. Hot chunks.
  const int64_t chunk_count = (total + kChunkBytes - 1) / kChunkBytes;
  thrust::device_vector<int64_t> hot(static_cast<size_t>(chunk_count));
  const auto hot_end = thrust::copy_if(thrust::device, thrust::counting_iterator<int64_t>(0),
                                       thrust::counting_iterator<int64_t>(chunk_count), hot.begin(),
                                       ChunkIsHot{pixels.data(), total, level});
  const int hot_count = static_cast<int>(hot_end - hot.begin());
  if (hot_count == 0) return result;

  // 2. Bright pixels, sorted by linear index.
  thrust::device_vector<int> offsets(static_cast<size_t>(hot_count) + 1, 0);
  thrust::transform(thrust::device, hot.begin(), hot.begin() + hot_count, offsets.begin() + 1,
                    CountBrightInChunk{pixels.data(), total, level});
  thrust::inclusive_scan(thrust::device, offsets.begin() + 1, offsets.end(), offsets.begin() + 1);
  const int bright_count = offsets.back();
  thrust::device_vector<int64_t> bright_index(static_cast<size_t>(bright_count));
  thrust::device_vector<uint8_t> bright_value(static_cast<size_t>(bright_count));
  thrust::for_each(thrust::device, thrust::counting_iterator<int>(0),
                   thrust::counting_iterator<int>(hot_count),
                   GatherBrightInChunk{pixels.data(), total, level, Raw(hot), Raw(offsets),
                                       Raw(bright_index), Raw(bright_value)});

  // 3. Union-find labelling.
  thrust::device_vector<int> parent(static_cast<size_t>(bright_count));
  thrust::sequence(thrust::device, parent.begin(), parent.end());
  thrust::for_each(thrust::device, thrust::counting_iterator<int>(0),
                   thrust::counting_iterator<int>(bright_count),
                   LinkToEarlierNeighbours{Raw(bright_index), Raw(parent), batch.width_px, frame_pixels});
  thrust::for_each(thrust::device, thrust::counting_iterator<int>(0),
                   thrust::counting_iterator<int>(bright_count), FlattenToRoot{Raw(parent)});

  // 4. Moments per component: group members by root (stable, so raster order within groups).
  thrust::device_vector<int> member(static_cast<size_t>(bright_count));
  thrust::sequence(thrust::device, member.begin(), member.end());
  thrust::device_vector<int> root_sorted = parent;
  thrust::stable_sort_by_key(thrust::device, root_sorted.begin(), root_sorted.end(), member.begin());
  thrust::device_vector<int> roots(static_cast<size_t>(bright_count));
  thrust::device_vector<Moments> moments(static_cast<size_t>(bright_count));
  const auto moment_source = thrust::make_transform_iterator(
      thrust::counting_iterator<int>(0),
      PixelMoments{Raw(bright_index), Raw(bright_value), Raw(root_sorted), Raw(member),
                   batch.width_px, frame_pixels, level});
  const auto reduced_end = thrust::reduce_by_key(thrust::device, root_sorted.begin(), root_sorted.end(),
                                                 moment_source, roots.begin(), moments.begin(),
                                                 thrust::equal_to<int>(), MomentsSum());
  const int component_count = static_cast<int>(reduced_end.first - roots.begin());

  thrust::device_vector<Centroid2D> blobs(static_cast<size_t>(component_count));
  thrust::transform(thrust::device, roots.begin(), roots.begin() + component_count, moments.begin(),
                    blobs.begin(), BlobFromMoments{Raw(bright_index), batch.width_px, frame_pixels});
  thrust::device_vector<int> frames(static_cast<size_t>(component_count));
  thrust::transform(thrust::device, roots.begin(), roots.begin() + component_count, frames.begin(),
                    FrameOfRoot{Raw(bright_index), frame_pixels});
  thrust::device_vector<Centroid2D> kept_blobs(static_cast<size_t>(component_count));
  thrust::device_vector<int> kept_frames(static_cast<size_t>(component_count));
  const auto source = thrust::make_zip_iterator(thrust::make_tuple(blobs.begin(), frames.begin()));
  const auto destination =
      thrust::make_zip_iterator(thrust::make_tuple(kept_blobs.begin(), kept_frames.begin()));
  const auto kept_end = thrust::copy_if(thrust::device, source, source + component_count,
                                        blobs.begin(), destination, PassesFilter{filter});
  const int kept = static_cast<int>(kept_end - destination);

  thrust::device_vector<int> frame_begin(static_cast<size_t>(batch.frame_count) + 1);
  thrust::lower_bound(thrust::device, kept_frames.begin(), kept_frames.begin() + kept,
                      thrust::counting_iterator<int>(0),
                      thrust::counting_iterator<int>(batch.frame_count + 1), frame_begin.begin());
  result.blobs.resize(static_cast<size_t>(kept));
  thrust::copy(kept_blobs.begin(), kept_blobs.begin() + kept, result.blobs.begin());
  thrust::copy(frame_begin.begin(), frame_begin.end(), result.frame_begin.begin());
  return result;
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
