// A trial's plates -> contacts -> stances with events on one clock (see trial.h).
#include "midstance/trial.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "midstance/error.h"
#include "midstance/filter.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZeniStrikeUncertainty_s = 0.040;
constexpr double kRunningStrikeUncertainty_s = 0.010;  // measured on the shared running trials
// A running contact lasts 0.18-0.30 s at 3-5 m/s and a sprint's 0.08-0.10 s (Weyand et al. 2000);
// anything shorter is a foot grazing the plate or a misread axis, not a stance.
constexpr double kMinPlausibleContact_s = 0.080;
// A running stance peaks at 2.2-3.0 body weights (README's ranges; Cavanagh & Lafortune 1980);
// below half a body weight the "vertical" force is not vertical, or the foot barely touched.
constexpr double kMinPlausibleRunningPeak_bw = 0.5;
// Without a body mass: half the weight of the lightest subject midstance accepts (20 kg), which
// no standing, walking or running contact stays under.
constexpr double kMinPlausiblePeak_n = 0.5 * 20 * 9.80665;
constexpr double kStandardGravityMS2 = 9.80665;
constexpr double kCopTrustedShareOfPeak = 0.2;  // COP checked against the plate edge above this share of the peak force
// Walking contacts last 0.55-0.75 s, running ones under 0.35 s: the median force contact decides.
constexpr double kRunningContactBelow_s = 0.40;

// ----- markers --------------------------------------------------------------------------------

struct Markers {
  int64_t frames = 0;
  int count = 0;
  const std::vector<double>* position_m = nullptr;  // [frame][marker][xyz]
  std::vector<Side> foot_side;     // per marker: the foot it is on, or unknown
  Eigen::Vector3d At(int64_t frame, int marker) const {
    const size_t i = 3 * (static_cast<size_t>(frame) * static_cast<size_t>(count) + static_cast<size_t>(marker));
    return {(*position_m)[i], (*position_m)[i + 1], (*position_m)[i + 2]};
  }
};

Markers MarkersOf(const Trial& trial, const MarkerGroups& groups) {
  Markers m;
  m.frames = trial.markers.frame_count;
  m.count = static_cast<int>(trial.markers.labels.size());
  m.position_m = &trial.markers.positions_m;
  m.foot_side.assign(static_cast<size_t>(m.count), Side::kUnknown);
  for (int k : groups.foot[0]) m.foot_side[static_cast<size_t>(k)] = Side::kLeft;
  for (int k : groups.foot[1]) m.foot_side[static_cast<size_t>(k)] = Side::kRight;
  return m;
}

// A point fixed in the pelvis per frame: the centroid of its markers, each missing marker replaced
// by its mean offset from the centroid over the frames where all are present, so a marker dropping
// out does not make the track jump.
std::vector<double> PelvisTrack(const Markers& m, const std::vector<int>& pelvis) {
  if (pelvis.empty()) return {};
  std::vector<Eigen::Vector3d> offset(pelvis.size(), Eigen::Vector3d::Zero());
  int complete = 0;
  for (int64_t f = 0; f < m.frames; ++f) {
    Eigen::Vector3d centre = Eigen::Vector3d::Zero();
    bool all = true;
    for (int k : pelvis) all = all && m.At(f, k).allFinite(), centre += m.At(f, k);
    if (!all) continue;
    centre /= static_cast<double>(pelvis.size());
    for (size_t i = 0; i < pelvis.size(); ++i) offset[i] += m.At(f, pelvis[i]) - centre;
    ++complete;
  }
  std::vector<double> track(static_cast<size_t>(m.frames) * 3, kNaN);
  for (int64_t f = 0; f < m.frames; ++f) {
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    int n = 0;
    for (size_t i = 0; i < pelvis.size(); ++i) {
      const Eigen::Vector3d p = m.At(f, pelvis[i]);
      if (!p.allFinite()) continue;
      if (complete == 0 && pelvis.size() > 1) continue;
      sum += p - (complete > 0 ? Eigen::Vector3d(offset[i] / complete) : Eigen::Vector3d::Zero());
      ++n;
    }
    if (n == 0 || (complete == 0 && n < static_cast<int>(pelvis.size()))) continue;
    for (int k = 0; k < 3; ++k) track[static_cast<size_t>(3 * f + k)] = sum(k) / n;
  }
  return track;
}

// ----- contacts and sides ---------------------------------------------------------------------

std::vector<double> Vertical(const std::vector<double>& force_n) {
  std::vector<double> v(force_n.size() / 3);
  for (size_t s = 0; s < v.size(); ++s) v[s] = force_n[3 * s + 2];
  return v;
}

