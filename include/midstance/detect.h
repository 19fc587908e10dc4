#pragma once
// Detection stage: marker centroids in a batch of frames (see detection.h for the method).
#include "midstance/backend.h"
#include "midstance/detection.h"

namespace midstance {

// `backend` must be resolved (cpu or cuda). Validates `options`.
DetectedBlobs DetectMarkers(Backend backend, const ImageBatchView& batch, const DetectOptions& options);

}  // namespace midstance
