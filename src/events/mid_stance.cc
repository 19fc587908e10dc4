// The mid-stance instant under each definition in use; each function cites its source.
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
using events_detail::TimeToIndex;

const char* MidStanceName(MidStanceDefinition definition) {
  switch (definition) {
    case MidStanceDefinition::kPeakVerticalForce: return "peak_vertical_force";
    case MidStanceDefinition::kBrakingToPropulsion: return "braking_to_propulsion";
    case MidStanceDefinition::kHalfContact: return "half_contact";
    case MidStanceDefinition::kLowestCentreOfMass: return "lowest_centre_of_mass";
    case MidStanceDefinition::kPeakKneeFlexion: return "peak_knee_flexion";
    case MidStanceDefinition::kSwingLegPassing: return "swing_leg_passing";
  }
  MS_CHECK_MSG(false, "unknown MidStanceDefinition " << static_cast<int>(definition));
  return "";
}

double OffsetMs(double a_s, double b_s) { return 1000 * (a_s - b_s); }

double PercentOfStance(double time_s, const ContactEvents& events) {
  const double stance_s = events.toe_off_s - events.strike_s;
  if (!(stance_s > 0)) return NAN;
  return 100 * (time_s - events.strike_s) / stance_s;
}

namespace {

constexpr double kStandardGravity = 9.80665;  // m/s^2 (CGPM 1901)

// The force series seen as samples of [x y z].
struct ForceSeries {
  const std::vector<double>& xyz;
  double rate_hz;
  double t0_s;
  int64_t size() const { return static_cast<int64_t>(xyz.size() / 3); }
  double At(int64_t sample, int axis) const { return xyz[static_cast<size_t>(3 * sample + axis)]; }
  double Vertical(int64_t sample) const { return At(sample, 2); }
  double Time(double index) const { return IndexToTime(index, rate_hz, t0_s); }
  bool AllFinite(int64_t first, int64_t last) const {
    for (int64_t i = first; i <= last; ++i) {
      if (!(std::isfinite(At(i, 0)) && std::isfinite(At(i, 1)) && std::isfinite(At(i, 2)))) return false;
    }
    return true;
  }
};

void Define(MidStanceTimes* out, MidStanceDefinition d, double time_s) {
  out->time_s[static_cast<size_t>(d)] = time_s;
  out->reason[static_cast<size_t>(d)].clear();
}

void Undefine(MidStanceTimes* out, MidStanceDefinition d, const std::string& reason) {
  out->time_s[static_cast<size_t>(d)] = NAN;
  out->reason[static_cast<size_t>(d)] = reason;
}

// In the spring-mass model of running the leg spring is most compressed, and so the vertical force
// largest, at mid-stance (Blickhan 1989, J Biomech 22:1217; McMahon & Cheng 1990, J Biomech 23
// Suppl 1:65). Refined by a parabola through the maximum sample and its neighbours.
void PeakVerticalForce(const ForceSeries& f, const ForceContact& contact, MidStanceTimes* out) {
  const MidStanceDefinition d = MidStanceDefinition::kPeakVerticalForce;
  int64_t peak = contact.first_sample;
  for (int64_t i = contact.first_sample + 1; i <= contact.last_sample; ++i) {
    if (f.Vertical(i) > f.Vertical(peak)) peak = i;
  }
  if (peak == 0 || peak == f.size() - 1) {
    return Undefine(out, d, "the force maximum is at the edge of the capture");
  }
  // A missing neighbour outside the contact makes the offset 0: the maximum sample is kept.
  const double offset = ParabolaPeakOffset(f.Vertical(peak - 1), f.Vertical(peak), f.Vertical(peak + 1));
  Define(out, d, f.Time(static_cast<double>(peak) + offset));
}

// Braking (AP force against the heading) turns into propulsion (Munro, Miller & Fuglevand 1987,
// J Biomech 20:147; Cavanagh & Lafortune 1980, J Biomech 13:397). Sign flips of a noisy AP force
// near zero would give several crossings, so take the sample where the running AP impulse from the
// first contact sample is lowest (braking impulse complete) and interpolate the zero crossing
// between it and the neighbour on the other side of zero.
void BrakingToPropulsion(const ForceSeries& f, const ForceContact& contact, const std::array<double, 3>& heading,
                         MidStanceTimes* out) {
  const MidStanceDefinition d = MidStanceDefinition::kBrakingToPropulsion;
  auto ap = [&](int64_t i) { return f.At(i, 0) * heading[0] + f.At(i, 1) * heading[1]; };
  double impulse = 0, lowest = 0;
  int64_t lowest_sample = contact.first_sample;
  for (int64_t i = contact.first_sample + 1; i <= contact.last_sample; ++i) {
    impulse += 0.5 * (ap(i - 1) + ap(i)) / f.rate_hz;
    if (impulse < lowest) {
      lowest = impulse;
      lowest_sample = i;
    }
  }
  if (!(lowest < 0)) return Undefine(out, d, "the anterior-posterior force never brakes (never negative)");
  if (lowest_sample == contact.last_sample) {
    return Undefine(out, d, "the anterior-posterior force never turns propulsive after braking");
  }
  // Lowest impulse: ap(i-1) + ap(i) < 0 <= ap(i) + ap(i+1), so the neighbour on the other side of
  // zero from ap(i) exists and has the opposite sign.
  const int64_t i = lowest_sample;
  const int64_t j = ap(i) < 0 ? i + 1 : i - 1;
  const double index = ap(i) == 0 ? static_cast<double>(i)
                                  : static_cast<double>(i) + static_cast<double>(j - i) * ap(i) / (ap(i) - ap(j));
  Define(out, d, f.Time(index));
}

// 50 % of stance: the time-normalisation convention (no single source; every stance-normalised
// curve puts mid-stance there).
void HalfContact(const ContactEvents& events, MidStanceTimes* out) {
  const MidStanceDefinition d = MidStanceDefinition::kHalfContact;
  if (std::isnan(events.strike_s) || std::isnan(events.toe_off_s)) {
    return Undefine(out, d, "needs both foot strike and toe-off");
  }
  Define(out, d, 0.5 * (events.strike_s + events.toe_off_s));
}

// Vertical velocity of the centre of mass at the nodes x (fractional sample indices), from
// a = Fz / m - g integrated from x[0] by the trapezoid rule, which is exact for the
// piecewise-linear force between samples because every sample lies on a node.
std::vector<double> VerticalVelocityFromRest(const ForceSeries& f, const std::vector<double>& x, double mass_kg) {
  auto acceleration = [&](double index) {
    const int64_t i = std::min(static_cast<int64_t>(std::floor(index)), f.size() - 2);
    const double w = index - static_cast<double>(i);
    return ((1 - w) * f.Vertical(i) + w * f.Vertical(i + 1)) / mass_kg - kStandardGravity;
  };
  std::vector<double> v(x.size(), 0.0);
  for (size_t k = 1; k < x.size(); ++k) {
    v[k] = v[k - 1] + 0.5 * (acceleration(x[k - 1]) + acceleration(x[k])) * (x[k] - x[k - 1]) / f.rate_hz;
  }
  return v;
}

// The lowest point of the centre of mass: vertical COM velocity from the force (Cavagna 1975,
// J Appl Physiol 39:174), crossing zero from downward to upward. The integration constant makes
// the touchdown and toe-off velocities equal and opposite: over a steady stride the COM leaves the
// ground at the height it landed (the symmetric bounce of Blickhan 1989). Running only: in walking
// the other foot carries part of the weight during this foot's contact.
void LowestCentreOfMass(const ForceSeries& f, const ContactEvents& events, double mass_kg, MidStanceTimes* out) {
  const MidStanceDefinition d = MidStanceDefinition::kLowestCentreOfMass;
  if (std::isnan(mass_kg)) return Undefine(out, d, "needs the body mass");
  if (std::isnan(events.strike_s) || std::isnan(events.toe_off_s)) {
    return Undefine(out, d, "needs both foot strike and toe-off (they set the integration constant)");
  }
  const double start = TimeToIndex(events.strike_s, f.rate_hz, f.t0_s);
  const double end = TimeToIndex(events.toe_off_s, f.rate_hz, f.t0_s);
  if (!(0 <= start && start < end && end <= static_cast<double>(f.size() - 1))) {
    return Undefine(out, d, "foot strike and toe-off are not in order within the force series");
  }
  if (!f.AllFinite(static_cast<int64_t>(std::floor(start)), static_cast<int64_t>(std::ceil(end)))) {
    return Undefine(out, d, "missing force samples between foot strike and toe-off");
  }
  std::vector<double> x = {start};
  for (double i = std::floor(start) + 1; i < end; ++i) x.push_back(i);
  x.push_back(end);
  std::vector<double> v = VerticalVelocityFromRest(f, x, mass_kg);
  const double touchdown_velocity = -0.5 * v.back();
  for (double& value : v) value += touchdown_velocity;
  // Linear interpolation of v between samples: v is quadratic there, but its curvature (the force
  // slope / m) shifts the crossing by ~1e-3 sample at the steep acceleration of mid-stance.
  for (size_t k = 0; k + 1 < v.size(); ++k) {
    if (v[k] < 0 && v[k + 1] >= 0) {
      return Define(out, d, f.Time(x[k] + (x[k + 1] - x[k]) * v[k] / (v[k] - v[k + 1])));
    }
  }
  Undefine(out, d, "the vertical centre-of-mass velocity never turns from downward to upward");
}

void CheckMidStanceInputs(const std::vector<double>& force_n, double rate_hz, const ForceContact& contact,
                          const std::array<double, 3>& heading, double body_mass_kg) {
  if (force_n.size() % 3 != 0) {
    throw InvalidInput("MidStance: force_n: expected 3 values (x y z) per sample, got " +
                       std::to_string(force_n.size()) + " values");
  }
  CheckPositive("MidStance: rate_hz", rate_hz);
  CheckHeading("MidStance: heading", heading);
  if (!std::isnan(body_mass_kg)) CheckPositive("MidStance: body_mass_kg (NaN when unknown)", body_mass_kg);
  const int64_t n = static_cast<int64_t>(force_n.size() / 3);
  if (!(0 <= contact.first_sample && contact.first_sample <= contact.last_sample && contact.last_sample < n)) {
    throw InvalidInput("MidStance: contact: samples [" + std::to_string(contact.first_sample) + ", " +
                       std::to_string(contact.last_sample) + "] outside the series of " + std::to_string(n) +
                       " samples");
  }
}

}  // namespace

