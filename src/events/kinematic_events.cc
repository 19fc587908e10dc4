// Kinematic foot strike / toe-off (Zeni, Richards & Higginson 2008, Gait Posture 27:710).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "event_math.h"
#include "midstance/error.h"
#include "midstance/gait_events.h"

namespace midstance {

using events_detail::CheckHeading;
using events_detail::CheckPositive;
using events_detail::IndexToTime;
using events_detail::ParabolaPeakOffset;

void ZeniOptions::Validate() const { CheckPositive("ZeniOptions.min_separation_s", min_separation_s); }

namespace {

void CheckTrajectories(const std::vector<double>& heel_m, const std::vector<double>& toe_m,
                       const std::vector<double>& pelvis_m) {
  if (heel_m.size() % 3 != 0) {
    throw InvalidInput("ZeniEvents: heel_m: expected 3 values (x y z) per frame, got " +
                       std::to_string(heel_m.size()) + " values");
  }
  if (toe_m.size() != heel_m.size() || pelvis_m.size() != heel_m.size()) {
    throw InvalidInput("ZeniEvents: toe_m, pelvis_m: expected " + std::to_string(heel_m.size()) +
                       " values like heel_m, got " + std::to_string(toe_m.size()) + " and " +
                       std::to_string(pelvis_m.size()));
  }
}

// (marker - pelvis) . heading per frame, NaN where either marker is missing.
std::vector<double> AlongHeading(const std::vector<double>& marker_m, const std::vector<double>& pelvis_m,
                                 const std::array<double, 3>& heading) {
  std::vector<double> along(marker_m.size() / 3);
  for (size_t i = 0; i < along.size(); ++i) {
    along[i] = 0;
    for (size_t axis = 0; axis < 3; ++axis) {
      along[i] += (marker_m[3 * i + axis] - pelvis_m[3 * i + axis]) * heading[axis];
    }
  }
  return along;
}

// Is frame i of y the largest finite value within +-half_window frames? Strict against earlier
// frames so a flat top yields one event, not one per frame.
bool IsWindowMaximum(const std::vector<double>& y, int64_t i, int64_t half_window) {
  const int64_t n = static_cast<int64_t>(y.size());
  for (int64_t j = std::max<int64_t>(0, i - half_window); j <= std::min(n - 1, i + half_window); ++j) {
    const double other = y[static_cast<size_t>(j)];
    if (j < i && other >= y[static_cast<size_t>(i)]) return false;
    if (j > i && other > y[static_cast<size_t>(i)]) return false;  // NaN compares false: skipped
  }
  return true;
}

// Fractional frame indices of the maxima of y. The first and last frames and frames next to a gap
// are never maxima: the true extremum may lie beyond the capture or inside the gap.
std::vector<double> Maxima(const std::vector<double>& y, int64_t half_window) {
  std::vector<double> maxima;
  for (size_t i = 1; i + 1 < y.size(); ++i) {
    if (!(std::isfinite(y[i - 1]) && std::isfinite(y[i]) && std::isfinite(y[i + 1]))) continue;
    if (!IsWindowMaximum(y, static_cast<int64_t>(i), half_window)) continue;
    maxima.push_back(static_cast<double>(i) + ParabolaPeakOffset(y[i - 1], y[i], y[i + 1]));
  }
  return maxima;
}

}  // namespace

std::vector<KinematicEvent> ZeniEvents(const std::vector<double>& heel_m, const std::vector<double>& toe_m,
                                       const std::vector<double>& pelvis_m, const std::array<double, 3>& heading,
                                       double rate_hz, double t0_s, const ZeniOptions& options) {
  CheckTrajectories(heel_m, toe_m, pelvis_m);
  CheckHeading("ZeniEvents: heading", heading);
  CheckPositive("ZeniEvents: rate_hz", rate_hz);
  options.Validate();
  const int64_t half_window = std::max<int64_t>(1, std::llround(options.min_separation_s * rate_hz));

  std::vector<KinematicEvent> events;
  for (double index : Maxima(AlongHeading(heel_m, pelvis_m, heading), half_window)) {
    events.push_back({IndexToTime(index, rate_hz, t0_s), true,
                      "kinematic: heel most anterior relative to the pelvis (Zeni et al. 2008)"});
  }
  std::vector<double> toe_behind = AlongHeading(toe_m, pelvis_m, heading);
  for (double& value : toe_behind) value = -value;  // minima of the toe as maxima
  for (double index : Maxima(toe_behind, half_window)) {
    events.push_back({IndexToTime(index, rate_hz, t0_s), false,
                      "kinematic: toe most posterior relative to the pelvis (Zeni et al. 2008)"});
  }
  std::sort(events.begin(), events.end(),
            [](const KinematicEvent& a, const KinematicEvent& b) { return a.time_s < b.time_s; });
  return events;
}

}  // namespace midstance
