#pragma once
// Where a kernel step runs. On CUDA: always the device. On the CPU twin: steps with little work
// run on the calling thread, because an OpenMP region costs microseconds, and far more when
// another process holds a core (every barrier then waits for a time slice: detection measured
// 5x slower per frame with one core busy when all ~15 steps were parallel regions).
//   WithPolicy(work, [&](auto policy) { return thrust::for_each(policy, ...); });
// `work` is a rough count of elementary operations.
#include <cstdint>

#include <thrust/execution_policy.h>

#include "backend.cuh"

namespace midstance {
namespace MS_BACKEND_NS {

constexpr int64_t kParallelWork = int64_t{1} << 18;

template <class Step>
auto WithPolicy(int64_t work, Step step) {
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  if (work < kParallelWork) return step(THRUST_NS_QUALIFIER::seq);
#else
  (void)work;
#endif
  return step(THRUST_NS_QUALIFIER::device);
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