std::vector<double> Filtered(Backend backend, std::vector<double> values, int columns, double rate_hz, double cutoff_hz, int order) {
  if (cutoff_hz <= 0) return values;
  ButterworthOptions filter;
  filter.order = order;
  filter.cutoff_hz = cutoff_hz;
  FilterZeroLag(backend, filter, rate_hz, static_cast<int64_t>(values.size()) / columns, columns, &values);
  return values;
}

// A resolved ground reaction as plate loads: force and COP as given, free moment as the torque
// about the point; the moment about a plate centre does not exist without a plate (NaN).
PlateLoads LoadsOf(const GroundReaction& g, double threshold_n) {
  PlateLoads l;
  l.samples = static_cast<int64_t>(g.force_n.size() / 3);
  l.force_n = g.force_n;
  l.moment_nm.assign(g.force_n.size(), kNaN);
  l.cop_m.assign(g.force_n.size(), kNaN);
  l.free_moment_nm.assign(g.force_n.size(), kNaN);
  for (size_t s = 0; s + 2 < g.force_n.size(); s += 3) {
    if (!(g.force_n[s + 2] > threshold_n)) continue;
    for (size_t k = 0; k < 3; ++k) {
      l.cop_m[s + k] = g.point_m[s + k];
      l.free_moment_nm[s + k] = g.torque_nm[s + k];
    }
  }
  return l;
}

// Median over the contact's middle half of the horizontal distance from the COP to the nearest
// foot marker of each side; the foot on the plate is the one whose markers are over the COP.
struct SideDecision {
  Side side = Side::kUnknown;
  std::string evidence;
};

SideDecision SideFromMarkers(const Markers& m, const AnalogSync& sync, const PlateLoads& loads, int64_t first, int64_t last) {
  std::vector<double> distance[2];
  const int64_t quarter = (last - first) / 4;
  for (int64_t s = first + quarter; s <= last - quarter; ++s) {
    const size_t i = static_cast<size_t>(3 * s);
    if (std::isnan(loads.cop_m[i])) continue;
    const int64_t frame = std::clamp<int64_t>(std::llround(sync.FrameAt(sync.AnalogTime(static_cast<double>(s)))), 0, m.frames - 1);
    double nearest[2] = {kNaN, kNaN};
    for (int k = 0; k < m.count; ++k) {
      const Side side = m.foot_side[static_cast<size_t>(k)];
      if (side == Side::kUnknown) continue;
      const Eigen::Vector3d p = m.At(frame, k);
      if (std::isnan(p.x())) continue;
      const double d = std::hypot(p.x() - loads.cop_m[i], p.y() - loads.cop_m[i + 1]);
      double& n = nearest[side == Side::kLeft ? 0 : 1];
      if (std::isnan(n) || d < n) n = d;
    }
    for (int k = 0; k < 2; ++k) {
      if (!std::isnan(nearest[k])) distance[k].push_back(nearest[k]);
    }
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return kNaN;
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  const double left = median(distance[0]), right = median(distance[1]);
  SideDecision decision;
  char text[160];
  std::snprintf(text, sizeof(text), "COP to nearest foot marker: left %.0f mm, right %.0f mm", left * 1e3, right * 1e3);
  decision.evidence = text;
  // The foot on the plate has a marker within a foot's length of the COP and clearly nearer than
  // the other foot's (which may be swinging past it in walking).
  const double nearer = std::fmin(left, right), farther = std::isnan(left) || std::isnan(right) ? INFINITY : std::fmax(left, right);
  if (!(nearer < 0.25) || !(farther > nearer + 0.05)) {
    decision.evidence += " (ambiguous: no side assigned)";
    return decision;
  }
  decision.side = nearer == left ? Side::kLeft : Side::kRight;
  return decision;
}

// How far inside the plate outline the foot stayed while loaded: the least, over the contact, of
// each foot marker's distance inside the outline plus the marker margin (markers stand off the
// shoe), and of the COP's distance inside less the COP margin. Negative: part of the foot was off.
struct EdgeCheck {
  double inside_m = kNaN;
  std::string limiting;  // what set it
};

EdgeCheck FootInsidePlate(const Trial& trial, const Markers& m, const AnalogSync& sync, const ForcePlate& plate, const PlateLoads& loads,
                          int64_t first, int64_t last, Side side, const TrialOptions& options) {
  const PlateGeometry g = PlateGeometryOf(plate);
  const double hx = (plate.corners_m[0] - plate.corners_m[1]).norm() / 2, hy = (plate.corners_m[0] - plate.corners_m[3]).norm() / 2;
  auto inside = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector3d local = g.lab_from_plate.transpose() * (p - g.centre_m);
    return std::min(hx - std::abs(local.x()), hy - std::abs(local.y()));
  };
  EdgeCheck check, cop_check;
  char text[200];
  auto consider = [&](double value, const std::string& what) {
    if (std::isnan(check.inside_m) || value < check.inside_m) check.inside_m = value, check.limiting = what;
  };
  auto consider_cop = [&](double value, const std::string& what) {
    if (std::isnan(cop_check.inside_m) || value < cop_check.inside_m) cop_check.inside_m = value, cop_check.limiting = what;
  };
  // The COP is trusted only under load: near the threshold it is a ratio of small, noisy numbers
  // and wanders off the plate while the foot is fully on it.
  double peak = 0;
  for (int64_t s = first; s <= last; ++s) peak = std::max(peak, loads.force_n[static_cast<size_t>(3 * s + 2)]);
  const double loaded = std::max(5 * options.contact.threshold_n, kCopTrustedShareOfPeak * peak);
  for (int64_t s = first; s <= last; ++s) {
    const size_t i = static_cast<size_t>(3 * s);
    if (std::isnan(loads.cop_m[i]) || !(loads.force_n[i + 2] >= loaded)) continue;
    const double d = inside({loads.cop_m[i], loads.cop_m[i + 1], loads.cop_m[i + 2]});
    std::snprintf(text, sizeof(text), "centre of pressure %.0f mm from the edge of %s (margin %.0f mm)", d * 1e3, plate.name.c_str(),
                  options.plate_cop_margin_m * 1e3);
    consider_cop(d - options.plate_cop_margin_m, text);
  }
  if (side == Side::kUnknown) return cop_check;
  const int64_t f0 = static_cast<int64_t>(std::ceil(sync.FrameAt(sync.AnalogTime(static_cast<double>(first)))));
  const int64_t f1 = static_cast<int64_t>(std::floor(sync.FrameAt(sync.AnalogTime(static_cast<double>(last)))));
  for (int k = 0; k < m.count; ++k) {
    if (m.foot_side[static_cast<size_t>(k)] != side) continue;
    for (int64_t f = std::max<int64_t>(f0, 0); f <= std::min(f1, m.frames - 1); ++f) {
      const Eigen::Vector3d p = m.At(f, k);
      if (std::isnan(p.x())) continue;
      const double d = inside(p);
      std::snprintf(text, sizeof(text), "%s %.0f mm %s %s (margin %.0f mm)", trial.markers.labels[static_cast<size_t>(k)].c_str(),
                    std::abs(d) * 1e3, d < 0 ? "outside" : "inside the edge of", plate.name.c_str(), options.plate_marker_margin_m * 1e3);
      consider(d + options.plate_marker_margin_m, text);
    }
  }
  // The markers name the part of the foot that was off; the COP says so when the markers cannot.
  if (std::isnan(check.inside_m) || (cop_check.inside_m < check.inside_m && check.inside_m >= 0)) return cop_check;
  return check;
}

