#pragma once
// The two atomic operations the union-find labelling needs, for both backends: CUDA's
// intrinsics on the device, the GCC/Clang __atomic builtins on the host (OpenMP threads).
#include "backend.cuh"

namespace midstance {
namespace MS_BACKEND_NS {

MS_HD inline int AtomicLoad(const int* address) {
#if defined(__CUDA_ARCH__)
  return *reinterpret_cast<const volatile int*>(address);
#else
  return __atomic_load_n(address, __ATOMIC_RELAXED);
#endif
}

// Stores min(*address, value); returns the previous value.
MS_HD inline int AtomicMin(int* address, int value) {
#if defined(__CUDA_ARCH__)
  return atomicMin(address, value);
#else
  int old = __atomic_load_n(address, __ATOMIC_RELAXED);
  while (value < old &&
         !__atomic_compare_exchange_n(address, &old, value, true, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
  }
  return old;
#endif
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
