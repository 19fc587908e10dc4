#pragma once
// Inputs handed to kernels live in DeviceArray, which can only be made by Upload() from host
// data: on the CUDA backend it copies into device memory; on the CPU backend (Thrust's OpenMP
// system, where device memory is host memory) it wraps the host data without a copy, so the
// CPU path reads each pixel once. Kernels never receive a raw host pointer as device memory.
#include <algorithm>
#include <cstddef>
#include <vector>

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

// Scratch memory of a kernel: device memory on CUDA; on the CPU twin a std::vector, whose
// initialisation runs on the calling thread (a device_vector would open an OpenMP region per
// buffer). Kernels hand Thrust the raw pointer, which both systems take as device memory.
template <class T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t count = 0) : storage_(count) {}
  T* data() { return Pointer(storage_); }
  const T* data() const { return Pointer(storage_); }
  size_t size() const { return storage_.size(); }
  T* end() { return data() + size(); }
  void Resize(size_t count) { storage_.resize(count); }
  T Back() const { return storage_.back(); }  // one element to the host
  void CopyToHost(T* host) const {
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
    std::copy(storage_.begin(), storage_.end(), host);
#else
    THRUST_NS_QUALIFIER::copy(storage_.begin(), storage_.end(), host);
#endif
  }

 private:
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  using Storage = std::vector<T>;
  static T* Pointer(Storage& s) { return s.data(); }
  static const T* Pointer(const Storage& s) { return s.data(); }
#else
  using Storage = THRUST_NS_QUALIFIER::device_vector<T>;
  static T* Pointer(Storage& s) { return THRUST_NS_QUALIFIER::raw_pointer_cast(s.data()); }
  static const T* Pointer(const Storage& s) { return THRUST_NS_QUALIFIER::raw_pointer_cast(s.data()); }
#endif
  Storage storage_;
};

}  // namespace MS_BACKEND_NS
}  // namespace midstance
