// Real running archives read right (issue 12): the vertical axis and the heading found from the
// data, treadmills detected with their belt speed, the running foot strike from kinematics against
// the force plates, OpenSim's TRC + GRF .mot, model outputs kept out of the markers, zeros read
// as missing. Each failure is reproduced on a real file of ../shared/data, transformed the way the
// failing lab's files were (rotated to Y up, turned into a treadmill trial), and the numbers are
// held against the untouched file's or against the force plates.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "midstance/c3d.h"
#include "midstance/c3d_trial.h"
#include "midstance/lab_frame.h"
#include "midstance/opensim_trial.h"
#include "midstance/stance_metrics.h"
#include "midstance/trial.h"
#include "support/test_support.h"

namespace midstance {
namespace {

using testing::SharedDataPath;
using testing::TempDir;

// Functions, not globals: testing::kSharedData lives in another translation unit.
std::string Running(const std::string& name) { return testing::kSharedData + "/running/" + name; }
std::string OpenSimRun() { return Running("opensim_pipeline/ExpData/motion_capture_run.trc"); }
std::string OpenSimGrf() { return Running("opensim_pipeline/ExpData/grf_run.mot"); }

#define SKIP_WITHOUT(path) \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << (path) << " is absent (../shared/data not beside the clone)"

C3dParameter* Mutable(C3dFile* c3d, const std::string& group, const std::string& name) {
  for (C3dParameter& p : c3d->parameters) {
    if (p.group == group && p.name == name) return &p;
  }
  return nullptr;
}

// The file turned the way a Y-up lab stores it: (x, y, z) -> (x, z, -y), points and plate corners.
std::string RotatedToYUp(const std::string& name, const TempDir& dir) {
  C3dFile c3d = ReadC3d(SharedDataPath(name));
  const auto turn = [](double* v) {
    const double y = v[1], z = v[2];
    v[1] = z;
    v[2] = -y;
  };
  for (size_t i = 0; i + 2 < c3d.points.size(); i += 3) turn(&c3d.points[i]);
  if (C3dParameter* corners = Mutable(&c3d, "FORCE_PLATFORM", "CORNERS")) {
    for (size_t i = 0; i + 2 < corners->numbers.size(); i += 3) turn(&corners->numbers[i]);
  }
  const std::string out = dir / ("yup_" + name);
  WriteC3d(out, c3d);
  return out;
}

std::vector<const Stance*> ForceStances(const TrialAnalysis& a) {
  std::vector<const Stance*> out;
  for (const Stance& s : a.stances) {
    if (s.from_force) out.push_back(&s);
  }
  return out;
}

double PeakVertical(const TrialAnalysis& a, const Stance& s) {
  double peak = 0;
  for (int64_t k = s.first_sample; k <= s.last_sample; ++k) {
    double fz = 0;
    for (int p : s.plates) fz += a.loads[static_cast<size_t>(p)].force_n[static_cast<size_t>(3 * k + 2)];
    peak = std::max(peak, fz);
  }
  return peak;
}

// A Y-up lab (Motion Analysis Cortex, instrumented treadmills) was read as if Z were up. The
// same walking trial rotated to Y up must give the same stances, forces and feet as the original.
TEST(VerticalAxis, YUpCopyOfARealTrialGivesTheSameStances) {
  SKIP_WITHOUT(SharedDataPath("vicon_gait_raw.c3d"));
  TempDir dir;
  const TrialAnalysis original = AnalyseTrialFile(SharedDataPath("vicon_gait_raw.c3d"));
  const TrialAnalysis yup = AnalyseTrialFile(RotatedToYUp("vicon_gait_raw.c3d", dir));
  EXPECT_EQ(original.lab_frame.vertical, "+z");
  EXPECT_EQ(yup.lab_frame.vertical, "+y") << yup.lab_frame.vertical_source;
  EXPECT_NE(yup.lab_frame.vertical_source.find("force plate normal"), std::string::npos) << yup.lab_frame.vertical_source;
  const auto a = ForceStances(original), b = ForceStances(yup);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GE(a.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]->side, b[i]->side);
    EXPECT_EQ(a[i]->clean, b[i]->clean) << b[i]->exclusion;
    EXPECT_NEAR(a[i]->contact_time_s(), b[i]->contact_time_s(), 1e-9);
    EXPECT_NEAR(PeakVertical(original, *a[i]), PeakVertical(yup, *b[i]), 1e-6 * PeakVertical(original, *a[i]));
    std::printf("stance %zu: %s, contact %.1f ms, peak %.1f N (Y-up copy: %.1f ms, %.1f N)\n", i, SideName(a[i]->side),
                a[i]->contact_time_s() * 1e3, PeakVertical(original, *a[i]), b[i]->contact_time_s() * 1e3, PeakVertical(yup, *b[i]));
  }
}

