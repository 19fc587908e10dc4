// Subject parameters: estimates from closed-form landmarks and from the real static trials,
// reading from C3D (written and real files) and TOML, overlay order, and validation naming every
// implausible parameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "midstance/c3d.h"
#include "midstance/c3d_trial.h"
#include "midstance/error.h"
#include "midstance/subject.h"
#include "support/test_support.h"

namespace midstance {
namespace {

std::string PathOf(const std::string& name) { return testing::SharedDataPath(name); }

#define SKIP_WITHOUT_DATA() \
  if (testing::SharedGolden().is_null()) GTEST_SKIP() << "../shared/data is absent: real-file tests skipped"

constexpr double kExact = 1e-12;

// Message of the InvalidInput that `f` throws ("" when it throws nothing).
template <typename F>
std::string InvalidInputMessage(F f) {
  try {
    f();
  } catch (const InvalidInput& error) {
    return error.what();
  }
  return "";
}

template <typename F>
std::string FileFormatMessage(F f) {
  try {
    f();
  } catch (const FileFormatError& error) {
    return error.what();
  }
  return "";
}

// Landmarks on 3-4-5 triangles: ASIS to knee 0.5 m, knee to ankle 0.4 m (leg length 0.9 m); lateral
// markers 0.12 m (knee) and 0.09 m (ankle) from the medial ones.
LegLandmarks ClosedFormLeg() {
  LegLandmarks leg;
  leg.asis = {0.3, 0.0, 0.9};
  leg.knee_medial = {0.0, 0.0, 0.5};
  leg.knee_lateral = {0.0, 0.12, 0.5};
  leg.ankle_medial = {0.24, 0.0, 0.18};
  leg.ankle_lateral = {0.24, 0.09, 0.18};
  return leg;
}

SubjectParameters Complete() {
  SubjectParameters p;
  p.mass_kg = 70;
  p.height_m = 1.75;
  for (int s = 0; s < 2; ++s) {
    p.leg_length_m[s] = 0.9;
    p.knee_width_m[s] = 0.10;
    p.ankle_width_m[s] = 0.07;
  }
  p.marker_diameter_m = 0.014;
  return p;
}

double* Field(SubjectParameters* p, const std::string& name) {
  if (name == "mass") return &p->mass_kg;
  if (name == "height") return &p->height_m;
  if (name == "leg_length_left") return &p->leg_length_m[0];
  if (name == "leg_length_right") return &p->leg_length_m[1];
  if (name == "knee_width_left") return &p->knee_width_m[0];
  if (name == "knee_width_right") return &p->knee_width_m[1];
  if (name == "ankle_width_left") return &p->ankle_width_m[0];
  if (name == "ankle_width_right") return &p->ankle_width_m[1];
  if (name == "marker_diameter") return &p->marker_diameter_m;
  ADD_FAILURE() << "no field " << name;
  return &p->mass_kg;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream stream(path);
  stream << text;
}

// Mean position in metres over the frames where the marker is present.
Eigen::Vector3d MeanPosition(const C3dFile& file, const std::string& label) {
  const auto it = std::find(file.point_labels.begin(), file.point_labels.end(), label);
  EXPECT_NE(it, file.point_labels.end()) << label;
  if (it == file.point_labels.end()) return Eigen::Vector3d::Constant(NAN);
  const size_t point = static_cast<size_t>(it - file.point_labels.begin());
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  int count = 0;
  for (int64_t f = 0; f < file.frame_count; ++f) {
    const double* xyz = &file.points[(static_cast<size_t>(f) * file.point_count + point) * 3];
    if (std::isnan(xyz[0])) continue;
    sum += Eigen::Vector3d(xyz[0], xyz[1], xyz[2]);
    ++count;
  }
  return sum / count * file.PointUnitsInMetres();
}

LegLandmarks LandmarksOf(const C3dFile& file, const std::vector<std::string>& labels) {
  LegLandmarks leg;
  leg.asis = MeanPosition(file, labels[0]);
  leg.knee_lateral = MeanPosition(file, labels[1]);
  leg.knee_medial = MeanPosition(file, labels[2]);
  leg.ankle_lateral = MeanPosition(file, labels[3]);
  leg.ankle_medial = MeanPosition(file, labels[4]);
  return leg;
}

TEST(SubjectEstimate, ClosedFormLandmarksGiveExactLengthsAndWidths) {
  const SubjectParameters p = EstimateMissing(SubjectParameters(), ClosedFormLeg(), ClosedFormLeg());
  for (int s = 0; s < 2; ++s) {
    EXPECT_NEAR(p.leg_length_m[s], 0.9, kExact);
    EXPECT_NEAR(p.knee_width_m[s], 0.12 - 0.014, kExact);
    EXPECT_NEAR(p.ankle_width_m[s], 0.09 - 0.014, kExact);
  }
  EXPECT_DOUBLE_EQ(p.marker_diameter_m, 0.014);
  EXPECT_TRUE(std::isnan(p.mass_kg));
  EXPECT_TRUE(std::isnan(p.height_m));
  EXPECT_EQ(p.source.at("leg_length_left"),
            "estimated from markers (ASIS to medial knee to medial malleolus, static pose)");
  EXPECT_EQ(p.source.at("knee_width_right").rfind("estimated from markers (lateral to medial knee", 0), 0u);
  EXPECT_NE(p.source.at("knee_width_right").find("minus one 14 mm marker diameter"), std::string::npos);
  EXPECT_EQ(p.source.at("marker_diameter").rfind("default", 0), 0u);
  EXPECT_EQ(p.source.count("mass"), 0u);
  EXPECT_TRUE(ValidateSubjectParameters(p).empty());
}

TEST(SubjectEstimate, LateralMarkersAndTypicalRatiosWhenMedialMarkersAreAbsent) {
  LegLandmarks right = ClosedFormLeg();
  right.knee_lateral = right.knee_medial;  // the lateral markers where the medial ones were: leg length 0.9 again
  right.ankle_lateral = right.ankle_medial;
  right.knee_medial = Eigen::Vector3d::Constant(NAN);
  right.ankle_medial = Eigen::Vector3d::Constant(NAN);
  const SubjectParameters p = EstimateMissing(SubjectParameters(), ClosedFormLeg(), right);
  EXPECT_NEAR(p.leg_length_m[1], 0.9, kExact);
  EXPECT_EQ(p.source.at("leg_length_right"),
            "estimated from markers (ASIS to lateral knee to lateral malleolus, static pose)");
  EXPECT_NEAR(p.knee_width_m[1], 0.13 * 0.9, kExact);
  EXPECT_NEAR(p.ankle_width_m[1], 0.08 * 0.9, kExact);
  EXPECT_EQ(p.source.at("knee_width_right").rfind("typical ratio (0.13 x leg length", 0), 0u);
  EXPECT_NE(p.source.at("knee_width_right").find("no medial knee marker"), std::string::npos);
  EXPECT_EQ(p.source.at("ankle_width_right").rfind("typical ratio (0.08 x leg length", 0), 0u);
  EXPECT_NEAR(p.knee_width_m[0], 0.106, kExact);  // the left side still from its markers
}

TEST(SubjectEstimate, GivenValuesAreKeptAndFeedTheEstimates) {
  SubjectParameters given;
  given.leg_length_m[1] = 0.85;
  given.source["leg_length_right"] = "command line";
  given.marker_diameter_m = 0.025;
  given.source["marker_diameter"] = "command line";
  given.knee_width_m[0] = 0.111;
  given.source["knee_width_left"] = "command line";
  LegLandmarks right = ClosedFormLeg();
  right.knee_medial = Eigen::Vector3d::Constant(NAN);
  const SubjectParameters p = EstimateMissing(given, ClosedFormLeg(), right);
  EXPECT_EQ(p.leg_length_m[1], 0.85);
  EXPECT_EQ(p.source.at("leg_length_right"), "command line");
  EXPECT_NEAR(p.knee_width_m[1], 0.13 * 0.85, kExact);      // ratio of the given leg length
  EXPECT_NEAR(p.ankle_width_m[1], 0.09 - 0.025, kExact);    // minus the given marker diameter
  EXPECT_NE(p.source.at("ankle_width_right").find("minus one 25 mm marker diameter"), std::string::npos);
  EXPECT_EQ(p.knee_width_m[0], 0.111);
  EXPECT_EQ(p.source.at("knee_width_left"), "command line");
  EXPECT_EQ(p.marker_diameter_m, 0.025);
}

TEST(SubjectEstimate, MissingMarkersLeaveFieldsUnsetAndValidationNamesThem) {
  LegLandmarks left = ClosedFormLeg();
  left.asis = Eigen::Vector3d::Constant(NAN);
  left.knee_medial = Eigen::Vector3d::Constant(NAN);
  const SubjectParameters p = EstimateMissing(SubjectParameters(), left, ClosedFormLeg());
  EXPECT_TRUE(std::isnan(p.leg_length_m[0]));
  EXPECT_TRUE(std::isnan(p.knee_width_m[0]));               // neither both markers nor a leg length
  EXPECT_NEAR(p.ankle_width_m[0], 0.09 - 0.014, kExact);    // both ankle markers present
  EXPECT_NEAR(p.leg_length_m[1], 0.9, kExact);
  const std::string message = InvalidInputMessage([&] { ValidateSubjectParameters(p); });
  EXPECT_NE(message.find("subject parameter leg_length_left: expected 0.4-1.3 m, got nothing"), std::string::npos)
      << message;
  EXPECT_TRUE(ValidateSubjectParameters(p, SubjectRequirement::kSetOnly).empty());
}

// The two real static trials with medial markers (golden values from ezc3d, mean over frames).
TEST(SubjectEstimate, RealStaticTrialsGivePlausibleValues) {
  SKIP_WITHOUT_DATA();
  struct Trial {
    std::string file;
    std::vector<std::string> left, right;
    double leg_left, leg_right, knee_left, ankle_left;  // golden: medial path, marker distances
  };
  const Trial trials[] = {
      {"hybrid_standing.c3d",
       {"L_ASIS", "L_KNEE_LAT", "L_KNEE_MED", "L_ANKLE_LAT", "L_ANKLE_MED"},
       {"R_ASIS", "R_KNEE_LAT", "R_KNEE_MED", "R_ANKLE_LAT", "R_ANKLE_MED"},
       0.810112, 0.827569, 0.131728, 0.083995},
      {"ist_static.c3d", {"LASI", "LLFC", "LMFC", "LLMA", "LMMA"}, {"RASI", "RLFC", "RMFC", "RLMA", "RMMA"},
       0.882184, 0.879125, 0.130469, 0.083463},
  };
  for (const Trial& t : trials) {
    SCOPED_TRACE(t.file);
    const C3dFile file = ReadC3d(PathOf(t.file));
    EXPECT_TRUE(std::isnan(SubjectParametersFromC3d(file).leg_length_m[0]));  // archived without PROCESSING
    const SubjectParameters p = EstimateMissing(SubjectParametersFromC3d(file), LandmarksOf(file, t.left),
                                                LandmarksOf(file, t.right));
    EXPECT_NEAR(p.leg_length_m[0], t.leg_left, 1e-5);
    EXPECT_NEAR(p.leg_length_m[1], t.leg_right, 1e-5);
    EXPECT_NEAR(p.knee_width_m[0], t.knee_left - 0.014, 1e-5);
    EXPECT_NEAR(p.ankle_width_m[0], t.ankle_left - 0.014, 1e-5);
    EXPECT_TRUE(ValidateSubjectParameters(p).empty());
  }
}

TEST(SubjectC3d, ProcessingThenSubjectsValuesInMillimetres) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  C3dFile trial = ReadC3d(PathOf("vicon_gait_raw.c3d"));
  trial.groups.push_back({90, "PROCESSING", "", false});
  auto add = [&](const std::string& group, const std::string& name, double value) {
    C3dParameter p;
    p.group = group;
    p.name = name;
    p.type = C3dParameterType::kFloat;
    p.numbers = {value};
    trial.parameters.push_back(p);
  };
  add("PROCESSING", "Bodymass", 71.5);
  add("PROCESSING", "Height", 1780);
  add("PROCESSING", "LLegLength", 905);
  add("PROCESSING", "RLegLength", 0);        // Vicon's "not measured": SUBJECTS then supplies it
  add("SUBJECTS", "RLegLength", 910);
  add("SUBJECTS", "LLegLength", 999);        // PROCESSING comes first
  add("PROCESSING", "LKneeWidth", 104);
  add("PROCESSING", "RKneeWidth", 106);
  add("PROCESSING", "LAnkleWidth", 72);
  add("PROCESSING", "RAnkleWidth", 0);       // unset everywhere: stays NaN
  add("PROCESSING", "MarkerDiameter", 14);   // before SEG:MARKER_DIAMETER (25)
  const std::string path = dir / "subject.c3d";
  WriteC3d(path, trial);
  const SubjectParameters p = SubjectParametersFromC3d(ReadC3d(path));
  EXPECT_EQ(p.mass_kg, 71.5);
  EXPECT_NEAR(p.height_m, 1.78, kExact);
  EXPECT_NEAR(p.leg_length_m[0], 0.905, kExact);
  EXPECT_NEAR(p.leg_length_m[1], 0.910, kExact);
  EXPECT_NEAR(p.knee_width_m[0], 0.104, kExact);
  EXPECT_NEAR(p.knee_width_m[1], 0.106, kExact);
  EXPECT_NEAR(p.ankle_width_m[0], 0.072, kExact);
  EXPECT_TRUE(std::isnan(p.ankle_width_m[1]));
  EXPECT_NEAR(p.marker_diameter_m, 0.014, kExact);
  EXPECT_EQ(p.source.at("leg_length_left"), path + ": PROCESSING:LLEGLENGTH");
  EXPECT_EQ(p.source.at("leg_length_right"), path + ": SUBJECTS:RLEGLENGTH");
  EXPECT_EQ(p.source.at("marker_diameter"), path + ": PROCESSING:MARKERDIAMETER");
  EXPECT_EQ(p.source.count("ankle_width_right"), 0u);
}

TEST(SubjectC3d, RealTrialsWithoutProcessing) {
  SKIP_WITHOUT_DATA();
  // Vicon raw trial: SUBJECTS holds names only. SEG:MARKER_DIAMETER (25) is Vicon's
  // reconstruction setting, not the subject's markers, and is not taken.
  const std::string raw = PathOf("vicon_gait_raw.c3d");
  const SubjectParameters vicon = SubjectParametersFromC3d(ReadC3d(raw));
  for (const SubjectField& f : ListSubjectParameters(vicon)) EXPECT_TRUE(std::isnan(f.value)) << f.name;
  // c3d.org samples: SUBJECT:WEIGHT (kg), HEIGHT (m), TARGET_RADIUS (m; 0 = unset), every processor.
  for (const char* name : {"Eb015pi.c3d", "Eb015vi.c3d", "Eb015pr.c3d"}) {
    const SubjectParameters p = SubjectParametersFromC3d(ReadC3d(PathOf(name)));
    EXPECT_NEAR(p.mass_kg, 82.7, 1e-5) << name;
    EXPECT_NEAR(p.height_m, 1.63, 1e-6) << name;
    EXPECT_TRUE(std::isnan(p.marker_diameter_m)) << name;
    EXPECT_EQ(p.source.at("mass"), PathOf(name) + ": SUBJECT:WEIGHT");
  }
  const SubjectParameters norm = SubjectParametersFromC3d(ReadC3d(PathOf("sample02_pc_int.c3d")));
  EXPECT_NEAR(norm.mass_kg, 70.62, 1e-5);
  EXPECT_NEAR(norm.height_m, 1.78, 1e-6);
  EXPECT_NEAR(norm.marker_diameter_m, 0.019, 1e-8);
  EXPECT_EQ(norm.source.at("marker_diameter"), PathOf("sample02_pc_int.c3d") + ": SUBJECT:TARGET_RADIUS");
  EXPECT_TRUE(ValidateSubjectParameters(norm, SubjectRequirement::kSetOnly).empty());
}

TEST(SubjectToml, SessionSubjectTableBothSidesAndOneSide) {
  testing::TempDir dir;
  const std::string path = dir / "session.toml";
  WriteText(path,
            "[session]\nname = \"t\"\ncalibration = \"calibration.toml\"\nrate_hz = 250.0\n\n"
            "[subject]\nmass_kg = 68\nheight_m = 1.72\nleg_length_left_m = 0.88\nleg_length_right_m = 0.89\n"
            "knee_width_m = 0.101\nankle_width_left_m = 0.071\nmarker_diameter_m = 0.0125\n");
  const SubjectParameters p = SubjectParametersFromToml(path);
  EXPECT_EQ(p.mass_kg, 68);
  EXPECT_EQ(p.height_m, 1.72);
  EXPECT_EQ(p.leg_length_m[0], 0.88);
  EXPECT_EQ(p.leg_length_m[1], 0.89);
  EXPECT_EQ(p.knee_width_m[0], 0.101);
  EXPECT_EQ(p.knee_width_m[1], 0.101);
  EXPECT_EQ(p.ankle_width_m[0], 0.071);
  EXPECT_TRUE(std::isnan(p.ankle_width_m[1]));
  EXPECT_EQ(p.marker_diameter_m, 0.0125);
  EXPECT_EQ(p.source.at("knee_width_right"), path + ": [subject] knee_width_m");
  EXPECT_EQ(p.source.at("leg_length_left"), path + ": [subject] leg_length_left_m");

  const std::string bare = dir / "bare.toml";
  WriteText(bare, "[session]\nrate_hz = 100.0\n");
  const SubjectParameters none = SubjectParametersFromToml(bare);
  for (const SubjectField& f : ListSubjectParameters(none)) EXPECT_TRUE(std::isnan(f.value)) << f.name;
  EXPECT_TRUE(none.source.empty());
}

TEST(SubjectToml, BadFilesNameTheFileAndTheKey) {
  testing::TempDir dir;
  auto message = [&](const std::string& text) {
    const std::string path = dir / "subject.toml";
    WriteText(path, text);
    return FileFormatMessage([&] { SubjectParametersFromToml(path); });
  };
  const std::string path = dir / "subject.toml";
  std::string m = message("[subject]\nmass_kg = 70\nknee_widht_m = 0.1\n");
  EXPECT_EQ(m.rfind(path + ": subject.knee_widht_m: expected one of mass_kg, height_m, leg_length_m", 0), 0u) << m;
  EXPECT_NE(m.find("got an unknown key"), std::string::npos) << m;
  m = message("[subject]\nmass_kg = \"seventy\"\n");
  EXPECT_EQ(m, path + ": subject.mass_kg: expected a body mass in kg, got a value of another type");
  m = message("[subject]\nleg_length_m = [0.9, 0.91]\n");
  EXPECT_EQ(m.rfind(path + ": subject.leg_length_m: expected a leg length in m", 0), 0u) << m;
  m = message("[subject]\nheight_m = nan\n");
  EXPECT_EQ(m, path + ": subject.height_m: expected a height in m, finite, got nan");
  m = message("[subject]\nleg_length_m = 0.9\nleg_length_right_m = 0.91\n");
  EXPECT_EQ(m, path + ": subject.leg_length_right_m: expected either leg_length_m (both sides) or leg_length_left_m / "
                      "leg_length_right_m, got both leg_length_m and leg_length_right_m");
  m = message("subject = 3\n");
  EXPECT_EQ(m, path + ": subject: expected a [subject] table, got a value of another type");
  m = message("[subject\nmass_kg = 70\n");
  EXPECT_EQ(m.rfind(path + ": TOML syntax:", 0), 0u) << m;
  m = FileFormatMessage([&] { SubjectParametersFromToml(dir / "absent.toml"); });
  EXPECT_NE(m.find("absent.toml: file: expected an existing TOML file"), std::string::npos) << m;
}

TEST(SubjectOverlay, LaterSourcesWinFieldByField) {
  SubjectParameters c3d;
  c3d.mass_kg = 70;
  c3d.leg_length_m[0] = 0.90;
  c3d.leg_length_m[1] = 0.91;
  c3d.marker_diameter_m = 0.025;
  for (const char* f : {"mass", "leg_length_left", "leg_length_right", "marker_diameter"}) c3d.source[f] = "trial.c3d";
  SubjectParameters toml;
  toml.leg_length_m[0] = 0.88;
  toml.knee_width_m[0] = 0.10;
  toml.source["leg_length_left"] = "session.toml";
  toml.source["knee_width_left"] = "session.toml";
  toml.source["mass"] = "session.toml";  // a source without a value does not override
  SubjectParameters cli;
  cli.leg_length_m[0] = 0.87;
  cli.marker_diameter_m = 0.014;
  cli.source["leg_length_left"] = "command line";  // marker_diameter without a recorded source

  const SubjectParameters p = Overlay(Overlay(c3d, toml), cli);
  EXPECT_EQ(p.mass_kg, 70);
  EXPECT_EQ(p.source.at("mass"), "trial.c3d");
  EXPECT_EQ(p.leg_length_m[0], 0.87);
  EXPECT_EQ(p.source.at("leg_length_left"), "command line");
  EXPECT_EQ(p.leg_length_m[1], 0.91);
  EXPECT_EQ(p.source.at("leg_length_right"), "trial.c3d");
  EXPECT_EQ(p.knee_width_m[0], 0.10);
  EXPECT_EQ(p.source.at("knee_width_left"), "session.toml");
  EXPECT_TRUE(std::isnan(p.knee_width_m[1]));
  EXPECT_EQ(p.marker_diameter_m, 0.014);
  EXPECT_EQ(p.source.count("marker_diameter"), 0u);  // the stale "trial.c3d" is not kept

  const SubjectParameters reversed = Overlay(Overlay(cli, toml), c3d);
  EXPECT_EQ(reversed.leg_length_m[0], 0.90);
  EXPECT_EQ(reversed.marker_diameter_m, 0.025);
}

TEST(SubjectValidate, EveryImplausibleParameterIsNamedWithItsSource) {
  struct Case {
    std::string name;
    double too_low, too_high;
    std::string range;
  };
  const Case cases[] = {
      {"mass", 19, 251, "20-250 kg"},
      {"height", 0.79, 2.31, "0.8-2.3 m"},
      {"leg_length_left", 0.39, 1.31, "0.4-1.3 m"},
      {"leg_length_right", 0.39, 1.31, "0.4-1.3 m"},
      {"knee_width_left", 0.039, 0.201, "0.04-0.2 m"},
      {"knee_width_right", 0.039, 0.201, "0.04-0.2 m"},
      {"ankle_width_left", 0.029, 0.151, "0.03-0.15 m"},
      {"ankle_width_right", 0.029, 0.151, "0.03-0.15 m"},
      {"marker_diameter", 0.0029, 0.041, "3-40 mm"},
  };
  ASSERT_TRUE(ValidateSubjectParameters(Complete()).empty());
  for (const Case& c : cases) {
    for (const double value : {c.too_low, c.too_high, -1.0, static_cast<double>(INFINITY)}) {
      SubjectParameters p = Complete();
      *Field(&p, c.name) = value;
      p.source[c.name] = "s.toml: [subject] x";
      const std::string message = InvalidInputMessage([&] { ValidateSubjectParameters(p); });
      const std::string expected = "s.toml: [subject] x: subject parameter " + c.name + ": expected " + c.range + ", got ";
      EXPECT_EQ(message.rfind(expected, 0), 0u) << c.name << " " << value << ": " << message;
    }
  }
  SubjectParameters p = Complete();
  p.leg_length_m[1] = 2.1;
  p.source["leg_length_right"] = "t.c3d: PROCESSING:RLegLength";
  EXPECT_EQ(InvalidInputMessage([&] { ValidateSubjectParameters(p); }),
            "t.c3d: PROCESSING:RLegLength: subject parameter leg_length_right: expected 0.4-1.3 m, got 2.1 m");
  p = Complete();
  p.marker_diameter_m = 0.05;
  EXPECT_EQ(InvalidInputMessage([&] { ValidateSubjectParameters(p); }),
            "subject parameter marker_diameter: expected 3-40 mm, got 50 mm");
  // A wrong marker diameter makes the widths estimated from markers negative: the error names the cause.
  SubjectParameters wrong;
  wrong.marker_diameter_m = 0.5;
  wrong.source["marker_diameter"] = "command line";
  EXPECT_EQ(InvalidInputMessage([&] { ValidateSubjectParameters(EstimateMissing(wrong, ClosedFormLeg(), ClosedFormLeg())); }),
            "command line: subject parameter marker_diameter: expected 3-40 mm, got 500 mm");
  p = Complete();
  p.mass_kg = NAN;
  p.height_m = NAN;
  EXPECT_TRUE(ValidateSubjectParameters(p).empty());  // not needed by the skeleton
  for (const char* name : {"leg_length_right", "knee_width_left", "ankle_width_right", "marker_diameter"}) {
    p = Complete();
    *Field(&p, name) = NAN;
    const std::string message = InvalidInputMessage([&] { ValidateSubjectParameters(p); });
    EXPECT_EQ(message.rfind(std::string("subject parameter ") + name + ": expected", 0), 0u) << message;
    EXPECT_NE(message.find("got nothing"), std::string::npos) << message;
    EXPECT_TRUE(ValidateSubjectParameters(p, SubjectRequirement::kSetOnly).empty());
  }
}

TEST(SubjectValidate, WidthsMustBeBelowAThirdOfTheLegLength) {
  SubjectParameters p = Complete();
  p.height_m = 0.9;  // a child: leg length half the height, no warnings
  p.leg_length_m[0] = p.leg_length_m[1] = 0.45;
  p.knee_width_m[0] = 0.16;  // within 0.04-0.20 m, but above 0.45 / 3
  p.source["knee_width_left"] = "command line";
  EXPECT_EQ(InvalidInputMessage([&] { ValidateSubjectParameters(p); }),
            "command line: subject parameter knee_width_left: expected less than a third of leg_length_left "
            "(0.15 m), got 0.16 m");
  p.knee_width_m[0] = 0.149;
  EXPECT_TRUE(ValidateSubjectParameters(p).empty());
  p.ankle_width_m[1] = 0.15;
  const std::string message = InvalidInputMessage([&] { ValidateSubjectParameters(p); });
  EXPECT_EQ(message.rfind("subject parameter ankle_width_right: expected less than a third of leg_length_right", 0), 0u)
      << message;
}

TEST(SubjectValidate, SuspiciousButPlausibleValuesAreWarnings) {
  SubjectParameters p = Complete();
  p.leg_length_m[0] = 0.80;
  p.leg_length_m[1] = 0.90;  // 11.8 % of the mean
  p.height_m = NAN;
  std::vector<std::string> warnings = ValidateSubjectParameters(p);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "subject parameters leg_length_left 0.800 m and leg_length_right 0.900 m differ by 11.8 % of their mean: "
            "check the measurements");
  p.leg_length_m[0] = 0.82;  // 9.3 %
  EXPECT_TRUE(ValidateSubjectParameters(p).empty());

