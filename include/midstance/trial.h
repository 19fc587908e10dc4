#pragma once
// `midstance process TRIAL.c3d -o result.h5` (or TRIAL.trc --grf GRF.mot): a trial (trial_model.h,
// already turned into the internal lab frame: Z up, X forward) -> ground reaction forces, contacts
// assigned to feet, foot strike / toe-off / mid-stance on one clock with the camera frames,
// plausibility of each stance; written with the trial itself to HDF5 (DESIGN.md layout).
#include <array>
#include <optional>
#include <cmath>
#include <string>
#include <vector>

#include "midstance/backend.h"
#include "midstance/c3d.h"  // C3dReadOptions: how the io layer reads a C3D
#include "midstance/forceplate.h"
#include "midstance/gait_events.h"
#include "midstance/lab_frame.h"
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
  double body_mass_kg = NAN;         // NaN: the file's subject mass, else from whole steps of force, else unknown
  double sensitivity_n = 10;         // contact time is also reported at threshold -/+ this
  // A foot marker may stand this far outside the plate outline while the foot is on it: heel and
  // toe markers sit 20-40 mm beyond the shoe (OpenSim's walking2.c3d: RCAL 35 mm).
  double plate_marker_margin_m = 0.040;
  // The centre of pressure closer than this to the plate edge means part of the foot is off it.
  double plate_cop_margin_m = 0.010;
  void Validate() const;
};

struct Stance {
  Side side = Side::kUnknown;
  std::string side_evidence;        // how the side was decided
  std::vector<int> plates;          // 0-based plates the contact is on; empty: kinematic events only
  bool from_force = true;           // false: kinematic events only (running: foot markers' heights; walking: Zeni et al. 2008)
  int64_t first_sample = 0, last_sample = 0;  // analog samples above threshold (force stances)
  ContactEvents events;             // strike / toe-off, s from the first frame
  MidStanceTimes mid_stance;
  bool clean = true;                // usable for metrics
  std::string exclusion;            // why not ("" when clean)
  bool plausible = true;            // false: physically implausible (a 40 ms "contact", 0.1 BW while running)
  double foot_inside_plate_m = NAN; // least distance of the foot (markers less the margin, and COP) inside the plate outline; < 0 outside
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
  std::vector<ForcePlate> plates;   // the real plates; loads beyond them are resolved ground reactions (no outline)
  std::vector<PlateLoads> loads;
  std::vector<std::string> load_names;  // per load: the plate's name or the GRF's column prefix
  AnalogSync sync;
  std::array<double, 3> heading{1, 0, 0};
  std::string heading_source;
  double body_mass_kg = NAN;
  std::string body_mass_source;
  std::vector<Stance> stances;  // in time order
  std::vector<double> pelvis_track_m;  // [frame][3] centroid of the pelvis markers, NaN when missing; empty without pelvis markers
  bool running = false;
  std::string gait_evidence;        // why running or walking
  LabFrame lab_frame;               // the trial's, as decided before the analysis
  SyncCheck sync_check;
  std::vector<std::string> warnings;
};

// `trial` in the internal lab frame; `groups` its pelvis and foot markers.
TrialAnalysis AnalyseTrial(const Trial& trial, const MarkerGroups& groups, const TrialOptions& options, Backend backend);

// A trial read (C3D, or TRC + GRF .mot), its marker set and groups chosen, its lab frame decided
// and the trial (and its static trial) turned into the internal lab frame; warnings logged.
struct PreparedTrial {
  Trial trial;
  std::optional<Trial> static_trial;
  MarkerSetChoice choice;
  MarkerGroups groups;
};
PreparedTrial PrepareTrial(const std::string& path, const std::string& grf_path, const SkeletonOptions& skeleton,
                           const LabFrameOptions& lab_frame, const C3dReadOptions& read = {});

// PrepareTrial (no static trial, marker set detected) then AnalyseTrial, on the CPU: the forces,
// events and stances of a trial file, for `info` and tests.
TrialAnalysis AnalyseTrialFile(const std::string& path, const TrialOptions& options = {}, const LabFrameOptions& lab_frame = {},
                               const C3dReadOptions& read = {});

// PrepareTrial then ComputeTrialKinematics (options.static_path honoured), on the CPU; with the
// rotation from the file's axes to the internal frame the results are in.
TrialKinematics ComputeTrialKinematicsFile(const std::string& path, const SkeletonOptions& options,
                                           Eigen::Matrix3d* internal_from_file = nullptr);

struct TrialProcessOptions {
  std::string input_path, output_path, command_line;
  std::string grf_path;              // OpenSim GRF .mot for a .trc input
  LabFrameOptions lab_frame;
  TrialOptions trial;
  SkeletonOptions skeleton;
  StanceOptions stances;
  bool write_csv = true;     // <output>.stances.csv and <output>.relationships.csv next to the HDF5
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
