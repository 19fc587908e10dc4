// Stance metrics against synthetic stances whose metrics are known in closed form: a half-sine
// vertical force with a sine braking/propulsive force (the spring-mass shape, Morin et al. 2005),
// joint kinematics linear in time (so linear interpolation is exact), parabolic knee flexion.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string>

#include "midstance/error.h"
#include "midstance/stance_metrics.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDeg = 180 / kPi;

// Heading 30 deg from the lab X axis, so every projection is tested off-axis.
const std::array<double, 3> kHeading{std::cos(kPi / 6), std::sin(kPi / 6), 0};
const std::array<double, 3> kLeft{-std::sin(kPi / 6), std::cos(kPi / 6), 0};

struct SpringStance {
  double rate_hz = 1000, strike_s = 0.10037, contact_s = 0.2513, peak_n = 1800, ap_n = 300;
  double Vertical(double t) const {
    const double x = (t - strike_s) / contact_s;
    return x > 0 && x < 1 ? peak_n * std::sin(kPi * x) : 0.0;
  }
  double Forward(double t) const {
    const double x = (t - strike_s) / contact_s;
    return x > 0 && x < 1 ? -ap_n * std::sin(2 * kPi * x) : 0.0;  // braking, then propulsion
  }
  ForceSignal Signal(const std::array<double, 3>& cop) const {
    ForceSignal f;
    f.rate_hz = rate_hz;
    for (int k = 0; k < 600; ++k) {
      const double t = k / rate_hz;
      const double fz = Vertical(t), fx = Forward(t);
      for (int i = 0; i < 3; ++i) f.force_n.push_back(fx * kHeading[i] + (i == 2 ? fz : 0.0));
      for (int i = 0; i < 3; ++i) f.cop_m.push_back(fz > 20 ? cop[i] : kNaN);
    }
    return f;
  }
  StanceEvents Events() const {
    StanceEvents e;
    e.side = 0;
    e.strike_s = strike_s;
    e.toe_off_s = strike_s + contact_s;
    e.mid_stance.time_s[static_cast<size_t>(MidStanceDefinition::kPeakVerticalForce)] = strike_s + contact_s / 2;
    return e;
  }
};

// A spring stance's force and events, and a context pointing at them (keep the case in place).
struct SpringCase {
  SpringStance s;
  ForceSignal force = s.Signal({1.0, 0.5, 0.0});
  StanceEvents events = s.Events();
  StanceContext Context(double body_mass_kg) const {
    StanceContext c;
    c.stance = &events;
    c.force = &force;
    c.heading = kHeading;
    c.body_mass_kg = body_mass_kg;
    return c;
  }
};

// The centre of mass's drop over a half-sine stance, by brute force on a fine grid of the closed-form
// trajectory y(t) = F/(m w) (t - sin(w t)/w) - g t^2/2 + v0 t, v0 making the step symmetric.
double HalfSineComDrop(double peak_n, double contact_s, double mass_kg) {
  const double w = kPi / contact_s, g = kStandardGravity;
  const double v0 = -0.5 * (2 * peak_n / (mass_kg * w) - g * contact_s);
  double lowest = 0;
  for (int i = 0; i <= 200000; ++i) {
    const double t = contact_s * i / 200000.0;
    lowest = std::min(lowest, peak_n / (mass_kg * w) * (t - std::sin(w * t) / w) - g * t * t / 2 + v0 * t);
  }
  return -lowest;
}

