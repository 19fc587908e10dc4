#pragma once
// Reconstruction stage: 2D centroids of all cameras, frame by frame -> unlabelled 3D points.
#include <vector>

#include "midstance/backend.h"
#include "midstance/camera.h"
#include "midstance/detection.h"
#include "midstance/reconstruction.h"

namespace midstance {

// Packs the centroids of frames [first_frame, first_frame + frame_count) of every camera
// (per_camera[c] holds camera c's blobs, frame_begin indexed from first_frame) into a batch.
ObservationBatch MakeObservationBatch(const std::vector<Camera>& cameras,
                                      const std::vector<const DetectedBlobs*>& per_camera,
                                      int frame_count);

// `backend` must be resolved. Validates `options`.
ReconstructedPoints ReconstructMarkers(Backend backend, const ObservationBatch& batch,
                                       const ReconstructOptions& options);

}  // namespace midstance