// The failure reproduced: the Y-up file read with Z forced as vertical takes a horizontal
// force as the vertical. Whatever "contacts" that finds must be flagged, never clean.
TEST(VerticalAxis, WrongAxisForcedByTheUserGivesNoCleanStance) {
  SKIP_WITHOUT(SharedDataPath("vicon_gait_raw.c3d"));
  TempDir dir;
  LabFrameOptions wrong;
  wrong.vertical_axis = "z";
  const TrialAnalysis a = AnalyseTrialFile(RotatedToYUp("vicon_gait_raw.c3d", dir), {}, wrong);
  EXPECT_EQ(a.lab_frame.vertical, "+z");
  for (const Stance& s : a.stances) {
    if (!s.from_force) continue;
    std::printf("forced +z: %s contact %.1f ms, peak %.1f N: %s\n", SideName(s.side), s.contact_time_s() * 1e3, PeakVertical(a, s),
                s.exclusion.c_str());
    EXPECT_FALSE(s.plausible);
    EXPECT_FALSE(s.clean);
  }
}

// Treadmills: an overground trial turned into a treadmill trial by subtracting a belt speed from
// every marker. The belt must be found with that speed, and forward must stay forward.
TEST(Treadmill, BeltSubtractedFromARealTrialIsFoundWithItsSpeed) {
  SKIP_WITHOUT(SharedDataPath("vicon_gait_raw.c3d"));
  C3dFile c3d = ReadC3d(SharedDataPath("vicon_gait_raw.c3d"));
  const Trial overground = TrialFromC3d(c3d);
  const int sacrum = overground.markers.Find("SACR");
  ASSERT_GE(sacrum, 0);
  // The walking speed: the sacrum's travel along +x over the frames it is seen.
  int first = -1, last = -1;
  for (int f = 0; f < overground.markers.frame_count; ++f) {
    if (std::isfinite(overground.markers.At(f, sacrum)[0])) first = first < 0 ? f : first, last = f;
  }
  const double speed = (overground.markers.At(last, sacrum)[0] - overground.markers.At(first, sacrum)[0]) /
                       ((last - first) / overground.markers.rate_hz);
  ASSERT_GT(speed, 1.0);
  const double unit = c3d.PointUnitsInMetres();
  for (int64_t f = 0; f < c3d.frame_count; ++f) {
    for (int p = 0; p < c3d.point_count; ++p) c3d.points[(static_cast<size_t>(f) * c3d.point_count + p) * 3] -= speed * f / c3d.point_rate_hz / unit;
  }
  Trial belt = TrialFromC3d(c3d);
  const MarkerGroups groups = MarkerGroupsFromSet(belt.markers.labels, FindMarkerSet("plugin_gait"));
  const LabFrameDecision d = DecideLabFrame(belt, groups, nullptr, nullptr, {});
  std::printf("walking speed %.3f m/s; treadmill %d, belt %.3f m/s (%s); forward: %s\n", speed, d.frame.treadmill, d.frame.belt_speed_m_s,
              d.frame.treadmill_evidence.c_str(), d.frame.heading_source.c_str());
  EXPECT_TRUE(d.frame.treadmill);
  EXPECT_NEAR(d.frame.belt_speed_m_s, speed, 0.10);
  EXPECT_NEAR(d.frame.internal_from_file(0, 0), 1.0, 1e-12) << "forward must stay the file's +x";
  // And the overground original is not taken for a treadmill.
  const LabFrameDecision o = DecideLabFrame(overground, MarkerGroupsFromSet(overground.markers.labels, FindMarkerSet("plugin_gait")),
                                            nullptr, nullptr, {});
  EXPECT_FALSE(o.frame.treadmill);
}

