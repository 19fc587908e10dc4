// Batched inverse kinematics: one Levenberg-Marquardt solve per frame (ik_chain.h). Frames are
// independent because each starts from its own rigid fit, so the batch parallelises over frames.
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "device_array.cuh"
#include "kernels.h"
#include "midstance/ik_chain.h"
#include "policy.cuh"

namespace midstance {
namespace MS_BACKEND_NS {
namespace thrust = THRUST_NS_QUALIFIER;
namespace {

struct SolveOneFrame {
  const IkChain* chain;
  const double* markers_m;           // [frame][marker][3]
  const double* reference_rotation;  // [frame][9]
  IkFrameOptions options;
  double* q;                         // [frame][coordinate], in: start, out: solution
  IkFrameResult* results;
  MS_HD void operator()(int frame) const {
    const int64_t f = frame;
    results[f] = SolveIkFrame(*chain, reference_rotation + 9 * f, markers_m + 3 * f * chain->marker_count, options,
                              q + f * chain->coordinate_count);
  }
};

}  // namespace

std::vector<IkFrameResult> SolveIkBatch(const IkChain& chain, int frame_count, const std::vector<double>& markers_m,
                                        const std::vector<double>& reference_rotation, const IkFrameOptions& options,
                                        std::vector<double>* q) {
  std::vector<IkFrameResult> results(static_cast<size_t>(frame_count));
  if (frame_count == 0) return results;
  const auto device_chain = DeviceArray<IkChain>::Upload(&chain, 1);
  const auto markers = DeviceArray<double>::Upload(markers_m.data(), markers_m.size());
  const auto reference = DeviceArray<double>::Upload(reference_rotation.data(), reference_rotation.size());
  DeviceBuffer<double> coordinates(q->size());
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  std::copy(q->begin(), q->end(), coordinates.data());
#else
  thrust::copy(q->begin(), q->end(), thrust::device_pointer_cast(coordinates.data()));
#endif
  DeviceBuffer<IkFrameResult> device_results(results.size());
  // About 20 iterations of (markers x coordinates^2) work per frame.
  const int64_t work = int64_t{20} * chain.marker_count * chain.coordinate_count * chain.coordinate_count;
  WithPolicy(work * frame_count, [&](auto policy) {
    thrust::for_each(policy, thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(frame_count),
                     SolveOneFrame{device_chain.data(), markers.data(), reference.data(), options, coordinates.data(),
                                   device_results.data()});
  });
  coordinates.CopyToHost(q->data());
  device_results.CopyToHost(results.data());
  return results;
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