struct PlateContact {
  int load;
  ForceContact contact;
  SideDecision side;
};

// Contact time from threshold crossings at threshold - d, threshold, threshold + d.
std::array<double, 3> ThresholdSensitivity(const std::vector<double>& vertical, const AnalogSync& sync, const ForceContact& c,
                                           const TrialOptions& options) {
  std::array<double, 3> out{kNaN, kNaN, kNaN};
  const double thresholds[3] = {options.contact.threshold_n - options.sensitivity_n, options.contact.threshold_n,
                                options.contact.threshold_n + options.sensitivity_n};
  const int64_t middle = (c.first_sample + c.last_sample) / 2;
  for (int k = 0; k < 3; ++k) {
    if (!(thresholds[k] > 0)) continue;
    ContactOptions o = options.contact;
    o.threshold_n = thresholds[k];
    for (const ForceContact& other : FindContacts(vertical, sync.analog_rate_hz, o)) {
      if (other.first_sample <= middle && middle <= other.last_sample) {
        const ContactEvents e = ForceEvents(vertical, sync.analog_rate_hz, sync.offset_s, other, o);
        out[static_cast<size_t>(k)] = e.toe_off_threshold_s - e.strike_threshold_s;
      }
    }
  }
  return out;
}

Stance ForceStance(const std::vector<PlateContact>& group, const std::vector<double>& force,
                   const std::vector<double>& contact_vertical, const AnalogSync& sync, const TrialAnalysis& a,
                   const TrialOptions& options) {
  Stance s;
  for (const PlateContact& c : group) s.plates.push_back(c.load);
  s.side = group.front().side.side;
  s.side_evidence = group.front().side.evidence;
  ForceContact merged = group.front().contact;
  for (const PlateContact& c : group) {
    merged.first_sample = std::min(merged.first_sample, c.contact.first_sample);
    merged.last_sample = std::max(merged.last_sample, c.contact.last_sample);
    merged.cut_at_start |= c.contact.cut_at_start;
    merged.cut_at_end |= c.contact.cut_at_end;
  }
  // Re-find the contact on the summed force: a foot rolling across two plates is one contact.
  for (const ForceContact& c : FindContacts(contact_vertical, sync.analog_rate_hz, options.contact)) {
    if (c.first_sample <= merged.last_sample && merged.first_sample <= c.last_sample) merged = c;
  }
  s.first_sample = merged.first_sample;
  s.last_sample = merged.last_sample;
  s.events = ForceEvents(contact_vertical, sync.analog_rate_hz, sync.offset_s, merged, options.contact);
  s.mid_stance = MidStance(force, sync.analog_rate_hz, sync.offset_s, merged, s.events, a.heading, a.body_mass_kg);
  s.contact_time_by_threshold_s = ThresholdSensitivity(contact_vertical, sync, merged, options);
  if (merged.cut_at_start || merged.cut_at_end) {
    s.clean = false;
    s.exclusion = merged.cut_at_start ? "cut by the start of the capture" : "cut by the end of the capture";
  }
  return s;
}

