#pragma once
// `midstance process TRIAL.c3d -o result.h5`: a reconstructed trial's force plates -> ground
// reaction forces, contacts assigned to feet, foot strike / toe-off / mid-stance on one clock
// with the camera frames, written with the trial itself to HDF5 (DESIGN.md layout).
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "midstance/backend.h"
#include "midstance/c3d.h"
#include "midstance/forceplate.h"
#include "midstance/gait_events.h"
#include "midstance/stance_table.h"
#include "midstance/sync.h"
#include "midstance/trial_kinematics.h"

namespace midstance {

struct TrialOptions {
  ContactOptions contact;            // threshold (also the COP threshold) and minimum duration
  bool remove_baseline = true;       // FORCE_PLATFORM:ZERO as the file says
  int plate_sign = 0;                // 0: from the data; +1 / -1 forced
  double force_filter_hz = 0;        // zero-lag low-pass of the stored GRF and mid-stance forces; 0: raw
  double contact_filter_hz = 0;      // contacts on raw force (0) or lightly filtered (e.g. 50 Hz)
  int filter_order = 4;
  double body_mass_kg = NAN;         // NaN: PROCESSING:Bodymass of the file, else unknown
  double sensitivity_n = 10;         // contact time is also reported at threshold -/+ this
  void Validate() const;
};

enum class Side { kUnknown, kLeft, kRight };
const char* SideName(Side side);  // "unknown", "left", "right"

struct Stance {
  Side side = Side::kUnknown;
  std::string side_evidence;        // how the side was decided
  std::vector<int> plates;          // 0-based plates the contact is on; empty: kinematic events only
  bool from_force = true;           // false: kinematic fallback (Zeni et al. 2008)
  int64_t first_sample = 0, last_sample = 0;  // analog samples above threshold (force stances)
  ContactEvents events;             // strike / toe-off, s from the first frame
  MidStanceTimes mid_stance;
  bool clean = true;                // usable for metrics
  std::string exclusion;            // why not ("" when clean)
  std::array<double, 3> contact_time_by_threshold_s{NAN, NAN, NAN};  // threshold crossings at T - d, T, T + d
  double contact_time_s() const { return events.toe_off_s - events.strike_s; }
};

struct SyncCheck {
  int pairs = 0;               // force contacts with a kinematic foot strike of the same foot nearby
  double median_lag_s = NAN;   // kinematic strike - force strike
  bool warned = false;
  std::string message;
};

struct TrialAnalysis {
  std::vector<ForcePlate> plates;
  std::vector<PlateLoads> loads;
  AnalogSync sync;
  std::array<double, 3> heading{1, 0, 0};
  std::string heading_source;
  double body_mass_kg = NAN;
  std::string body_mass_source;
  std::vector<Stance> stances;  // in time order
  std::vector<double> pelvis_track_m;  // [frame][3] sacrum / PSIS / ASIS midpoint, NaN when missing; empty without pelvis markers
  SyncCheck sync_check;
  std::vector<std::string> warnings;
};

TrialAnalysis AnalyseTrial(const C3dFile& c3d, const TrialOptions& options, Backend backend);

struct TrialProcessOptions {
  std::string input_path, output_path, command_line;
  TrialOptions trial;
  SkeletonOptions skeleton;
  StanceOptions stances;
  bool write_csv = true;     // <output>.stances.csv next to the HDF5
  bool write_report = true;  // <output>.report.html next to the HDF5
  ResolvedBackend backend;
  C3dReadOptions c3d;        // how the trial (and its static trial) are read: strict refuses vendor quirks
};
struct TrialResult {
  TrialAnalysis analysis;
  TrialKinematics kinematics;
  StanceTable stances;
  std::string csv_path, report_path;  // empty when not written
};
TrialResult ProcessTrial(const TrialProcessOptions& options);

// A short human summary: one line per stance (side, plate, strike, toe-off, contact time and
// its threshold sensitivity, mid-stance).
std::string FormatStances(const TrialAnalysis& analysis, double threshold_n, double sensitivity_n);

}  // namespace midstance
