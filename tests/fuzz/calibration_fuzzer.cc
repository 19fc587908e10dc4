// libFuzzer target for the TOML calibration reader (tools/fuzz.sh calibration). Any input must
// either read valid cameras or throw a one-line FileFormatError or CalibrationError; anything
// else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "midstance/calibration_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const std::vector<midstance::Camera> cameras =
        midstance::ReadCalibrationTomlText("fuzz.toml", std::string(reinterpret_cast<const char*>(data), size));
    for (const midstance::Camera& camera : cameras) camera.Validate("fuzz.toml");
  } catch (const midstance::FileFormatError& error) {
    midstance::fuzz::CheckOneLine(error);
  } catch (const midstance::CalibrationError& error) {
    midstance::fuzz::CheckOneLine(error);
  }
  return 0;
}