TEST(StanceMetrics, HalfSineForceGivesItsClosedFormMetrics) {
  const SpringCase spring;
  const SpringStance& s = spring.s;
  StanceContext c = spring.Context(70);
  c.next_contralateral_strike_s = spring.events.toe_off_s + 0.1;  // a running step: flight 0.1 s
  const StanceMetrics m = ComputeStanceMetrics(c);
  const double bw = 70 * kStandardGravity, h = 1 / s.rate_hz;
  EXPECT_NEAR(m.contact_time_s, s.contact_s, 1e-12);
  // The largest sample lies within half a sample of the crest.
  const double crest_error = s.peak_n * (1 - std::cos(kPi * 0.5 * h / s.contact_s));
  EXPECT_LE(s.peak_n - m.peak_vertical_force_n, crest_error);
  EXPECT_GE(s.peak_n - m.peak_vertical_force_n, 0);
  EXPECT_NEAR(m.peak_vertical_force_bw, m.peak_vertical_force_n / bw, 1e-12);
  EXPECT_NEAR(m.time_to_peak_s, s.contact_s / 2, 0.5 * h);
  // Impulses: 2 F tc / pi vertical, A tc / pi each way forward; trapezoid error (pi h / tc)^2 / 12.
  const double rule = std::pow(kPi * h / s.contact_s, 2) / 12 * 4;
  EXPECT_NEAR(m.vertical_impulse_ns, 2 * s.peak_n * s.contact_s / kPi, rule * 2 * s.peak_n * s.contact_s / kPi);
  EXPECT_NEAR(m.braking_impulse_ns, -s.ap_n * s.contact_s / kPi, 4 * rule * s.ap_n * s.contact_s / kPi);
  EXPECT_NEAR(m.propulsive_impulse_ns, s.ap_n * s.contact_s / kPi, 4 * rule * s.ap_n * s.contact_s / kPi);
  EXPECT_NEAR(m.peak_braking_force_n, -s.ap_n, s.ap_n * (1 - std::cos(2 * kPi * h / s.contact_s)));
  EXPECT_NEAR(m.peak_propulsive_force_n, s.ap_n, s.ap_n * (1 - std::cos(2 * kPi * h / s.contact_s)));
  // Loading rate over 20-80 % of the (only) peak: the crossings at tc/pi asin(0.2), asin(0.8).
  const double valr = 0.6 * s.peak_n / (s.contact_s / kPi * (std::asin(0.8) - std::asin(0.2)));
  EXPECT_NEAR(m.loading_rate_n_s, valr, 1e-3 * valr);
  // Mid-stance (peak force definition, exactly mid-contact here).
  EXPECT_NEAR(m.vertical_force_mid_n, s.peak_n, crest_error);
  EXPECT_NEAR(m.ap_force_mid_n, 0, 2 * kPi * s.ap_n * h / s.contact_s);
  // Double trapezoid integration of the sampled force: relative error of order (pi h / tc)^2.
  const double drop = HalfSineComDrop(s.peak_n, s.contact_s, 70);
  EXPECT_NEAR(m.com_vertical_displacement_m, drop, std::pow(kPi * h / s.contact_s, 2) * drop);
  // No kinematics: none of the kinematic metrics, and no step without a next strike.
  EXPECT_TRUE(std::isnan(m.stance_knee_flexion_deg));
  EXPECT_TRUE(std::isnan(m.swing_thigh_angle_mid_deg));
  EXPECT_TRUE(std::isnan(m.leg_stiffness_n_m)) << "no leg length, no speed";
  EXPECT_NEAR(m.vertical_stiffness_n_m, m.peak_vertical_force_n / m.com_vertical_displacement_m, 1e-9);
}

TEST(StanceMetrics, UnknownBodyMassLeavesBodyWeightValuesNaN) {
  const SpringCase spring;
  const StanceMetrics m = ComputeStanceMetrics(spring.Context(NAN));
  EXPECT_GT(m.peak_vertical_force_n, 1700);
  EXPECT_TRUE(std::isnan(m.peak_vertical_force_bw));
  EXPECT_TRUE(std::isnan(m.loading_rate_bw_s));
  EXPECT_TRUE(std::isnan(m.com_vertical_displacement_m));
}

