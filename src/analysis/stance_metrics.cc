// Per-stance metrics and curves (stance_metrics.h). Every quantity is read off linear
// interpolants of the sampled signals (force at the analog rate, kinematics at the camera rate),
// so a synthetic stance built from those interpolants gives its metrics to rounding.
#include "midstance/stance_metrics.h"

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <algorithm>
#include <limits>

#include "midstance/error.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDegPerRad = 180.0 / 3.14159265358979323846;
constexpr double kPeakKneeSearchFraction = 0.6;
using Vec3 = Eigen::Vector3d;

Vec3 NanVec() { return Vec3(kNaN, kNaN, kNaN); }
bool Finite(const Vec3& v) { return std::isfinite(v[0]) && std::isfinite(v[1]) && std::isfinite(v[2]); }

// The progression frame: x = heading, y = up x heading (left), z = up.
struct Progression {
  Vec3 forward, left, up;
};

Progression ProgressionFrame(const std::array<double, 3>& heading) {
  const Vec3 h(heading[0], heading[1], heading[2]);
  if (!Finite(h) || std::abs(h.norm() - 1) > 1e-6 || std::abs(h[2]) > 1e-6) {
    throw InvalidInput("stance metrics: heading: expected a unit horizontal vector");
  }
  const Vec3 up(0, 0, 1);
  return {h, up.cross(h), up};
}

// Row k of a [n][3] series, NaN when out of range.
Vec3 Row(const std::vector<double>& series, int64_t k) {
  if (k < 0 || 3 * (k + 1) > static_cast<int64_t>(series.size())) return NanVec();
  const size_t i = static_cast<size_t>(3 * k);
  return Vec3(series[i], series[i + 1], series[i + 2]);
}

// A [n][3] series at a fractional index (linear interpolation), NaN outside [0, n-1].
Vec3 RowAt(const std::vector<double>& series, double index) {
  const int64_t n = static_cast<int64_t>(series.size() / 3);
  // A sample's own time converted back gives its index only to rounding (828.9999999999999):
  // snap, so a value next to a NaN neighbour is still read exactly.
  if (std::abs(index - std::round(index)) < 1e-9) index = std::round(index);
  if (!(index >= 0) || index > static_cast<double>(n - 1)) return NanVec();
  const int64_t k = std::min<int64_t>(static_cast<int64_t>(std::floor(index)), n - 1);
  const double w = index - static_cast<double>(k);
  if (w == 0) return Row(series, k);
  return (1 - w) * Row(series, k) + w * Row(series, k + 1);
}

// ----- force ---------------------------------------------------------------------------------

Vec3 ForceAt(const ForceSignal& f, double t_s) { return RowAt(f.force_n, (t_s - f.t0_s) * f.rate_hz); }
Vec3 CopAt(const ForceSignal& f, double t_s) { return RowAt(f.cop_m, (t_s - f.t0_s) * f.rate_hz); }

// Nodes of the force interpolant over [strike, toe-off]: the two event instants and every sample
// between them.
struct ForceNodes {
  std::vector<double> t_s;
  std::vector<Vec3> force_n;
};

ForceNodes StanceNodes(const ForceSignal& f, double strike_s, double toe_off_s) {
  ForceNodes nodes;
  if (!(toe_off_s > strike_s)) return nodes;
  auto add = [&](double t) {
    const Vec3 v = ForceAt(f, t);
    nodes.t_s.push_back(t);
    nodes.force_n.push_back(v);
  };
  add(strike_s);
  const int64_t first = static_cast<int64_t>(std::floor((strike_s - f.t0_s) * f.rate_hz)) + 1;
  for (int64_t k = std::max<int64_t>(first, 0); k < f.Samples(); ++k) {
    const double t = f.t0_s + static_cast<double>(k) / f.rate_hz;
    if (t >= toe_off_s) break;
    if (t > strike_s) add(t);
  }
  add(toe_off_s);
  return nodes;
}

bool AllFinite(const ForceNodes& nodes) {
  for (const Vec3& v : nodes.force_n) {
    if (!Finite(v)) return false;
  }
  return nodes.t_s.size() >= 2;
}

// Integral of max(0, s * g(t)) over the nodes for the piecewise-linear g: each segment is split at
// its zero crossing, so braking and propulsive impulses are exact for the interpolant.
double SignedPartIntegral(const std::vector<double>& t, const std::vector<double>& g, double s) {
  double sum = 0;
  for (size_t i = 1; i < t.size(); ++i) {
    const double a = s * g[i - 1], b = s * g[i], dt = t[i] - t[i - 1];
    if (a >= 0 && b >= 0) {
      sum += 0.5 * (a + b) * dt;
    } else if (a > 0 || b > 0) {
      const double positive = a > 0 ? a : b;
      sum += 0.5 * positive * dt * positive / (std::abs(a) + std::abs(b));
    }
  }
  return sum;
}

