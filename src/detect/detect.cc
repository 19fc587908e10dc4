#include "midstance/detect.h"

#include "midstance/compute.h"
#include "midstance/error.h"

namespace midstance {

DetectedBlobs DetectMarkers(Backend backend, const ImageBatchView& batch, const DetectOptions& options) {
  options.Validate();
  return compute::DetectBlobs(backend, batch, options.threshold, BlobFilter::From(options));
}

}  // namespace midstance
