#pragma once
// Gait events from plain arrays: foot contacts, foot strike and toe-off from the vertical ground
// reaction force, the mid-stance instant under every definition in use, and kinematic foot
// strike / toe-off from foot and pelvis markers for contacts off the force plates.
//
// Units SI (N, s, m, kg). Lab frame, Z up. Force = ground reaction force ON the subject (vertical
// component positive when the plate is loaded). Sample k of a series is at t0_s + k / rate_hz.
// Sub-sample instants are reported as times; "index" in comments means a fractional sample index.
// Missing samples are NaN: a NaN force sample is never part of a contact.
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace midstance {

struct ContactOptions {
  double threshold_n = 20;        // vertical force threshold (N)
  double min_duration_s = 0.020;  // shorter runs above threshold are not contacts (noise, stepping on the plate edge)
  // Throws InvalidInput naming the field unless threshold_n > 0 and min_duration_s >= 0 (both finite).
  void Validate() const;
};

// A run of consecutive samples with vertical force > threshold lasting >= min_duration_s, where
// duration = (last - first + 1) / rate. Inclusive sample indices.
struct ForceContact {
  int64_t first_sample = 0, last_sample = 0;
  bool cut_at_start = false;  // above threshold at sample 0: the capture started during the contact
  bool cut_at_end = false;    // above threshold at the last sample
};

// Contacts in time order. A run cut by the capture is kept (and flagged) when its captured part
// alone lasts min_duration_s. Throws InvalidInput for rate_hz <= 0 or invalid options.
std::vector<ForceContact> FindContacts(const std::vector<double>& vertical_n, double rate_hz,
                                       const ContactOptions& options);

// Foot strike / toe-off of one contact at sub-sample resolution.
//  *_threshold_s: the threshold crossing, linearly interpolated between the samples either side.
//  strike_s / toe_off_s: the force onset / offset. A threshold crossing lags the true onset by
//    threshold / slope (20 N on a 25 kN/s running edge: 0.8 ms, 1.6 samples at 2 kHz; several ms
//    for walking), and the lag changes with the threshold (Tirosh & Sparrow 2003, J Appl Biomech
//    19:178). So the edge is extrapolated to zero force along a straight line fitted (least
//    squares) to the edge's samples from the first above threshold to the first at or above
//    3 x threshold (at least two samples): the band above the plate's noise floor where a loading
//    edge is still straight. The line is fitted to samples rather than drawn through the
//    interpolated crossings because the sample before the contact may lie on the baseline before
//    the onset, and interpolating across that kink biases steep edges by up to 0.3 sample.
//    The onset is clamped between the last sample at or below 0 N before the contact and the
//    threshold crossing (the offset between the threshold crossing and the first sample at or below
//    0 N after the contact): force cannot have started rising while it was still at zero, and a
//    shelf between threshold and 3 x threshold (a foot grazing the plate edge) would otherwise make
//    the line reach back tens of ms. If the edge never reaches 3 x threshold before the contact's
//    peak, the threshold crossing is used. `method` says which rule gave each instant.
// NaN when the capture cut the contact at that end (or the sample next to it is missing). Throws
// InvalidInput when the contact does not lie within the series or its samples are not all above
// options.threshold_n.
struct ContactEvents {
  double strike_s = NAN, toe_off_s = NAN;
  double strike_threshold_s = NAN, toe_off_threshold_s = NAN;
  std::string method;  // e.g. "force: 20 N threshold crossing extrapolated to zero along the edge ..."
};
ContactEvents ForceEvents(const std::vector<double>& vertical_n, double rate_hz, double t0_s,
                          const ForceContact& contact, const ContactOptions& options);

// Every mid-stance definition in use (sources at each computation in src/events/mid_stance.cc).
// Kinematic ones are NaN with a reason until the skeleton stage exists.
enum class MidStanceDefinition {
  kPeakVerticalForce,     // spring-mass maximal compression (Blickhan 1989; McMahon & Cheng 1990)
  kBrakingToPropulsion,   // anterior-posterior force changes sign (Munro et al. 1987)
  kHalfContact,           // 50 % of the time-normalised stance
  kLowestCentreOfMass,    // vertical COM velocity zero from force integration (Cavagna 1975)
  kPeakKneeFlexion,       // stance knee most flexed (Novacheck 1998)
  kSwingLegPassing,       // swing foot passes the stance foot (Perry's "feet adjacent")
};
constexpr int kMidStanceDefinitionCount = 6;

// "peak_vertical_force", "braking_to_propulsion", "half_contact", "lowest_centre_of_mass",
// "peak_knee_flexion", "swing_leg_passing" (stable: used as HDF5 / CSV column names).
const char* MidStanceName(MidStanceDefinition definition);

struct MidStanceTimes {
  std::array<double, kMidStanceDefinitionCount> time_s{NAN, NAN, NAN, NAN, NAN, NAN};  // NaN when undefined
  std::array<std::string, kMidStanceDefinitionCount> reason;                           // why NaN ("" when defined)

  double Time(MidStanceDefinition d) const { return time_s[static_cast<size_t>(d)]; }
  const std::string& Reason(MidStanceDefinition d) const { return reason[static_cast<size_t>(d)]; }
};

// force_n: [samples][x y z] row-major (3 per sample), the whole series; the contact's samples (and
//   for the centre of mass, the interval strike_s..toe_off_s) are used.
// heading: unit horizontal direction of progression (anterior), lab frame.
// body_mass_kg: NaN when unknown (then lowest centre of mass is NaN with a reason).
// Throws InvalidInput for a force vector whose length is not a multiple of 3, rate_hz <= 0, a
// heading that is not a unit horizontal vector, a body mass <= 0 or infinite, or a contact
// outside the series.
MidStanceTimes MidStance(const std::vector<double>& force_n, double rate_hz, double t0_s,
                         const ForceContact& contact, const ContactEvents& events,
                         const std::array<double, 3>& heading, double body_mass_kg);

// a_s - b_s in milliseconds (NaN if either is NaN), for "mid-stance is 3.2 ms after peak force".
double OffsetMs(double a_s, double b_s);
// Where time_s falls in the stance, 0 at strike and 100 at toe-off (NaN if undefined).
double PercentOfStance(double time_s, const ContactEvents& events);

// Kinematic foot strike / toe-off for contacts off the plates (Zeni, Richards & Higginson 2008,
// Gait Posture 27:710): foot strike at the maxima of the heel position relative to the pelvis
// (sacrum or PSIS midpoint) along the direction of progression, toe-off at the minima of the toe
// position relative to the pelvis. Extrema are refined to sub-frame by a parabola through the
// extreme frame and its neighbours.
struct ZeniOptions {
  // An extremum must be the largest (smallest) finite value within +-min_separation_s. Half the
  // shortest same-foot stride (~0.4 s in sprinting), so marker jitter and the toe's secondary
  // wiggles are rejected but two strides are never merged.
  double min_separation_s = 0.2;
  void Validate() const;  // throws InvalidInput unless finite and > 0
};
struct KinematicEvent {
  double time_s = NAN;
  bool is_strike = false;  // false: toe-off
  std::string method;
};
// heel_m, toe_m, pelvis_m: [frames][3] row-major in m (NaN when missing), frames at rate_hz starting
// at t0_s. heading: unit horizontal direction of progression. Returns events in time order.
// An extremum at the first / last frame or next to a missing frame is not an event: the true
// extremum may lie outside the capture or inside the gap.
// Throws InvalidInput for mismatched lengths, lengths not a multiple of 3, rate_hz <= 0 or a
// heading that is not a unit horizontal vector.
std::vector<KinematicEvent> ZeniEvents(const std::vector<double>& heel_m, const std::vector<double>& toe_m,
                                       const std::vector<double>& pelvis_m, const std::array<double, 3>& heading,
                                       double rate_hz, double t0_s, const ZeniOptions& options = {});

// Kinematic foot contacts of a RUN from the heights of one foot's markers (internal frame, Z up):
// Zeni's walking method puts running strikes 45-61 ms early, because a runner's heel does not
// lead the pelvis the way a walker's does. A marker is near the ground within band_m of its
// ground level (its 5th height percentile); the foot is on the ground while any of its markers is,
// for at least min_contact_s. Foot strike: the first marker to land starts to decelerate, taken as
// its last vertical-velocity minimum before it comes to rest (velocity-based detection as in
// Maiwald et al. 2009, Footwear Sci 1:111; Leitch et al. 2011, J Biomech 44:1591; Handsaker et al.
// 2016, J Biomech 49:4128, whose point is that the first marker to land, heel or forefoot, marks
// the strike). Toe-off: the last marker leaves its band. Measured here against force plates:
// within 10 ms on the shared running trials (tests/events_running_test.cc).
// heights_m: [marker][frame]; NaN when missing. Contacts cut by the capture have NaN ends.
struct RunningContactOptions {
  double band_m = 0.03;
  double min_contact_s = 0.06;
  double max_glitch_s = 0.10;  // a lift shorter than this inside a contact is a marker glitch, bridged
  void Validate() const;
};
struct KinematicContact {
  double strike_s = NAN, toe_off_s = NAN;
  bool cut_at_start = false, cut_at_end = false;
  std::string method;
};
std::vector<KinematicContact> RunningFootContacts(const std::vector<std::vector<double>>& heights_m, double rate_hz, double t0_s,
                                                  const RunningContactOptions& options = {});

}  // namespace midstance