double Trapezoid(const std::vector<double>& t, const std::vector<double>& g) {
  double sum = 0;
  for (size_t i = 1; i < t.size(); ++i) sum += 0.5 * (g[i] + g[i - 1]) * (t[i] - t[i - 1]);
  return sum;
}

// Time at which g first reaches `level` going up between nodes [begin, end), interpolated.
double RisingCrossing(const std::vector<double>& t, const std::vector<double>& g, size_t end, double level) {
  for (size_t i = 1; i <= end && i < t.size(); ++i) {
    if (g[i - 1] < level && g[i] >= level) return t[i - 1] + (level - g[i - 1]) / (g[i] - g[i - 1]) * (t[i] - t[i - 1]);
  }
  return kNaN;
}

// The first force peak: the impact peak of a heel strike or walking's loading-response peak, else
// the only (active) peak. The first node at or above half the stance's peak that is the largest
// within +-10 % of the contact time: a running impact peak (about 10-15 % into the stance, a dip
// after it) qualifies, a noise ripple or walking's heel transient on the loading edge does not.
size_t FirstPeak(const std::vector<double>& t, const std::vector<double>& fz, double peak) {
  const double window = 0.10 * (t.back() - t.front());
  for (size_t i = 0; i < fz.size(); ++i) {
    if (fz[i] < 0.5 * peak) continue;
    bool largest = true;
    for (size_t j = 0; j < fz.size() && largest; ++j) largest = std::abs(t[j] - t[i]) > window || fz[j] <= fz[i];
    if (largest) return i;
  }
  return static_cast<size_t>(std::max_element(fz.begin(), fz.end()) - fz.begin());
}

// Vertical displacement of the centre of mass over the stance from the force (Cavagna 1975,
// J Appl Physiol 39:174): a = Fz/m - g integrated twice by the trapezoid rule; the velocity's
// constant makes the touchdown velocity the opposite of the take-off one (a steady step, as in
// mid_stance.cc's lowest centre of mass). Returns the drop from touchdown to the lowest point.
double ComDrop(const std::vector<double>& t, const std::vector<double>& fz, double mass_kg) {
  std::vector<double> v(t.size(), 0.0);
  for (size_t i = 1; i < t.size(); ++i) {
    const double a0 = fz[i - 1] / mass_kg - kStandardGravity, a1 = fz[i] / mass_kg - kStandardGravity;
    v[i] = v[i - 1] + 0.5 * (a0 + a1) * (t[i] - t[i - 1]);
  }
  const double v0 = -0.5 * v.back();
  double y = 0, lowest = 0;
  for (size_t i = 1; i < t.size(); ++i) {
    y += 0.5 * (v[i - 1] + v[i] + 2 * v0) * (t[i] - t[i - 1]);
    lowest = std::min(lowest, y);
  }
  return lowest < 0 ? -lowest : 0.0;
}

void ForceMetrics(const ForceSignal& f, const StanceEvents& s, const Progression& frame, double body_weight_n,
                  StanceMetrics* m) {
  const ForceNodes nodes = StanceNodes(f, s.strike_s, s.toe_off_s);
  if (!AllFinite(nodes)) return;
  std::vector<double> fz, ap;
  for (const Vec3& v : nodes.force_n) {
    fz.push_back(v.dot(frame.up));
    ap.push_back(v.dot(frame.forward));
  }
  const size_t peak = static_cast<size_t>(std::max_element(fz.begin(), fz.end()) - fz.begin());
  m->peak_vertical_force_n = fz[peak];
  m->time_to_peak_s = nodes.t_s[peak] - s.strike_s;
  // Average loading rate from 20 % to 80 % of the first peak (Milner et al. 2006, Med Sci Sports
  // Exerc 38:323), which also exists without an impact peak.
  const size_t first = FirstPeak(nodes.t_s, fz, fz[peak]);
  const double t20 = RisingCrossing(nodes.t_s, fz, first, 0.2 * fz[first]);
  const double t80 = RisingCrossing(nodes.t_s, fz, first, 0.8 * fz[first]);
  if (t80 > t20) m->loading_rate_n_s = 0.6 * fz[first] / (t80 - t20);
  m->braking_impulse_ns = -SignedPartIntegral(nodes.t_s, ap, -1);
  m->propulsive_impulse_ns = SignedPartIntegral(nodes.t_s, ap, 1);
  m->vertical_impulse_ns = Trapezoid(nodes.t_s, fz);
  m->peak_braking_force_n = std::min(0.0, *std::min_element(ap.begin(), ap.end()));
  m->peak_propulsive_force_n = std::max(0.0, *std::max_element(ap.begin(), ap.end()));
  const Vec3 mid = ForceAt(f, m->mid_stance_s);
  m->vertical_force_mid_n = mid.dot(frame.up);
  m->ap_force_mid_n = mid.dot(frame.forward);
  m->peak_vertical_force_bw = m->peak_vertical_force_n / body_weight_n;
  m->loading_rate_bw_s = m->loading_rate_n_s / body_weight_n;
  m->vertical_impulse_bw_s = m->vertical_impulse_ns / body_weight_n;
  m->braking_impulse_bw_s = m->braking_impulse_ns / body_weight_n;
  m->propulsive_impulse_bw_s = m->propulsive_impulse_ns / body_weight_n;
  m->vertical_force_mid_bw = m->vertical_force_mid_n / body_weight_n;
  m->ap_force_mid_bw = m->ap_force_mid_n / body_weight_n;
  if (std::isfinite(body_weight_n)) m->com_vertical_displacement_m = ComDrop(nodes.t_s, fz, body_weight_n / kStandardGravity);
}

