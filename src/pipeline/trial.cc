// A C3D trial's plates -> contacts -> stances with events on one clock (see trial.h).
#include "midstance/trial.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include "midstance/error.h"
#include "midstance/filter.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZeniStrikeUncertainty_s = 0.040;

// ----- markers --------------------------------------------------------------------------------

// A label without the subject prefix Vicon writes ("A22:LHEE"), separators or case.
std::string NormalisedLabel(const std::string& label) {
  std::string out;
  for (char c : label.substr(label.find(':') == std::string::npos ? 0 : label.find(':') + 1)) {
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

// Foot markers of the marker sets in use: Plug-in Gait (LHEE LTOE LANK), OpenSim's walking set
// (LCAL LMT1 LMT2 LLMAL LMMAL), cluster sets (L_HEEL L_MT_1 L_ANKLE_LAT), Codamotion (L.Heel
// L.Toe), Motion Analysis (LHEE L.TO), IST (LCAL LPM1 LLMA) and foot clusters (LFT1-3).
Side FootMarkerSide(const std::string& label) {
  const std::string n = NormalisedLabel(label);
  if (n.size() < 3) return Side::kUnknown;
  std::string rest = n.substr(1);
  Side side = n[0] == 'L' ? Side::kLeft : n[0] == 'R' ? Side::kRight : Side::kUnknown;
  if (n.rfind("LEFT", 0) == 0) side = Side::kLeft, rest = n.substr(4);
  if (n.rfind("RIGHT", 0) == 0) side = Side::kRight, rest = n.substr(5);
  if (side == Side::kUnknown) return side;
  static const char* const kFoot[] = {"HEE", "TOE", "CAL", "MT", "PM", "FT", "FOOT", "ANK", "MAL", "LMA", "MMA", "MAK"};
  for (const char* token : kFoot) {
    if (rest.rfind(token, 0) == 0) return side;
  }
  return rest == "TO" ? side : Side::kUnknown;
}

struct Markers {
  int64_t frames = 0;
  int count = 0;
  std::vector<double> position_m;  // [frame][marker][xyz]
  std::vector<Side> foot_side;     // per marker: the foot it is on, or unknown (classified once, not per sample)
  Eigen::Vector3d At(int64_t frame, int marker) const {
    const size_t i = 3 * (static_cast<size_t>(frame) * static_cast<size_t>(count) + static_cast<size_t>(marker));
    return {position_m[i], position_m[i + 1], position_m[i + 2]};
  }
};

Markers MarkersOf(const C3dFile& c3d) {
  Markers m;
  m.frames = c3d.frame_count;
  m.count = c3d.point_count;
  const double unit = c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres();
  m.position_m.resize(c3d.points.size());
  for (size_t i = 0; i < c3d.points.size(); ++i) m.position_m[i] = c3d.points[i] * unit;
  for (const std::string& label : c3d.point_labels) m.foot_side.push_back(FootMarkerSide(label));
  m.foot_side.resize(static_cast<size_t>(m.count), Side::kUnknown);
  return m;
}

int FindMarker(const C3dFile& c3d, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    for (size_t i = 0; i < c3d.point_labels.size(); ++i) {
      if (NormalisedLabel(c3d.point_labels[i]) == name) return static_cast<int>(i);
    }
  }
  return -1;
}

// A pelvis point per frame: the sacrum marker, else the PSIS midpoint, else the ASIS midpoint.
std::vector<double> PelvisTrack(const C3dFile& c3d, const Markers& m) {
  std::vector<int> use;
  if (int s = FindMarker(c3d, {"SACR", "SACRUM", "VSAC", "SAC"}); s >= 0) use = {s};
  else if (int l = FindMarker(c3d, {"LPSI", "LPSIS"}), r = FindMarker(c3d, {"RPSI", "RPSIS"}); l >= 0 && r >= 0) use = {l, r};
  else if (int la = FindMarker(c3d, {"LASI", "LASIS"}), ra = FindMarker(c3d, {"RASI", "RASIS"}); la >= 0 && ra >= 0) use = {la, ra};
  if (use.empty()) return {};
  std::vector<double> track(static_cast<size_t>(m.frames) * 3, kNaN);
  for (int64_t f = 0; f < m.frames; ++f) {
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    for (int i : use) sum += m.At(f, i);
    sum /= static_cast<double>(use.size());
    for (int k = 0; k < 3; ++k) track[static_cast<size_t>(3 * f + k)] = sum(k);
  }
  return track;
}

// ----- heading --------------------------------------------------------------------------------

// The direction of progression: the pelvis's horizontal travel over the trial, else the COP's
// travel during the longest contact (heel to toe), else the lab's +X (DESIGN.md convention).
std::array<double, 3> Heading(const std::vector<double>& pelvis, const std::vector<PlateLoads>& loads, std::string* source) {
  auto first_last = [](const std::vector<double>& track, Eigen::Vector3d* a, Eigen::Vector3d* b) {
    bool found = false;
    for (size_t i = 0; i + 2 < track.size(); i += 3) {
      if (std::isnan(track[i])) continue;
      const Eigen::Vector3d p(track[i], track[i + 1], track[i + 2]);
      if (!found) *a = p;
      *b = p;
      found = true;
    }
    return found;
  };
  Eigen::Vector3d a, b;
  if (first_last(pelvis, &a, &b) && std::hypot(b.x() - a.x(), b.y() - a.y()) > 0.3) {
    *source = "pelvis travel";
    const Eigen::Vector2d d = Eigen::Vector2d(b.x() - a.x(), b.y() - a.y()).normalized();
    return {d.x(), d.y(), 0};
  }
  double best = 0;
  std::array<double, 3> heading{1, 0, 0};
  *source = "lab +X (no pelvis markers, no COP travel)";
  for (const PlateLoads& l : loads) {
    if (first_last(l.cop_m, &a, &b) && std::hypot(b.x() - a.x(), b.y() - a.y()) > std::max(best, 0.05)) {
      best = std::hypot(b.x() - a.x(), b.y() - a.y());
      const Eigen::Vector2d d = Eigen::Vector2d(b.x() - a.x(), b.y() - a.y()).normalized();
      heading = {d.x(), d.y(), 0};
      *source = "centre-of-pressure travel (heel to toe)";
    }
  }
  return heading;
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

// Median over the contact's middle half of the horizontal distance from the COP to the nearest
// foot marker of each side; the foot on the plate is the one whose markers are over the COP.
struct SideDecision {
  Side side = Side::kUnknown;
  std::string evidence;
};

SideDecision SideFromMarkers(const Markers& m, const AnalogSync& sync, const PlateLoads& loads,
                             int64_t first, int64_t last) {
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

// A contact is cut by the plate edge when a marker of that foot is outside the plate outline
// (25 mm margin: heel markers stand off the heel by a marker radius) while the foot is loaded; without foot markers,
// when the COP comes within 15 mm of the edge.
std::string PlateEdgeReason(const C3dFile& c3d, const Markers& m, const AnalogSync& sync, const ForcePlate& plate,
                            const PlateLoads& loads, int64_t first, int64_t last, Side side) {
  const PlateGeometry g = PlateGeometryOf(plate);
  const double hx = (plate.corners_m[0] - plate.corners_m[1]).norm() / 2, hy = (plate.corners_m[0] - plate.corners_m[3]).norm() / 2;
  auto outside_mm = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector3d local = g.lab_from_plate.transpose() * (p - g.centre_m);
    return 1e3 * std::max(std::abs(local.x()) - hx, std::abs(local.y()) - hy);
  };
  char text[160];
  if (side != Side::kUnknown) {
    const int64_t f0 = static_cast<int64_t>(std::ceil(sync.FrameAt(sync.AnalogTime(static_cast<double>(first)))));
    const int64_t f1 = static_cast<int64_t>(std::floor(sync.FrameAt(sync.AnalogTime(static_cast<double>(last)))));
    for (int k = 0; k < m.count; ++k) {
      if (m.foot_side[static_cast<size_t>(k)] != side) continue;
      for (int64_t f = std::max<int64_t>(f0, 0); f <= std::min(f1, m.frames - 1); ++f) {
        const Eigen::Vector3d p = m.At(f, k);
        if (std::isnan(p.x())) continue;
        const double out = outside_mm(p);
        if (out > 25) {
          std::snprintf(text, sizeof(text), "foot over the plate edge: %s %.0f mm outside %s",
                        c3d.point_labels[static_cast<size_t>(k)].c_str(), out, plate.name.c_str());
          return text;
        }
      }
    }
    return "";
  }
  for (int64_t s = first; s <= last; ++s) {
    const size_t i = static_cast<size_t>(3 * s);
    if (std::isnan(loads.cop_m[i])) continue;
    const double out = outside_mm({loads.cop_m[i], loads.cop_m[i + 1], loads.cop_m[i + 2]});
    if (out > -15) {
      std::snprintf(text, sizeof(text), "centre of pressure within 15 mm of the edge of %s (no foot markers)", plate.name.c_str());
      return text;
    }
  }
  return "";
}

struct PlateContact {
  int plate;
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
  for (const PlateContact& c : group) s.plates.push_back(c.plate);
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

// ----- kinematic fallback and the synchronisation check ---------------------------------------

std::vector<double> MarkerTrack(const Markers& m, int marker) {
  std::vector<double> track(static_cast<size_t>(m.frames) * 3, kNaN);
  if (marker < 0) return track;
  for (int64_t f = 0; f < m.frames; ++f) {
    const Eigen::Vector3d p = m.At(f, marker);
    for (int k = 0; k < 3; ++k) track[static_cast<size_t>(3 * f + k)] = p(k);
  }
  return track;
}

int SideMarker(const C3dFile& c3d, Side side, std::initializer_list<const char*> suffixes) {
  const char letter = side == Side::kLeft ? 'L' : 'R';
  for (const char* suffix : suffixes) {
    const std::string name = std::string(1, letter) + suffix;
    if (int i = FindMarker(c3d, {name.c_str()}); i >= 0) return i;
  }
  return -1;
}

MidStanceTimes KinematicMidStance(const ContactEvents& events) {
  MidStanceTimes mid;
  for (int d = 0; d < kMidStanceDefinitionCount; ++d) mid.reason[static_cast<size_t>(d)] = "no force: the contact is off the plates";
  const int half = static_cast<int>(MidStanceDefinition::kHalfContact);
  mid.time_s[half] = 0.5 * (events.strike_s + events.toe_off_s);
  mid.reason[half] = "";
  for (MidStanceDefinition d : {MidStanceDefinition::kPeakKneeFlexion, MidStanceDefinition::kSwingLegPassing}) {
    mid.reason[static_cast<size_t>(d)] = "needs joint kinematics (skeleton stage)";
  }
  return mid;
}

// Zeni et al. 2008 events of each foot: stances off the plates become kinematic stances (flagged,
// never clean), and strikes near a force contact of the same foot measure the analog/camera lag.
void AddKinematicStances(const C3dFile& c3d, const Markers& m, const std::vector<double>& pelvis, TrialAnalysis* a) {
  if (pelvis.empty() || m.frames < 3) return;
  std::vector<double> lags;
  std::vector<Stance> added;
  for (Side side : {Side::kLeft, Side::kRight}) {
    const int heel = SideMarker(c3d, side, {"HEE", "HEEL", "CAL"});
    const int toe = SideMarker(c3d, side, {"TOE", "TO", "MT2", "MT1", "PM1", "MT5"});
    if (heel < 0 || toe < 0) continue;
    const std::vector<KinematicEvent> events =
        ZeniEvents(MarkerTrack(m, heel), MarkerTrack(m, toe), pelvis, a->heading, c3d.point_rate_hz, 0.0);
    for (size_t e = 0; e < events.size(); ++e) {
      if (!events[e].is_strike) continue;
      double toe_off = kNaN;
      for (size_t k = e + 1; k < events.size() && !events[k].is_strike; ++k) toe_off = events[k].time_s;
      const Stance* force = nullptr;
      for (const Stance& s : a->stances) {
        if (s.side == side && std::abs(s.events.strike_s - events[e].time_s) < 0.15) force = &s;
      }
      if (force) {
        if (force->exclusion.rfind("cut by", 0) != 0) lags.push_back(events[e].time_s - force->events.strike_s);
        continue;
      }
      if (std::isnan(toe_off)) continue;
      bool overlaps = false;
      for (const Stance& s : a->stances) {
        overlaps |= s.side == side && s.events.strike_s < toe_off && events[e].time_s < s.events.toe_off_s;
      }
      if (overlaps) continue;
      Stance s;
      s.side = side;
      s.side_evidence = "markers " + c3d.point_labels[static_cast<size_t>(heel)] + ", " + c3d.point_labels[static_cast<size_t>(toe)];
      s.from_force = false;
      s.events.strike_s = s.events.strike_threshold_s = events[e].time_s;
      s.events.toe_off_s = s.events.toe_off_threshold_s = toe_off;
      s.events.method = events[e].method;
      s.mid_stance = KinematicMidStance(s.events);
      s.clean = false;
      s.exclusion = "no plate contact: kinematic events only";
      added.push_back(std::move(s));
    }
  }
  a->stances.insert(a->stances.end(), added.begin(), added.end());
  SyncCheck& check = a->sync_check;
  check.pairs = static_cast<int>(lags.size());
  if (lags.empty()) {
    check.message = "no force contact with a kinematic foot strike nearby: lag not estimated";
    return;
  }
  std::nth_element(lags.begin(), lags.begin() + static_cast<ptrdiff_t>(lags.size() / 2), lags.end());
  check.median_lag_s = lags[lags.size() / 2];
  const double frame_s = 1.0 / c3d.point_rate_hz;
  char text[256];
  std::snprintf(text, sizeof(text), "kinematic foot strikes (Zeni 2008) %+.1f ms from force contacts (median of %d), one frame is %.1f ms",
                check.median_lag_s * 1e3, check.pairs, frame_s * 1e3);
  check.message = text;
  // Zeni's strikes themselves scatter by 1-2 frames at 60-120 Hz (Zeni et al. 2008 report mean
  // errors of 10-20 ms against force), so a sync error shows above one frame beyond that band.
  check.warned = std::abs(check.median_lag_s) > frame_s + kZeniStrikeUncertainty_s;
  if (check.warned) {
    a->warnings.push_back(check.message + ": check the analog synchronisation (or the marker set's heel marker)");
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
}

const char* SideName(Side side) { return side == Side::kLeft ? "left" : side == Side::kRight ? "right" : "unknown"; }

TrialAnalysis AnalyseTrial(const C3dFile& c3d, const TrialOptions& options, Backend backend) {
  options.Validate();
  TrialAnalysis a;
  a.plates = ForcePlatesFromC3d(c3d, &a.warnings);
  if (a.plates.empty()) {
    a.warnings.push_back(c3d.path + (c3d.analog_channel_count > 0 ? ": no force plates (FORCE_PLATFORM:USED = 0)" : ": no force plates (no analog channels)") +
                         ": kinematic events only");
  }
  if (!a.plates.empty() || c3d.analog_channel_count > 0) {
    a.sync = ResolveSync(c3d.path, "ANALOG:RATE", c3d.point_rate_hz, c3d.analog_rate_hz, 0, 0);
  } else {
    a.sync = {c3d.point_rate_hz, c3d.point_rate_hz, 1, 0};
  }
  PlateOptions plate_options;
  plate_options.threshold_n = options.contact.threshold_n;
  plate_options.remove_baseline = options.remove_baseline;
  plate_options.sign = options.plate_sign;
  for (const ForcePlate& plate : a.plates) {
    PlateLoads loads = ComputePlateLoads(plate, c3d.analog, c3d.analog_channel_count, static_cast<int>(a.sync.samples_per_frame), plate_options);
    if (options.force_filter_hz > 0) {
      loads.force_n = Filtered(backend, loads.force_n, 3, a.sync.analog_rate_hz, options.force_filter_hz, options.filter_order);
    }
    if (loads.sign < 0) spdlog::info("{}: {}: channels report the action on the plate; sign flipped", plate.file, plate.name);
    a.loads.push_back(std::move(loads));
  }
  const Markers markers = MarkersOf(c3d);
  const std::vector<double> pelvis = PelvisTrack(c3d, markers);
  a.pelvis_track_m = pelvis;
  a.heading = Heading(pelvis, a.loads, &a.heading_source);
  a.body_mass_kg = options.body_mass_kg;
  a.body_mass_source = "command line";
  if (std::isnan(a.body_mass_kg)) {
    const std::optional<double> mass = c3d.SubjectValue("Bodymass");
    // SUBJECT:WEIGHT (c3d.org's sample files) carries no unit; it is read as kg only inside the
    // range of a human mass in kg.
    const std::optional<double> weight = c3d.SubjectValue("Weight");
    if (mass && *mass >= 20 && *mass <= 250) {
      a.body_mass_kg = *mass, a.body_mass_source = "PROCESSING:Bodymass";
    } else if (weight && *weight >= 20 && *weight <= 250) {
      a.body_mass_kg = *weight, a.body_mass_source = "SUBJECT:WEIGHT (no unit in the file; read as kg)";
    } else {
      a.body_mass_source = "unknown (give --body-mass)";
    }
  }

  // Contacts per plate, each assigned a foot.
  std::vector<PlateContact> contacts;
  std::vector<std::vector<double>> contact_vertical(a.loads.size());
  for (size_t p = 0; p < a.loads.size(); ++p) {
    contact_vertical[p] = Filtered(backend, Vertical(a.loads[p].force_n), 1, a.sync.analog_rate_hz, options.contact_filter_hz,
                                   options.filter_order);
    for (const ForceContact& c : FindContacts(contact_vertical[p], a.sync.analog_rate_hz, options.contact)) {
      contacts.push_back({static_cast<int>(p), c, SideFromMarkers(markers, a.sync, a.loads[p], c.first_sample, c.last_sample)});
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
    std::vector<double> force(a.loads[static_cast<size_t>(group.front().plate)].force_n.size(), 0.0);
    std::vector<double> vertical(contact_vertical[static_cast<size_t>(group.front().plate)].size(), 0.0);
    for (const PlateContact& c : group) {
      const auto& f = a.loads[static_cast<size_t>(c.plate)].force_n;
      const auto& v = contact_vertical[static_cast<size_t>(c.plate)];
      for (size_t k = 0; k < force.size(); ++k) force[k] += f[k];
      for (size_t k = 0; k < vertical.size(); ++k) vertical[k] += v[k];
    }
    Stance s = ForceStance(group, force, vertical, a.sync, a, options);
    if (group.size() > 1) s.side_evidence += "; one contact across plates, forces summed";
    if (s.clean && s.side == Side::kUnknown) {
      s.clean = false;
      s.exclusion = "foot not identified (" + s.side_evidence + ")";
    }
    if (s.clean) {
      for (const PlateContact& c : group) {
        const std::string edge = PlateEdgeReason(c3d, markers, a.sync, a.plates[static_cast<size_t>(c.plate)],
                                                 a.loads[static_cast<size_t>(c.plate)], c.contact.first_sample,
                                                 c.contact.last_sample, s.side);
        if (!edge.empty()) {
          s.clean = false;
          s.exclusion = edge;
          break;
        }
      }
    }
    a.stances.push_back(std::move(s));
  }
  AddKinematicStances(c3d, markers, pelvis, &a);
  std::sort(a.stances.begin(), a.stances.end(), [](const Stance& x, const Stance& y) { return x.events.strike_s < y.events.strike_s; });
  return a;
}

}  // namespace midstance
