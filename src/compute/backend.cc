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

#include <algorithm>

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

// The kernels index bright pixels with 32-bit integers: a call sees at most this many pixels.
constexpr int64_t kMaxPixelsPerKernelCall = int64_t{1} << 30;
// On the CPU the run stage re-reads the hot chunks the scan found; calls of about 2 Mpixel keep
// them in cache between the two (8 frames of 1280 x 1024 per call measured 30 % slower per frame).
constexpr int64_t kCpuPixelsPerKernelCall = int64_t{1} << 21;

DetectedBlobs DetectBlobs(Backend backend, const ImageBatchView& batch, int threshold,
                          const BlobFilter& filter) {
  RequireResolved(backend);
  const int64_t frame_pixels = static_cast<int64_t>(batch.width_px) * batch.height_px;
  if (batch.width_px < 0 || batch.height_px < 0 || batch.frame_count < 0 || frame_pixels > kMaxPixelsPerKernelCall) {
    throw InvalidInput("detect: frame of " + std::to_string(batch.width_px) + " x " + std::to_string(batch.height_px) +
                       " px: expected at most 2^30 pixels per frame");
  }
  const int64_t pixels_per_call = backend == Backend::kCpu ? kCpuPixelsPerKernelCall : kMaxPixelsPerKernelCall;
  const int frames_per_call = frame_pixels == 0 ? std::max(1, batch.frame_count)
                                                : static_cast<int>(std::max<int64_t>(1, pixels_per_call / frame_pixels));
  if (batch.frame_count <= frames_per_call) return MIDSTANCE_DISPATCH(backend, DetectBlobs(batch, threshold, filter));
  DetectedBlobs all;
  all.frame_begin.push_back(0);
  for (int first = 0; first < batch.frame_count; first += frames_per_call) {
    ImageBatchView part = batch;
    part.pixels = batch.pixels + frame_pixels * first;
    part.frame_count = std::min(frames_per_call, batch.frame_count - first);
    const DetectedBlobs blobs = MIDSTANCE_DISPATCH(backend, DetectBlobs(part, threshold, filter));
    const int offset = static_cast<int>(all.blobs.size());
    all.blobs.insert(all.blobs.end(), blobs.blobs.begin(), blobs.blobs.end());
    for (size_t f = 1; f < blobs.frame_begin.size(); ++f) all.frame_begin.push_back(offset + blobs.frame_begin[f]);
  }
  return all;
}

ReconstructedPoints ReconstructPoints(Backend backend, const ObservationBatch& batch,
                                      const ReconstructOptions& options) {
  RequireResolved(backend);
  if (batch.camera_count > kMaxCameras || batch.camera_count < 0 ||
      static_cast<int>(batch.cameras.size()) != batch.camera_count ||
      batch.offsets.size() != static_cast<size_t>(batch.frame_count) * batch.camera_count + 1 ||
      batch.pixel_uv.size() != 2 * static_cast<size_t>(batch.offsets.back())) {
    throw InvalidInput("reconstruct: inconsistent observation batch (" + std::to_string(batch.camera_count) +
                       " cameras, at most " + std::to_string(kMaxCameras) + ")");
  }
  return MIDSTANCE_DISPATCH(backend, ReconstructPoints(batch, options));
}

std::vector<double> TriangulateBatch(Backend backend, const TriangulationBatch& batch,
                                     int refine_iterations) {
  RequireResolved(backend);
  const size_t cameras = batch.cameras.size();
  if (cameras < 2 || cameras > static_cast<size_t>(kMaxCameras) || batch.point_count < 0 ||
      batch.ideal_uv.size() != 2 * cameras * static_cast<size_t>(batch.point_count)) {
    throw InvalidInput("triangulate: expected 2.." + std::to_string(kMaxCameras) + " cameras and 2 x cameras x points " +
                       "pixel coordinates, got " + std::to_string(cameras) + " cameras, " +
                       std::to_string(batch.ideal_uv.size()) + " coordinates for " +
                       std::to_string(batch.point_count) + " points");
  }
  return MIDSTANCE_DISPATCH(backend, TriangulateBatch(batch, refine_iterations));
}

FilterSummary FilterColumns(Backend backend, const SosFilter& filter, int64_t samples, int columns,
                            std::vector<double>* values) {
  RequireResolved(backend);
  MS_CHECK(values != nullptr);
  const size_t sections = filter.sections.size();
  if (sections < 1 || sections > kMaxButterworthOrder / 2) {
    throw InvalidInput("filter: expected 1.." + std::to_string(kMaxButterworthOrder / 2) +
                       " second-order sections, got " + std::to_string(sections));
  }
  for (const std::array<double, 6>& section : filter.sections) {
    if (section[3] != 1.0) {
      throw InvalidInput("filter: expected normalised sections (a0 = 1), got a0 = " + std::to_string(section[3]));
    }
  }
  if (samples < 0 || columns < 0 || values->size() != static_cast<size_t>(samples) * static_cast<size_t>(columns)) {
    throw InvalidInput("filter: expected samples x columns values, got " + std::to_string(values->size()) +
                       " values for " + std::to_string(samples) + " samples x " + std::to_string(columns) +
                       " columns");
  }
  return MIDSTANCE_DISPATCH(backend, FilterColumns(filter, samples, columns, values));
}

std::vector<IkFrameResult> SolveIkBatch(Backend backend, const IkChain& chain, int frame_count,
                                        const std::vector<double>& markers_m,
                                        const std::vector<double>& reference_rotation,
                                        const IkFrameOptions& options, std::vector<double>* q) {
  RequireResolved(backend);
  MS_CHECK(q != nullptr && frame_count >= 0);
  MS_CHECK(chain.segment_count >= 1 && chain.segment_count <= kMaxChainSegments);
  MS_CHECK(chain.marker_count >= 0 && chain.marker_count <= kMaxChainMarkers);
  MS_CHECK(chain.coordinate_count >= kRootCoordinates && chain.coordinate_count <= kMaxChainCoordinates);
  const size_t frames = static_cast<size_t>(frame_count);
  MS_CHECK(markers_m.size() == frames * 3 * static_cast<size_t>(chain.marker_count));
  MS_CHECK(reference_rotation.size() == frames * 9);
  MS_CHECK(q->size() == frames * static_cast<size_t>(chain.coordinate_count));
  return MIDSTANCE_DISPATCH(backend, SolveIkBatch(chain, frame_count, markers_m, reference_rotation, options, q));
}

}  // namespace midstance::compute
