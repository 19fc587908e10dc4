#include "midstance/reconstruct.h"

#include <cmath>

#include "midstance/compute.h"
#include "midstance/error.h"

namespace midstance {

ObservationBatch MakeObservationBatch(const std::vector<Camera>& cameras,
                                      const std::vector<const DetectedBlobs*>& per_camera,
                                      int frame_count) {
  MS_CHECK(cameras.size() == per_camera.size());
  MS_CHECK(static_cast<int>(cameras.size()) <= kMaxCameras);
  ObservationBatch batch;
  batch.frame_count = frame_count;
  batch.camera_count = static_cast<int>(cameras.size());
  for (const Camera& camera : cameras) batch.cameras.push_back(camera.ToParams());
  batch.offsets.reserve(static_cast<size_t>(frame_count) * cameras.size() + 1);
  batch.offsets.push_back(0);
  for (int f = 0; f < frame_count; ++f) {
    for (const DetectedBlobs* blobs : per_camera) {
      MS_CHECK(static_cast<int>(blobs->frame_begin.size()) > f + 1);
      for (int k = blobs->frame_begin[f]; k < blobs->frame_begin[f + 1]; ++k) {
        batch.pixel_uv.push_back(blobs->blobs[static_cast<size_t>(k)].x_px);
        batch.pixel_uv.push_back(blobs->blobs[static_cast<size_t>(k)].y_px);
      }
      batch.offsets.push_back(static_cast<int>(batch.pixel_uv.size() / 2));
    }
  }
  return batch;
}

ReconstructedPoints ReconstructMarkers(Backend backend, const ObservationBatch& batch,
                                       const ReconstructOptions& options) {
  options.Validate();
  return compute::ReconstructPoints(backend, batch, options);
}

}  // namespace midstance
