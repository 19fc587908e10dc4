// The options' checks apart from the kernels' dispatch: the session reader (and its fuzz
// target) validates options without linking a compute backend.
#include "midstance/detection.h"

#include <string>

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

}  // namespace midstance