  p = Complete();
  p.height_m = 2.2;  // 0.9 / 2.2 = 0.41: fine
  EXPECT_TRUE(ValidateSubjectParameters(p).empty());
  p.height_m = 1.0;  // 0.9 of the height: a unit slip somewhere
  warnings = ValidateSubjectParameters(p);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].rfind("subject parameter leg_length_left 0.900 m is 0.90 of height 1.000 m", 0), 0u) << warnings[0];
}

TEST(SubjectDescribe, OneLinePerFieldWithItsSource) {
  SubjectParameters given;
  given.mass_kg = 71.5;
  given.source["mass"] = "t.c3d: PROCESSING:Bodymass";
  const SubjectParameters p = EstimateMissing(given, ClosedFormLeg(), ClosedFormLeg());
  const std::string text = DescribeSubjectParameters(p);
  std::vector<std::string> lines;
  std::string line;
  for (std::istringstream stream(text); std::getline(stream, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 9u) << text;
  EXPECT_EQ(lines[0], "mass                   71.5 kg  t.c3d: PROCESSING:Bodymass");
  EXPECT_EQ(lines[1], "height             not set");
  EXPECT_EQ(lines[2], "leg_length_left      0.9000 m   estimated from markers (ASIS to medial knee to medial malleolus, "
                      "static pose)");
  EXPECT_EQ(lines[8].rfind("marker_diameter      0.0140 m   default", 0), 0u) << lines[8];
  const std::vector<SubjectField> fields = ListSubjectParameters(p);
  ASSERT_EQ(fields.size(), 9u);
  EXPECT_EQ(fields[4].name, "knee_width_left");
  EXPECT_EQ(fields[4].unit, "m");
  EXPECT_NEAR(fields[4].value, 0.106, kExact);
  EXPECT_EQ(fields[0].unit, "kg");
}

}  // namespace
}  // namespace midstance
