#pragma once
// Compute backends: the kernels in cuda/ are built for the CPU (Thrust OpenMP system) always and
// for CUDA when nvcc was found. `auto` picks CUDA when a device answers, else the CPU.
#include <string>

namespace midstance {

enum class Backend { kAuto, kCpu, kCuda };

// "auto" | "cpu" | "cuda"; throws InvalidInput otherwise.
Backend ParseBackend(const std::string& text);
const char* BackendName(Backend backend);

struct ResolvedBackend {
  Backend backend = Backend::kCpu;  // never kAuto
  std::string description;          // what runs it (device name or CPU threads)
  std::string note;                 // why auto chose it, e.g. "no CUDA device answered (...)"
};

// Resolves `requested` on this machine. Throws BackendUnavailable for kCuda when the binary was
// built without CUDA or no device answers.
ResolvedBackend ResolveBackend(Backend requested);

bool CudaBackendCompiled();

}  // namespace midstance
