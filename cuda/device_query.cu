// Which device this backend would run on. The CUDA twin asks the runtime (cudart is linked
// statically, so a machine with no driver answers "no device" instead of failing to start);
// the CPU twin reports the OpenMP threads it will use.
#include "backend.cuh"
#include "kernels.h"

#if defined(__CUDACC__)
#include <cuda_runtime_api.h>
#else
#include <omp.h>
#endif

namespace midstance {
namespace MS_BACKEND_NS {

DeviceStatus QueryDevice() {
  DeviceStatus status;
#if defined(__CUDACC__)
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    status.description = std::string("no CUDA device answered (") + cudaGetErrorString(error) + ")";
    cudaGetLastError();  // clear the sticky error
    return status;
  }
  if (count == 0) {
    status.description = "no CUDA device answered (0 devices)";
    return status;
  }
  cudaDeviceProp properties;
  cudaGetDeviceProperties(&properties, 0);
  status.available = true;
  status.description = std::string("CUDA device 0: ") + properties.name;
#else
  status.available = true;
  status.description = "CPU, OpenMP with " + std::to_string(omp_get_max_threads()) + " threads";
#endif
  return status;
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