// ----- body mass ------------------------------------------------------------------------------

// Over whole steps the body neither rises nor falls, so the mean vertical ground reaction equals
// body weight (impulse-momentum). Usable when force covers every contact of the interval: from
// the first force strike to the last, each stance's successor is the other foot's, on force.
double BodyMassFromSteps(const TrialAnalysis& a, std::string* source) {
  std::vector<const Stance*> force;
  for (const Stance& s : a.stances) {
    if (s.from_force && std::isfinite(s.events.strike_s) && s.side != Side::kUnknown) force.push_back(&s);
  }
  if (force.size() < 5 || a.loads.empty()) return kNaN;
  for (size_t i = 1; i < force.size(); ++i) {
    if (force[i]->side == force[i - 1]->side) return kNaN;  // a contact off the force in between
  }
  const double t0 = force.front()->events.strike_s, t1 = force.back()->events.strike_s;
  double sum = 0;
  int64_t n = 0;
  for (int64_t s = 0; s < a.loads.front().samples; ++s) {
    const double t = a.sync.AnalogTime(static_cast<double>(s));
    if (t < t0 || t >= t1) continue;
    double fz = 0;
    for (const PlateLoads& l : a.loads) fz += l.force_n[static_cast<size_t>(3 * s + 2)];
    sum += fz;
    ++n;
  }
  if (n == 0) return kNaN;
  const double mass = sum / static_cast<double>(n) / kStandardGravityMS2;
  char text[200];
  std::snprintf(text, sizeof(text), "mean vertical force over %zu whole steps (%.2f s) / g", force.size() - 1, t1 - t0);
  *source = text;
  return mass;
}

void DecideBodyMass(const Trial& trial, const TrialOptions& options, TrialAnalysis* a) {
  a->body_mass_kg = options.body_mass_kg;
  a->body_mass_source = "command line";
  if (!std::isnan(a->body_mass_kg)) return;
  const double mass = trial.subject.mass_kg;
  if (mass >= 20 && mass <= 250) {
    a->body_mass_kg = mass;
    const auto source = trial.subject.source.find("mass");
    a->body_mass_source = source == trial.subject.source.end() ? "the file" : source->second;
    // SUBJECT:WEIGHT (c3d.org's sample files) carries no unit; it is read as kg only inside the
    // range of a human mass in kg.
    if (a->body_mass_source.find("WEIGHT") != std::string::npos) a->body_mass_source += " (no unit in the file; read as kg)";
    return;
  }
  a->body_mass_source = "unknown (give --body-mass)";
}

// ----- kinematic stances and the synchronisation check ----------------------------------------

std::vector<double> MarkerTrack(const Markers& m, int marker) {
  std::vector<double> track(static_cast<size_t>(m.frames) * 3, kNaN);
  if (marker < 0) return track;
  for (int64_t f = 0; f < m.frames; ++f) {
    const Eigen::Vector3d p = m.At(f, marker);
    for (int k = 0; k < 3; ++k) track[static_cast<size_t>(3 * f + k)] = p(k);
  }
  return track;
}

MidStanceTimes KinematicMidStance(const ContactEvents& events) {
  MidStanceTimes mid;
  for (int d = 0; d < kMidStanceDefinitionCount; ++d) mid.reason[static_cast<size_t>(d)] = "no force: the contact is off the plates";
  const int half = static_cast<int>(MidStanceDefinition::kHalfContact);
  if (std::isfinite(events.strike_s) && std::isfinite(events.toe_off_s)) {
    mid.time_s[half] = 0.5 * (events.strike_s + events.toe_off_s);
    mid.reason[half] = "";
  }
  for (MidStanceDefinition d : {MidStanceDefinition::kPeakKneeFlexion, MidStanceDefinition::kSwingLegPassing}) {
    mid.reason[static_cast<size_t>(d)] = "needs joint kinematics (skeleton stage)";
  }
  return mid;
}

