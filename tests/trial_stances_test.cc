// The stance stage's glue on a hand-built trial analysis: which stance is the next step, where
// each foot lands (the first COP of its contact), the force-weighted COP of a contact spanning
// two plates, speed from the pelvis markers, and what stays NaN (an unknown foot, a step to a
// contact off the plates without kinematics).
#include <gtest/gtest.h>

#include <cmath>

#include "midstance/trial_stances.h"

namespace midstance {
namespace {

constexpr double kAnalogHz = 1000, kFrameHz = 100;
constexpr int64_t kSamples = 2000;  // 2 s

// A box of vertical force `fz` on a plate between two times, with a fixed COP.
void AddContact(PlateLoads* plate, double from_s, double to_s, double fz, double cop_x) {
  for (int64_t k = 0; k < kSamples; ++k) {
    const double t = static_cast<double>(k) / kAnalogHz;
    if (t <= from_s || t >= to_s) continue;
    plate->force_n[static_cast<size_t>(3 * k + 2)] += fz;
    plate->cop_m[static_cast<size_t>(3 * k)] = cop_x;
    plate->cop_m[static_cast<size_t>(3 * k + 1)] = 0.5;
    plate->cop_m[static_cast<size_t>(3 * k + 2)] = 0.0;
  }
}

Stance ForceStance(Side side, std::vector<int> plates, double strike_s, double toe_off_s) {
  Stance s;
  s.side = side;
  s.plates = std::move(plates);
  s.events.strike_s = strike_s;
  s.events.toe_off_s = toe_off_s;
  s.mid_stance.time_s[static_cast<size_t>(MidStanceDefinition::kPeakVerticalForce)] = 0.5 * (strike_s + toe_off_s);
  return s;
}

// Left on plate 1, right on plate 2, left off the plates (kinematic events), right across both
// plates (300 N at x = 4 m on plate 1, 700 N at x = 5 m on plate 2), then a stance of an unknown
// foot. The pelvis walks forward at 1.5 m/s.
TrialAnalysis HandBuiltTrial() {
  TrialAnalysis a;
  a.sync = {kFrameHz, kAnalogHz, kAnalogHz / kFrameHz, 0.0};
  a.heading = {1, 0, 0};
  a.body_mass_kg = 70;
  for (int p = 0; p < 2; ++p) {
    PlateLoads l;
    l.samples = kSamples;
    l.force_n.assign(3 * kSamples, 0.0);
    l.moment_nm.assign(3 * kSamples, 0.0);
    l.cop_m.assign(3 * kSamples, NAN);
    l.free_moment_nm.assign(3 * kSamples, NAN);
    a.loads.push_back(l);
  }
  AddContact(&a.loads[0], 0.10, 0.35, 700, 1.0);
  AddContact(&a.loads[1], 0.45, 0.70, 700, 1.8);
  AddContact(&a.loads[0], 1.25, 1.50, 300, 4.0);
  AddContact(&a.loads[1], 1.25, 1.50, 700, 5.0);
  a.stances.push_back(ForceStance(Side::kLeft, {0}, 0.10, 0.35));
  a.stances.push_back(ForceStance(Side::kRight, {1}, 0.45, 0.70));
  Stance kinematic = ForceStance(Side::kLeft, {}, 0.80, 1.05);
  kinematic.from_force = false;
  kinematic.clean = false;
  a.stances.push_back(kinematic);
  a.stances.push_back(ForceStance(Side::kRight, {0, 1}, 1.25, 1.50));
  a.stances.push_back(ForceStance(Side::kUnknown, {1}, 1.60, 1.65));
  for (int64_t f = 0; f < kSamples / 10; ++f) {
    const double t = static_cast<double>(f) / kFrameHz;
    a.pelvis_track_m.insert(a.pelvis_track_m.end(), {0.3 + 1.5 * t, 0.0, 1.0});
  }
  return a;
}

TEST(TrialStances, StepsFootPositionsAndCombinedPlates) {
  TrialAnalysis a = HandBuiltTrial();
  TrialKinematics none;
  none.skipped = "no skeleton in this test";
  const StanceTable t = AnalyseStances(&a, none, StanceOptions());
  ASSERT_EQ(t.metrics.size(), 5u);
  // Left (plate 1) -> right (plate 2): both on plates, so COP to COP.
  EXPECT_NEAR(t.metrics[0].step_time_s, 0.35, 1e-12);
  EXPECT_NEAR(t.metrics[0].flight_time_s, 0.10, 1e-12);
  EXPECT_NEAR(t.metrics[0].step_length_m, 0.8, 1e-12);
  EXPECT_NEAR(t.metrics[0].speed_m_s, 1.5, 1e-9);  // the pelvis markers
  // Right (plate 2) -> the left kinematic stance: a step in time, but no landmark for both feet.
  EXPECT_NEAR(t.metrics[1].step_time_s, 0.35, 1e-12);
  EXPECT_TRUE(std::isnan(t.metrics[1].step_length_m));
  // The left kinematic stance -> right across both plates.
  EXPECT_NEAR(t.metrics[2].step_time_s, 0.45, 1e-12);
  // Across two plates: forces summed, COP weighted by vertical force: 0.3 x 4 + 0.7 x 5 = 4.7 m.
  EXPECT_NEAR(t.metrics[3].peak_vertical_force_n, 1000, 1e-9);
  // The right stance's next step would be the unknown foot: no step for an unknown foot, and none
  // from it.
  EXPECT_TRUE(std::isnan(t.metrics[3].step_time_s));
  EXPECT_TRUE(std::isnan(t.metrics[4].step_time_s));
  // Relationships over clean stances only: the kinematic one is left out (and no kinematics: NaN).
  ASSERT_FALSE(t.relationships.empty());
  for (const Relationship& r : t.relationships) EXPECT_EQ(r.fit.n, 0) << r.knee_drive << " / " << r.force;
  EXPECT_FALSE(t.warnings.empty());
}

// The step length of a right stance across two plates to the next left contact on plate 1 uses
// the combined COP of its first loaded sample.
TEST(TrialStances, CombinedCopIsTheForceWeightedMean) {
  TrialAnalysis a = HandBuiltTrial();
  a.stances.pop_back();  // no unknown foot: the right two-plate stance is followed by a left one
  AddContact(&a.loads[0], 1.75, 1.95, 700, 6.0);
  a.stances.push_back(ForceStance(Side::kLeft, {0}, 1.75, 1.95));
  const StanceTable t = AnalyseStances(&a, TrialKinematics{}, StanceOptions());
  ASSERT_EQ(t.metrics.size(), 5u);
  EXPECT_NEAR(t.metrics[3].step_time_s, 0.5, 1e-12);
  EXPECT_NEAR(t.metrics[3].step_length_m, 6.0 - (0.3 * 4.0 + 0.7 * 5.0), 1e-12);
}

}  // namespace
}  // namespace midstance
