#pragma once
// The trial model: one value type for a trial that every stage after reconstruction speaks
// (DESIGN.md, "One trial model, formats only in io"). io/ builds it from a C3D, from TRC + MOT,
// and writes it back; the stages (forceplate, events, skeleton, analysis) never see a file format.
//
// Units SI (m, s, N). Positions are in the trial's lab frame: the file's axes as read, until
// RotateTrial() turns the whole trial into midstance's internal lab frame (Z up, X the runner's
// direction of progression; lab_frame.h decides the rotation). Missing samples are NaN.
#include <Eigen/Core>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "midstance/subject.h"

namespace midstance {

// The body side of a limb, a foot contact or a marker (OpenSim's enum-class-for-conventions).
enum class Side { kUnknown, kLeft, kRight };
const char* SideName(Side side);  // "unknown", "left", "right"

// Labelled marker trajectories: [frame][marker][3] in metres, NaN when missing.
struct MarkerTrajectories {
  std::string file;
  double rate_hz = 0;
  int frame_count = 0;
  std::vector<std::string> labels;
  std::vector<double> positions_m;
  std::vector<double> residual_m;  // [frame][marker], the system's residual; empty when the file has none
  std::vector<uint8_t> filled;     // [frame][marker], 1 where the sample was gap-filled; empty when unknown
  const double* At(int frame, int marker) const {
    return positions_m.data() + (static_cast<size_t>(frame) * labels.size() + static_cast<size_t>(marker)) * 3;
  }
  double* At(int frame, int marker) {
    return positions_m.data() + (static_cast<size_t>(frame) * labels.size() + static_cast<size_t>(marker)) * 3;
  }
  int Find(const std::string& label) const;  // exact label, -1 when absent
};

// Analog channels: [sample][channel], scaled to the channel's units.
struct AnalogChannels {
  double rate_hz = 0;
  int channel_count = 0;
  int64_t samples = 0;
  std::vector<std::string> labels;
  std::vector<double> values;
  double offset_s = 0;  // time of sample 0 after camera frame 0 (C3D: 0 by the format)
};

// A force plate as the lab describes it: the C3D FORCE_PLATFORM group (c3d.org user guide)
// or a session's [[force_plates]], in metres in the trial's lab frame.
struct ForcePlate {
  std::string file;    // where the description comes from, named in errors
  std::string name;    // "FORCE_PLATFORM plate 2" or "[[force_plates]] 2"; errors name "<name>:<field>"
  int type = 2;        // 1: Fx Fy Fz X Y Tz; 2: Fx Fy Fz Mx My Mz; 3: Kistler 8 channels; 4: type 2 x CAL_MATRIX
  std::array<Eigen::Vector3d, 4> corners_m;  // lab frame, the guide's corner order
  Eigen::Vector3d origin_m = Eigen::Vector3d::Zero();  // FORCE_PLATFORM:ORIGIN as stored (plate frame), in metres
  std::vector<int> channels;       // 0-based analog channel indices: 6 (types 1, 2, 4) or 8 (type 3)
  Eigen::MatrixXd calibration;     // type 4: outputs x channels; empty otherwise
  std::vector<double> cop_polynomial;  // type 3: Kistler's 12 COP correction coefficients, or empty
  double moment_unit_m = 1e-3;     // moments come in N x this length (C3D: N x POINT:UNITS); type-1 X, Y too
  std::array<int, 2> zero_frames = {1, 0};  // baseline frames, 1-based, inclusive; first > last: none
};

// A ground reaction already resolved by another program (OpenSim's ExternalLoads layout: force,
// point, torque per applied body), sampled at `rate_hz` from t0_s; lab frame.
struct GroundReaction {
  std::string name;               // the column prefix, e.g. "R_", "l_", "1_"
  Side side = Side::kUnknown;     // when the prefix names a foot
  double rate_hz = 0;
  double t0_s = 0;
  std::vector<double> force_n;    // [sample][3], force on the subject
  std::vector<double> point_m;    // [sample][3], centre of pressure (NaN when unloaded)
  std::vector<double> torque_nm;  // [sample][3], free moment about the point
};

// The internal lab frame and how it was found from the file's axes.
struct LabFrame {
  // internal = rotation * file. Identity until RotateTrial; a proper rotation.
  Eigen::Matrix3d internal_from_file = Eigen::Matrix3d::Identity();
  std::string vertical;          // the file's up axis, "+z", "-y" ...
  std::string vertical_source;   // what decided it
  std::string heading_source;    // what decided the direction of progression (internal +X)
  bool treadmill = false;
  std::string treadmill_evidence;
  double belt_speed_m_s = NAN;   // treadmill belt speed (m/s), NaN overground
  std::string belt_speed_source; // "estimated from ...", "--treadmill-speed"
};

// An event the file carries (C3D EVENT group, Vicon's "Foot Strike" / "Foot Off").
struct TrialEvent {
  std::string label, context;
  double time_s = 0;
};

struct Trial {
  std::string path;                       // provenance: the file (or files, joined by " + ")
  std::string format;                     // "c3d", "trc+mot"
  std::vector<std::string> input_paths;   // every file read
  MarkerTrajectories markers;             // labelled markers only (model outputs left out)
  std::vector<std::string> model_outputs; // points the file stores that are not markers (angles, forces ...)
  AnalogChannels analog;
  std::vector<ForcePlate> plates;
  std::vector<GroundReaction> ground_reactions;  // when the forces come resolved (no plates)
  std::vector<TrialEvent> events;
  SubjectParameters subject;              // what the file says (mass included); sources recorded
  LabFrame lab_frame;
  std::vector<std::string> warnings;      // what the reader did about quirks, once each
};

// Turns every position, plate and force of `trial` (and its lab_frame) by `internal_from_file`,
// composing with any rotation already applied.
void RotateTrial(Trial* trial, const Eigen::Matrix3d& internal_from_file);
void RotateMarkers(MarkerTrajectories* markers, const Eigen::Matrix3d& rotation);

// Markers stored as exactly (0, 0, 0) are a vendor's "missing" (a real marker never sits exactly
// on the lab origin): they become NaN. Returns how many samples were changed.
int64_t ZeroMarkersToNan(MarkerTrajectories* markers);

}  // namespace midstance