// Kinematics sampled at 200 Hz, linear in time, events on frames: every kinematic metric known.
struct LinearRunner {
  double rate_hz = 200, speed = 4.0, knee_forward_speed = 6.0;
  double strike_s = 0.1, toe_off_s = 0.35, mid_s = 0.225;  // frames 20, 70, 45
  std::array<double, 3> cop{1.0, 0.5, 0.0};
  static void Push(std::vector<double>* v, const double p[3]) { v->insert(v->end(), p, p + 3); }
  // A point moving forward at `forward_speed` from `start` (forward, left, up coordinates).
  static void Along(double t, double forward_speed, double f0, double l0, double u0, double out[3]) {
    const double f = f0 + forward_speed * t;
    for (int i = 0; i < 3; ++i) out[i] = f * kHeading[i] + l0 * kLeft[i] + (i == 2 ? u0 : 0.0);
  }
  KinematicSignals Signals() const {
    KinematicSignals k;
    const double right[3] = {-kLeft[0], -kLeft[1], -kLeft[2]};
    for (int f = 0; f < 100; ++f) {
      const double t = f / rate_hz;
      k.time_s.push_back(t);
      for (int side = 0; side < 2; ++side) {
        const double lateral = side == 0 ? 0.09 : -0.09;
        // Stance (left): knee flexion rises 20 -> 45 deg over the stance; swing (right) hip flexes.
        const double hip[3] = {side == 0 ? -5 + 40 * t : 10 + 80 * t, side == 0 ? 3 + 4 * t : 1.0, 2.0};
        const double knee[3] = {side == 0 ? 20 + 100 * (t - strike_s) : 60 - 40 * t, 1.0, -2.0};
        Push(&k.hip_deg[side], hip);
        Push(&k.knee_deg[side], knee);
        double hc[3], kc[3], ac[3];
        Along(t, speed, side == 0 ? 0.2 : 0.26, lateral, 0.95, hc);  // pelvis turned: right hip 6 cm ahead
        // The stance knee moves with the pelvis, 0.05 m ahead of it; the swing knee faster.
        Along(t, side == 0 ? speed : knee_forward_speed, side == 0 ? 0.25 : -0.3, lateral, 0.5, kc);
        Along(t, side == 0 ? 0.0 : 2 * speed, side == 0 ? 1.0 : 0.1, lateral, 0.08, ac);
        Push(&k.hip_centre_m[side], hc);
        Push(&k.knee_centre_m[side], kc);
        Push(&k.ankle_centre_m[side], ac);
        double hv[3], kv[3], w[3];
        Along(0, 0, speed, 0, 0, hv);
        Along(0, 0, side == 0 ? speed : knee_forward_speed, 0, 0, kv);
        for (int i = 0; i < 3; ++i) w[i] = (side == 0 ? 0.5 : 8.0 - 10 * t) * right[i];  // rad/s about the right axis
        Push(&k.hip_centre_velocity_m_s[side], hv);
        Push(&k.knee_centre_velocity_m_s[side], kv);
        Push(&k.thigh_angular_velocity_rad_s[side], w);
      }
    }
    return k;
  }
  ForceSignal Force() const {
    ForceSignal f;
    f.rate_hz = 1000;
    for (int s = 0; s < 500; ++s) {
      const double t = s / 1000.0;
      const bool on = t > strike_s && t < toe_off_s;
      const double fz = on ? 1500.0 : 0.0;
      for (int i = 0; i < 3; ++i) f.force_n.push_back(i == 2 ? fz : 0.0);
      for (int i = 0; i < 3; ++i) f.cop_m.push_back(on ? cop[i] : kNaN);
    }
    return f;
  }
  StanceEvents Events() const {
    StanceEvents e;
    e.side = 0;
    e.strike_s = strike_s;
    e.toe_off_s = toe_off_s;
    e.mid_stance.time_s[static_cast<size_t>(MidStanceDefinition::kPeakVerticalForce)] = mid_s;
    return e;
  }
};

double Forward(const std::array<double, 3>& p) { return p[0] * kHeading[0] + p[1] * kHeading[1]; }

