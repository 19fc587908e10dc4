// Foot contacts and force-based foot strike / toe-off (method and citations in gait_events.h).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "event_math.h"
#include "midstance/error.h"
#include "midstance/gait_events.h"

namespace midstance {

using events_detail::CheckPositive;
using events_detail::FormatNumber;
using events_detail::IndexToTime;
using events_detail::LinearCrossing;

void ContactOptions::Validate() const {
  CheckPositive("ContactOptions.threshold_n", threshold_n);
  if (!(std::isfinite(min_duration_s) && min_duration_s >= 0)) {
    throw InvalidInput("ContactOptions.min_duration_s: expected a number >= 0, got " + FormatNumber(min_duration_s));
  }
}

std::vector<ForceContact> FindContacts(const std::vector<double>& vertical_n, double rate_hz,
                                       const ContactOptions& options) {
  CheckPositive("FindContacts: rate_hz", rate_hz);
  options.Validate();
  // A run of exactly min_duration_s must pass despite rounding in duration * rate.
  const double min_samples = options.min_duration_s * rate_hz * (1 - 1e-12);
  const int64_t n = static_cast<int64_t>(vertical_n.size());
  auto above = [&](int64_t i) { return vertical_n[static_cast<size_t>(i)] > options.threshold_n; };  // NaN: false
  std::vector<ForceContact> contacts;
  for (int64_t i = 0; i < n; ++i) {
    if (!above(i)) continue;
    int64_t last = i;
    while (last + 1 < n && above(last + 1)) ++last;
    if (static_cast<double>(last - i + 1) >= min_samples) {
      ForceContact contact;
      contact.first_sample = i;
      contact.last_sample = last;
      contact.cut_at_start = i == 0;
      contact.cut_at_end = last == n - 1;
      contacts.push_back(contact);
    }
    i = last;
  }
  return contacts;
}

namespace {

void CheckContact(const std::vector<double>& vertical_n, const ForceContact& contact, double threshold_n) {
  const int64_t n = static_cast<int64_t>(vertical_n.size());
  if (!(0 <= contact.first_sample && contact.first_sample <= contact.last_sample && contact.last_sample < n)) {
    throw InvalidInput("ForceEvents: contact: samples [" + std::to_string(contact.first_sample) + ", " +
                       std::to_string(contact.last_sample) + "] outside the series of " + std::to_string(n) +
                       " samples");
  }
  for (int64_t i = contact.first_sample; i <= contact.last_sample; ++i) {
    if (!(vertical_n[static_cast<size_t>(i)] > threshold_n)) {
      throw InvalidInput("ForceEvents: contact: sample " + std::to_string(i) + " is not above the " +
                         FormatNumber(threshold_n) + " N threshold (find contacts with the same options)");
    }
  }
}

int64_t ArgMax(const std::vector<double>& y, int64_t first, int64_t last) {
  int64_t best = first;
  for (int64_t i = first + 1; i <= last; ++i) {
    if (y[static_cast<size_t>(i)] > y[static_cast<size_t>(best)]) best = i;
  }
  return best;
}

struct EdgeEstimate {
  double threshold_index = NAN;  // fractional sample index of the threshold crossing
  double zero_index = NAN;       // onset (rising) or offset (falling)
  std::string how;
};

// Fractional index where the least-squares line through samples [a, b] of f reaches 0 N; NaN
// unless the line rises (rising = true) or falls.
double LineZero(const std::vector<double>& f, int64_t a, int64_t b, bool rising) {
  if (a > b) std::swap(a, b);
  double mean_x = 0, mean_y = 0;
  const double count = static_cast<double>(b - a + 1);
  for (int64_t i = a; i <= b; ++i) {
    mean_x += static_cast<double>(i) / count;
    mean_y += f[static_cast<size_t>(i)] / count;
  }
  double sxx = 0, sxy = 0;
  for (int64_t i = a; i <= b; ++i) {
    sxx += (static_cast<double>(i) - mean_x) * (static_cast<double>(i) - mean_x);
    sxy += (static_cast<double>(i) - mean_x) * (f[static_cast<size_t>(i)] - mean_y);
  }
  const double slope = sxy / sxx;
  if (!(rising ? slope > 0 : slope < 0)) return NAN;
  return mean_x - mean_y / slope;
}

// The sample bounding the edge on the outside: the last sample at or below 0 N before the contact
// (rising edge) or the first one after it (falling edge), else the last known sample or the
// capture's edge. The force cannot have been rising before it (or still falling after it).
int64_t ZeroForceBound(const std::vector<double>& f, int64_t outer, int64_t outward) {
  const int64_t n = static_cast<int64_t>(f.size());
  int64_t bound = outer;
  while (bound + outward >= 0 && bound + outward < n && f[static_cast<size_t>(bound)] > 0 &&
         std::isfinite(f[static_cast<size_t>(bound + outward)])) {
    bound += outward;
  }
  return bound;
}

// One edge of a contact. `inner` is the contact's edge sample (first or last), `outward` the step
// leading out of the contact (-1 before it, +1 after it), `peak` the contact's maximum sample.
EdgeEstimate EstimateEdge(const std::vector<double>& f, int64_t inner, int64_t outward, int64_t peak,
                          double threshold_n) {
  EdgeEstimate edge;
  const int64_t n = static_cast<int64_t>(f.size());
  const int64_t outer = inner + outward;
  const std::string threshold = FormatNumber(threshold_n) + " N";
  if (outer < 0 || outer >= n) {
    edge.how = outward < 0 ? "none: the capture started during the contact"
                           : "none: the capture ended during the contact";
    return edge;
  }
  if (!std::isfinite(f[static_cast<size_t>(outer)])) {
    edge.how = "none: the force sample next to the contact is missing";
    return edge;
  }
  edge.threshold_index = LinearCrossing(f, outer, inner, threshold_n);
  edge.zero_index = edge.threshold_index;

  // The edge's samples above threshold, up to the first at or above 3 x threshold (walking from the
  // contact's edge towards its peak), and at least two of them. Only samples above threshold: the
  // sample before the contact may still lie on the flat baseline before the onset, so the
  // interpolated threshold crossing straddles the kink and a line through it and the 3 x threshold
  // crossing lands up to a third of a sample early on steep edges (60 N/ms at 1 kHz).
  const double high_n = 3 * threshold_n;
  int64_t k = inner;
  while (k != peak && !(f[static_cast<size_t>(k)] >= high_n)) k -= outward;
  if (!(f[static_cast<size_t>(k)] >= high_n)) {
    edge.how = threshold + " threshold crossing (the edge never reached " + FormatNumber(high_n) + " N)";
    return edge;
  }
  if (k == inner && k != peak) k -= outward;
  const double zero = k != inner ? LineZero(f, inner, k, outward < 0) : NAN;
  if (std::isnan(zero)) {
    edge.how = threshold + " threshold crossing (too few samples on the edge to extrapolate)";
    return edge;
  }
  edge.zero_index = zero;
  edge.how = threshold + " threshold crossing extrapolated to zero along the edge (least-squares line through the "
             "samples from " + threshold + " to the first at or above " + FormatNumber(high_n) + " N)";
  // The onset lies between the zero-force bound and the threshold crossing (offset likewise).
  const double bound = static_cast<double>(ZeroForceBound(f, outer, outward));
  const double clamped = std::clamp(zero, std::fmin(bound, edge.threshold_index), std::fmax(bound, edge.threshold_index));
  if (clamped != zero) {
    edge.zero_index = clamped;
    edge.how += clamped == bound ? ", clamped at the nearest sample at or below 0 N outside the contact"
                                 : ", clamped at the threshold crossing";
  }
  return edge;
}

}  // namespace

ContactEvents ForceEvents(const std::vector<double>& vertical_n, double rate_hz, double t0_s,
                          const ForceContact& contact, const ContactOptions& options) {
  CheckPositive("ForceEvents: rate_hz", rate_hz);
  options.Validate();
  CheckContact(vertical_n, contact, options.threshold_n);
  const int64_t peak = ArgMax(vertical_n, contact.first_sample, contact.last_sample);
  const EdgeEstimate rise = EstimateEdge(vertical_n, contact.first_sample, -1, peak, options.threshold_n);
  const EdgeEstimate fall = EstimateEdge(vertical_n, contact.last_sample, +1, peak, options.threshold_n);

  ContactEvents events;
  events.strike_s = IndexToTime(rise.zero_index, rate_hz, t0_s);
  events.toe_off_s = IndexToTime(fall.zero_index, rate_hz, t0_s);
  events.strike_threshold_s = IndexToTime(rise.threshold_index, rate_hz, t0_s);
  events.toe_off_threshold_s = IndexToTime(fall.threshold_index, rate_hz, t0_s);
  events.method = rise.how == fall.how ? "force: " + rise.how + " (strike and toe-off)"
                                       : "force: strike " + rise.how + "; toe-off " + fall.how;
  return events;
}

}  // namespace midstance
