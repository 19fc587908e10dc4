// libFuzzer target for the TRC reader (tools/fuzz.sh trc). Any input must either read, with the
// row count NumFrames promised and whole rows of coordinates, or throw a one-line
// FileFormatError; anything else (a crash, another exception, a leak, memory out of proportion
// to the input) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "midstance/opensim_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const midstance::TrcFile trc =
        midstance::ReadTrcText("fuzz.trc", std::string(reinterpret_cast<const char*>(data), size));
    if (trc.frame_numbers.size() != trc.frame_count() ||
        trc.positions.size() != trc.frame_count() * trc.labels.size() * 3) {
      std::abort();
    }
  } catch (const midstance::FileFormatError& error) {
    midstance::fuzz::CheckOneLine(error);
  }
  return 0;
}