TEST(StanceMetrics, LinearKinematicsGiveExactStanceSwingAndStepMetrics) {
  const LinearRunner r;
  const KinematicSignals k = r.Signals();
  const ForceSignal force = r.Force();
  const StanceEvents events = r.Events();
  StanceContext c;
  c.stance = &events;
  c.force = &force;
  c.kinematics = &k;
  c.heading = kHeading;
  c.body_mass_kg = 70;
  c.leg_length_m = 0.95;
  c.next_contralateral_strike_s = 0.45;
  c.foot_position_m = r.cop;
  const std::array<double, 3> next{r.cop[0] + 1.4 * kHeading[0], r.cop[1] + 1.4 * kHeading[1], 0};
  c.next_foot_position_m = next;
  const StanceMetrics m = ComputeStanceMetrics(c);
  const double t = r.mid_s;
  EXPECT_NEAR(m.stance_knee_flexion_deg, 20 + 100 * (t - r.strike_s), 1e-9);
  EXPECT_NEAR(m.stance_hip_flexion_deg, -5 + 40 * t, 1e-9);
  EXPECT_NEAR(m.stance_hip_adduction_deg, 3 + 4 * t, 1e-9);
  // Positions: stance (left) hip forward coordinate 0.2 + v t, right hip 0.26 + v t, pelvis (hip
  // midpoint) 0.23 + v t, stance knee 0.25 + v t, COP fixed at Forward(cop); knee 0.5 m and hips
  // 0.95 m above the plate.
  const double stance_hip = 0.2 + r.speed * t, swing_hip = 0.26 + r.speed * t, pelvis = 0.23 + r.speed * t;
  const double knee = 0.25 + r.speed * t;
  EXPECT_NEAR(m.knee_ahead_of_cop_m, knee - Forward(r.cop), 1e-9);
  EXPECT_NEAR(m.knee_above_cop_m, 0.5, 1e-9);
  EXPECT_NEAR(m.hip_ahead_of_cop_m, stance_hip - Forward(r.cop), 1e-9);
  EXPECT_NEAR(m.hip_height_m, 0.95, 1e-9);
  EXPECT_NEAR(m.knee_ahead_of_pelvis_m, knee - pelvis, 1e-9);
  EXPECT_NEAR(m.knee_below_pelvis_m, 0.45, 1e-9);
  // The COP's lateral offset from the hip: the COP's left coordinate minus the hip's.
  const double cop_left = r.cop[0] * kLeft[0] + r.cop[1] * kLeft[1];
  auto leg = [&](double time) { return std::hypot(0.2 + r.speed * time - Forward(r.cop), cop_left - 0.09, 0.95); };  // left hip
  EXPECT_NEAR(m.leg_length_mid_m, leg(t), 1e-9);
  EXPECT_NEAR(m.leg_compression_m, leg(0.101) - leg(t), 1e-9);  // first COP sample after the strike
  EXPECT_NEAR(m.vertical_force_mid_n, 1500, 1e-9);
  // A 1500 N box on the samples strictly inside (strike, toe-off): the linear interpolant ramps
  // over one sample at each end, so the impulse is 1500 N x (contact - 1 sample); one sample too
  // many or too few at either end moves it by 0.75-1.5 N s.
  EXPECT_NEAR(m.vertical_impulse_ns, 1500 * (r.toe_off_s - r.strike_s - 0.001), 1e-9);
  // Swing thigh: right hip at forward 0.26 + v t, right knee at -0.3 + 6 t, 0.45 m below.
  auto thigh = [&](double time) { return std::atan2(-0.3 + r.knee_forward_speed * time - (0.26 + r.speed * time), 0.45) * kDeg; };
  EXPECT_NEAR(m.swing_thigh_angle_strike_deg, thigh(r.strike_s), 1e-9);
  EXPECT_NEAR(m.swing_thigh_angle_mid_deg, thigh(t), 1e-9);
  EXPECT_NEAR(m.swing_thigh_angle_toe_off_deg, thigh(r.toe_off_s), 1e-9);
  EXPECT_NEAR(m.swing_thigh_angular_velocity_mid_deg_s, (8 - 10 * t) * kDeg, 1e-9);
  EXPECT_NEAR(m.swing_thigh_angular_velocity_peak_deg_s, (8 - 10 * r.strike_s) * kDeg, 1e-9);  // decreasing: at strike
  EXPECT_NEAR(m.swing_knee_ahead_of_pelvis_m, -0.3 + r.knee_forward_speed * t - pelvis, 1e-9);
  EXPECT_NEAR(m.swing_knee_ahead_of_stance_hip_m, -0.3 + r.knee_forward_speed * t - stance_hip, 1e-9);
  (void)swing_hip;
  EXPECT_NEAR(m.swing_knee_displacement_m, (r.knee_forward_speed - r.speed) * (t - r.strike_s), 1e-9);
  EXPECT_NEAR(m.swing_knee_velocity_pelvis_m_s, r.knee_forward_speed - r.speed, 1e-9);
  EXPECT_NEAR(m.swing_knee_velocity_stance_hip_m_s, r.knee_forward_speed - r.speed, 1e-9);
  EXPECT_NEAR(m.swing_hip_flexion_deg, 10 + 80 * t, 1e-9);
  EXPECT_NEAR(m.swing_knee_flexion_deg, 60 - 40 * t, 1e-9);
  // Step.
  EXPECT_NEAR(m.step_time_s, 0.35, 1e-12);
  EXPECT_NEAR(m.flight_time_s, 0.10, 1e-12);
  EXPECT_NEAR(m.cadence_steps_min, 60 / 0.35, 1e-9);
  EXPECT_NEAR(m.step_length_m, 1.4, 1e-9);
  EXPECT_NEAR(m.speed_m_s, r.speed, 1e-9);
}

