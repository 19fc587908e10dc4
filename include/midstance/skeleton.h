#pragma once
// The lower-limb skeleton: marker sets and models as data (calib/markersets, calib/models), static
// calibration (segment frames, joint centres, markers in their segments), batched inverse
// kinematics (ik_chain.h) and the joint kinematics reported from it.
//
// Lengths are metres, angles radians inside and degrees in reports; every frame is the lab frame
// of the trial unless a name says otherwise. Sides are indexed 0 = left, 1 = right.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "midstance/backend.h"
#include "midstance/ik_chain.h"
#include "midstance/lab_frame.h"
#include "midstance/subject.h"
#include "midstance/trial_model.h"

namespace midstance {

constexpr int kLeftLimb = 0;
constexpr int kRightLimb = 1;
const char* LimbSideName(int side);  // "left", "right"

// --- marker sets ----------------------------------------------------------------------------------

// One way to find a landmark in a trial: a label ("{s}" is replaced by the side's letters), or
// the midpoint of several labels written "A+B".
struct LandmarkAlternatives {
  std::vector<std::string> patterns;  // tried in order; the first present is used
  bool optional = false;
};

struct MarkerSet {
  std::string name, description, origin;           // origin: the file it came from
  std::array<std::string, 2> side_letters{"L", "R"};  // what "{s}" becomes on each side
  std::map<std::string, LandmarkAlternatives> landmarks;  // role -> labels
  // Markers each segment kind (pelvis, thigh, shank, foot) carries in dynamic trials: roles of
  // `landmarks` or label patterns.
  std::map<std::string, std::vector<std::string>> tracking;
  // Inverse-kinematics weight of a tracking entry (role or label pattern); 1 when not listed.
  std::map<std::string, double> weights;
};

// Reads a marker-set TOML file (format: calib/markersets/README.md). Throws FileFormatError
// naming the file and the key.
MarkerSet ReadMarkerSet(const std::string& path);
// The sets shipped in calib/markersets, compiled into the binary.
std::vector<MarkerSet> BuiltInMarkerSets();
// A built-in set by name, or a TOML file when `name_or_path` ends in .toml.
MarkerSet FindMarkerSet(const std::string& name_or_path);

// A label as the file stores it, without a subject prefix such as Vicon's "A22:".
std::string StripSubjectPrefix(const std::string& label);
// Upper-case label without its subject prefix -> the first column that has it: how marker sets
// find their labels in a trial.
std::map<std::string, int> LabelColumns(const std::vector<std::string>& labels);
std::string UpperLabel(const std::string& label);  // StripSubjectPrefix, then upper case

// Which column of a trial each landmark uses: indices into the trial's labels (two or more for a
// midpoint), empty when absent.
struct ResolvedLandmark {
  std::vector<int> columns;
  std::string description;  // the labels used, e.g. "LKNE" or "LMT1+LMT2"
};

// The pelvis and foot markers of a trial (lab_frame.h) from the set's [tracking] pelvis and foot
// entries and its heel and toe landmarks.
MarkerGroups MarkerGroupsFromSet(const std::vector<std::string>& labels, const MarkerSet& set);
// Without a known set: from the labels the common sets use (LHEE, LCAL, L_HEEL, L.Heel, LMT1 ...;
// SACR, LPSI, LASI ...); the source says so.
MarkerGroups MarkerGroupsFromLabels(const std::vector<std::string>& labels);

// --- model ------------------------------------------------------------------------------------------

struct JointModel {
  std::string name;                   // hip, knee, ankle
  std::array<std::string, 3> angle_names;  // Z X Y rotations, e.g. flexion adduction rotation
  std::array<bool, 3> free{true, true, true};
  std::array<std::array<double, 2>, 3> limits_deg{};  // clinical sign convention
  std::array<int, 3> right_sign{1, 1, 1};  // clinical angle = sign * chain angle, right side
  std::array<int, 3> left_sign{1, -1, -1};
};

struct SkeletonModel {
  std::string name, description, origin;
  std::string hip_centre;                 // "harrington" or "davis"
  std::vector<std::string> knee_centre;   // preference: "condyles", "chord"
  std::vector<std::string> ankle_centre;  // preference: "malleoli", "chord"
  std::string lateral_axes;  // "landmark_pairs" (ISB: condyles, malleoli) or "lateral_markers" (Plug-in Gait)
  JointModel hip, knee, ankle;
  double static_motion_limit_m = 0.02;    // a static trial moving more than this is refused
};

SkeletonModel ReadSkeletonModel(const std::string& path);
SkeletonModel FindSkeletonModel(const std::string& name_or_path);  // "isb", "pig" or a .toml file

// --- static calibration -----------------------------------------------------------------------------

// Segments of the chain, in chain order (parents first).
enum SkeletonSegment { kPelvis = 0, kThighLeft, kShankLeft, kFootLeft, kThighRight, kShankRight, kFootRight, kSegmentCount };
const char* SegmentName(int segment);      // pelvis, thigh_left, ...
int SegmentSide(int segment);              // kLeftLimb / kRightLimb, -1 for the pelvis


struct CalibrationOptions {
  bool is_static_trial = true;   // false: calibrate on the dynamic trial's complete frames
  int max_frames = 200;          // frames averaged (evenly spaced among the complete ones)
};

struct SkeletonCalibration {
  std::string model, marker_set, source_file;
  bool from_static_trial = true;
  int frames_used = 0;
  SubjectParameters subject;
  std::string hip_method;
  std::array<std::string, 2> knee_method, ankle_method;
  IkChain chain;
  std::vector<std::string> marker_labels;        // chain marker m -> trial label (prefix stripped)
  std::map<std::string, Eigen::Vector3d> static_joint_centres_m;  // hip_left ... at calibration (lab)
  std::vector<std::string> notes;                // what was estimated or assumed, for the log and HDF5
};

// Throws FileFormatError naming the file and marker when a landmark the model needs is missing
// (or never seen with the others), and when a static trial moves more than the model allows.
SkeletonCalibration CalibrateSkeleton(const MarkerTrajectories& trial, const MarkerSet& markers,
                                      const SkeletonModel& model, const SubjectParameters& subject,
                                      const CalibrationOptions& options);

// Picks the first built-in marker set whose required landmarks are all in `labels`; throws
// FileFormatError listing what the closest set misses.
MarkerSet DetectMarkerSet(const std::string& file, const std::vector<std::string>& labels);

// --- inverse kinematics and kinematics --------------------------------------------------------------

struct KinematicsOptions {
  IkFrameOptions solver;
  double filter_hz = 6;      // low-pass before differentiation (Winter 2009, 3.4.4: 6 Hz for gait)
  int filter_order = 4;
};

struct JointAngles {
  std::string name;                    // hip_left ...
  std::array<std::string, 3> columns;  // flexion adduction internal_rotation (clinical names)
  std::vector<double> angles_deg;      // [frame][3]
  std::vector<double> velocity_deg_s;  // [frame][3]
};

struct Kinematics {
  double rate_hz = 0;
  int frame_count = 0;
  std::vector<double> time_s;
  std::vector<JointAngles> joints;  // hip_left, hip_right, knee_left, knee_right, ankle_left, ankle_right
  std::vector<std::string> centre_names;          // hip_left, knee_left, ankle_left, ...
  std::vector<std::vector<double>> centres_m;     // [centre][frame][3]
  std::vector<std::vector<double>> centre_velocity_m_s;
  std::vector<std::vector<double>> segment_rotation;  // [segment][frame][9]
  std::vector<std::vector<double>> segment_origin_m;  // [segment][frame][3]
  std::vector<std::vector<double>> segment_angular_velocity_rad_s;  // [segment][frame][3], lab frame
  std::vector<std::string> marker_labels;
  std::vector<double> marker_residual_m;  // [frame][marker], NaN when absent
  std::vector<double> rms_residual_m;     // [frame]
  std::vector<int> iterations;            // [frame]
  std::vector<uint8_t> solved;            // [frame]: 1 when every segment was determined
  std::map<std::string, int> unsolved_reasons;  // e.g. "foot_left: 1 of 2 markers" -> frames
  std::vector<double> coordinates;        // [frame][coordinate] raw chain coordinates (rad, m)
  const JointAngles& Joint(const std::string& name) const;
};

// The chain's start for each frame from segment-wise rigid fits (Kabsch 1976): returns the root
// reference rotations [frame][9] and fills q [frame][coordinate].
std::vector<double> InitialiseFrames(const IkChain& chain, int frame_count, const std::vector<double>& markers_m,
                                     std::vector<double>* q);

// Static and dynamic trials of one session sometimes label a cluster's markers differently
// (hybrid_standing / hybrid_walking_1 swap R_THIGH_3 and R_THIGH_4). For each segment with 3-6
// markers whose distances in `trial` disagree with the calibration by more than 10 mm, the
// relabelling that makes them agree is applied to the calibration; returns what was done. Throws
// FileFormatError naming the segment's markers when they differ by more than 25 mm and no
// relabelling fits (a static trial of another subject or another marker placement).
std::vector<std::string> MatchClusterLabels(SkeletonCalibration* calibration, const MarkerTrajectories& trial);

// The chain markers' measured positions [frame][marker][3] picked out of a trial by label.
std::vector<double> ChainMarkerPositions(const SkeletonCalibration& calibration, const MarkerTrajectories& trial);

Kinematics SolveKinematics(const SkeletonCalibration& calibration, const SkeletonModel& model,
                           const MarkerTrajectories& trial, const KinematicsOptions& options, Backend backend);

// Clinical joint angles (deg) of the relative rotation parent -> child, by the model's signs.
std::array<double, 3> ClinicalAngles(const JointModel& joint, int side, const double parent_rotation[9],
                                     const double child_rotation[9]);

}  // namespace midstance
