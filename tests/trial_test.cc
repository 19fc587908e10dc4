// C3D trials end to end: contacts against the golden values of an independent reader, feet
// against the events the labs' own software marked, the clock, the HDF5 and C3D outputs, and
// bad input refused with one line and no output.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>

#include "midstance/c3d.h"
#include "midstance/error.h"
#include "midstance/hdf5_file.h"
#include "midstance/opensim_files.h"
#include "midstance/sync.h"
#include "midstance/trial.h"
#include "support/test_support.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;
using testing::RunMidstance;
using testing::TempDir;

const std::string& kData = testing::kSharedData;
std::string PathOf(const std::string& name) { return testing::SharedDataPath(name); }
const nlohmann::json& Golden() { return testing::SharedGolden(); }

#define SKIP_WITHOUT_DATA() \
  if (Golden().is_null()) GTEST_SKIP() << "../shared/data is absent: real-file tests skipped"

class GoldenContacts : public ::testing::TestWithParam<std::string> {};

// Contacts: first / last analog sample above 20 N lasting at least 20 ms, on the force with the
// baseline FORCE_PLATFORM:ZERO asks for (expected.json); exact sample indices.
TEST_P(GoldenContacts, SamplesMatchTheIndependentReader) {
  SKIP_WITHOUT_DATA();
  const C3dFile c3d = ReadC3d(PathOf(GetParam()));
  const TrialAnalysis a = AnalyseTrialFile(c3d.path);
  int checked = 0;
  for (const nlohmann::json& g : Golden()[GetParam()]["force_plates_type2_golden"]) {
    if (g["type"] != 2) continue;
    const int plate = g["plate"].get<int>();
    std::vector<std::array<int64_t, 2>> ours;
    std::vector<double> vertical;
    for (size_t s = 2; s < a.loads[static_cast<size_t>(plate)].force_n.size(); s += 3) vertical.push_back(a.loads[static_cast<size_t>(plate)].force_n[s]);
    for (const ForceContact& c : FindContacts(vertical, a.sync.analog_rate_hz, {})) ours.push_back({c.first_sample, c.last_sample});
    std::vector<std::array<int64_t, 2>> expected;
    for (const nlohmann::json& c : g["contacts_above_20N_samples"]) expected.push_back({c[0].get<int64_t>(), c[1].get<int64_t>()});
    EXPECT_EQ(ours, expected) << GetParam() << " plate " << plate;
    // The stance on that plate starts and ends on the same samples.
    for (const Stance& s : a.stances) {
      if (!s.plates.empty() && s.plates.front() == plate && s.plates.size() == 1) {
        EXPECT_EQ(s.first_sample, expected.front()[0]);
        EXPECT_EQ(s.last_sample, expected.front()[1]);
        EXPECT_LE(s.events.strike_s, static_cast<double>(expected.front()[0]) / a.sync.analog_rate_hz);
        EXPECT_GT(s.events.strike_s, static_cast<double>(expected.front()[0] - 20) / a.sync.analog_rate_hz);
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Files, GoldenContacts,
                         ::testing::Values("Eb015pi.c3d", "Eb015vr.c3d", "plate_type2.c3d", "plate_type3.c3d", "sample02_pc_int.c3d",
                                           "sample02_dec_real.c3d", "vicon_gait_raw.c3d", "vicon_gait_pig.c3d", "walking2.c3d"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string n = param.param.substr(0, param.param.size() - 4);
                           for (char& c : n) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// The foot each plate contact is assigned to, against the events the lab's software marked in the
// same file: Vicon Nexus's EVENT group (Left / Right "Foot Strike") and Motion Analysis's
// LHS / RHS contexts. A force strike must lie within 50 ms of a marked strike of its own side.
void ExpectSidesMatchMarkedEvents(const std::string& name, const C3dFile& events_file) {
  const TrialAnalysis a = AnalyseTrialFile(PathOf(name));
  int matched = 0;
  for (const Stance& s : a.stances) {
    if (!s.from_force) continue;
    std::string nearest_side;
    double nearest = INFINITY;
    for (const C3dEvent& e : events_file.Events()) {
      const bool strike = e.label == "Foot Strike" || e.context == "LHS" || e.context == "RHS";
      if (!strike || std::abs(e.time_s - s.events.strike_s) >= nearest) continue;
      nearest = std::abs(e.time_s - s.events.strike_s);
      nearest_side = (e.context == "Left" || e.context == "LHS") ? "left" : "right";
    }
    std::printf("%s plate %d: %s (%s); marked %s strike %.1f ms away\n", name.c_str(), s.plates.front() + 1, SideName(s.side),
                s.side_evidence.c_str(), nearest_side.c_str(), nearest * 1e3);
    ASSERT_LT(nearest, 0.050) << name;
    EXPECT_EQ(SideName(s.side), nearest_side) << name << " plate " << s.plates.front() + 1;
    ++matched;
  }
  EXPECT_GE(matched, 2);
}

TEST(RealTrials, EveryContactIsAssignedTheFootTheLabMarked) {
  SKIP_WITHOUT_DATA();
  const C3dFile pig = ReadC3d(PathOf("vicon_gait_pig.c3d"));  // the raw trial's events, from Nexus
  ExpectSidesMatchMarkedEvents("vicon_gait_raw.c3d", pig);
  ExpectSidesMatchMarkedEvents("vicon_gait_pig.c3d", pig);
  ExpectSidesMatchMarkedEvents("motionanalysis_walk1.c3d", ReadC3d(PathOf("motionanalysis_walk1.c3d")));
}

TEST(RealTrials, ContactsOfTheOtherTrialsAreUnambiguousAndPlausible) {
  SKIP_WITHOUT_DATA();
  // No marked events: the assigned foot must have a marker near the COP and the other foot must
  // be clearly farther (the assignment's own margin), and contact times must be walking-like.
  for (const char* name : {"walking2.c3d", "sample02_pc_int.c3d", "hybrid_walking_1.c3d", "ist_gait_emg.c3d", "codamotion_gait_1997.c3d"}) {
    const TrialAnalysis a = AnalyseTrialFile(PathOf(name));
    int sided = 0;
    for (const Stance& s : a.stances) {
      if (!s.from_force || s.contact_time_s() < 0.1) continue;  // ist_gait_emg: a 28 ms re-loading after toe-off
      std::printf("%s plates %d: %s, contact %.1f ms, %s\n", name, s.plates.front() + 1, SideName(s.side), s.contact_time_s() * 1e3,
                  s.side_evidence.c_str());
      EXPECT_NE(s.side, Side::kUnknown) << name;
      EXPECT_GT(s.contact_time_s(), 0.45) << name;
      EXPECT_LT(s.contact_time_s(), 0.9) << name;
      ++sided;
    }
    EXPECT_GE(sided, 1) << name;
  }
}

TEST(RealTrials, ContactsOverThePlateEdgeAreExcludedWithTheReason) {
  SKIP_WITHOUT_DATA();
  // walking2.c3d: the left heel lands 165 mm before plate 2 (the COP starts outside the plate).
  const TrialAnalysis a = AnalyseTrialFile(PathOf("walking2.c3d"));
  bool found = false;
  for (const Stance& s : a.stances) {
    if (s.from_force && s.side == Side::kLeft) {
      found = true;
      EXPECT_FALSE(s.clean);
      EXPECT_NE(s.exclusion.find("foot over the plate edge: LCAL"), std::string::npos) << s.exclusion;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Sync, AnalogRateMustBeAWholeMultipleUnlessARatioIsGiven) {
  const AnalogSync c3d = ResolveSync("t.c3d", "ANALOG:RATE", 250, 2000, 0, 0);
  EXPECT_EQ(c3d.samples_per_frame, 8);
  EXPECT_DOUBLE_EQ(c3d.FrameAt(c3d.AnalogTime(16)), 2.0) << "first-sample alignment: sample 8 k is frame k";
  try {
    ResolveSync("t.c3d", "ANALOG:RATE", 240, 1000, 0, 0);
    ADD_FAILURE() << "no error";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("t.c3d: ANALOG:RATE: expected a whole multiple of the frame rate 240 Hz"), std::string::npos)
        << e.what();
  }
  const AnalogSync session = ResolveSync("session.toml", "[analog] rate_hz", 240, 1000, 1000.0 / 240.0, 0.0125);
  EXPECT_NEAR(session.FrameAt(session.AnalogTime(0)), 3.0, 1e-12) << "an explicit offset of 12.5 ms is three frames";
  EXPECT_THROW(ResolveSync("session.toml", "[analog] rate_hz", 240, 1000, 4.0, 0), FileFormatError) << "a ratio that contradicts the rates";
}

TEST(Cli, ProcessWritesForcesEventsAndStancesAndExportsEventsToC3d) {
  SKIP_WITHOUT_DATA();
  TempDir dir;
  const testing::CommandResult run = RunMidstance("-q process " + PathOf("vicon_gait_raw.c3d") + " -o " + (dir / "r.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Hdf5Reader h5(dir / "r.h5");
  std::vector<uint64_t> dims;
  const std::vector<double> force = h5.ReadDoubles("/forceplates/0/force", &dims);
  EXPECT_EQ(dims, (std::vector<uint64_t>{2272, 3}));
  EXPECT_NEAR(force[3 * 691 + 2], 488.0039, 1e-3) << "the golden vertical force, through the file";
  EXPECT_NE(h5.ReadStringAttribute("/forceplates/0", "convention").find("ON THE SUBJECT"), std::string::npos);
  EXPECT_NE(h5.ReadStringAttribute("/", "force_convention").find("vertical positive"), std::string::npos);
  EXPECT_EQ(h5.ReadStrings("/stances/side"), (std::vector<std::string>{"left", "right"}));
  EXPECT_EQ(h5.ReadStrings("/events/foot_strike/side"), (std::vector<std::string>{"left", "right"}));
  const std::vector<double> strike = h5.ReadDoubles("/events/foot_strike/time", nullptr);
  const std::vector<double> frame = h5.ReadDoubles("/events/foot_strike/frame", nullptr);
  EXPECT_NEAR(frame[0], strike[0] * 50.0, 1e-9) << "events on the camera clock";
  EXPECT_EQ(h5.ReadStringAttribute("/", "format_version"), "0.5");
  // The skeleton ran on the same trial (Plug-in Gait markers detected): angles per frame.
  std::vector<uint64_t> knee_dims;
  const std::vector<double> knee = h5.ReadDoubles("/kinematics/knee_left", &knee_dims);
  EXPECT_EQ(knee_dims, (std::vector<uint64_t>{142, 3}));
  EXPECT_EQ(h5.ReadStringAttribute("/kinematics/knee_left", "units"), "deg");

  const testing::CommandResult info = RunMidstance("info " + (dir / "r.h5"));
  EXPECT_NE(info.out.find("\"contact_ms_by_threshold\":{\"10N\":"), std::string::npos) << info.out;
  ASSERT_EQ(RunMidstance("-q export " + (dir / "r.h5") + " --to c3d -o " + (dir / "r.c3d")).exit_code, 0);
  const std::vector<C3dEvent> events = ReadC3d(dir / "r.c3d").Events();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].label, "Foot Strike");
  EXPECT_EQ(events[0].context, "Left");
  EXPECT_NEAR(events[0].time_s, strike[0], 1e-6);
}

// Writes `name` with one change and returns the new path.
std::string Changed(const TempDir& dir, const std::string& name, const std::string& tag, const std::function<void(C3dFile*)>& change) {
  C3dFile c3d = ReadC3d(PathOf(name));
  change(&c3d);
  const std::string out = dir / ("bad_" + tag + "_" + name);
  WriteC3d(out, c3d);
  return out;
}

std::string WithParameter(const TempDir& dir, const std::string& name, const std::string& group, const std::string& parameter,
                          const std::function<void(C3dParameter*)>& change) {
  return Changed(dir, name, parameter, [&](C3dFile* c3d) {
    for (C3dParameter& p : c3d->parameters) {
      if (p.group == group && p.name == parameter) change(&p);
    }
  });
}

void ExpectRefused(const std::string& input, const std::string& words, const TempDir& dir, const std::string& flags = "") {
  const std::string output = dir / "never.h5";
  const testing::CommandResult run = RunMidstance(flags + "process " + input + " -o " + output);
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find(words), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(input), std::string::npos) << "names the file: " << run.err;
  EXPECT_FALSE(fs::exists(output)) << "no output for bad input";
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find("never.h5"), std::string::npos) << "no partial file " << entry.path();
  }
}

TEST(Cli, BadPlatesAndClocksAreRefusedWithOneLineAndNoOutput) {
  SKIP_WITHOUT_DATA();
  TempDir dir;
  ExpectRefused(WithParameter(dir, "plate_type4.c3d", "FORCE_PLATFORM", "CAL_MATRIX",
                              [](C3dParameter* p) { for (size_t i = 30; i < 36; ++i) p->numbers[i] = p->numbers[i - 6]; }),
                "FORCE_PLATFORM plate 1:CAL_MATRIX: expected an invertible calibration matrix", dir);
  ExpectRefused(WithParameter(dir, "walking2.c3d", "FORCE_PLATFORM", "CHANNEL", [](C3dParameter* p) { p->numbers[4] = 99; }),
                "FORCE_PLATFORM plate 1:CHANNEL: expected analog channel numbers 1..", dir);
  ExpectRefused(WithParameter(dir, "walking2.c3d", "FORCE_PLATFORM", "CORNERS", [](C3dParameter* p) { p->numbers[6] += 80; }),
                "FORCE_PLATFORM plate 1:CORNERS: expected a rectangle", dir);
  // A C3D stores an integer number of samples per frame; a rate that contradicts it is read as
  // the layout's with a warning (c3d_quirks_test), and refused by the reader under --strict (a
  // session's rates go through ResolveSync, tested above).
  ExpectRefused(Changed(dir, "walking2.c3d", "rate", [](C3dFile* c3d) { c3d->analog_rate_hz = 1990; }),
                "ANALOG:RATE: expected POINT:RATE x analog samples per frame", dir, "--strict ");
}

// A value read back from a text export equals the stored one to the printed precision (%.10g);
// NaN stays NaN.
void ExpectPrinted(double read, double stored, const std::string& what) {
  if (std::isnan(stored)) {
    EXPECT_TRUE(std::isnan(read)) << what;
  } else {
    EXPECT_NEAR(read, stored, 1e-9 * std::abs(stored)) << what;
  }
}

TEST(Cli, ExportWritesJointAnglesToMotAndJointCentresToTrc) {
  SKIP_WITHOUT_DATA();
  TempDir dir;
  const std::string result = dir / "r.h5";
  ASSERT_EQ(RunMidstance("-q process " + PathOf("vicon_gait_raw.c3d") + " -o " + result).exit_code, 0);
  ASSERT_EQ(RunMidstance("-q export " + result + " --to mot -o " + (dir / "r.mot")).exit_code, 0);
  ASSERT_EQ(RunMidstance("-q export " + result + " --to trc -o " + (dir / "r.trc")).exit_code, 0);
  const Hdf5Reader h5(result);
  const std::vector<double> time = h5.ReadDoubles("/kinematics/time", nullptr);
  ASSERT_EQ(time.size(), 142u);

  // MOT: time, then <joint>_<side>_<angle> in degrees, one row per frame, NaN rows kept.
  const OpenSimTable mot = ReadOpenSimTable(dir / "r.mot");
  EXPECT_TRUE(mot.in_degrees);
  const std::vector<std::string> joints = {"hip_left", "hip_right", "knee_left", "knee_right", "ankle_left", "ankle_right"};
  std::vector<std::string> expected_columns = {"time"};
  for (const std::string& joint : joints) {
    const bool ankle = joint.rfind("ankle", 0) == 0;
    for (const char* angle : {ankle ? "dorsiflexion" : "flexion", ankle ? "inversion" : "adduction", "internal_rotation"}) {
      expected_columns.push_back(joint + "_" + angle);
    }
  }
  ASSERT_EQ(mot.columns, expected_columns);
  ASSERT_EQ(mot.row_count(), time.size());
  const size_t columns = mot.columns.size();
  for (size_t f = 0; f < time.size(); ++f) ExpectPrinted(mot.values[f * columns], time[f], "time, row " + std::to_string(f));
  size_t nan_rows = 0;
  for (size_t j = 0; j < joints.size(); ++j) {
    const std::vector<double> angles = h5.ReadDoubles("/kinematics/" + joints[j], nullptr);
    for (size_t f = 0; f < time.size(); ++f) {
      for (size_t c = 0; c < 3; ++c) {
        ExpectPrinted(mot.values[f * columns + 1 + 3 * j + c], angles[3 * f + c], mot.columns[1 + 3 * j + c] + ", row " + std::to_string(f));
      }
      if (j == 0 && std::isnan(angles[3 * f])) ++nan_rows;
    }
  }
  EXPECT_GT(nan_rows, 0u) << "frames without enough pelvis markers: NaN rows, not dropped";

  // TRC: the trial's markers in mm, then the joint centres as virtual markers, in mm too.
  const TrcFile trc = ReadTrc(dir / "r.trc");
  const std::vector<std::string> labels = h5.ReadStrings("/markers/labels");
  const std::vector<std::string> centres = {"LHJC", "RHJC", "LKJC", "RKJC", "LAJC", "RAJC"};
  EXPECT_EQ(trc.units, "mm");
  ASSERT_EQ(trc.frame_count(), time.size());
  ASSERT_EQ(trc.labels.size(), labels.size() + centres.size());
  EXPECT_EQ(std::vector<std::string>(trc.labels.begin(), trc.labels.begin() + static_cast<ptrdiff_t>(labels.size())), labels);
  EXPECT_EQ(std::vector<std::string>(trc.labels.end() - 6, trc.labels.end()), centres);
  const size_t markers = trc.labels.size();
  const std::vector<double> positions_m = h5.ReadDoubles("/markers/positions", nullptr);
  for (size_t c = 0; c < centres.size(); ++c) {
    const std::vector<double> centre_m = h5.ReadDoubles("/kinematics/joint_centres/" + joints[c], nullptr);
    for (size_t f = 0; f < time.size(); ++f) {
      for (size_t i = 0; i < 3; ++i) {
        ExpectPrinted(trc.positions[(f * markers + labels.size() + c) * 3 + i], centre_m[3 * f + i] * 1000.0,
                      centres[c] + ", frame " + std::to_string(f));
        ExpectPrinted(trc.positions[f * markers * 3 + i], positions_m[f * labels.size() * 3 + i] * 1000.0,
                      labels[0] + ", frame " + std::to_string(f));
      }
    }
  }

  // Without a skeleton: MOT holds the analog channels as before, the TRC only the markers.
  const std::string bare = dir / "bare.h5";
  ASSERT_EQ(RunMidstance("-q process --no-skeleton " + PathOf("vicon_gait_raw.c3d") + " -o " + bare).exit_code, 0);
  ASSERT_EQ(RunMidstance("-q export " + bare + " --to mot -o " + (dir / "bare.mot")).exit_code, 0);
  ASSERT_EQ(RunMidstance("-q export " + bare + " --to trc -o " + (dir / "bare.trc")).exit_code, 0);
  const OpenSimTable analog = ReadOpenSimTable(dir / "bare.mot");
  EXPECT_EQ(std::vector<std::string>(analog.columns.begin() + 1, analog.columns.end()), Hdf5Reader(bare).ReadStrings("/analog/labels"));
  EXPECT_EQ(ReadTrc(dir / "bare.trc").labels, labels);
}

}  // namespace
}  // namespace midstance