TEST(StanceMetrics, SpringMassStiffnessFollowsMcMahonChengAndMorin) {
  const SpringCase spring;
  const SpringStance& s = spring.s;
  const StanceEvents& events = spring.events;
  const LinearRunner r;  // pelvis at 4 m/s
  const KinematicSignals k = r.Signals();
  StanceContext c = spring.Context(70);
  c.kinematics = &k;
  c.leg_length_m = 0.95;
  const double flight = 0.12;
  c.next_contralateral_strike_s = events.toe_off_s + flight;
  const StanceMetrics m = ComputeStanceMetrics(c);
  ASSERT_NEAR(m.speed_m_s, 4.0, 1e-9);
  const double tc = s.contact_s, l0 = 0.95, u = 4.0, mass = 70, g = kStandardGravity;
  const double dy = HalfSineComDrop(s.peak_n, tc, mass);
  const double sweep = l0 - std::sqrt(l0 * l0 - u * u * tc * tc / 4);
  EXPECT_NEAR(m.vertical_stiffness_n_m, m.peak_vertical_force_n / dy, 1e-4 * m.vertical_stiffness_n_m);
  EXPECT_NEAR(m.leg_stiffness_n_m, m.peak_vertical_force_n / (dy + sweep), 1e-4 * m.leg_stiffness_n_m);
  const double f_max = mass * g * kPi / 2 * (flight / tc + 1);
  const double dy_sine = f_max * tc * tc / (mass * kPi * kPi) - g * tc * tc / 8;  // Morin et al. 2005, eq. 3 (its magnitude)
  EXPECT_NEAR(m.vertical_stiffness_sine_n_m, f_max / dy_sine, 1e-6 * f_max / dy_sine);
  EXPECT_NEAR(m.leg_stiffness_sine_n_m, f_max / (dy_sine + sweep), 1e-6 * f_max / (dy_sine + sweep));
  // Walking (the other foot lands before this toe-off): no spring-mass stiffness.
  c.next_contralateral_strike_s = events.toe_off_s - 0.1;
  const StanceMetrics walking = ComputeStanceMetrics(c);
  EXPECT_LT(walking.flight_time_s, 0);
  EXPECT_TRUE(std::isnan(walking.leg_stiffness_n_m));
  EXPECT_TRUE(std::isnan(walking.com_vertical_displacement_m)) << "double support: one foot's force is not the body's";
  EXPECT_TRUE(std::isnan(walking.vertical_stiffness_sine_n_m));
}