// Kinematic running foot strike against the plate's, per real running trial with force:
// mean |kinematic - force| within 10 ms (Zeni's walking method was 45-61 ms early).
struct StrikeAgreement {
  int pairs = 0;
  double mean_abs_ms = NAN;
};

StrikeAgreement KinematicAgainstForce(const std::string& path, const std::string& grf) {
  const PreparedTrial p = PrepareTrial(path, grf, SkeletonOptions{}, LabFrameOptions{});
  const TrialAnalysis a = AnalyseTrial(p.trial, p.groups, TrialOptions{}, Backend::kCpu);
  EXPECT_TRUE(a.running) << path << ": " << a.gait_evidence;
  StrikeAgreement out;
  double sum = 0;
  for (int k = 0; k < 2; ++k) {
    std::vector<std::vector<double>> heights;
    for (int marker : p.groups.foot[static_cast<size_t>(k)]) {
      std::vector<double> h;
      for (int f = 0; f < p.trial.markers.frame_count; ++f) h.push_back(p.trial.markers.At(f, marker)[2]);
      heights.push_back(h);
    }
    const Side side = k == 0 ? Side::kLeft : Side::kRight;
    for (const KinematicContact& c : RunningFootContacts(heights, p.trial.markers.rate_hz, 0.0)) {
      for (const Stance& s : a.stances) {
        if (!s.from_force || s.side != side || !std::isfinite(s.events.strike_s) || !std::isfinite(c.strike_s) ||
            std::abs(s.events.strike_s - c.strike_s) > 0.1) {
          continue;
        }
        std::printf("%s %s: force strike %.4f s, kinematic %.4f s (%+.1f ms)\n", std::filesystem::path(path).filename().c_str(),
                    SideName(side), s.events.strike_s, c.strike_s, (c.strike_s - s.events.strike_s) * 1e3);
        sum += std::abs(c.strike_s - s.events.strike_s);
        ++out.pairs;
      }
    }
  }
  out.mean_abs_ms = out.pairs ? sum / out.pairs * 1e3 : NAN;
  return out;
}

TEST(RunningFootStrike, WithinTenMillisecondsOfThePlatesOnEveryRealRunningTrial) {
  SKIP_WITHOUT(OpenSimRun());
  SKIP_WITHOUT(Running("qualisys_kistler_running.c3d"));
  const StrikeAgreement opensim = KinematicAgainstForce(OpenSimRun(), OpenSimGrf());
  const StrikeAgreement qualisys = KinematicAgainstForce(Running("qualisys_kistler_running.c3d"), "");
  std::printf("mean |kinematic - force strike|: OpenSim running %.1f ms over %d strikes (100 Hz), Qualisys %.1f ms over %d (200 Hz)\n",
              opensim.mean_abs_ms, opensim.pairs, qualisys.mean_abs_ms, qualisys.pairs);
  EXPECT_GE(opensim.pairs, 12);
  EXPECT_GE(qualisys.pairs, 1);
  EXPECT_LT(opensim.mean_abs_ms, 10.0);
  EXPECT_LT(qualisys.mean_abs_ms, 10.0);
}