// ----- kinematics ----------------------------------------------------------------------------

// Fractional frame index of time t (frames need not be uniform), NaN outside the frames.
double FrameIndex(const std::vector<double>& time_s, double t) {
  if (time_s.empty() || !(t >= time_s.front()) || t > time_s.back()) return kNaN;
  const auto upper = std::upper_bound(time_s.begin(), time_s.end(), t);
  if (upper == time_s.end()) return static_cast<double>(time_s.size() - 1);
  const size_t k = static_cast<size_t>(upper - time_s.begin()) - 1;
  return static_cast<double>(k) + (t - time_s[k]) / (time_s[k + 1] - time_s[k]);
}

Vec3 KinematicAt(const KinematicSignals& k, const std::vector<double>& series, double t) {
  if (series.empty()) return NanVec();
  return RowAt(series, FrameIndex(k.time_s, t));
}

// The pelvis point: the hip-centre midpoint (rigid in the pelvis), else the pelvis marker track.
Vec3 PelvisAt(const KinematicSignals& k, double t) {
  const Vec3 left = KinematicAt(k, k.hip_centre_m[0], t), right = KinematicAt(k, k.hip_centre_m[1], t);
  if (Finite(left) && Finite(right)) return 0.5 * (left + right);
  return KinematicAt(k, k.pelvis_marker_m, t);
}

Vec3 PelvisVelocityAt(const KinematicSignals& k, double t) {
  return 0.5 * (KinematicAt(k, k.hip_centre_velocity_m_s[0], t) + KinematicAt(k, k.hip_centre_velocity_m_s[1], t));
}

// The thigh's long axis (hip centre to knee centre) to the vertical in the sagittal plane of
// progression, positive when the knee is ahead of the hip.
double ThighAngleDeg(const KinematicSignals& k, int side, double t, const Progression& frame) {
  const Vec3 axis = KinematicAt(k, k.knee_centre_m[side], t) - KinematicAt(k, k.hip_centre_m[side], t);
  return std::atan2(axis.dot(frame.forward), -axis.dot(frame.up)) * kDegPerRad;
}

// Sagittal angular velocity of the thigh, positive when the knee swings forwards: the component
// about the subject's right axis (heading x up).
double ThighAngularVelocityDegS(const KinematicSignals& k, int side, double t, const Progression& frame) {
  return KinematicAt(k, k.thigh_angular_velocity_rad_s[side], t).dot(-frame.left) * kDegPerRad;
}

// First time at or after `from` with a finite COP (the COP is NaN below the contact threshold).
double FirstCopTime(const ForceSignal& f, double from, double to) {
  const int64_t first = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((from - f.t0_s) * f.rate_hz)));
  for (int64_t k = first; k < f.Samples(); ++k) {
    const double t = f.t0_s + static_cast<double>(k) / f.rate_hz;
    if (t > to) break;
    if (Finite(Row(f.cop_m, k))) return t;
  }
  return kNaN;
}

void StanceLegMetrics(const StanceContext& c, const Progression& frame, StanceMetrics* m) {
  const KinematicSignals& k = *c.kinematics;
  const int side = c.stance->side;
  const double t = m->mid_stance_s;
  m->stance_knee_flexion_deg = KinematicAt(k, k.knee_deg[side], t)[0];
  const Vec3 hip_angles = KinematicAt(k, k.hip_deg[side], t);
  m->stance_hip_flexion_deg = hip_angles[0];
  m->stance_hip_adduction_deg = hip_angles[1];
  const Vec3 knee = KinematicAt(k, k.knee_centre_m[side], t), hip = KinematicAt(k, k.hip_centre_m[side], t);
  const Vec3 pelvis = PelvisAt(k, t);
  m->knee_ahead_of_pelvis_m = (knee - pelvis).dot(frame.forward);
  m->knee_below_pelvis_m = (pelvis - knee).dot(frame.up);
  if (c.force == nullptr) return;
  const Vec3 cop = CopAt(*c.force, t);
  m->knee_ahead_of_cop_m = (knee - cop).dot(frame.forward);
  m->knee_above_cop_m = (knee - cop).dot(frame.up);
  m->hip_ahead_of_cop_m = (hip - cop).dot(frame.forward);
  m->hip_height_m = (hip - cop).dot(frame.up);
  m->leg_length_mid_m = (hip - cop).norm();
  // The leg at touchdown: the first instant with a COP (the force crosses the threshold).
  const double touchdown = FirstCopTime(*c.force, c.stance->strike_s, t);
  const double leg_touchdown = (KinematicAt(k, k.hip_centre_m[side], touchdown) - CopAt(*c.force, touchdown)).norm();
  m->leg_compression_m = leg_touchdown - m->leg_length_mid_m;
}

