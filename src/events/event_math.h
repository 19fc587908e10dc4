#pragma once
// Small helpers shared by the event sources (not public API): argument checks with one-line
// InvalidInput messages, sample-index <-> time, and sub-sample interpolation.
#include <array>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "midstance/error.h"

namespace midstance::events_detail {

inline std::string FormatNumber(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

// `what` names the argument, e.g. "FindContacts: rate_hz".
inline void CheckPositive(const char* what, double value) {
  if (!(std::isfinite(value) && value > 0)) {
    throw InvalidInput(std::string(what) + ": expected a positive number, got " + FormatNumber(value));
  }
}

// Heading must be a unit horizontal vector (Z up); a silently normalised wrong vector would hide a
// caller's bug in the sign or axes of the AP force.
inline void CheckHeading(const char* what, const std::array<double, 3>& heading) {
  const double norm = std::hypot(heading[0], heading[1]);
  if (!(std::isfinite(norm) && std::fabs(norm - 1) <= 1e-6 && std::fabs(heading[2]) <= 1e-6)) {
    throw InvalidInput(std::string(what) + ": expected a unit horizontal vector (Z up), got (" +
                       FormatNumber(heading[0]) + ", " + FormatNumber(heading[1]) + ", " + FormatNumber(heading[2]) +
                       ")");
  }
}

inline double IndexToTime(double index, double rate_hz, double t0_s) { return t0_s + index / rate_hz; }
inline double TimeToIndex(double time_s, double rate_hz, double t0_s) { return (time_s - t0_s) * rate_hz; }

// Fractional index in [a, b] where the straight line through (a, y[a]) and (b, y[b]) takes `level`.
inline double LinearCrossing(const std::vector<double>& y, int64_t a, int64_t b, double level) {
  const double ya = y[static_cast<size_t>(a)], yb = y[static_cast<size_t>(b)];
  if (ya == yb) return static_cast<double>(a);
  return static_cast<double>(a) + static_cast<double>(b - a) * (level - ya) / (yb - ya);
}

// Offset in (-0.5, 0.5) samples of the vertex of the parabola through (-1, y_prev), (0, y0),
// (1, y_next), for a local maximum at 0 (negate the samples for a minimum). 0 when the three
// samples do not bend downwards (a plateau): there is nothing to refine.
inline double ParabolaPeakOffset(double y_prev, double y0, double y_next) {
  const double curvature = y_prev - 2 * y0 + y_next;
  if (!(curvature < 0)) return 0;
  const double offset = 0.5 * (y_prev - y_next) / curvature;
  return std::fmax(-0.5, std::fmin(0.5, offset));
}

}  // namespace midstance::events_detail