// Morin et al. 2005 model the force as a half-sine whose impulse carries the body over the step:
// peak m g pi/2 (tf/tc + 1). A half-sine with exactly that peak is their model, so the force-based
// centre-of-mass drop (Cavagna's double integration) must equal their closed-form drop, and the
// two vertical stiffnesses must agree; the leg stiffnesses then differ only by sampling.
TEST(StanceMetrics, SineModelForceGivesMorinsDropByIntegration) {
  const double mass = 68, tc = 0.22, tf = 0.13, g = kStandardGravity;
  SpringCase spring;
  spring.s.contact_s = tc;
  spring.s.peak_n = mass * g * kPi / 2 * (tf / tc + 1);
  spring.force = spring.s.Signal({1.0, 0.5, 0.0});
  spring.events = spring.s.Events();
  const LinearRunner r;
  const KinematicSignals k = r.Signals();
  StanceContext c = spring.Context(mass);
  c.kinematics = &k;
  c.leg_length_m = 0.93;
  c.next_contralateral_strike_s = spring.events.toe_off_s + tf;
  const StanceMetrics m = ComputeStanceMetrics(c);
  ASSERT_NEAR(m.flight_time_s, tf, 1e-12);
  const double morin_drop = spring.s.peak_n * tc * tc / (mass * kPi * kPi) - g * tc * tc / 8;
  const double h = 1 / spring.s.rate_hz;
  EXPECT_NEAR(m.com_vertical_displacement_m, morin_drop, std::pow(kPi * h / tc, 2) * morin_drop);
  EXPECT_NEAR(m.vertical_stiffness_sine_n_m, m.vertical_stiffness_n_m, 2e-3 * m.vertical_stiffness_n_m);
  EXPECT_NEAR(m.leg_stiffness_sine_n_m, m.leg_stiffness_n_m, 2e-3 * m.leg_stiffness_n_m);
}

// A heel-striker's running force: an impact peak 10 % into the stance on the rise of the active
// peak. The loading rate is taken over 20-80 % of the impact peak (Milner et al. 2006), found
// here on a 1 us grid of the closed form.
TEST(StanceMetrics, LoadingRateUsesTheImpactPeak) {
  SpringCase spring;
  const SpringStance& s = spring.s;
  auto force = [&](double t) {
    const double x = (t - s.strike_s) / s.contact_s;
    if (!(x > 0 && x < 1)) return 0.0;
    return s.peak_n * std::sin(kPi * x) + 1000 * std::exp(-std::pow((x - 0.10) / 0.03, 2));
  };
  for (int k = 0; k < static_cast<int>(spring.force.force_n.size() / 3); ++k) spring.force.force_n[3 * k + 2] = force(k / s.rate_hz);
  const StanceMetrics m = ComputeStanceMetrics(spring.Context(70));
  double impact = 0, t_impact = 0;
  for (double t = s.strike_s; t < s.strike_s + 0.25 * s.contact_s; t += 1e-6) {
    if (force(t) > impact) impact = force(t), t_impact = t;
  }
  ASSERT_LT(impact, 0.9 * m.peak_vertical_force_n) << "an impact peak below the active one";
  double t20 = NAN, t80 = NAN;
  for (double t = s.strike_s; t < t_impact; t += 1e-6) {
    if (std::isnan(t20) && force(t) >= 0.2 * impact) t20 = t;
    if (std::isnan(t80) && force(t) >= 0.8 * impact) t80 = t;
  }
  const double valr = 0.6 * impact / (t80 - t20);
  std::printf("impact peak %.0f N at %.1f ms, active %.0f N; loading rate %.0f N/s (closed form %.0f)\n", impact,
              (t_impact - s.strike_s) * 1e3, m.peak_vertical_force_n, m.loading_rate_n_s, valr);
  EXPECT_NEAR(m.loading_rate_n_s, valr, 0.02 * valr);
}

