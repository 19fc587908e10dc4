// libFuzzer target for the session.toml reader (tools/fuzz.sh session), through the text entry
// point so no file is written. Any input must either read (with at least one camera, names used
// once, valid options) or throw a one-line FileFormatError; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "midstance/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const midstance::SessionConfig session = midstance::ReadSessionText(
        "fuzz/session.toml", std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    if (session.footage.empty() || !(session.rate_hz > 0)) std::abort();
    session.detect.Validate();
    session.reconstruct.Validate();
  } catch (const midstance::FileFormatError& error) {
    midstance::fuzz::CheckOneLine(error);
  }
  return 0;
}
