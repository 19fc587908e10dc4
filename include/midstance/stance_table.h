#pragma once
// The stance table of one trial: per-stance metrics and curves in the order of the trial's
// stances, the knee-drive vs force relationships over its clean stances, and the options that
// made them (trial_stances.h computes and writes it).
#include <cmath>
#include <string>
#include <vector>

#include "midstance/gait_events.h"
#include "midstance/relationship.h"
#include "midstance/stance_metrics.h"

namespace midstance {

struct StanceOptions {
  // The mid-stance instant of the mid-stance metrics; `also` adds the same metrics at each other
  // definition listed (columns "<metric>@<definition>").
  MidStanceDefinition mid_stance = MidStanceDefinition::kPeakVerticalForce;
  std::vector<MidStanceDefinition> also;
  double treadmill_speed_m_s = NAN;  // belt speed on an instrumented treadmill; NaN: overground
};

struct StanceTable {
  StanceOptions options;
  double body_mass_kg = NAN;
  std::string body_mass_source;
  std::vector<StanceMetrics> metrics;                    // per stance of the analysis, same order
  std::vector<std::vector<StanceMetrics>> also_metrics;  // [options.also][stance]
  std::vector<StanceCurves> curves;
  std::vector<Relationship> relationships;               // over the clean stances, groups = legs
  std::vector<std::string> warnings;
};

}  // namespace midstance