TEST(StanceMetrics, KinematicMidStanceInstantsAreFoundBetweenFrames) {
  LinearRunner r;
  KinematicSignals k = r.Signals();
  // Left knee flexion a parabola peaking at 0.2213 s (between frames 44 and 45).
  for (size_t f = 0; f < k.time_s.size(); ++f) k.knee_deg[0][3 * f] = 40 - 900 * std::pow(k.time_s[f] - 0.2213, 2);
  MidStanceTimes mid;
  KinematicMidStanceTimes(k, 0, r.strike_s, r.toe_off_s, kHeading, &mid);
  EXPECT_NEAR(mid.Time(MidStanceDefinition::kPeakKneeFlexion), 0.2213, 1e-9);
  // Swing ankle: forward 0.1 + 8 t against the stance ankle at 1.0: passes at t = 0.1125.
  EXPECT_NEAR(mid.Time(MidStanceDefinition::kSwingLegPassing), 0.9 / 8, 1e-9);
  EXPECT_EQ(mid.Reason(MidStanceDefinition::kSwingLegPassing), "");
  KinematicMidStanceTimes(KinematicSignals{}, 0, r.strike_s, r.toe_off_s, kHeading, &mid);
  EXPECT_FALSE(mid.Reason(MidStanceDefinition::kPeakKneeFlexion).empty());
}

TEST(StanceMetrics, CurvesAreNormalisedToStanceAndCycle) {
  const SpringCase spring;
  const SpringStance& s = spring.s;
  const StanceEvents& events = spring.events;
  StanceContext c = spring.Context(NAN);
  c.next_ipsilateral_strike_s = events.strike_s + 2 * s.contact_s;  // stance = 50 % of the cycle
  const StanceCurves curves = ComputeStanceCurves(c);
  ASSERT_EQ(curves.grf_n.size(), 3u * kCurvePoints);
  // Linear interpolation of 1 kHz samples: within 2 N inside the stance; at the two ends the
  // sample outside the contact is 0, so up to one sample's rise (slope x h).
  const double h = 1 / s.rate_hz;
  for (int i = 0; i <= 100; i += 10) {
    const double t = s.strike_s + i / 100.0 * s.contact_s;
    const bool end = i == 0 || i == 100;
    EXPECT_NEAR(curves.grf_n[3 * i + 2], s.Vertical(t), end ? s.peak_n * kPi / s.contact_s * h : 2.0) << i;
    EXPECT_NEAR(curves.grf_n[3 * i + 0], s.Forward(t), end ? s.ap_n * 2 * kPi / s.contact_s * h : 1.0) << i;
    EXPECT_NEAR(curves.grf_n[3 * i + 1], 0, 1e-9) << i;
  }
  EXPECT_NEAR(curves.grf_cycle_n[3 * 25 + 2], s.peak_n, 2.0);  // 25 % of the cycle = mid-stance
  EXPECT_EQ(curves.grf_cycle_n[3 * 75 + 2], 0.0);               // swing: no force on this foot
  EXPECT_TRUE(std::isnan(curves.knee_deg[0]));                  // no kinematics

  std::vector<double> a(3 * kCurvePoints, 1.0), b(3 * kCurvePoints, 3.0), mean, sd;
  b[7] = kNaN;
  CurveMeanSd({&a, &b}, &mean, &sd);
  EXPECT_DOUBLE_EQ(mean[0], 2.0);
  EXPECT_DOUBLE_EQ(sd[0], std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(mean[7], 1.0);
  EXPECT_TRUE(std::isnan(sd[7]));
}

TEST(StanceMetrics, BadHeadingIsRejected) {
  const SpringStance s;
  const StanceEvents events = s.Events();
  StanceContext c;
  c.stance = &events;
  c.heading = {0.6, 0.0, 0.8};
  EXPECT_THROW(ComputeStanceMetrics(c), InvalidInput);
  EXPECT_THROW(ComputeStanceMetrics(StanceContext{}), InvalidInput);
}

TEST(StanceMetrics, EveryColumnHasUnitsAndADescription) {
  std::set<std::string> names;
  for (const MetricColumn& column : StanceMetricColumns()) {
    EXPECT_TRUE(names.insert(column.name).second) << column.name;
    EXPECT_GT(std::string(column.units).size(), 0u) << column.name;
    EXPECT_GT(std::string(column.description).size(), 10u) << column.name;
  }
  EXPECT_GE(names.size(), 45u);
}

}  // namespace
}  // namespace midstance
