#pragma once
// 3D reconstruction of unlabelled markers from 2D centroids of synchronised cameras.
//
// Per frame: undistort every centroid; for every camera pair, every pair of centroids within
// `epipolar_px` of each other's epipolar line is a candidate; each candidate is triangulated
// from its two rays, then gathers support from the other cameras (the nearest centroid within
// `support_px` of its projection), is re-triangulated from all its views (linear, then
// Gauss-Newton on reprojection error) and drops its worst view while the reprojection error
// exceeds `max_residual_px`. Candidates are then accepted greedily, most cameras first, then
// lowest residual, each 2D observation used at most once (this rejects ghosts: a ghost is a
// chance epipolar match that no other camera supports and whose observations belong to real
// markers). Points need at least `min_cameras` views (never fewer than 2).
#include <cstdint>
#include <vector>

#include "midstance/camera_params.h"

namespace midstance {

struct ReconstructOptions {
  double epipolar_px = 2.0;      // max distance of a match to the epipolar line (ideal pixels)
  double support_px = 2.0;       // max distance of a supporting view to the projection
  double max_residual_px = 1.0;  // max reprojection error of any view of an accepted point
  int min_cameras = 3;            // 2-view points cannot be checked by a third camera: ghosts
                                 // (Vicon, too, starts trajectories from 3 cameras by default)
  int refine_iterations = 5;
  // More centroids than this in one camera's frame is refused: candidate pairs grow with the
  // square of the count (a marker set has tens; thousands means noise passed the threshold).
  int max_centroids_per_view = 1000;

  void Validate() const;
};

// Centroids of a batch of frames, sorted by (frame, camera): observations of camera c in frame
// f are [offsets[f * camera_count + c], offsets[f * camera_count + c + 1]).
struct ObservationBatch {
  int frame_count = 0;
  int camera_count = 0;
  std::vector<CameraParams> cameras;
  std::vector<double> pixel_uv;  // distorted pixels, u0 v0 u1 v1 ...
  std::vector<int> offsets;      // frame_count * camera_count + 1 entries
};

// Reconstructed points of a batch: points of frame f are [frame_begin[f], frame_begin[f+1]).
struct ReconstructedPoints {
  std::vector<int> frame_begin;
  std::vector<double> position_m;    // x y z per point, world frame, metres
  std::vector<double> residual_px;   // RMS reprojection error over the point's views
  std::vector<int> camera_count;     // views used
  std::vector<uint32_t> camera_mask; // bit c set when camera c saw the point
  std::vector<int> observation;      // camera_count of the batch entries per point: index into
                                     // the batch's observations, -1 when the camera has none
};

// Known correspondences: point p seen by every camera at ideal pixel uv[(p * C + c) * 2].
struct TriangulationBatch {
  std::vector<CameraParams> cameras;
  std::vector<double> ideal_uv;
  int point_count = 0;
};

constexpr int kMaxCameras = 32;  // camera masks are 32-bit

}  // namespace midstance
