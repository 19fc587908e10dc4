#include "midstance/backend.h"

#include "kernels.h"
#include "midstance/error.h"

namespace midstance {

Backend ParseBackend(const std::string& text) {
  if (text == "auto") return Backend::kAuto;
  if (text == "cpu") return Backend::kCpu;
  if (text == "cuda") return Backend::kCuda;
  throw InvalidInput("--backend: expected auto, cpu or cuda, got '" + text + "'");
}

const char* BackendName(Backend backend) {
  switch (backend) {
    case Backend::kAuto: return "auto";
    case Backend::kCpu: return "cpu";
    case Backend::kCuda: return "cuda";
  }
  return "?";
}

bool CudaBackendCompiled() {
#if defined(MIDSTANCE_HAVE_CUDA)
  return true;
#else
  return false;
#endif
}

namespace {
DeviceStatus QueryCuda() {
#if defined(MIDSTANCE_HAVE_CUDA)
  return cuda_backend::QueryDevice();
#else
  return {false, "this midstance was built without the CUDA backend (MIDSTANCE_CUDA=OFF)"};
#endif
}
}  // namespace

ResolvedBackend ResolveBackend(Backend requested) {
  if (requested == Backend::kCpu) {
    return {Backend::kCpu, cpu_backend::QueryDevice().description, "requested"};
  }
  const DeviceStatus cuda = QueryCuda();
  if (cuda.available) return {Backend::kCuda, cuda.description, "device answered"};
  if (requested == Backend::kCuda) {
    throw BackendUnavailable("--backend cuda: " + cuda.description);
  }
  return {Backend::kCpu, cpu_backend::QueryDevice().description, cuda.description};
}

}  // namespace midstance

#include "midstance/compute.h"

namespace midstance::compute {
namespace {
void RequireResolved(Backend backend) {
  MS_CHECK_MSG(backend != Backend::kAuto, "resolve the backend before calling a kernel");
#if !defined(MIDSTANCE_HAVE_CUDA)
  if (backend == Backend::kCuda) throw BackendUnavailable("--backend cuda: built without CUDA");
#endif
}
}  // namespace

#if defined(MIDSTANCE_HAVE_CUDA)
#define MIDSTANCE_DISPATCH(backend, call) \
  ((backend) == Backend::kCuda ? cuda_backend::call : cpu_backend::call)
#else
#define MIDSTANCE_DISPATCH(backend, call) cpu_backend::call
#endif

DetectedBlobs DetectBlobs(Backend backend, const ImageBatchView& batch, int threshold,
                          const BlobFilter& filter) {
  RequireResolved(backend);
  return MIDSTANCE_DISPATCH(backend, DetectBlobs(batch, threshold, filter));
}

ReconstructedPoints ReconstructPoints(Backend backend, const ObservationBatch& batch,
                                      const ReconstructOptions& options) {
  RequireResolved(backend);
  return MIDSTANCE_DISPATCH(backend, ReconstructPoints(batch, options));
}

std::vector<double> TriangulateBatch(Backend backend, const TriangulationBatch& batch,
                                     int refine_iterations) {
  RequireResolved(backend);
  return MIDSTANCE_DISPATCH(backend, TriangulateBatch(batch, refine_iterations));
}

}  // namespace midstance::compute
