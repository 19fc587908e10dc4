#pragma once
// Host-side declarations of the kernels, once per backend. Host code calls them through
// src/compute (backend dispatch); they take and return host containers and own their device
// buffers, so no device pointer ever reaches host code.
#include <string>
#include <vector>

#include "midstance/detection.h"
#include "midstance/filter.h"
#include "midstance/ik_chain.h"
#include "midstance/reconstruction.h"

namespace midstance {

struct DeviceStatus {
  bool available = false;
  std::string description;  // device name, or why none answered
};

#define MIDSTANCE_DECLARE_BACKEND_KERNELS(ns)                                                    \
  namespace ns {                                                                                 \
  /* detect_blobs.cu */                                                                          \
  DetectedBlobs DetectBlobs(const ImageBatchView& batch, int threshold, const BlobFilter& filter); \
  /* reconstruct_points.cu */                                                                    \
  ReconstructedPoints ReconstructPoints(const ObservationBatch& batch,                           \
                                        const ReconstructOptions& options);                     \
  /* triangulate_batch.cu: x y z per point, NaN where the rays do not intersect */              \
  std::vector<double> TriangulateBatch(const TriangulationBatch& batch, int refine_iterations);  \
  /* filter_columns.cu: values (samples x columns, row-major) filtered in place, zero lag */   \
  FilterSummary FilterColumns(const SosFilter& filter, int64_t samples, int columns,            \
                              std::vector<double>* values);                                     \
  /* ik_solve.cu: one Levenberg-Marquardt solve per frame, q updated in place */               \
  std::vector<IkFrameResult> SolveIkBatch(const IkChain& chain, int frame_count,                \
                                          const std::vector<double>& markers_m,                 \
                                          const std::vector<double>& reference_rotation,        \
                                          const IkFrameOptions& options, std::vector<double>* q); \
  /* device_query.cu */                                                                          \
  DeviceStatus QueryDevice();                                                                    \
  }

MIDSTANCE_DECLARE_BACKEND_KERNELS(cpu_backend)
MIDSTANCE_DECLARE_BACKEND_KERNELS(cuda_backend)

#undef MIDSTANCE_DECLARE_BACKEND_KERNELS

}  // namespace midstance