struct KinematicFootEvents {
  Side side;
  std::vector<KinematicContact> contacts;
  std::string evidence;
};

// Running: the foot markers' heights (RunningFootContacts). Walking: Zeni et al. 2008 on the
// marker set's heel and toe markers relative to the pelvis.
KinematicFootEvents FootEvents(const Trial& trial, const Markers& m, const MarkerGroups& groups, const std::vector<double>& pelvis,
                               const TrialAnalysis& a, Side side) {
  const size_t k = side == Side::kLeft ? 0 : 1;
  KinematicFootEvents out{side, {}, ""};
  if (a.running) {
    std::vector<std::vector<double>> heights;
    for (int marker : groups.foot[k]) {
      std::vector<double> h(static_cast<size_t>(m.frames));
      for (int64_t f = 0; f < m.frames; ++f) h[static_cast<size_t>(f)] = m.At(f, marker).z();
      heights.push_back(std::move(h));
      out.evidence += (out.evidence.empty() ? "foot markers " : ", ") + trial.markers.labels[static_cast<size_t>(marker)];
    }
    out.contacts = RunningFootContacts(heights, trial.markers.rate_hz, 0.0);
    return out;
  }
  const int heel = groups.heel[k], toe = groups.toe[k];
  if (heel < 0 || toe < 0 || pelvis.empty()) return out;
  out.evidence = "markers " + trial.markers.labels[static_cast<size_t>(heel)] + ", " + trial.markers.labels[static_cast<size_t>(toe)];
  const std::vector<KinematicEvent> events =
      ZeniEvents(MarkerTrack(m, heel), MarkerTrack(m, toe), pelvis, a.heading, trial.markers.rate_hz, 0.0);
  for (size_t e = 0; e < events.size(); ++e) {
    if (!events[e].is_strike) continue;
    KinematicContact c;
    c.strike_s = events[e].time_s;
    c.method = events[e].method;
    for (size_t j = e + 1; j < events.size() && !events[j].is_strike; ++j) c.toe_off_s = events[j].time_s;
    out.contacts.push_back(c);
  }
  return out;
}

void CheckSync(std::vector<double> lags, double frame_rate_hz, double method_uncertainty_s, const std::string& method, TrialAnalysis* a) {
  SyncCheck& check = a->sync_check;
  check.pairs = static_cast<int>(lags.size());
  if (lags.empty()) {
    check.message = "no force contact with a kinematic foot strike nearby: lag not estimated";
    return;
  }
  std::nth_element(lags.begin(), lags.begin() + static_cast<ptrdiff_t>(lags.size() / 2), lags.end());
  check.median_lag_s = lags[lags.size() / 2];
  const double frame_s = 1.0 / frame_rate_hz;
  char text[256];
  std::snprintf(text, sizeof(text), "kinematic foot strikes (%s) %+.1f ms from force contacts (median of %d), one frame is %.1f ms",
                method.c_str(), check.median_lag_s * 1e3, check.pairs, frame_s * 1e3);
  check.message = text;
  // A sync error shows beyond one frame plus the method's own scatter (Zeni et al. 2008 report
  // 10-20 ms against force in walking; the running method is measured within 10 ms here).
  check.warned = std::abs(check.median_lag_s) > frame_s + method_uncertainty_s;
  if (check.warned) a->warnings.push_back(check.message + ": check the analog synchronisation (or the marker set's foot markers)");
}

// Kinematic contacts off the force become kinematic stances (flagged, never clean); strikes near
// a force contact of the same foot measure the analog/camera lag.
void AddKinematicStances(const Trial& trial, const Markers& m, const MarkerGroups& groups, const std::vector<double>& pelvis,
                         TrialAnalysis* a) {
  if (m.frames < 3 || !(trial.markers.rate_hz > 0)) return;
  std::vector<double> lags;
  std::vector<Stance> added;
  for (Side side : {Side::kLeft, Side::kRight}) {
    const KinematicFootEvents foot = FootEvents(trial, m, groups, pelvis, *a, side);
    for (const KinematicContact& c : foot.contacts) {
      const Stance* force = nullptr;
      for (const Stance& s : a->stances) {
        if (s.side == side && s.from_force && std::abs(s.events.strike_s - c.strike_s) < 0.15) force = &s;
      }
      if (force) {
        if (force->exclusion.rfind("cut by", 0) != 0 && std::isfinite(c.strike_s)) lags.push_back(c.strike_s - force->events.strike_s);
        continue;
      }
      bool overlaps = false;
      for (const Stance& s : a->stances) {
        const double start = std::isfinite(c.strike_s) ? c.strike_s : -INFINITY, end = std::isfinite(c.toe_off_s) ? c.toe_off_s : INFINITY;
        overlaps |= s.side == side && s.events.strike_s < end && start < s.events.toe_off_s;
      }
      if (overlaps || (std::isnan(c.strike_s) && std::isnan(c.toe_off_s))) continue;
      Stance s;
      s.side = side;
      s.side_evidence = foot.evidence;
      s.from_force = false;
      s.events.strike_s = s.events.strike_threshold_s = c.strike_s;
      s.events.toe_off_s = s.events.toe_off_threshold_s = c.toe_off_s;
      s.events.method = c.method;
      s.mid_stance = KinematicMidStance(s.events);
      s.clean = false;
      s.exclusion = std::isnan(c.strike_s) || std::isnan(c.toe_off_s) ? "cut by the capture: kinematic events only"
                                                                       : "no plate contact: kinematic events only";
      added.push_back(std::move(s));
    }
  }
  a->stances.insert(a->stances.end(), added.begin(), added.end());
  CheckSync(lags, trial.markers.rate_hz, a->running ? kRunningStrikeUncertainty_s : kZeniStrikeUncertainty_s,
            a->running ? "running, foot markers" : "Zeni 2008", a);
}

