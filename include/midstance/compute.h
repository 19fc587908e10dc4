#pragma once
// Entry points of the data-parallel kernels for a resolved backend (never Backend::kAuto).
#include <vector>

#include "midstance/backend.h"
#include "midstance/detection.h"
#include "midstance/filter.h"
#include "midstance/reconstruction.h"

namespace midstance::compute {

DetectedBlobs DetectBlobs(Backend backend, const ImageBatchView& batch, int threshold,
                          const BlobFilter& filter);
ReconstructedPoints ReconstructPoints(Backend backend, const ObservationBatch& batch,
                                      const ReconstructOptions& options);
std::vector<double> TriangulateBatch(Backend backend, const TriangulationBatch& batch,
                                     int refine_iterations);
// Zero-lag SOS filtering of every column of `values` (samples x columns, row-major) in place;
// see FilterZeroLag (filter.h). Throws InvalidInput for a size mismatch or an unusable filter.
FilterSummary FilterColumns(Backend backend, const SosFilter& filter, int64_t samples, int columns,
                            std::vector<double>* values);

}  // namespace midstance::compute
