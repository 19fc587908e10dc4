#pragma once
// The internal lab frame (DESIGN.md, "Conventions"): right-handed, Z up, X the runner's direction
// of progression. Labs differ: Motion Analysis Cortex and instrumented treadmills store Y up,
// OpenSim's files are Y up, runways run along -X. A file read as if Z were up puts the
// side-to-side force in the "vertical" and every stage after it is wrong without a word, so the
// vertical and the heading are found from the data, each with the evidence said in the log and
// the results, and the whole trial is rotated once (RotateTrial) before any stage runs.
//
// Vertical, first source that answers:
//  1. force plates: their surface normal from the corners (c3d.org guide: corners 1-4 clockwise
//     seen from above, plate z = x cross y into the floor), signed so the markers stand above the
//     surface;
//  2. resolved ground reactions (OpenSim's GRF .mot): the mean force over the loaded samples
//     (the ground pushes the runner up);
//  3. markers: pelvis above feet, from the marker set's segments, in the static trial when one is
//     given (standing is unambiguous), else in the dynamic trial;
//  4. the file's +Z, with a warning (nothing in the data decides).
// The up direction is snapped to the nearest file axis when within 10 degrees (labs align their
// axes with the floor); a tilt beyond that is kept exact and warned about.
//
// Heading, in the horizontal plane: the pelvis's travel over the trial when it moves over 1 m
// (overground); else, when the pelvis stays within 0.6 m while the feet keep landing, a treadmill:
// the stance foot moves backwards with the belt, so forward is against the belt's velocity and
// the belt speed is the stance foot's median speed (or --treadmill-speed); else the file's +X.
// Snapped to the nearest horizontal file axis within 10 degrees, like the vertical.
#include <Eigen/Core>
#include <array>
#include <string>
#include <vector>

#include "midstance/trial_model.h"

namespace midstance {

// Markers of a trial by body part: indices into Trial::markers (from the marker set's segments,
// or, without a known set, from the labels).
struct MarkerGroups {
  std::vector<int> pelvis;
  std::array<std::vector<int>, 2> foot;  // [0] left, [1] right
  std::array<int, 2> heel{-1, -1}, toe{-1, -1};  // the marker set's heel and toe markers (-1: none)
  std::string source;                    // "marker set 'plugin_gait'", "labels (no known marker set)"
  bool HasFeet() const { return !foot[0].empty() && !foot[1].empty(); }
};

struct LabFrameOptions {
  std::string vertical_axis;          // "" (from the data) or x, y, z, -x, -y, -z: the file's up axis
  double treadmill_speed_m_s = NAN;   // belt speed given by the user; NaN: estimate on a treadmill
  void Validate() const;              // throws InvalidInput naming --vertical-axis / --treadmill-speed
};

struct LabFrameDecision {
  LabFrame frame;                     // with internal_from_file, the evidence and the treadmill
  std::vector<std::string> warnings;
};

// `static_trial` (may be null) is the same session's standing trial, in its file axes, with its
// own groups. Never throws for data that merely leave the vertical undecided (case 4 above).
LabFrameDecision DecideLabFrame(const Trial& trial, const MarkerGroups& groups, const Trial* static_trial,
                                const MarkerGroups* static_groups, const LabFrameOptions& options);

// "+z", "-y" ... for a unit axis; "" when the vector is not along an axis.
std::string AxisName(const Eigen::Vector3d& axis);
// "x", "-y" ... -> the unit axis; throws InvalidInput naming `option`.
Eigen::Vector3d ParseAxis(const std::string& text, const std::string& option);

// Per-frame lowest point of a group of markers along `up` (file frame), NaN where all are missing:
// the sole of a foot as the markers see it.
std::vector<double> LowestAlong(const MarkerTrajectories& markers, const std::vector<int>& group, const Eigen::Vector3d& up);

}  // namespace midstance
