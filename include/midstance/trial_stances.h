#pragma once
// The stance stage of `midstance process`: per-stance metrics, curves and the knee-drive vs force
// relationships of one trial (stance_metrics.h, regression.h), from the force-plate analysis and
// the kinematics; written to /stances of the result (README "Results file") and to a CSV with one
// row per stance.
#include <string>
#include <vector>

#include "midstance/hdf5_file.h"
#include "midstance/stance_table.h"
#include "midstance/trial.h"
#include "midstance/trial_kinematics.h"

namespace midstance {

// "peak_vertical_force" ... -> the definition; throws InvalidInput naming the option and the choices.
MidStanceDefinition ParseMidStanceDefinition(const std::string& name, const std::string& option);

// Kinematic mid-stance definitions are filled into analysis->stances when joints were computed.
StanceTable AnalyseStances(TrialAnalysis* analysis, const TrialKinematics& kinematics, const StanceOptions& options);

// /stances metrics, curves (stances x 101 x 3), per-side mean and SD, relationships.
void WriteStanceTable(Hdf5Writer& h5, const TrialAnalysis& analysis, const StanceTable& table);

// One row per stance: identity and timing columns, then every metric (units in the header).
void WriteStanceCsv(const std::string& path, const TrialAnalysis& analysis, const StanceTable& table);

// A few lines for the terminal: per side, mean of the main metrics over the clean stances.
std::string FormatStanceTable(const TrialAnalysis& analysis, const StanceTable& table);

}  // namespace midstance