// OpenSim's running pipeline: TRC (Y up, mm) + GRF .mot in ExternalLoads' layout. README's running
// ranges (data/README.md): contact 0.18-0.30 s, peak 2.2-3.0 body weights, cadence 160-190.
TEST(OpenSimInputs, RunningTrcAndGrfGivePlausibleStances) {
  SKIP_WITHOUT(OpenSimRun());
  const PreparedTrial p = PrepareTrial(OpenSimRun(), OpenSimGrf(), SkeletonOptions{}, LabFrameOptions{});
  EXPECT_EQ(p.trial.lab_frame.vertical, "+y") << p.trial.lab_frame.vertical_source;
  EXPECT_TRUE(p.trial.lab_frame.treadmill) << p.trial.lab_frame.heading_source;
  EXPECT_GT(p.trial.lab_frame.belt_speed_m_s, 3.0);
  EXPECT_LT(p.trial.lab_frame.belt_speed_m_s, 5.0);
  const TrialAnalysis a = AnalyseTrial(p.trial, p.groups, TrialOptions{}, Backend::kCpu);
  std::printf("body mass %.1f kg (%s); belt %.2f m/s\n", a.body_mass_kg, a.body_mass_source.c_str(), p.trial.lab_frame.belt_speed_m_s);
  ASSERT_TRUE(std::isfinite(a.body_mass_kg));
  std::vector<double> strikes[2];
  int clean = 0;
  for (const Stance& s : a.stances) {
    if (!s.from_force || !s.clean) continue;
    ++clean;
    const double peak_bw = PeakVertical(a, s) / (a.body_mass_kg * kStandardGravity);
    EXPECT_GE(s.contact_time_s(), 0.18);
    EXPECT_LE(s.contact_time_s(), 0.30);
    EXPECT_GE(peak_bw, 2.2);
    EXPECT_LE(peak_bw, 3.0);
    EXPECT_TRUE(s.plausible);
    strikes[s.side == Side::kLeft ? 0 : 1].push_back(s.events.strike_s);
  }
  EXPECT_GE(clean, 12);
  for (const std::vector<double>& t : strikes) {
    ASSERT_GE(t.size(), 2u);
    const double stride_s = (t.back() - t.front()) / static_cast<double>(t.size() - 1);
    const double cadence = 2 * 60 / stride_s;
    std::printf("cadence %.1f steps/min\n", cadence);
    EXPECT_GE(cadence, 160);
    EXPECT_LE(cadence, 190);
  }
}

// With its static trial (condyles and malleoli worn for the static only: calib's opensim_running
// set), the same run gets a skeleton: knee flexion about 18 deg at contact and 40-48 deg at its
// stance peak (Heiderscheit et al. 2011, data/README.md), and the swing knee moving forwards (the
// treadmill bug gave -2.56 m/s).
TEST(OpenSimInputs, RunningKinematicsWithTheStaticTrialArePlausible) {
  SKIP_WITHOUT(OpenSimRun());
  TempDir dir;
  TrialProcessOptions options;
  options.input_path = OpenSimRun();
  options.grf_path = OpenSimGrf();
  options.output_path = dir / "run.h5";
  options.skeleton.static_path = Running("opensim_pipeline/ExpData/static_run.trc");
  options.write_report = false;
  const TrialResult r = ProcessTrial(options);
  ASSERT_TRUE(r.kinematics.computed) << r.kinematics.skipped;
  EXPECT_EQ(r.kinematics.marker_set.name, "opensim_running");
  const Kinematics& k = r.kinematics.kinematics;
  double contact_sum = 0, peak_sum = 0, drive_sum = 0;
  int n = 0;
  for (size_t i = 0; i < r.analysis.stances.size(); ++i) {
    const Stance& s = r.analysis.stances[i];
    if (!s.clean) continue;
    const JointAngles& knee = k.Joint(s.side == Side::kLeft ? "knee_left" : "knee_right");
    const int strike = static_cast<int>(std::lround(s.events.strike_s * k.rate_hz));
    const int toe_off = static_cast<int>(std::lround(s.events.toe_off_s * k.rate_hz));
    double peak = -INFINITY;
    for (int f = strike; f <= toe_off; ++f) peak = std::max(peak, knee.angles_deg[3 * static_cast<size_t>(f)]);
    contact_sum += knee.angles_deg[3 * static_cast<size_t>(strike)];
    peak_sum += peak;
    drive_sum += r.stances.metrics[i].swing_knee_velocity_pelvis_m_s;
    ++n;
  }
  ASSERT_GE(n, 12);
  std::printf("%d clean stances: knee %.1f deg at contact, %.1f deg stance peak; swing knee %+.2f m/s vs pelvis\n", n, contact_sum / n,
              peak_sum / n, drive_sum / n);
  EXPECT_NEAR(contact_sum / n, 18, 8);
  EXPECT_GE(peak_sum / n, 40 - 3);
  EXPECT_LE(peak_sum / n, 48 + 3);
  EXPECT_GT(drive_sum / n, 1.0);
}

