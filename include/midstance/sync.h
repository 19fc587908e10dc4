#pragma once
// Analog <-> camera frame clock. C3D aligns the first analog sample with the first frame and
// stores an integer number of analog samples per frame (c3d.org user guide, "ANALOG:RATE"); a
// session may instead give an explicit ratio and offset (session.toml [analog]).
#include <cstdint>
#include <string>

namespace midstance {

struct AnalogSync {
  double frame_rate_hz = 0;
  double analog_rate_hz = 0;
  double samples_per_frame = 0;  // analog_rate_hz / frame_rate_hz
  double offset_s = 0;           // time of analog sample 0 after frame 0

  double AnalogTime(double sample) const { return offset_s + sample / analog_rate_hz; }
  double FrameAt(double time_s) const { return time_s * frame_rate_hz; }  // fractional frame index (0-based)
};

// `explicit_ratio` 0: none given, then the analog rate must be a whole multiple of the frame rate
// (within 1e-6 relative). Throws FileFormatError naming `where` and `field` (e.g. "ANALOG:RATE").
AnalogSync ResolveSync(const std::string& where, const std::string& field, double frame_rate_hz, double analog_rate_hz,
                       double explicit_ratio, double offset_s);

}  // namespace midstance
