#pragma once
// One knee-drive metric (y) against one force metric (x) over clean stances, fitted so that the
// verdict is honest about repeated measures: left and right stances of one runner share a
// per-leg offset and are not independent points (issue 12, item 9), so the verdict comes from the
// repeated-measures correlation over the groups (legs, or trial-legs across trials) whenever both
// legs have stances, and from the one leg's own fit otherwise; never from the pooled fit.
#include <string>
#include <vector>

#include "midstance/regression.h"
#include "midstance/repeated_measures.h"

namespace midstance {

struct Relationship {
  std::string knee_drive, force;     // metric names
  LinearFit fit;                     // naive: every stance pooled as an independent point
  LinearFit left, right;             // each leg's own least-squares fit
  RepeatedMeasuresCorrelation legs;  // common slope within the groups (rm_corr)
  MixedModelFit legs_mixed;          // random intercept per group, REML
  bool conclusive = false;           // of the analysis named by verdict_source
  std::string verdict, verdict_source;
};

// The stances of one relationship. leg: 0 left, 1 right, -1 unknown (pooled fit only). group:
// the repeated-measures group of each stance (its leg within one trial; trial and leg across
// trials), named in the plural by groups_noun in the verdict.
struct RelationshipSample {
  std::vector<double> force, knee_drive;
  std::vector<int> leg, group;
  std::string groups_noun = "legs";
};

// Throws InvalidInput when the sample's vectors differ in length.
Relationship RelateByLeg(const std::string& knee_drive, const std::string& force, const RelationshipSample& sample);

}  // namespace midstance