void SwingLegMetrics(const StanceContext& c, const Progression& frame, StanceMetrics* m) {
  const KinematicSignals& k = *c.kinematics;
  const StanceEvents& s = *c.stance;
  const int stance = s.side, swing = 1 - s.side;
  const double t = m->mid_stance_s;
  m->swing_thigh_angle_strike_deg = ThighAngleDeg(k, swing, s.strike_s, frame);
  m->swing_thigh_angle_mid_deg = ThighAngleDeg(k, swing, t, frame);
  m->swing_thigh_angle_toe_off_deg = ThighAngleDeg(k, swing, s.toe_off_s, frame);
  m->swing_thigh_angular_velocity_mid_deg_s = ThighAngularVelocityDegS(k, swing, t, frame);
  // Peak over the frames inside the stance (sampling precision: the camera rate).
  double peak = kNaN;
  for (size_t f = 0; f < k.time_s.size(); ++f) {
    if (k.time_s[f] < s.strike_s || k.time_s[f] > s.toe_off_s) continue;
    const double w = ThighAngularVelocityDegS(k, swing, k.time_s[f], frame);
    if (std::isfinite(w) && !(w <= peak)) peak = w;
  }
  m->swing_thigh_angular_velocity_peak_deg_s = peak;
  const Vec3 knee = KinematicAt(k, k.knee_centre_m[swing], t);
  m->swing_knee_ahead_of_pelvis_m = (knee - PelvisAt(k, t)).dot(frame.forward);
  m->swing_knee_ahead_of_stance_hip_m = (knee - KinematicAt(k, k.hip_centre_m[stance], t)).dot(frame.forward);
  const double at_strike =
      (KinematicAt(k, k.knee_centre_m[swing], s.strike_s) - PelvisAt(k, s.strike_s)).dot(frame.forward);
  m->swing_knee_displacement_m = m->swing_knee_ahead_of_pelvis_m - at_strike;
  const Vec3 knee_velocity = KinematicAt(k, k.knee_centre_velocity_m_s[swing], t);
  m->swing_knee_velocity_pelvis_m_s = (knee_velocity - PelvisVelocityAt(k, t)).dot(frame.forward);
  m->swing_knee_velocity_stance_hip_m_s =
      (knee_velocity - KinematicAt(k, k.hip_centre_velocity_m_s[stance], t)).dot(frame.forward);
  m->swing_hip_flexion_deg = KinematicAt(k, k.hip_deg[swing], t)[0];
  m->swing_knee_flexion_deg = KinematicAt(k, k.knee_deg[swing], t)[0];
}

void StepMetrics(const StanceContext& c, const Progression& frame, StanceMetrics* m) {
  const StanceEvents& s = *c.stance;
  m->step_time_s = c.next_contralateral_strike_s - s.strike_s;
  m->flight_time_s = c.next_contralateral_strike_s - s.toe_off_s;
  m->cadence_steps_min = 60.0 / m->step_time_s;
  const Vec3 foot(c.foot_position_m[0], c.foot_position_m[1], c.foot_position_m[2]);
  const Vec3 next(c.next_foot_position_m[0], c.next_foot_position_m[1], c.next_foot_position_m[2]);
  m->step_length_m = (next - foot).dot(frame.forward);
  if (std::isfinite(c.treadmill_speed_m_s)) {
    // On a treadmill the belt carries the stance foot back: the step is the belt's travel over
    // the step time plus the feet's displacement in the lab.
    m->speed_m_s = c.treadmill_speed_m_s;
    m->step_length_m = c.treadmill_speed_m_s * m->step_time_s + m->step_length_m;
    return;
  }
  // Speed: the pelvis's mean forward velocity from this strike to the next (or to toe-off),
  // else step length over step time.
  const double end = std::isfinite(c.next_contralateral_strike_s) ? c.next_contralateral_strike_s : s.toe_off_s;
  if (c.kinematics != nullptr && end > s.strike_s) {
    const Vec3 travel = PelvisAt(*c.kinematics, end) - PelvisAt(*c.kinematics, s.strike_s);
    m->speed_m_s = travel.dot(frame.forward) / (end - s.strike_s);
  }
  if (!std::isfinite(m->speed_m_s)) m->speed_m_s = m->step_length_m / m->step_time_s;
}