// ----- gait and plausibility ------------------------------------------------------------------

// Running or walking: the median force contact time when there are force contacts; else a flight
// phase (both feet off the ground at once), which only running has.
void DecideGait(const Markers& m, const MarkerGroups& groups, TrialAnalysis* a) {
  std::vector<double> contact;
  for (const Stance& s : a->stances) {
    if (s.from_force && s.exclusion.empty() && std::isfinite(s.contact_time_s())) contact.push_back(s.contact_time_s());
  }
  char text[200];
  if (!contact.empty()) {
    std::nth_element(contact.begin(), contact.begin() + static_cast<ptrdiff_t>(contact.size() / 2), contact.end());
    const double median = contact[contact.size() / 2];
    a->running = median < kRunningContactBelow_s;
    std::snprintf(text, sizeof(text), "median force contact %.0f ms (%s %.0f ms)", median * 1e3, a->running ? "under" : "over",
                  kRunningContactBelow_s * 1e3);
    a->gait_evidence = text;
    return;
  }
  if (!groups.HasFeet() || m.frames < 10) {
    a->gait_evidence = "no force contacts and no foot markers: taken as walking";
    return;
  }
  std::vector<double> sole[2];
  for (size_t k = 0; k < 2; ++k) {
    sole[k].assign(static_cast<size_t>(m.frames), kNaN);
    for (int64_t f = 0; f < m.frames; ++f) {
      for (int marker : groups.foot[k]) {
        const double z = m.At(f, marker).z();
        double& lowest = sole[k][static_cast<size_t>(f)];
        if (std::isfinite(z) && (std::isnan(lowest) || z < lowest)) lowest = z;
      }
    }
  }
  auto ground = [](std::vector<double> v) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
    if (v.empty()) return kNaN;
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(v.size() / 20), v.end());
    return v[v.size() / 20];
  };
  const double g[2] = {ground(sole[0]), ground(sole[1])};
  int64_t flight = 0, seen = 0;
  constexpr double kAirborne_m = 0.04;  // both soles this far above their ground levels
  for (int64_t f = 0; f < m.frames; ++f) {
    const double l = sole[0][static_cast<size_t>(f)], r = sole[1][static_cast<size_t>(f)];
    if (!std::isfinite(l) || !std::isfinite(r)) continue;
    ++seen;
    if (l > g[0] + kAirborne_m && r > g[1] + kAirborne_m) ++flight;
  }
  const double share = seen > 0 ? static_cast<double>(flight) / static_cast<double>(seen) : 0;
  a->running = share > 0.05;
  std::snprintf(text, sizeof(text), "both feet off the ground in %.0f %% of frames (%s: flight phases are running's)", share * 100,
                a->running ? "running" : "walking");
  a->gait_evidence = text;
}

double PeakVertical(const TrialAnalysis& a, const Stance& s) {
  double peak = 0;
  for (int64_t k = s.first_sample; k <= s.last_sample; ++k) {
    double fz = 0;
    for (int p : s.plates) fz += a.loads[static_cast<size_t>(p)].force_n[static_cast<size_t>(3 * k + 2)];
    peak = std::max(peak, fz);
  }
  return peak;
}