MidStanceTimes MidStance(const std::vector<double>& force_n, double rate_hz, double t0_s, const ForceContact& contact,
                         const ContactEvents& events, const std::array<double, 3>& heading, double body_mass_kg) {
  CheckMidStanceInputs(force_n, rate_hz, contact, heading, body_mass_kg);
  const ForceSeries f{force_n, rate_hz, t0_s};
  MidStanceTimes out;
  if (f.AllFinite(contact.first_sample, contact.last_sample)) {
    PeakVerticalForce(f, contact, &out);
    BrakingToPropulsion(f, contact, heading, &out);
  } else {
    const std::string reason = "missing force samples within the contact";
    Undefine(&out, MidStanceDefinition::kPeakVerticalForce, reason);
    Undefine(&out, MidStanceDefinition::kBrakingToPropulsion, reason);
  }
  HalfContact(events, &out);
  LowestCentreOfMass(f, events, body_mass_kg, &out);
  // Peak stance knee flexion (Novacheck 1998, Gait Posture 7:77) and the swing foot passing the
  // stance foot (Perry's "feet adjacent") need joint centres and angles from the skeleton stage.
  const std::string kinematic = "needs joint kinematics (skeleton stage)";
  Undefine(&out, MidStanceDefinition::kPeakKneeFlexion, kinematic);
  Undefine(&out, MidStanceDefinition::kSwingLegPassing, kinematic);
  return out;
}

}  // namespace midstance