// Spring-mass stiffness. McMahon & Cheng 1990 (J Biomech 23 Suppl 1:65): k_vert = Fmax / dy with
// dy the centre of mass's drop from the force, and k_leg = Fmax / dL with dL = dy + L0 (1 - cos
// theta), sin theta = u tc / (2 L0). Morin et al. 2005 (J Appl Biomech 21:167) estimate the same
// from contact and flight times alone, modelling the force as a sine: Fmax = m g pi/2 (tf/tc + 1),
// the centre of mass's drop dy = Fmax tc^2 / (m pi^2) - g tc^2 / 8 (their eq. 3 gives -dy, the
// downward displacement), dL = L0 - sqrt(L0^2 - (u tc / 2)^2) + dy. Both need a flight phase
// (running): a walking stance gets NaN. On a treadmill u is the belt speed (StanceContext).
void StiffnessMetrics(const StanceContext& c, StanceMetrics* m) {
  if (!(m->flight_time_s >= 0)) {
    // In double support this foot's force is not the only one on the body: no centre-of-mass
    // drop from it, and no spring-mass model.
    m->com_vertical_displacement_m = NAN;
    return;
  }
  const double pi = 3.14159265358979323846;
  const double tc = m->contact_time_s, u = m->speed_m_s, l0 = c.leg_length_m, mass = c.body_mass_kg;
  m->vertical_stiffness_n_m = m->peak_vertical_force_n / m->com_vertical_displacement_m;
  const double f_max = mass * kStandardGravity * pi / 2 * (m->flight_time_s / tc + 1);
  const double dy = f_max * tc * tc / (mass * pi * pi) - kStandardGravity * tc * tc / 8;
  m->vertical_stiffness_sine_n_m = f_max / dy;
  const double half_sweep = u * tc / 2;
  if (half_sweep < l0) {
    const double sweep_drop = l0 - std::sqrt(l0 * l0 - half_sweep * half_sweep);  // L0 (1 - cos theta)
    m->leg_stiffness_n_m = m->peak_vertical_force_n / (m->com_vertical_displacement_m + sweep_drop);
    m->leg_stiffness_sine_n_m = f_max / (dy + sweep_drop);
  }
}

}  // namespace

StanceMetrics ComputeStanceMetrics(const StanceContext& c) {
  if (c.stance == nullptr) throw InvalidInput("stance metrics: no stance given");
  const Progression frame = ProgressionFrame(c.heading);
  const StanceEvents& s = *c.stance;
  StanceMetrics m;
  m.contact_time_s = s.toe_off_s - s.strike_s;
  m.mid_stance_s = s.mid_stance.Time(c.mid_stance_definition);
  const double body_weight_n = c.body_mass_kg * kStandardGravity;
  if (c.force != nullptr && s.from_force) ForceMetrics(*c.force, s, frame, body_weight_n, &m);
  const bool joints = c.kinematics != nullptr && c.kinematics->HasJoints() && (s.side == 0 || s.side == 1);
  if (joints) {
    StanceLegMetrics(c, frame, &m);
    SwingLegMetrics(c, frame, &m);
  }
  StepMetrics(c, frame, &m);
  StiffnessMetrics(c, &m);
  return m;
}

void KinematicMidStanceTimes(const KinematicSignals& k, int side, double strike_s, double toe_off_s,
                             const std::array<double, 3>& heading, MidStanceTimes* mid) {
  const auto knee = static_cast<size_t>(MidStanceDefinition::kPeakKneeFlexion);
  const auto passing = static_cast<size_t>(MidStanceDefinition::kSwingLegPassing);
  if (!k.HasJoints() || (side != 0 && side != 1)) {
    mid->reason[knee] = mid->reason[passing] = "needs joint kinematics of a known foot";
    return;
  }
  const Progression frame = ProgressionFrame(heading);
  const std::vector<double>& flexion = k.knee_deg[static_cast<size_t>(side)];
  // Peak knee flexion: the largest frame in the first 60 % of the stance (the stance-phase peak
  // near 40 % in running, the loading-response peak in walking; walking's pre-swing flexion rises
  // to toe-off and is not a mid-stance), refined by the parabola through it and its neighbours.
  const double search_end_s = strike_s + kPeakKneeSearchFraction * (toe_off_s - strike_s);
  int64_t best = -1;
  for (size_t f = 0; f < k.time_s.size(); ++f) {
    if (k.time_s[f] < strike_s || k.time_s[f] > search_end_s || !std::isfinite(flexion[3 * f])) continue;
    if (best < 0 || flexion[3 * f] > flexion[3 * static_cast<size_t>(best)]) best = static_cast<int64_t>(f);
  }
  if (best <= 0 || best + 1 >= static_cast<int64_t>(k.time_s.size())) {
    mid->reason[knee] = "no knee flexion inside the stance";
  } else {
    const size_t b = static_cast<size_t>(best);
    const double y0 = flexion[3 * (b - 1)], y1 = flexion[3 * b], y2 = flexion[3 * (b + 1)];
    const double curvature = y0 - 2 * y1 + y2;
    const double shift = std::isfinite(curvature) && curvature < 0 ? std::clamp(0.5 * (y0 - y2) / curvature, -0.5, 0.5) : 0.0;
    const double dt = shift >= 0 ? k.time_s[b + 1] - k.time_s[b] : k.time_s[b] - k.time_s[b - 1];
    mid->time_s[knee] = k.time_s[b] + shift * dt;
    mid->reason[knee] = "";
  }
  // Swing ankle passing the stance ankle: the forward distance between them turns positive.
  const int swing = 1 - side;
  double previous_t = kNaN, previous_d = kNaN;
  mid->reason[passing] = "the swing ankle does not pass the stance ankle during the stance";
  for (size_t f = 0; f < k.time_s.size(); ++f) {
    const double t = k.time_s[f];
    if (t < strike_s || t > toe_off_s) continue;
    const double d = (Row(k.ankle_centre_m[static_cast<size_t>(swing)], static_cast<int64_t>(f)) -
                      Row(k.ankle_centre_m[static_cast<size_t>(side)], static_cast<int64_t>(f)))
                         .dot(frame.forward);
    if (previous_d < 0 && d >= 0) {
      mid->time_s[passing] = previous_t + (0 - previous_d) / (d - previous_d) * (t - previous_t);
      mid->reason[passing] = "";
      break;
    }
    previous_t = t, previous_d = d;
  }
}

