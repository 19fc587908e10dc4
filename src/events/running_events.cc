// Kinematic foot contacts of a run from the foot markers' heights (gait_events.h,
// RunningFootContacts).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "event_math.h"
#include "midstance/error.h"
#include "midstance/gait_events.h"

namespace midstance {

using events_detail::CheckPositive;
using events_detail::IndexToTime;
using events_detail::LinearCrossing;
using events_detail::ParabolaPeakOffset;

void RunningContactOptions::Validate() const {
  CheckPositive("RunningContactOptions.band_m", band_m);
  CheckPositive("RunningContactOptions.min_contact_s", min_contact_s);
  CheckPositive("RunningContactOptions.max_glitch_s", max_glitch_s);
}

namespace {

constexpr double kDescendingMS = 0.3;  // a marker coming down faster than this has not landed yet

// The marker's ground level: the 5th percentile of its height, so a few low outliers (a marker
// swapped for a frame) do not set it.
double GroundLevel(const std::vector<double>& h) {
  std::vector<double> v;
  for (double x : h) {
    if (std::isfinite(x)) v.push_back(x);
  }
  if (v.size() < 3) return NAN;
  const size_t k = static_cast<size_t>(0.05 * static_cast<double>(v.size()));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct FootMarker {
  const std::vector<double>* height;
  double ground = NAN;
  std::vector<uint8_t> near;  // within the band of its ground level
};

std::vector<double> Velocity(const std::vector<double>& h, double rate_hz) {
  std::vector<double> v(h.size(), NAN);
  for (size_t f = 1; f + 1 < h.size(); ++f) v[f] = (h[f + 1] - h[f - 1]) * rate_hz / 2.0;
  return v;
}

// The instant the landing marker starts to decelerate: the last local minimum of its vertical
// velocity at or before it comes to rest (its first height minimum after entering the band),
// refined to sub-frame by a parabola. NaN when the minimum is not bracketed by finite samples.
double StrikeIndex(const std::vector<double>& h, double rate_hz, int64_t entry) {
  const int64_t n = static_cast<int64_t>(h.size());
  int64_t rest = entry;
  while (rest + 1 < n && std::isfinite(h[static_cast<size_t>(rest + 1)]) && h[static_cast<size_t>(rest + 1)] < h[static_cast<size_t>(rest)]) ++rest;
  const std::vector<double> v = Velocity(h, rate_hz);
  for (int64_t k = std::min(rest, n - 2); k >= 1; --k) {
    const double a = v[static_cast<size_t>(k - 1)], b = v[static_cast<size_t>(k)], c = v[static_cast<size_t>(k + 1)];
    if (!(std::isfinite(a) && std::isfinite(b) && std::isfinite(c))) return NAN;
    if (b <= a && b <= c) return static_cast<double>(k) - ParabolaPeakOffset(-a, -b, -c);
    if (rest - k > static_cast<int64_t>(std::ceil(0.10 * rate_hz))) break;  // no deceleration within 100 ms: not a landing
  }
  return NAN;
}

}  // namespace

std::vector<KinematicContact> RunningFootContacts(const std::vector<std::vector<double>>& heights_m, double rate_hz, double t0_s,
                                                  const RunningContactOptions& options) {
  CheckPositive("RunningFootContacts: rate_hz", rate_hz);
  options.Validate();
  if (heights_m.empty()) return {};
  const size_t frames = heights_m.front().size();
  for (const std::vector<double>& h : heights_m) {
    if (h.size() != frames) throw InvalidInput("RunningFootContacts: heights_m: expected the same frame count for every marker");
  }
  std::vector<FootMarker> markers;
  for (const std::vector<double>& h : heights_m) {
    FootMarker m{&h, GroundLevel(h), std::vector<uint8_t>(frames, 0)};
    if (std::isnan(m.ground)) continue;
    for (size_t f = 0; f < frames; ++f) m.near[f] = h[f] < m.ground + options.band_m ? 1 : 0;
    markers.push_back(std::move(m));
  }
  std::vector<uint8_t> on(frames, 0);
  for (const FootMarker& m : markers) {
    for (size_t f = 0; f < frames; ++f) on[f] |= m.near[f];
  }
  // A foot swings for 0.3 s or more between its contacts, so a shorter lift is a glitch of the
  // markers (a cluster reconstructed off for a few frames), not a new contact: bridge it.
  const int64_t max_gap = std::llround(options.max_glitch_s * rate_hz);
  for (int64_t f = 0; f < static_cast<int64_t>(frames);) {
    if (on[static_cast<size_t>(f)]) {
      ++f;
      continue;
    }
    int64_t end = f;
    while (end + 1 < static_cast<int64_t>(frames) && !on[static_cast<size_t>(end + 1)]) ++end;
    if (f > 0 && end + 1 < static_cast<int64_t>(frames) && end - f + 1 <= max_gap) std::fill(on.begin() + f, on.begin() + end + 1, 1);
    f = end + 1;
  }
  const int64_t min_frames = std::max<int64_t>(2, std::llround(options.min_contact_s * rate_hz));
  std::vector<KinematicContact> contacts;
  for (int64_t f = 0; f < static_cast<int64_t>(frames);) {
    if (!on[static_cast<size_t>(f)]) {
      ++f;
      continue;
    }
    int64_t end = f;
    while (end + 1 < static_cast<int64_t>(frames) && on[static_cast<size_t>(end + 1)]) ++end;
    if (end - f + 1 >= min_frames) {
      KinematicContact c;
      c.method = "kinematic, running: foot strike where the first foot marker to land starts to decelerate (its last vertical "
                 "velocity minimum before rest; after Maiwald et al. 2009, Leitch et al. 2011, Handsaker et al. 2016); toe-off where "
                 "the last foot marker leaves " +
                 std::to_string(static_cast<int>(std::lround(options.band_m * 1e3))) + " mm above its ground level";
      // The landing marker: the one already near the ground at the contact's first frame, lowest first.
      const FootMarker* landing = nullptr;
      for (const FootMarker& m : markers) {
        if (!m.near[static_cast<size_t>(f)]) continue;
        if (!landing || (*m.height)[static_cast<size_t>(f)] - m.ground < (*landing->height)[static_cast<size_t>(f)] - landing->ground) landing = &m;
      }
      // A run that begins with the capture is a contact cut by it, unless the landing marker is
      // still coming down fast there: then the landing itself lies inside the capture.
      const bool landing_in_capture = f > 0 || (landing && frames > 2 && ((*landing->height)[2] - (*landing->height)[0]) * rate_hz / 2.0 < -kDescendingMS);
      if (landing_in_capture && landing) {
        double index = StrikeIndex(*landing->height, rate_hz, f);
        if (!(std::isfinite(index) && index > f - 0.2 * rate_hz)) {
          // A marker that settles without a sharp deceleration (a cluster on the dorsum of the
          // shoe): the crossing into its band, said in the method.
          index = f > 0 ? LinearCrossing(*landing->height, f - 1, f, landing->ground + options.band_m) : NAN;
          c.method += "; this strike: band entry (no deceleration peak)";
        }
        if (std::isfinite(index)) c.strike_s = IndexToTime(index, rate_hz, t0_s);
      }
      if (end + 1 < static_cast<int64_t>(frames)) {
        // The last marker to leave: crossing of its band level between end and end + 1.
        double last = static_cast<double>(end);
        for (const FootMarker& m : markers) {
          if (!m.near[static_cast<size_t>(end)]) continue;
          const double hb = (*m.height)[static_cast<size_t>(end + 1)];
          if (!std::isfinite(hb)) continue;
          last = std::max(last, LinearCrossing(*m.height, end, end + 1, m.ground + options.band_m));
        }
        c.toe_off_s = IndexToTime(last, rate_hz, t0_s);
      }
      c.cut_at_start = !landing_in_capture;
      c.cut_at_end = end + 1 == static_cast<int64_t>(frames);
      contacts.push_back(c);
    }
    f = end + 1;
  }
  return contacts;
}

}  // namespace midstance
