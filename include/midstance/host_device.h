#pragma once
// MS_HD marks functions compiled for both backends: __host__ __device__ under nvcc, plain
// inline C++ under the host compiler (the CPU twin of every kernel, see DESIGN.md).
#if defined(__CUDACC__)
#define MS_HD __host__ __device__
#else
#define MS_HD
#endif
