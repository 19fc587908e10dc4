// Cross-view correspondence and triangulation of unlabelled markers (see reconstruction.h for
// the method). Data-parallel over observations (undistortion), over every candidate pair of
// centroids of every camera pair of every frame (epipolar test), over matches (support and
// triangulation) and over frames (greedy selection).
#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/functional.h>
#include <thrust/gather.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/permutation_iterator.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <Eigen/Core>
#include <Eigen/LU>
#include <cmath>
#include <cstdint>

#include "device_array.cuh"
#include "policy.cuh"
#include "kernels.h"
#include "midstance/triangulation.h"

namespace midstance {
namespace MS_BACKEND_NS {
namespace thrust = THRUST_NS_QUALIFIER;
namespace {

struct Candidate {
  int frame;
  int views;  // 0 = rejected
  double position[3];
  double residual_px;
  int observation[kMaxCameras];
};

// Segment s such that offsets[s] <= k < offsets[s + 1].
template <class T>
MS_HD inline int SegmentOf(const T* offsets, int segment_count, T k) {
  int lo = 0, hi = segment_count;
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    if (offsets[mid] <= k) lo = mid; else hi = mid;
  }
  return lo;
}

struct UndistortObservation {
  const CameraParams* cameras;
  const int* offsets;
  int segment_count;
  int camera_count;
  const double* pixel_uv;
  double* ideal_uv;
  uint8_t* valid;
  MS_HD void operator()(int k) const {
    const int camera = SegmentOf(offsets, segment_count, k) % camera_count;
    double u, v;
    const bool ok = UndistortPixel(cameras[camera], pixel_uv[2 * k], pixel_uv[2 * k + 1], &u, &v);
    ideal_uv[2 * k] = ok ? u : NAN;
    ideal_uv[2 * k + 1] = ok ? v : NAN;
    valid[k] = ok ? 1 : 0;
  }
};

struct PairSegmentSize {
  const int* offsets;
  const int* pair_a;
  const int* pair_b;
  int pair_count;
  int camera_count;
  MS_HD int64_t operator()(int s) const {
    const int f = s / pair_count, p = s % pair_count;
    const int base = f * camera_count;
    const int64_t na = offsets[base + pair_a[p] + 1] - offsets[base + pair_a[p]];
    const int64_t nb = offsets[base + pair_b[p] + 1] - offsets[base + pair_b[p]];
    return na * nb;
  }
};

struct PairDecoder {
  const int* offsets;
  const int64_t* pair_offsets;
  const int* pair_a;
  const int* pair_b;
  int pair_count;
  int camera_count;
  int segment_count;
  // Decodes a global pair id into frame, camera pair and the two observation indices.
  MS_HD void Decode(int64_t id, int* frame, int* pair, int* i, int* j) const {
    const int s = SegmentOf(pair_offsets, segment_count, id);
    const int64_t local = id - pair_offsets[s];
    *frame = s / pair_count;
    *pair = s % pair_count;
    const int base = *frame * camera_count;
    const int nb = offsets[base + pair_b[*pair] + 1] - offsets[base + pair_b[*pair]];
    *i = offsets[base + pair_a[*pair]] + static_cast<int>(local / nb);
    *j = offsets[base + pair_b[*pair]] + static_cast<int>(local % nb);
  }
};

// Symmetric epipolar distance (ideal pixels) between observation i of camera a and j of b,
// with F mapping a's ideal pixels to epipolar lines in b (Hartley & Zisserman 2004, 9.2).
struct IsEpipolarMatch {
  PairDecoder decoder;
  const double* fundamental;  // 9 per camera pair, row-major
  const double* ideal_uv;
  const uint8_t* valid;
  double max_distance_px;
  MS_HD bool operator()(int64_t id) const {
    int frame, pair, i, j;
    decoder.Decode(id, &frame, &pair, &i, &j);
    if (!valid[i] || !valid[j]) return false;
    const double* f = fundamental + 9 * pair;
    const double xa[3] = {ideal_uv[2 * i], ideal_uv[2 * i + 1], 1.0};
    const double xb[3] = {ideal_uv[2 * j], ideal_uv[2 * j + 1], 1.0};
    double line_b[3], line_a[3];
    for (int r = 0; r < 3; ++r) {
      line_b[r] = f[3 * r] * xa[0] + f[3 * r + 1] * xa[1] + f[3 * r + 2] * xa[2];
      line_a[r] = f[r] * xb[0] + f[3 + r] * xb[1] + f[6 + r] * xb[2];
    }
    const double algebraic = fabs(xb[0] * line_b[0] + xb[1] * line_b[1] + line_b[2]);
    const double da = algebraic / sqrt(line_a[0] * line_a[0] + line_a[1] * line_a[1]);
    const double db = algebraic / sqrt(line_b[0] * line_b[0] + line_b[1] * line_b[1]);
    return da <= max_distance_px && db <= max_distance_px;
  }
};

struct BuildCandidate {
  PairDecoder decoder;
  const CameraParams* cameras;
  const double* ideal_uv;
  const uint8_t* valid;
  ReconstructOptions options;

