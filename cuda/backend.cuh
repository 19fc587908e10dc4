#pragma once
// Every kernel source is compiled twice (DESIGN.md): by nvcc into midstance::cuda_backend and by
// the host compiler, with Thrust's OpenMP device system, into midstance::cpu_backend. Thrust
// and CUB themselves are wrapped in a per-backend namespace (THRUST_CUB_WRAPPED_NAMESPACE, set
// by CMake), so the two builds share no symbol and link into one binary.
#include <thrust/version.h>

#include "midstance/host_device.h"

#if defined(__CUDACC__)
#define MS_BACKEND_NS cuda_backend
#else
#define MS_BACKEND_NS cpu_backend
#if THRUST_DEVICE_SYSTEM != THRUST_DEVICE_SYSTEM_OMP
#error "the CPU twin of the kernels must be built with THRUST_DEVICE_SYSTEM_OMP"
#endif
#endif