StanceCurves ComputeStanceCurves(const StanceContext& c) {
  if (c.stance == nullptr) throw InvalidInput("stance curves: no stance given");
  const Progression frame = ProgressionFrame(c.heading);
  const StanceEvents& s = *c.stance;
  StanceCurves out;
  const size_t n = 3 * kCurvePoints;
  for (auto* v : {&out.hip_deg, &out.knee_deg, &out.contralateral_hip_deg, &out.contralateral_knee_deg, &out.grf_n,
                  &out.hip_cycle_deg, &out.knee_cycle_deg, &out.grf_cycle_n}) {
    v->assign(n, kNaN);
  }
  auto put = [](std::vector<double>* curve, int i, const Vec3& v) {
    for (int j = 0; j < 3; ++j) (*curve)[static_cast<size_t>(3 * i + j)] = v[j];
  };
  auto grf = [&](double t) {
    const Vec3 f = ForceAt(*c.force, t);
    return Vec3(f.dot(frame.forward), f.dot(frame.left), f.dot(frame.up));
  };
  const bool joints = c.kinematics != nullptr && c.kinematics->HasJoints() && (s.side == 0 || s.side == 1);
  const double cycle = c.next_ipsilateral_strike_s - s.strike_s;
  for (int i = 0; i < kCurvePoints; ++i) {
    const double fraction = i / 100.0;
    const double t = s.strike_s + fraction * (s.toe_off_s - s.strike_s);
    const double tc = s.strike_s + fraction * cycle;
    if (c.force != nullptr && s.from_force) {
      put(&out.grf_n, i, grf(t));
      // The foot is in the air after toe-off: no force on it.
      if (std::isfinite(tc) && std::isfinite(s.toe_off_s)) {
        put(&out.grf_cycle_n, i, tc <= s.toe_off_s ? grf(tc) : Vec3::Zero().eval());
      }
    }
    if (!joints) continue;
    const KinematicSignals& k = *c.kinematics;
    const size_t side = static_cast<size_t>(s.side), other = 1 - side;
    put(&out.hip_deg, i, KinematicAt(k, k.hip_deg[side], t));
    put(&out.knee_deg, i, KinematicAt(k, k.knee_deg[side], t));
    put(&out.contralateral_hip_deg, i, KinematicAt(k, k.hip_deg[other], t));
    put(&out.contralateral_knee_deg, i, KinematicAt(k, k.knee_deg[other], t));
    if (std::isfinite(tc)) {
      put(&out.hip_cycle_deg, i, KinematicAt(k, k.hip_deg[side], tc));
      put(&out.knee_cycle_deg, i, KinematicAt(k, k.knee_deg[side], tc));
    }
  }
  return out;
}

void CurveMeanSd(const std::vector<const std::vector<double>*>& curves, std::vector<double>* mean, std::vector<double>* sd) {
  const size_t n = 3 * kCurvePoints;
  mean->assign(n, kNaN);
  sd->assign(n, kNaN);
  for (size_t i = 0; i < n; ++i) {
    double sum = 0, sum_sq = 0;
    int count = 0;
    for (const std::vector<double>* curve : curves) {
      const double v = (*curve)[i];
      if (!std::isfinite(v)) continue;
      sum += v, sum_sq += v * v, ++count;
    }
    if (count >= 1) (*mean)[i] = sum / count;
    if (count >= 2) (*sd)[i] = std::sqrt(std::max(0.0, (sum_sq - sum * sum / count) / (count - 1)));
  }
}