  // Nearest valid observation of `camera` in `frame` within support_px of ideal pixel (u, v).
  MS_HD int NearestObservation(int frame, int camera, double u, double v) const {
    const int base = frame * decoder.camera_count + camera;
    int best = -1;
    double best_d2 = options.support_px * options.support_px;
    for (int k = decoder.offsets[base]; k < decoder.offsets[base + 1]; ++k) {
      if (!valid[k]) continue;
      const double du = ideal_uv[2 * k] - u, dv = ideal_uv[2 * k + 1] - v;
      const double d2 = du * du + dv * dv;
      if (d2 < best_d2) {
        best_d2 = d2;
        best = k;
      }
    }
    return best;
  }

  MS_HD Candidate operator()(int64_t id) const {
    int frame, pair, i, j;
    decoder.Decode(id, &frame, &pair, &i, &j);
    Candidate c;
    c.frame = frame;
    c.views = 0;
    c.residual_px = INFINITY;
    for (int k = 0; k < kMaxCameras; ++k) c.observation[k] = -1;
    const int a = decoder.pair_a[pair], b = decoder.pair_b[pair];
    int view_camera[kMaxCameras];
    double view_uv[2 * kMaxCameras];
    view_camera[0] = a;
    view_camera[1] = b;
    view_uv[0] = ideal_uv[2 * i];
    view_uv[1] = ideal_uv[2 * i + 1];
    view_uv[2] = ideal_uv[2 * j];
    view_uv[3] = ideal_uv[2 * j + 1];
    double x[3];
    if (!TriangulateMidpoint(cameras, view_camera, view_uv, 2, x)) return c;
    double u, v;
    if (!ProjectToIdealPixel(cameras[a], x, &u, &v) || !ProjectToIdealPixel(cameras[b], x, &u, &v)) {
      return c;
    }
    c.observation[a] = i;
    c.observation[b] = j;
    for (int cam = 0; cam < decoder.camera_count; ++cam) {
      if (cam == a || cam == b || !ProjectToIdealPixel(cameras[cam], x, &u, &v)) continue;
      c.observation[cam] = NearestObservation(frame, cam, u, v);
    }
    int n = 0;
    for (int cam = 0; cam < decoder.camera_count; ++cam) {
      const int k = c.observation[cam];
      if (k < 0) continue;
      view_camera[n] = cam;
      view_uv[2 * n] = ideal_uv[2 * k];
      view_uv[2 * n + 1] = ideal_uv[2 * k + 1];
      ++n;
    }
    const double max_error2 = options.max_residual_px * options.max_residual_px;
    for (;;) {
      if (!TriangulateMidpoint(cameras, view_camera, view_uv, n, x)) return c;
      const double sum2 =
          RefineReprojection(cameras, view_camera, view_uv, n, x, options.refine_iterations);
      if (!(sum2 < INFINITY)) return c;
      int worst = 0;
      double worst_error2 = -1;
      for (int k = 0; k < n; ++k) {
        const double e2 = ReprojectionSquaredError(cameras, view_camera + k, view_uv + 2 * k, 1, x);
        if (e2 > worst_error2) {
          worst_error2 = e2;
          worst = k;
        }
      }
      if (worst_error2 <= max_error2) {
        c.views = n;
        c.residual_px = sqrt(sum2 / n);
        break;
      }
      if (n <= 2) return c;
      c.observation[view_camera[worst]] = -1;
      for (int k = worst; k + 1 < n; ++k) {
        view_camera[k] = view_camera[k + 1];
        view_uv[2 * k] = view_uv[2 * k + 2];
        view_uv[2 * k + 1] = view_uv[2 * k + 3];
      }
      --n;
    }
    for (int r = 0; r < 3; ++r) c.position[r] = x[r];
    return c;
  }
};

// Frame ascending, then more views, then lower residual, then match order (deterministic).
struct CandidateOrder {
  const Candidate* candidates;
  MS_HD bool operator()(int l, int r) const {
    const Candidate& a = candidates[l];
    const Candidate& b = candidates[r];
    if (a.frame != b.frame) return a.frame < b.frame;
    if (a.views != b.views) return a.views > b.views;
    if (a.residual_px != b.residual_px) return a.residual_px < b.residual_px;
    return l < r;
  }
};

struct FrameOfCandidate {
  const Candidate* candidates;
  MS_HD int operator()(int index) const { return candidates[index].frame; }
};

// Greedy acceptance within one frame; frames touch disjoint observations, so no races.
struct SelectInFrame {
  const Candidate* candidates;
  const int* order;
  const int* frame_begin;
  int camera_count;
  int min_views;
  uint8_t* used;
  uint8_t* accepted;
  MS_HD void operator()(int frame) const {
    for (int s = frame_begin[frame]; s < frame_begin[frame + 1]; ++s) {
      const Candidate& c = candidates[order[s]];
      if (c.views < min_views) continue;
      bool free = true;
      for (int cam = 0; cam < camera_count; ++cam) {
        if (c.observation[cam] >= 0 && used[c.observation[cam]]) free = false;
      }
      if (!free) continue;
      for (int cam = 0; cam < camera_count; ++cam) {
        if (c.observation[cam] >= 0) used[c.observation[cam]] = 1;
      }
      accepted[s] = 1;
    }
  }
};

struct IsSet {
  MS_HD bool operator()(uint8_t flag) const { return flag != 0; }
};

// Fundamental matrix mapping ideal pixels of camera a to epipolar lines in camera b:
// F = K_b^-T [t]x R K_a^-1 with (R, t) = b_from_a (Hartley & Zisserman 2004, eq. 9.2).
Eigen::Matrix3d FundamentalFromCameras(const CameraParams& a, const CameraParams& b) {
  const Eigen::Matrix3d ra = Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>>(a.rotation);
  const Eigen::Matrix3d rb = Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>>(b.rotation);
  const Eigen::Vector3d ta(a.translation[0], a.translation[1], a.translation[2]);
  const Eigen::Vector3d tb(b.translation[0], b.translation[1], b.translation[2]);
  const Eigen::Matrix3d r = rb * ra.transpose();
  const Eigen::Vector3d t = tb - r * ta;
  Eigen::Matrix3d tx;
  tx << 0, -t.z(), t.y(), t.z(), 0, -t.x(), -t.y(), t.x(), 0;
  Eigen::Matrix3d ka, kb;
  ka << a.fx, 0, a.cx, 0, a.fy, a.cy, 0, 0, 1;
  kb << b.fx, 0, b.cx, 0, b.fy, b.cy, 0, 0, 1;
  return kb.inverse().transpose() * tx * r * ka.inverse();
}

}  // namespace

ReconstructedPoints ReconstructPoints(const ObservationBatch& batch, const ReconstructOptions& options) {
  const int frames = batch.frame_count;
  const int cams = batch.camera_count;
  ReconstructedPoints result;
  result.frame_begin.assign(static_cast<size_t>(frames) + 1, 0);
  const int observation_count = static_cast<int>(batch.pixel_uv.size() / 2);
  if (frames == 0 || cams < 2 || observation_count == 0) return result;
  const int segments = frames * cams;

  const auto cameras = DeviceArray<CameraParams>::Upload(batch.cameras.data(), batch.cameras.size());
  const auto offsets = DeviceArray<int>::Upload(batch.offsets.data(), batch.offsets.size());
  const auto pixel_uv = DeviceArray<double>::Upload(batch.pixel_uv.data(), batch.pixel_uv.size());

  using thrust::counting_iterator;
  DeviceBuffer<double> ideal_uv(batch.pixel_uv.size());
  DeviceBuffer<uint8_t> valid(static_cast<size_t>(observation_count));
  WithPolicy(64 * static_cast<int64_t>(observation_count), [&](auto policy) {
    thrust::for_each(policy, counting_iterator<int>(0), counting_iterator<int>(observation_count),
                     UndistortObservation{cameras.data(), offsets.data(), segments, cams, pixel_uv.data(),
                                          ideal_uv.data(), valid.data()});
  });
  std::vector<int> host_pair_a, host_pair_b;
  std::vector<double> host_fundamental;
  for (int a = 0; a < cams; ++a) {
    for (int b = a + 1; b < cams; ++b) {
      host_pair_a.push_back(a);
      host_pair_b.push_back(b);
      const Eigen::Matrix3d f = FundamentalFromCameras(batch.cameras[a], batch.cameras[b]);
      for (int r = 0; r < 3; ++r) for (int c = 0; c < 3; ++c) host_fundamental.push_back(f(r, c));
    }
  }
  const int pair_count = static_cast<int>(host_pair_a.size());
  const auto pair_a = DeviceArray<int>::Upload(host_pair_a.data(), host_pair_a.size());
  const auto pair_b = DeviceArray<int>::Upload(host_pair_b.data(), host_pair_b.size());
  const auto fundamental = DeviceArray<double>::Upload(host_fundamental.data(), host_fundamental.size());

  const int pair_segments = frames * pair_count;
  DeviceBuffer<int64_t> pair_offsets(static_cast<size_t>(pair_segments) + 1);
  WithPolicy(pair_segments, [&](auto policy) {
    thrust::transform(policy, counting_iterator<int>(0), counting_iterator<int>(pair_segments), pair_offsets.data() + 1,
                      PairSegmentSize{offsets.data(), pair_a.data(), pair_b.data(), pair_count, cams});
    thrust::inclusive_scan(policy, pair_offsets.data() + 1, pair_offsets.end(), pair_offsets.data() + 1);
  });
  const int64_t pair_total = pair_offsets.Back();
  if (pair_total == 0) return result;

  const PairDecoder decoder{offsets.data(), pair_offsets.data(), pair_a.data(), pair_b.data(),
                            pair_count,     cams,               pair_segments};
  // Epipolar test over every pair id, in chunks so memory stays bounded whatever the count.
  constexpr int64_t kPairChunk = int64_t{1} << 22;
  const IsEpipolarMatch is_match{decoder, fundamental.data(), ideal_uv.data(), valid.data(), options.epipolar_px};
  DeviceBuffer<int64_t> chunk_matches(static_cast<size_t>(pair_total < kPairChunk ? pair_total : kPairChunk));
  DeviceBuffer<int64_t> matches;
  for (int64_t first = 0; first < pair_total; first += kPairChunk) {
    const int64_t last = first + kPairChunk < pair_total ? first + kPairChunk : pair_total;
    const size_t before = matches.size();
    WithPolicy(32 * (last - first), [&](auto policy) {
      const auto found_end = thrust::copy_if(policy, counting_iterator<int64_t>(first), counting_iterator<int64_t>(last),
                                             chunk_matches.data(), is_match);
      const size_t found = static_cast<size_t>(found_end - chunk_matches.data());
      matches.Resize(before + found);
      thrust::copy(policy, chunk_matches.data(), chunk_matches.data() + found, matches.data() + before);
    });
  }
  const int match_count = static_cast<int>(matches.size());
  if (match_count == 0) return result;

  // Candidates: support, triangulation, refinement (the heavy step), then per-frame selection.
  DeviceBuffer<Candidate> candidates(static_cast<size_t>(match_count));
  WithPolicy(2000 * static_cast<int64_t>(match_count), [&](auto policy) {
    thrust::transform(policy, matches.data(), matches.end(), candidates.data(),
                      BuildCandidate{decoder, cameras.data(), ideal_uv.data(), valid.data(), options});
  });
  DeviceBuffer<int> order(static_cast<size_t>(match_count));
  DeviceBuffer<int> sorted_frame(static_cast<size_t>(match_count));
  DeviceBuffer<int> frame_begin(static_cast<size_t>(frames) + 1);
  DeviceBuffer<uint8_t> used(static_cast<size_t>(observation_count));
  DeviceBuffer<uint8_t> accepted(static_cast<size_t>(match_count));
  DeviceBuffer<int> accepted_ids(static_cast<size_t>(match_count));
  const int min_views = options.min_cameras < 2 ? 2 : options.min_cameras;
  const int point_count = WithPolicy(32 * static_cast<int64_t>(match_count), [&](auto policy) {
    thrust::sequence(policy, order.data(), order.end());
    thrust::sort(policy, order.data(), order.end(), CandidateOrder{candidates.data()});
    thrust::transform(policy, order.data(), order.end(), sorted_frame.data(), FrameOfCandidate{candidates.data()});
    thrust::lower_bound(policy, sorted_frame.data(), sorted_frame.end(), counting_iterator<int>(0),
                        counting_iterator<int>(frames + 1), frame_begin.data());
    thrust::for_each(policy, counting_iterator<int>(0), counting_iterator<int>(frames),
                     SelectInFrame{candidates.data(), order.data(), frame_begin.data(), cams, min_views, used.data(),
                                   accepted.data()});
    const auto accepted_end =
        thrust::copy_if(policy, order.data(), order.end(), accepted.data(), accepted_ids.data(), IsSet());
    return static_cast<int>(accepted_end - accepted_ids.data());
  });
  DeviceBuffer<Candidate> points(static_cast<size_t>(point_count));
  WithPolicy(point_count, [&](auto policy) {
    thrust::gather(policy, accepted_ids.data(), accepted_ids.data() + point_count, candidates.data(), points.data());
  });
  std::vector<Candidate> host_points(static_cast<size_t>(point_count));
  points.CopyToHost(host_points.data());

  for (const Candidate& c : host_points) {
    ++result.frame_begin[static_cast<size_t>(c.frame) + 1];
    for (int r = 0; r < 3; ++r) result.position_m.push_back(c.position[r]);
    result.residual_px.push_back(c.residual_px);
    result.camera_count.push_back(c.views);
    uint32_t mask = 0;
    for (int cam = 0; cam < cams; ++cam) {
      if (c.observation[cam] >= 0) mask |= 1u << cam;
      result.observation.push_back(c.observation[cam]);
    }
    result.camera_mask.push_back(mask);
  }
  for (int f = 0; f < frames; ++f) result.frame_begin[f + 1] += result.frame_begin[f];
  return result;
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
