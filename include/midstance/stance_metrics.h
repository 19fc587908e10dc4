#pragma once
// Per-stance metrics of a running (or walking) trial: the stance leg at mid-stance, the force over
// the stance, the swing leg time-locked to the stance ("forward knee drive"), and the step; plus
// curves normalised to the stance and to the gait cycle. Plain arrays in, so synthetic stances
// with known truth test every number.
//
// Frames and units: SI (N, s, m, kg, deg for angles). Lab frame with Z up; the progression frame
// of a trial has x = heading (anterior, horizontal), y = up x heading (to the subject's left),
// z = up. Forces are the ground reaction force ON the subject. Times are seconds from the first
// camera frame (the clock of gait_events.h). Missing values are NaN.
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "midstance/gait_events.h"

namespace midstance {

constexpr double kStandardGravity = 9.80665;  // m/s^2 (ISO 80000-3)
constexpr int kCurvePoints = 101;             // 0, 1, ..., 100 % (stance or gait cycle)

// The summed ground reaction force of one stance's plates, sampled at rate_hz from t0_s.
struct ForceSignal {
  double rate_hz = 0;
  double t0_s = 0;
  std::vector<double> force_n;  // [sample][3], lab frame
  std::vector<double> cop_m;    // [sample][3], lab frame; NaN below the contact threshold
  int64_t Samples() const { return static_cast<int64_t>(force_n.size() / 3); }
};

// Joint kinematics at the camera rate, per side (0 left, 1 right). Any vector may be empty
// (that quantity unknown): the metrics needing it are NaN.
struct KinematicSignals {
  std::vector<double> time_s;                      // [frame]
  std::array<std::vector<double>, 2> hip_deg;      // [frame][3]: flexion, adduction, internal rotation
  std::array<std::vector<double>, 2> knee_deg;     // [frame][3]
  std::array<std::vector<double>, 2> hip_centre_m, knee_centre_m, ankle_centre_m;  // [frame][3] lab
  std::array<std::vector<double>, 2> hip_centre_velocity_m_s, knee_centre_velocity_m_s;  // [frame][3]
  std::array<std::vector<double>, 2> thigh_angular_velocity_rad_s;  // [frame][3] lab frame
  // A point fixed in the pelvis and its velocity, when the hip centres are unknown (a pelvis
  // marker track): [frame][3]. The hip-centre midpoint is used when both hip centres exist.
  std::vector<double> pelvis_marker_m;
  bool HasJoints() const { return !knee_deg[0].empty() && !knee_deg[1].empty(); }
};

// One stance as the events stage found it.
struct StanceEvents {
  int side = -1;             // 0 left, 1 right, -1 unknown
  bool from_force = true;    // false: kinematic events only (no force)
  bool clean = true;         // a whole contact on the plates
  double strike_s = NAN, toe_off_s = NAN;
  MidStanceTimes mid_stance;
};

// Everything of the trial the metrics of one stance may use.
struct StanceContext {
  const StanceEvents* stance = nullptr;
  const ForceSignal* force = nullptr;          // nullptr for kinematic stances
  const KinematicSignals* kinematics = nullptr;  // nullptr when none
  std::array<double, 3> heading{1, 0, 0};
  double body_mass_kg = NAN;
  double leg_length_m = NAN;                   // of the stance side (standing, for the spring-mass model)
  double next_contralateral_strike_s = NAN;    // the other foot's next strike (step)
  double next_ipsilateral_strike_s = NAN;      // this foot's next strike (gait cycle)
  std::array<double, 3> foot_position_m{NAN, NAN, NAN};       // this stance's foot (COP or ankle) at mid-stance
  std::array<double, 3> next_foot_position_m{NAN, NAN, NAN};  // the next contralateral stance's
  MidStanceDefinition mid_stance_definition = MidStanceDefinition::kPeakVerticalForce;
  double treadmill_speed_m_s = NAN;  // belt speed on a treadmill (the body does not travel); NaN overground
};

// The metrics of one stance. Signs: AP force and impulses positive forwards (propulsion),
// braking values negative; angles by the clinical signs of /kinematics (flexion positive).
struct StanceMetrics {
  // Stance leg at mid-stance (the context's definition).
  double mid_stance_s = NAN;
  double stance_knee_flexion_deg = NAN, stance_hip_flexion_deg = NAN, stance_hip_adduction_deg = NAN;
  double knee_ahead_of_cop_m = NAN, knee_above_cop_m = NAN, hip_ahead_of_cop_m = NAN;
  double knee_ahead_of_pelvis_m = NAN, knee_below_pelvis_m = NAN;
  double hip_height_m = NAN;          // hip centre above the COP (the plate surface)
  double leg_length_mid_m = NAN;      // hip centre to COP
  double leg_compression_m = NAN;     // hip-COP distance at foot strike minus at mid-stance
  double vertical_force_mid_n = NAN, vertical_force_mid_bw = NAN, ap_force_mid_n = NAN, ap_force_mid_bw = NAN;
  // Over the stance.
  double contact_time_s = NAN;
  double peak_vertical_force_n = NAN, peak_vertical_force_bw = NAN, time_to_peak_s = NAN;
  double loading_rate_n_s = NAN, loading_rate_bw_s = NAN;
  double braking_impulse_ns = NAN, propulsive_impulse_ns = NAN, vertical_impulse_ns = NAN, vertical_impulse_bw_s = NAN;
  double braking_impulse_bw_s = NAN, propulsive_impulse_bw_s = NAN;
  double peak_braking_force_n = NAN, peak_propulsive_force_n = NAN;
  double com_vertical_displacement_m = NAN;
  double vertical_stiffness_n_m = NAN, leg_stiffness_n_m = NAN;
  double vertical_stiffness_sine_n_m = NAN, leg_stiffness_sine_n_m = NAN;
  // Swing leg, time-locked to this stance.
  double swing_thigh_angle_strike_deg = NAN, swing_thigh_angle_mid_deg = NAN, swing_thigh_angle_toe_off_deg = NAN;
  double swing_thigh_angular_velocity_peak_deg_s = NAN, swing_thigh_angular_velocity_mid_deg_s = NAN;
  double swing_knee_ahead_of_pelvis_m = NAN, swing_knee_ahead_of_stance_hip_m = NAN, swing_knee_displacement_m = NAN;
  double swing_knee_velocity_pelvis_m_s = NAN, swing_knee_velocity_stance_hip_m_s = NAN;
  double swing_hip_flexion_deg = NAN, swing_knee_flexion_deg = NAN;
  // Step.
  double step_time_s = NAN, flight_time_s = NAN, step_length_m = NAN, cadence_steps_min = NAN, speed_m_s = NAN;
};

enum class MetricGroup { kMidStance, kStance, kSwing, kStep };

// The columns of the stance table, in order: name (HDF5 dataset and CSV column), units,
// description, group, whether it needs kinematics, and the member.
struct MetricColumn {
  const char* name;
  const char* units;
  const char* description;
  MetricGroup group;
  bool kinematic;
  double StanceMetrics::*member;
};
const std::vector<MetricColumn>& StanceMetricColumns();

// The relationships the lab asks about: each knee-drive metric (swing leg) against each force
// metric of the same stance. Force metrics in body weights when the mass is known, else in N.
const std::vector<std::string>& KneeDriveMetricNames();
std::vector<std::string> ForceMetricNames(bool body_weights);
// The value of a named column of a stance's metrics (throws InvalidInput for an unknown name).
double MetricValue(const StanceMetrics& metrics, const std::string& name);

// Metrics of one stance; NaN where the inputs do not determine a value. Throws InvalidInput for a
// context without a stance or with a heading that is not a unit horizontal vector.
StanceMetrics ComputeStanceMetrics(const StanceContext& context);

// Kinematic mid-stance definitions once joint kinematics exist: the stance knee's peak flexion
// in the first 60 % of the stance (Novacheck 1998; walking's pre-swing flexion is left out), and the swing ankle centre passing the stance ankle centre
// along the heading (Perry's "feet adjacent"). Fills the two entries of `mid` (time or reason).
void KinematicMidStanceTimes(const KinematicSignals& kinematics, int side, double strike_s, double toe_off_s,
                             const std::array<double, 3>& heading, MidStanceTimes* mid);

// Curves of one stance, each [101][3] row-major, NaN where unknown.
struct StanceCurves {
  std::vector<double> hip_deg, knee_deg;                          // stance side, 0-100 % of stance
  std::vector<double> contralateral_hip_deg, contralateral_knee_deg;  // swing side, same instants
  std::vector<double> grf_n;                                      // progression frame: anterior, left, up
  std::vector<double> hip_cycle_deg, knee_cycle_deg, grf_cycle_n;  // 0-100 % of the gait cycle (strike to strike)
};
StanceCurves ComputeStanceCurves(const StanceContext& context);

// Mean and sample SD over rows (each [101][3]) of the finite values at each point; NaN where
// fewer than one (mean) or two (SD) values exist.
void CurveMeanSd(const std::vector<const std::vector<double>*>& curves, std::vector<double>* mean,
                 std::vector<double>* sd);

}  // namespace midstance