// Physically implausible stances are flagged, kept out of every relationship (not clean), and
// named in the log and the report; never reported as findings.
void CheckPlausibility(TrialAnalysis* a) {
  int implausible = 0;
  for (Stance& s : a->stances) {
    if (!s.from_force) continue;
    char text[200] = "";
    const double contact = s.contact_time_s();
    if (std::isfinite(contact) && contact < kMinPlausibleContact_s) {
      std::snprintf(text, sizeof(text), "implausible: a %.0f ms contact (under %.0f ms)", contact * 1e3, kMinPlausibleContact_s * 1e3);
    } else if (const double peak = PeakVertical(*a, s); peak < kMinPlausiblePeak_n) {
      std::snprintf(text, sizeof(text), "implausible: peak vertical force %.0f N (under %.0f N, half the weight of a 20 kg subject)", peak,
                    kMinPlausiblePeak_n);
    } else if (a->running && std::isfinite(a->body_mass_kg)) {
      const double peak_bw = PeakVertical(*a, s) / (a->body_mass_kg * kStandardGravityMS2);
      if (peak_bw < kMinPlausibleRunningPeak_bw) {
        std::snprintf(text, sizeof(text), "implausible: peak vertical force %.2f body weights while running (under %.1f)", peak_bw,
                      kMinPlausibleRunningPeak_bw);
      }
    }
    if (text[0] == '\0') continue;
    s.plausible = false;
    s.clean = false;
    s.exclusion = s.exclusion.empty() ? text : s.exclusion + "; " + text;
    ++implausible;
  }
  if (implausible > 0) {
    a->warnings.push_back(std::to_string(implausible) + " of " + std::to_string(a->stances.size()) +
                          " stances are physically implausible and kept out of every relationship (see their exclusion)");
  }
}

}  // namespace

void TrialOptions::Validate() const {
  contact.Validate();
  if (force_filter_hz < 0 || contact_filter_hz < 0) throw InvalidInput("process: filter cut-offs: expected >= 0 Hz (0: raw)");
  if (!std::isnan(body_mass_kg) && !(body_mass_kg >= 20 && body_mass_kg <= 250)) {
    throw InvalidInput("process: --body-mass: expected 20-250 kg, got " + std::to_string(body_mass_kg));
  }
  if (!(sensitivity_n > 0)) throw InvalidInput("process: threshold sensitivity: expected > 0 N");
  if (!(plate_marker_margin_m >= 0 && plate_marker_margin_m <= 0.2)) {
    throw InvalidInput("process: --plate-margin-mm: expected 0-200 mm, got " + std::to_string(plate_marker_margin_m * 1e3));
  }
}

