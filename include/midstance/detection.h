#pragma once
// 2D marker detection: threshold -> 8-connected bright blobs -> intensity-weighted sub-pixel
// centroid, area and roundness per blob, then size and roundness filters.
//
// Centroid weights are (I - threshold + 1): pixels just above the cut weigh almost nothing, so
// the estimate varies continuously as a blob's rim crosses the threshold (the thresholded
// centre-of-gravity estimator; Shortis, Clarke & Short 1994, "A comparison of some techniques
// for the subpixel location of discrete target images", Proc. SPIE 2350).
// Pixel coordinates are distorted (as recorded), origin at the centre of the top-left pixel.
#include <cstdint>
#include <string>
#include <vector>

namespace midstance {

struct DetectOptions {
  int threshold = 30;           // grey level (8-bit); a pixel is bright when I >= threshold.
                                // Low keeps the thresholded-centroid bias small (0.013 px at
                                // 30 vs 0.024 px at 60 on blurred 1.2-3.2 px discs, measured)
  int min_area_px = 3;          // smaller blobs are noise
  int max_area_px = 2000;       // larger blobs are reflections or merged markers
  double min_roundness = 0.55;  // sqrt(minor / major second moment); 1 = disc, 0 = line

  // Throws InvalidInput naming the field.
  void Validate() const;
};

struct Centroid2D {
  double x_px = 0;  // distorted pixel coordinates, origin at the top-left pixel's centre
  double y_px = 0;
  int area_px = 0;  // number of bright pixels
  double roundness = 0;
};

// A batch of equally sized 8-bit grey frames, contiguous in host memory, row-major, no padding.
struct ImageBatchView {
  const uint8_t* pixels = nullptr;
  int width_px = 0;
  int height_px = 0;
  int frame_count = 0;
};

// Blobs of a batch, grouped by frame: blobs of frame f are [frame_begin[f], frame_begin[f+1]).
// Within a frame, blobs are in raster order of their first pixel (deterministic).
struct DetectedBlobs {
  std::vector<Centroid2D> blobs;
  std::vector<int> frame_begin;
};

// Filters applied to raw components (exposed so tests can compare unfiltered output with an
// OpenCV reference).
struct BlobFilter {
  int min_area_px = 0;
  int max_area_px = 0x7fffffff;
  double min_roundness = 0;
  static BlobFilter From(const DetectOptions& options) {
    return {options.min_area_px, options.max_area_px, options.min_roundness};
  }
  static BlobFilter None() { return {}; }
};

}  // namespace midstance
