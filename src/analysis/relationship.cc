// Knee drive against force per leg and over the legs (relationship.h).
#include "midstance/relationship.h"

#include <string>
#include <vector>

#include "midstance/error.h"

namespace midstance {
namespace {

struct Pairs {
  std::vector<double> x, y;
  std::vector<int> group;
};

// The stances of one leg (0, 1), or of both known legs (-1) with their groups.
Pairs Select(const RelationshipSample& s, int leg) {
  Pairs p;
  for (size_t i = 0; i < s.force.size(); ++i) {
    if (s.leg[i] < 0 || (leg >= 0 && s.leg[i] != leg)) continue;
    p.x.push_back(s.force[i]);
    p.y.push_back(s.knee_drive[i]);
    p.group.push_back(s.group[i]);
  }
  return p;
}

void ChooseVerdict(Relationship& rel, const std::string& groups_noun) {
  if (rel.left.n > 0 && rel.right.n > 0) {
    rel.verdict = RepeatedMeasuresVerdict(rel.legs, groups_noun);
    rel.conclusive = rel.legs.conclusive;
    rel.verdict_source = "repeated-measures correlation over the " + groups_noun + " (Bakdash & Marusich 2017)";
  } else if (rel.left.n > 0 || rel.right.n > 0) {
    const bool left = rel.left.n > 0;
    const LinearFit& one = left ? rel.left : rel.right;
    rel.verdict = one.verdict;
    rel.conclusive = one.conclusive;
    rel.verdict_source = std::string("least squares, ") + (left ? "left" : "right") + " leg only";
  } else {
    rel.verdict = rel.fit.verdict;
    rel.conclusive = rel.fit.conclusive;
    rel.verdict_source = "least squares (no stance of a known leg)";
  }
}

}  // namespace

Relationship RelateByLeg(const std::string& knee_drive, const std::string& force, const RelationshipSample& sample) {
  const size_t n = sample.force.size();
  if (sample.knee_drive.size() != n || sample.leg.size() != n || sample.group.size() != n) {
    throw InvalidInput("RelateByLeg: " + knee_drive + " / " + force +
                       ": expected force, knee drive, leg and group of the same length");
  }
  Relationship rel;
  rel.knee_drive = knee_drive;
  rel.force = force;
  rel.fit = FitLine(sample.force, sample.knee_drive);
  const Pairs left = Select(sample, 0), right = Select(sample, 1), both = Select(sample, -1);
  rel.left = FitLine(left.x, left.y);
  rel.right = FitLine(right.x, right.y);
  rel.legs = CorrelateRepeatedMeasures(both.x, both.y, both.group);
  rel.legs_mixed = FitRandomInterceptModel(both.x, both.y, both.group);
  ChooseVerdict(rel, sample.groups_noun);
  return rel;
}

}  // namespace midstance