const std::vector<MetricColumn>& StanceMetricColumns() {
  using M = StanceMetrics;
  using G = MetricGroup;
  static const std::vector<MetricColumn> columns = {
      {"mid_stance_time", "s", "mid-stance instant used by the mid-stance metrics (the chosen definition)", G::kMidStance, false, &M::mid_stance_s},
      {"stance_knee_flexion", "deg", "stance knee flexion at mid-stance", G::kMidStance, true, &M::stance_knee_flexion_deg},
      {"stance_hip_flexion", "deg", "stance hip flexion (+) / extension (-) at mid-stance", G::kMidStance, true, &M::stance_hip_flexion_deg},
      {"stance_hip_adduction", "deg", "stance hip adduction (+) / abduction (-) at mid-stance", G::kMidStance, true, &M::stance_hip_adduction_deg},
      {"knee_ahead_of_cop", "m", "stance knee centre ahead of the COP along the heading, at mid-stance", G::kMidStance, true, &M::knee_ahead_of_cop_m},
      {"knee_above_cop", "m", "stance knee centre above the COP, at mid-stance", G::kMidStance, true, &M::knee_above_cop_m},
      {"hip_ahead_of_cop", "m", "stance hip centre ahead of the COP along the heading, at mid-stance", G::kMidStance, true, &M::hip_ahead_of_cop_m},
      {"knee_ahead_of_pelvis", "m", "stance knee centre ahead of the pelvis (hip-centre midpoint) along the heading, at mid-stance", G::kMidStance, true, &M::knee_ahead_of_pelvis_m},
      {"knee_below_pelvis", "m", "stance knee centre below the pelvis (hip-centre midpoint), at mid-stance", G::kMidStance, true, &M::knee_below_pelvis_m},
      {"hip_height", "m", "stance hip centre height above the COP (plate surface) at mid-stance", G::kMidStance, true, &M::hip_height_m},
      {"leg_length_mid", "m", "stance hip centre to COP distance at mid-stance", G::kMidStance, true, &M::leg_length_mid_m},
      {"leg_compression", "m", "hip-to-COP distance at the first COP sample minus at mid-stance", G::kMidStance, true, &M::leg_compression_m},
      {"vertical_force_mid", "N", "vertical GRF at mid-stance", G::kMidStance, false, &M::vertical_force_mid_n},
      {"vertical_force_mid_bw", "BW", "vertical GRF at mid-stance in body weights", G::kMidStance, false, &M::vertical_force_mid_bw},
      {"ap_force_mid", "N", "anterior-posterior GRF at mid-stance, positive forwards (propulsive)", G::kMidStance, false, &M::ap_force_mid_n},
      {"ap_force_mid_bw", "BW", "anterior-posterior GRF at mid-stance in body weights", G::kMidStance, false, &M::ap_force_mid_bw},
      {"contact_time", "s", "toe-off minus foot strike", G::kStance, false, &M::contact_time_s},
      {"peak_vertical_force", "N", "largest vertical GRF sample in the stance", G::kStance, false, &M::peak_vertical_force_n},
      {"peak_vertical_force_bw", "BW", "peak vertical GRF in body weights", G::kStance, false, &M::peak_vertical_force_bw},
      {"time_to_peak", "s", "peak vertical force minus foot strike", G::kStance, false, &M::time_to_peak_s},
      {"loading_rate", "N/s", "average vertical loading rate, 20-80 % of the first peak (Milner et al. 2006)", G::kStance, false, &M::loading_rate_n_s},
      {"loading_rate_bw", "BW/s", "average vertical loading rate in body weights per second", G::kStance, false, &M::loading_rate_bw_s},
      {"braking_impulse", "N s", "integral of the backward (negative) AP force over the stance, negative", G::kStance, false, &M::braking_impulse_ns},
      {"braking_impulse_bw", "BW s", "braking impulse in body-weight seconds", G::kStance, false, &M::braking_impulse_bw_s},
      {"propulsive_impulse", "N s", "integral of the forward (positive) AP force over the stance", G::kStance, false, &M::propulsive_impulse_ns},
      {"propulsive_impulse_bw", "BW s", "propulsive impulse in body-weight seconds", G::kStance, false, &M::propulsive_impulse_bw_s},
      {"vertical_impulse", "N s", "integral of the vertical GRF over the stance", G::kStance, false, &M::vertical_impulse_ns},
      {"vertical_impulse_bw", "BW s", "vertical impulse in body-weight seconds", G::kStance, false, &M::vertical_impulse_bw_s},
      {"peak_braking_force", "N", "most negative AP force (0 when none)", G::kStance, false, &M::peak_braking_force_n},
      {"peak_propulsive_force", "N", "largest positive AP force (0 when none)", G::kStance, false, &M::peak_propulsive_force_n},
      {"com_vertical_displacement", "m", "centre-of-mass drop from touchdown to its lowest point, from the force (Cavagna 1975); running only (no double support)", G::kStance, false, &M::com_vertical_displacement_m},
      {"vertical_stiffness", "N/m", "peak force / centre-of-mass drop (McMahon & Cheng 1990); running only", G::kStance, false, &M::vertical_stiffness_n_m},
      {"leg_stiffness", "N/m", "peak force / leg compression dy + L0 (1 - cos theta) (McMahon & Cheng 1990); running only", G::kStance, false, &M::leg_stiffness_n_m},
      {"vertical_stiffness_sine", "N/m", "vertical stiffness by the sine-wave method (Morin et al. 2005), cross-check", G::kStance, false, &M::vertical_stiffness_sine_n_m},
      {"leg_stiffness_sine", "N/m", "leg stiffness by the sine-wave method (Morin et al. 2005), cross-check", G::kStance, false, &M::leg_stiffness_sine_n_m},
      {"swing_thigh_angle_strike", "deg", "swing thigh (hip to knee centre) to vertical in the sagittal plane at foot strike, + knee ahead", G::kSwing, true, &M::swing_thigh_angle_strike_deg},
      {"swing_thigh_angle_mid", "deg", "swing thigh angle to vertical at mid-stance", G::kSwing, true, &M::swing_thigh_angle_mid_deg},
      {"swing_thigh_angle_toe_off", "deg", "swing thigh angle to vertical at toe-off", G::kSwing, true, &M::swing_thigh_angle_toe_off_deg},
      {"swing_thigh_angular_velocity_peak", "deg/s", "largest forward sagittal angular velocity of the swing thigh during the stance", G::kSwing, true, &M::swing_thigh_angular_velocity_peak_deg_s},
      {"swing_thigh_angular_velocity_mid", "deg/s", "forward sagittal angular velocity of the swing thigh at mid-stance", G::kSwing, true, &M::swing_thigh_angular_velocity_mid_deg_s},
      {"swing_knee_ahead_of_pelvis", "m", "swing knee centre ahead of the pelvis (hip-centre midpoint) at mid-stance", G::kSwing, true, &M::swing_knee_ahead_of_pelvis_m},
      {"swing_knee_ahead_of_stance_hip", "m", "swing knee centre ahead of the stance hip centre at mid-stance", G::kSwing, true, &M::swing_knee_ahead_of_stance_hip_m},
      {"swing_knee_displacement", "m", "forward travel of the swing knee relative to the pelvis from foot strike to mid-stance", G::kSwing, true, &M::swing_knee_displacement_m},
      {"swing_knee_velocity_pelvis", "m/s", "forward velocity of the swing knee centre relative to the pelvis at mid-stance", G::kSwing, true, &M::swing_knee_velocity_pelvis_m_s},
      {"swing_knee_velocity_stance_hip", "m/s", "forward velocity of the swing knee centre relative to the stance hip centre at mid-stance", G::kSwing, true, &M::swing_knee_velocity_stance_hip_m_s},
      {"swing_hip_flexion", "deg", "swing hip flexion at mid-stance", G::kSwing, true, &M::swing_hip_flexion_deg},
      {"swing_knee_flexion", "deg", "swing knee flexion at mid-stance", G::kSwing, true, &M::swing_knee_flexion_deg},
      {"step_time", "s", "the other foot's next strike minus this strike", G::kStep, false, &M::step_time_s},
      {"flight_time", "s", "the other foot's next strike minus this toe-off (negative: double support)", G::kStep, false, &M::flight_time_s},
      {"step_length", "m", "forward distance from this foot to the other foot's next contact (first COP of each contact, else ankle centres at foot strike; on a treadmill plus the belt's travel over the step time)", G::kStep, false, &M::step_length_m},
      {"cadence", "steps/min", "60 / step time", G::kStep, false, &M::cadence_steps_min},
      {"speed", "m/s", "pelvis forward travel over the step / its duration (else step length / step time)", G::kStep, false, &M::speed_m_s},
  };
  return columns;
}

const std::vector<std::string>& KneeDriveMetricNames() {
  static const std::vector<std::string> names = {
      "swing_thigh_angular_velocity_peak", "swing_thigh_angular_velocity_mid", "swing_knee_velocity_pelvis",
      "swing_knee_ahead_of_pelvis",        "swing_knee_displacement",          "swing_hip_flexion"};
  return names;
}

std::vector<std::string> ForceMetricNames(bool body_weights) {
  const std::string bw = body_weights ? "_bw" : "";
  return {"peak_vertical_force" + bw, "vertical_force_mid" + bw, "ap_force_mid" + bw,    "loading_rate" + bw,
          "braking_impulse" + bw,     "propulsive_impulse" + bw, "vertical_impulse" + bw};
}

double MetricValue(const StanceMetrics& metrics, const std::string& name) {
  for (const MetricColumn& column : StanceMetricColumns()) {
    if (name == column.name) return metrics.*column.member;
  }
  throw InvalidInput("stance metrics: no metric named '" + name + "'");
}

}  // namespace midstance
