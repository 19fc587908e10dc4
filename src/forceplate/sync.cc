#include "midstance/sync.h"

#include <cmath>
#include <cstdio>

#include "midstance/error.h"

namespace midstance {
namespace {

std::string Hz(double value) {
  char text[48];
  std::snprintf(text, sizeof(text), "%g Hz", value);
  return text;
}

}  // namespace

AnalogSync ResolveSync(const std::string& where, const std::string& field, double frame_rate_hz, double analog_rate_hz,
                       double explicit_ratio, double offset_s) {
  if (!(frame_rate_hz > 0) || !std::isfinite(frame_rate_hz)) {
    throw FileFormatError(where, "frame rate", "a positive rate", Hz(frame_rate_hz));
  }
  if (!(analog_rate_hz > 0) || !std::isfinite(analog_rate_hz)) {
    throw FileFormatError(where, field, "a positive analog rate", Hz(analog_rate_hz));
  }
  if (!std::isfinite(offset_s)) throw FileFormatError(where, "offset_s", "a finite time in s", "NaN or infinity");
  AnalogSync sync{frame_rate_hz, analog_rate_hz, analog_rate_hz / frame_rate_hz, offset_s};
  if (explicit_ratio > 0) {
    // An explicit ratio must describe the same two clocks: a mistyped rate would shift every event.
    if (std::abs(explicit_ratio - sync.samples_per_frame) > 1e-6 * sync.samples_per_frame) {
      throw FileFormatError(where, "samples_per_frame",
                            std::to_string(sync.samples_per_frame) + " (" + Hz(analog_rate_hz) + " / " + Hz(frame_rate_hz) + ")",
                            std::to_string(explicit_ratio));
    }
    return sync;
  }
  const double whole = std::round(sync.samples_per_frame);
  if (whole < 1 || std::abs(sync.samples_per_frame - whole) > 1e-6 * whole) {
    throw FileFormatError(where, field,
                          "a whole multiple of the frame rate " + Hz(frame_rate_hz) + " (or an explicit samples_per_frame and offset_s)",
                          Hz(analog_rate_hz));
  }
  sync.samples_per_frame = whole;
  return sync;
}

}  // namespace midstance
