#pragma once
// The skeleton stage of `midstance process TRIAL.c3d`: subject parameters, static calibration (a
// static trial, or the dynamic trial's complete frames), inverse kinematics and the /kinematics
// group of the result (DESIGN.md, "HDF5 layout"; README "Skeleton and kinematics").
#include <string>
#include <vector>

#include "midstance/backend.h"
#include <optional>

#include "midstance/trial_model.h"
#include "midstance/hdf5_file.h"
#include "midstance/skeleton.h"
#include "midstance/subject.h"

namespace midstance {

struct SkeletonOptions {
  bool enabled = true;
  std::string model = "isb";         // isb, pig or a model .toml
  std::string marker_set;            // "" = detect among the built-in sets; a name or a .toml
  std::string static_path;           // "" = calibrate on the dynamic trial
  std::string subject_toml;          // [subject] table (session.toml or subject.toml), optional
  SubjectParameters command_line;    // overrides every other source
  KinematicsOptions kinematics;
};

struct TrialKinematics {
  bool computed = false;
  std::string skipped;               // why not, when !computed
  SkeletonModel model;
  MarkerSet marker_set;
  SkeletonCalibration calibration;
  Kinematics kinematics;
  double filter_hz = 0;              // low-pass before differentiation
  int filter_order = 4;
};

// The marker set of a trial: --markerset, else the first shipped set whose landmarks the static
// trial (or, without one, the trial) carries; `missing` says why none matched.
struct MarkerSetChoice {
  std::optional<MarkerSet> set;
  bool chosen = false;   // named by the user
  std::string missing;   // the closest set and what it misses, when none matched
};
MarkerSetChoice ChooseMarkerSet(const Trial& trial, const Trial* static_trial, const SkeletonOptions& options);

// Throws for bad input the user asked for (a missing static marker, a moving static trial,
// implausible parameters, an unknown --markerset). When the marker set is only detected and none
// matches, returns computed = false with the reason instead, so plates and events still land.
// `trial` and `static_trial` are in the same (internal) lab frame.
TrialKinematics ComputeTrialKinematics(const Trial& trial, const Trial* static_trial, const MarkerSetChoice& choice,
                                       const SkeletonOptions& options, Backend backend);

void WriteKinematics(Hdf5Writer& h5, const TrialKinematics& k);

// One line per joint for the terminal: range of each angle over the trial.
std::string FormatKinematics(const TrialKinematics& k);

}  // namespace midstance
