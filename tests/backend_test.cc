#include <gtest/gtest.h>

#include "midstance/backend.h"
#include "midstance/error.h"

namespace midstance {
namespace {

TEST(Backend, ParsesTheThreeNames) {
  EXPECT_EQ(ParseBackend("auto"), Backend::kAuto);
  EXPECT_EQ(ParseBackend("cpu"), Backend::kCpu);
  EXPECT_EQ(ParseBackend("cuda"), Backend::kCuda);
  EXPECT_THROW(ParseBackend("gpu"), InvalidInput);
}

TEST(Backend, CpuAlwaysResolves) {
  const ResolvedBackend cpu = ResolveBackend(Backend::kCpu);
  EXPECT_EQ(cpu.backend, Backend::kCpu);
  EXPECT_NE(cpu.description.find("OpenMP"), std::string::npos);
}

TEST(Backend, AutoFallsBackToCpuAndCudaIsRefusedWhenNoDeviceAnswers) {
  const ResolvedBackend automatic = ResolveBackend(Backend::kAuto);
  if (automatic.backend == Backend::kCuda) GTEST_SKIP() << "a CUDA device answered: " << automatic.description;
  EXPECT_EQ(automatic.backend, Backend::kCpu);
  EXPECT_FALSE(automatic.note.empty());  // says why CUDA was not used
  try {
    ResolveBackend(Backend::kCuda);
    FAIL() << "cuda accepted without a device";
  } catch (const BackendUnavailable& error) {
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("--backend cuda"), std::string::npos);
  }
}

}  // namespace
}  // namespace midstance
