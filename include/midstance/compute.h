#pragma once
// Entry points of the data-parallel kernels for a resolved backend (never Backend::kAuto).
#include <vector>

#include "midstance/backend.h"
#include "midstance/detection.h"
#include "midstance/filter.h"
#include "midstance/ik_chain.h"
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

// Inverse kinematics of every frame (ik_chain.h): markers_m [frame][marker][3] (NaN = absent),
// reference_rotation [frame][9], q [frame][coordinate] holds the start and receives the solution.
std::vector<IkFrameResult> SolveIkBatch(Backend backend, const IkChain& chain, int frame_count,
                                        const std::vector<double>& markers_m,
                                        const std::vector<double>& reference_rotation,
                                        const IkFrameOptions& options, std::vector<double>* q);

}  // namespace midstance::compute