// The Y-up treadmill run with technical clusters and no force: stances from kinematics alone,
// 60 or more in its 25 s, with running contact times.
TEST(Treadmill, YUpClusterRunGivesStancesFromKinematicsAlone) {
  const std::string run = Running("treadmill_yup_clusters_run.c3d");
  SKIP_WITHOUT(run);
  const PreparedTrial p = PrepareTrial(run, "", SkeletonOptions{}, LabFrameOptions{});
  EXPECT_EQ(p.trial.lab_frame.vertical, "+y") << p.trial.lab_frame.vertical_source;
  EXPECT_TRUE(p.trial.lab_frame.treadmill);
  const TrialAnalysis a = AnalyseTrial(p.trial, p.groups, TrialOptions{}, Backend::kCpu);
  EXPECT_TRUE(a.running) << a.gait_evidence;
  int whole = 0;
  std::vector<double> contact;
  for (const Stance& s : a.stances) {
    EXPECT_FALSE(s.from_force);
    if (std::isfinite(s.contact_time_s())) ++whole, contact.push_back(s.contact_time_s());
  }
  std::sort(contact.begin(), contact.end());
  const double duration = p.trial.markers.frame_count / p.trial.markers.rate_hz;
  std::printf("%d whole kinematic stances in %.1f s, median contact %.0f ms, belt %.2f m/s\n", whole, duration,
              contact[contact.size() / 2] * 1e3, p.trial.lab_frame.belt_speed_m_s);
  EXPECT_GE(whole, 60);
  EXPECT_GE(contact[contact.size() / 2], 0.15);
  EXPECT_LE(contact[contact.size() / 2], 0.30);
}

// Vicon files saved after Plug-in Gait carry angles, forces, moments and powers as points: never
// markers, never a foot, never a reason to exclude a stance.
TEST(ModelOutputs, PlugInGaitOutputsAreNotMarkers) {
  SKIP_WITHOUT(SharedDataPath("vicon_gait_pig.c3d"));
  const Trial t = ReadTrialC3d(SharedDataPath("vicon_gait_pig.c3d"));
  EXPECT_EQ(t.markers.Find("A22:LAnkleAngles"), -1);
  EXPECT_NE(std::find(t.model_outputs.begin(), t.model_outputs.end(), "A22:LAnkleAngles"), t.model_outputs.end());
  EXPECT_GE(t.markers.Find("A22:LTOE"), 0);
  const TrialAnalysis a = AnalyseTrialFile(SharedDataPath("vicon_gait_pig.c3d"));
  int clean = 0;
  for (const Stance& s : a.stances) {
    EXPECT_EQ(s.exclusion.find("Angles"), std::string::npos) << s.exclusion;
    clean += s.from_force && s.clean;
  }
  EXPECT_GE(clean, 2);
}

// Markers stored as exactly (0, 0, 0) are a vendor's "missing": NaN, with one warning and a count.
TEST(MissingMarkers, ZerosAreReadAsMissing) {
  SKIP_WITHOUT(SharedDataPath("vicon_gait_raw.c3d"));
  C3dFile c3d = ReadC3d(SharedDataPath("vicon_gait_raw.c3d"));
  for (int f = 10; f < 15; ++f) {
    for (int k = 0; k < 3; ++k) c3d.points[(static_cast<size_t>(f) * c3d.point_count + 2) * 3 + k] = 0;
  }
  const Trial t = TrialFromC3d(c3d);
  for (int f = 10; f < 15; ++f) EXPECT_TRUE(std::isnan(t.markers.At(f, 2)[0]));
  EXPECT_TRUE(std::isfinite(t.markers.At(9, 2)[0]));
  int zero_warnings = 0;
  for (const std::string& w : t.warnings) zero_warnings += w.find("5 marker samples stored as exactly (0, 0, 0)") != std::string::npos;
  EXPECT_EQ(zero_warnings, 1);
}

}  // namespace
}  // namespace midstance
