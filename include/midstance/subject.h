#pragma once
// Subject parameters of the lower-limb skeleton: the anthropometric inputs of Plug-in Gait (Vicon,
// "Plug-in Gait Reference Guide": body mass, height, leg length, knee width, ankle width, marker
// diameter), where each value came from, and estimates for archived trials that carry none.
//
// Units SI: kg and metres (the marker diameter too). Arrays indexed by side: [0] left, [1] right.
// NaN means "not set". Sources, lowest precedence first; the caller overlays them with Overlay():
//   1. the trial's file (io: SubjectParametersFromC3d in c3d_trial.h),
//   2. the [subject] table of session.toml or of a standalone subject.toml (SubjectParametersFromToml),
//   3. the command line (the CLI fills a SubjectParameters, source "command line"),
//   4. whatever is still missing: EstimateMissing() from a static pose, then ratios and defaults.
// ValidateSubjectParameters() then rejects implausible values, naming the parameter and its source.
// Mass and height are carried along for the record but are not needed by the skeleton.
#include <Eigen/Core>
#include <cmath>
#include <map>
#include <string>
#include <vector>


namespace midstance {

struct SubjectParameters {
  double mass_kg = NAN, height_m = NAN;
  // ASIS to medial malleolus via the knee, measured along the skin (Plug-in Gait's definition).
  double leg_length_m[2] = {NAN, NAN};
  double knee_width_m[2] = {NAN, NAN};   // medial-lateral width across the femoral condyles
  double ankle_width_m[2] = {NAN, NAN};  // medial-lateral width across the malleoli
  double marker_diameter_m = NAN;
  // Field name (see ListSubjectParameters) -> where its value came from: "command line",
  // "<file>: PROCESSING:LLegLength", "<file>: [subject] leg_length_m", "estimated from markers
  // (...)", "typical ratio (...)", "default (...)". Written to the log and the HDF5 attributes.
  std::map<std::string, std::string> source;
};

// One field of SubjectParameters, in a fixed order: mass, height, leg_length_left,
// leg_length_right, knee_width_left, knee_width_right, ankle_width_left, ankle_width_right,
// marker_diameter. The names are stable (keys of `source`, HDF5 attribute names).
struct SubjectField {
  std::string name;
  std::string unit;    // "kg" or "m"
  double value = NAN;  // NaN when not set
  std::string source;  // "" when not recorded
};
std::vector<SubjectField> ListSubjectParameters(const SubjectParameters& p);

// One field by its ListSubjectParameters name (mass, leg_length_left ...), value in SI, with its
// source; for the readers in io/ that fill parameters from files.
void SetSubjectParameter(SubjectParameters* p, const std::string& name, double value, const std::string& source);
bool SubjectParameterIsSet(const SubjectParameters& p, const std::string& name);

// The [subject] table of a TOML file; an absent table gives no values. Keys (numbers, SI):
//   mass_kg, height_m, marker_diameter_m,
//   leg_length_m (both sides) or leg_length_left_m / leg_length_right_m,
//   knee_width_m  or knee_width_left_m  / knee_width_right_m,
//   ankle_width_m or ankle_width_left_m / ankle_width_right_m.
// Throws FileFormatError naming the file and the key for an unknown key, a value that is not a
// finite number, a both-sides key given together with a one-side key, or a missing or bad file.
// Ranges are ValidateSubjectParameters()'s business.
SubjectParameters SubjectParametersFromToml(const std::string& path);

// `base` with every field that is set in `over` replaced, with its source (field by field); a
// replaced field whose source `over` does not record loses its old source.
SubjectParameters Overlay(const SubjectParameters& base, const SubjectParameters& over);

// Landmark marker positions in a static pose (metres, lab frame; NaN components when the marker
// is absent), e.g. the mean of a standing trial. Medial markers are optional.
struct LegLandmarks {
  Eigen::Vector3d asis = Eigen::Vector3d::Constant(NAN);
  Eigen::Vector3d knee_lateral = Eigen::Vector3d::Constant(NAN);
  Eigen::Vector3d knee_medial = Eigen::Vector3d::Constant(NAN);
  Eigen::Vector3d ankle_lateral = Eigen::Vector3d::Constant(NAN);
  Eigen::Vector3d ankle_medial = Eigen::Vector3d::Constant(NAN);
};

// Plug-in Gait's default marker diameter (14 mm), used when no source gives one.
constexpr double kDefaultMarkerDiameterM = 0.014;
// Knee and ankle width as a fraction of leg length, used only when a side lacks the lateral or
// the medial marker. A project heuristic, not a published ratio: the two static trials in the
// shared test data that carry medial markers (hybrid_standing.c3d, ist_static.c3d; two subjects)
// give (marker distance - 14 mm) / leg length of 0.132-0.145 at the knee and 0.079-0.086 at the
// ankle; the values below are those ranges rounded down. Plug-in Gait puts the knee joint centre
// (knee width + marker diameter) / 2 from the lateral marker, so a 10 mm error in the width moves
// the joint centre 5 mm: measure the widths when that matters.
constexpr double kKneeWidthPerLegLength = 0.13;
constexpr double kAnkleWidthPerLegLength = 0.08;

// Fills every missing length, leaving set fields as they are; mass and height are never estimated.
//  - marker diameter: kDefaultMarkerDiameterM ("default").
//  - leg length: |ASIS - knee| + |knee - ankle|, the knee and the ankle being the medial markers
//    when present, else the lateral ones (the source says which). Marker centres sit one radius
//    off the skin, which a tape measure does not see: expect a few mm more than a tape.
//  - knee / ankle width: |lateral - medial| minus one marker diameter (each centre is a radius off
//    the skin) when both markers are present, else the ratio above times the leg length.
// A field stays NaN when its markers are absent (no ASIS, or no knee or ankle marker).
SubjectParameters EstimateMissing(const SubjectParameters& given, const LegLandmarks& left,
                                  const LegLandmarks& right);

enum class SubjectRequirement {
  kSkeleton,  // leg lengths, widths and marker diameter must be set (after EstimateMissing)
  kSetOnly,   // check only the fields that are set (e.g. command-line values before estimation)
};

// Throws InvalidInput "<source>: subject parameter <name>: expected <range>, got <value>" for the
// first implausible field (the marker diameter checked first, since estimated widths depend on it): mass 20-250 kg, height 0.8-2.3 m, leg length 0.4-1.3 m, knee width
// 0.04-0.20 m, ankle width 0.03-0.15 m, marker diameter 3-40 mm, a width not below a third of its
// leg length, infinity, or (kSkeleton) a skeleton field not set. NaN mass and height are allowed.
// Returns warnings for plausible but suspicious values: left and right leg lengths differing by
// more than 10 % of their mean; a leg length outside 0.40-0.60 of the height (about 0.49 H from
// Winter's proportions: hip 0.530 H, ankle 0.039 H above the floor; Winter, "Biomechanics and
// Motor Control of Human Movement", 4th ed. 2009, fig. 4.1), which usually means a unit slip.
std::vector<std::string> ValidateSubjectParameters(const SubjectParameters& p,
                                                   SubjectRequirement requirement = SubjectRequirement::kSkeleton);

// One line per field (in ListSubjectParameters order): name, value with unit, source; for the log.
std::string DescribeSubjectParameters(const SubjectParameters& p);

}  // namespace midstance
