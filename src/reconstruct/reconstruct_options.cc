// The options' checks apart from the kernels' dispatch: the session reader (and its fuzz
// target) validates options without linking a compute backend.
#include "midstance/reconstruction.h"

#include <cmath>
#include <string>

#include "midstance/error.h"

namespace midstance {

void ReconstructOptions::Validate() const {
  auto positive = [](double value, const char* field) {
    if (!(value > 0.0) || !std::isfinite(value)) {
      throw InvalidInput(std::string("reconstruct.") + field + ": expected a positive number, got " +
                         std::to_string(value));
    }
  };
  positive(epipolar_px, "epipolar_px");
  positive(support_px, "support_px");
  positive(max_residual_px, "max_residual_px");
  if (min_cameras < 2 || min_cameras > kMaxCameras) {
    throw InvalidInput("reconstruct.min_cameras: expected 2.." + std::to_string(kMaxCameras) +
                       ", got " + std::to_string(min_cameras));
  }
  if (max_centroids_per_view < 1 || max_centroids_per_view > 100000) {
    throw InvalidInput("reconstruct.max_centroids_per_view: expected 1..100000, got " +
                       std::to_string(max_centroids_per_view));
  }
  if (refine_iterations < 0 || refine_iterations > 100) {
    throw InvalidInput("reconstruct.refine_iterations: expected 0..100, got " +
                       std::to_string(refine_iterations));
  }
}

}  // namespace midstance
