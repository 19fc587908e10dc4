#pragma once
// Inputs handed to kernels live in DeviceArray, which can only be made by Upload() from host
// data: on the CUDA backend it copies into device memory; on the CPU backend (Thrust's OpenMP
// system, where device memory is host memory) it wraps the host data without a copy, so the
// CPU path reads each pixel once. Kernels never receive a raw host pointer as device memory.
#include <cstddef>

#include <thrust/device_vector.h>

#include "backend.cuh"

namespace midstance {
namespace MS_BACKEND_NS {

template <class T>
class DeviceArray {
 public:
  static DeviceArray Upload(const T* host, size_t count) {
    DeviceArray array;
    array.size_ = count;
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
    array.data_ = host;
#else
    array.storage_.assign(host, host + count);
    array.data_ = THRUST_NS_QUALIFIER::raw_pointer_cast(array.storage_.data());
#endif
    return array;
  }
  const T* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  DeviceArray() = default;
  const T* data_ = nullptr;
  size_t size_ = 0;
#if THRUST_DEVICE_SYSTEM != THRUST_DEVICE_SYSTEM_OMP
  THRUST_NS_QUALIFIER::device_vector<T> storage_;
#endif
};

template <class T>
T* Raw(THRUST_NS_QUALIFIER::device_vector<T>& vector) {
  return THRUST_NS_QUALIFIER::raw_pointer_cast(vector.data());
}
template <class T>
const T* Raw(const THRUST_NS_QUALIFIER::device_vector<T>& vector) {
  return THRUST_NS_QUALIFIER::raw_pointer_cast(vector.data());
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
