// libFuzzer target for the C3D reader and its group views (built by tools/fuzz.sh c3d with clang and ASan/UBSan).
// Any input must either read or throw FileFormatError; anything else (a crash, another
// exception, an allocation beyond -malloc_limit_mb) is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "midstance/c3d.h"
#include "midstance/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const midstance::C3dFile file = midstance::ReadC3dBytes("fuzz.c3d", std::vector<uint8_t>(data, data + size));
    (void)file.MissingPointSamples();
    (void)file.ForcePlates();
    (void)file.Events();
    (void)file.SubjectValue("Bodymass");
  } catch (const midstance::FileFormatError&) {
  }
  return 0;
}