TrialAnalysis AnalyseTrial(const Trial& trial, const MarkerGroups& groups, const TrialOptions& options, Backend backend) {
  options.Validate();
  TrialAnalysis a;
  a.lab_frame = trial.lab_frame;
  a.plates = trial.plates;
  const AnalogChannels& analog = trial.analog;
  if (a.plates.empty() && trial.ground_reactions.empty()) {
    a.warnings.push_back(trial.path + ": no force plates and no ground reaction forces: kinematic events only");
  }
  const double frame_rate = trial.markers.rate_hz > 0 ? trial.markers.rate_hz : analog.rate_hz;
  if (!trial.ground_reactions.empty()) {
    const GroundReaction& g = trial.ground_reactions.front();
    a.sync = ResolveSync(trial.path, "GRF rate", frame_rate, g.rate_hz, g.rate_hz / frame_rate, g.t0_s);
  } else if (!a.plates.empty() || analog.channel_count > 0) {
    a.sync = ResolveSync(trial.path, "ANALOG:RATE", frame_rate, analog.rate_hz, 0, analog.offset_s);
  } else {
    a.sync = {frame_rate, frame_rate, 1, 0};
  }
  PlateOptions plate_options;
  plate_options.threshold_n = options.contact.threshold_n;
  plate_options.remove_baseline = options.remove_baseline;
  plate_options.sign = options.plate_sign;
  for (const ForcePlate& plate : a.plates) {
    PlateLoads loads = ComputePlateLoads(plate, analog.values, analog.channel_count, static_cast<int>(a.sync.samples_per_frame), plate_options);
    if (loads.sign < 0) spdlog::info("{}: {}: channels report the action on the plate; sign flipped", plate.file, plate.name);
    a.loads.push_back(std::move(loads));
    a.load_names.push_back(plate.name);
  }
  for (const GroundReaction& g : trial.ground_reactions) {
    a.loads.push_back(LoadsOf(g, options.contact.threshold_n));
    a.load_names.push_back(g.name + "ground_force");
  }
  for (PlateLoads& loads : a.loads) {
    if (options.force_filter_hz > 0) {
      loads.force_n = Filtered(backend, loads.force_n, 3, a.sync.analog_rate_hz, options.force_filter_hz, options.filter_order);
    }
  }
  const Markers markers = MarkersOf(trial, groups);
  const std::vector<double> pelvis = PelvisTrack(markers, groups.pelvis);
  a.pelvis_track_m = pelvis;
  a.heading = {1, 0, 0};  // the internal lab frame's +X is the direction of progression (lab_frame.h)
  a.heading_source = trial.lab_frame.heading_source.empty() ? "the file's +x" : trial.lab_frame.heading_source;
  DecideBodyMass(trial, options, &a);

  // Contacts per load, each assigned a foot.
  std::vector<PlateContact> contacts;
  std::vector<std::vector<double>> contact_vertical(a.loads.size());
  for (size_t p = 0; p < a.loads.size(); ++p) {
    contact_vertical[p] = Filtered(backend, Vertical(a.loads[p].force_n), 1, a.sync.analog_rate_hz, options.contact_filter_hz,
                                   options.filter_order);
    const bool resolved = p >= a.plates.size();
    for (const ForceContact& c : FindContacts(contact_vertical[p], a.sync.analog_rate_hz, options.contact)) {
      SideDecision side;
      const GroundReaction* g = resolved ? &trial.ground_reactions[p - a.plates.size()] : nullptr;
      if (g && g->side != Side::kUnknown) {
        side = {g->side, "the force's column prefix '" + g->name + "'"};
      } else {
        side = SideFromMarkers(markers, a.sync, a.loads[p], c.first_sample, c.last_sample);
      }
      contacts.push_back({static_cast<int>(p), c, side});
    }
  }
  std::sort(contacts.begin(), contacts.end(), [](const PlateContact& x, const PlateContact& y) {
    return x.contact.first_sample < y.contact.first_sample;
  });
  // Contacts of the same foot overlapping in time on neighbouring plates are one stance.
  std::vector<bool> used(contacts.size(), false);
  for (size_t i = 0; i < contacts.size(); ++i) {
    if (used[i]) continue;
    std::vector<PlateContact> group = {contacts[i]};
    used[i] = true;
    for (size_t j = i + 1; j < contacts.size(); ++j) {
      const bool overlap = contacts[j].contact.first_sample <= group.back().contact.last_sample;
      if (!used[j] && overlap && contacts[j].side.side == contacts[i].side.side && contacts[i].side.side != Side::kUnknown) {
        group.push_back(contacts[j]);
        used[j] = true;
      }
    }
    std::vector<double> force(a.loads[static_cast<size_t>(group.front().load)].force_n.size(), 0.0);
    std::vector<double> vertical(contact_vertical[static_cast<size_t>(group.front().load)].size(), 0.0);
    for (const PlateContact& c : group) {
      const auto& f = a.loads[static_cast<size_t>(c.load)].force_n;
      const auto& v = contact_vertical[static_cast<size_t>(c.load)];
      for (size_t k = 0; k < force.size(); ++k) force[k] += f[k];
      for (size_t k = 0; k < vertical.size(); ++k) vertical[k] += v[k];
    }
    Stance s = ForceStance(group, force, vertical, a.sync, a, options);
    if (group.size() > 1) s.side_evidence += "; one contact across plates, forces summed";
    if (s.clean && s.side == Side::kUnknown) {
      s.clean = false;
      s.exclusion = "foot not identified (" + s.side_evidence + ")";
    }
    for (const PlateContact& c : group) {
      if (static_cast<size_t>(c.load) >= a.plates.size()) continue;  // a resolved force has no outline to leave
      const EdgeCheck edge = FootInsidePlate(trial, markers, a.sync, a.plates[static_cast<size_t>(c.load)],
                                             a.loads[static_cast<size_t>(c.load)], c.contact.first_sample, c.contact.last_sample,
                                             s.side, options);
      if (std::isnan(s.foot_inside_plate_m) || edge.inside_m < s.foot_inside_plate_m) s.foot_inside_plate_m = edge.inside_m;
      if (s.clean && edge.inside_m < 0) {
        s.clean = false;
        s.exclusion = "foot over the plate edge: " + edge.limiting;
      }
    }
    a.stances.push_back(std::move(s));
  }
  DecideGait(markers, groups, &a);
  if (std::isnan(a.body_mass_kg)) {
    std::string source;
    const double mass = BodyMassFromSteps(a, &source);
    if (mass >= 20 && mass <= 250) a.body_mass_kg = mass, a.body_mass_source = source;
  }
  AddKinematicStances(trial, markers, groups, pelvis, &a);
  // A stance cut by the start of the capture has no strike: it sorts by its toe-off.
  const auto order = [](const Stance& s) {
    return std::isfinite(s.events.strike_s) ? s.events.strike_s : std::isfinite(s.events.toe_off_s) ? s.events.toe_off_s - 1.0 : -INFINITY;
  };
  std::stable_sort(a.stances.begin(), a.stances.end(), [&](const Stance& x, const Stance& y) { return order(x) < order(y); });
  CheckPlausibility(&a);
  return a;
}

}  // namespace midstance
