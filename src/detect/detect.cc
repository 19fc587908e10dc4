#include "midstance/detect.h"

#include "midstance/compute.h"
#include "midstance/error.h"

namespace midstance {

void DetectOptions::Validate() const {
  if (threshold < 1 || threshold > 255) {
    throw InvalidInput("detect.threshold: expected 1..255, got " + std::to_string(threshold));
  }
  if (min_area_px < 1) {
    throw InvalidInput("detect.min_area_px: expected >= 1, got " + std::to_string(min_area_px));
  }
  if (max_area_px < min_area_px) {
    throw InvalidInput("detect.max_area_px: expected >= min_area_px (" + std::to_string(min_area_px) +
                       "), got " + std::to_string(max_area_px));
  }
  if (!(min_roundness >= 0.0 && min_roundness <= 1.0)) {
    throw InvalidInput("detect.min_roundness: expected 0..1, got " + std::to_string(min_roundness));
  }
}

DetectedBlobs DetectMarkers(Backend backend, const ImageBatchView& batch, const DetectOptions& options) {
  options.Validate();
  return compute::DetectBlobs(backend, batch, options.threshold, BlobFilter::From(options));
}

}  // namespace midstance
