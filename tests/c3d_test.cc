// The C3D reader against the golden values of ../shared/data/expected.json (computed by an
// independent reader written from the c3d.org specification), and the variants of one trial
// stored with other processors and storage against each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "midstance/c3d.h"
#include "midstance/convert.h"
#include "midstance/hdf5_file.h"
#include "midstance/error.h"
#include "support/test_support.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

const std::string& kData = testing::kSharedData;
std::string PathOf(const std::string& name) { return testing::SharedDataPath(name); }
const nlohmann::json& Golden() { return testing::SharedGolden(); }

#define SKIP_WITHOUT_DATA() \
  if (Golden().is_null()) GTEST_SKIP() << "../shared/data is absent: real-file tests skipped"

// Relative tolerance for a value stored as an integer times POINT:SCALE or as a 32-bit float,
// against golden values printed with 4 decimals.
double Tolerance(double value) { return 1e-4 + 2e-6 * std::fabs(value); }

class GoldenFile : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenFile, MatchesTheIndependentReader) {
  SKIP_WITHOUT_DATA();
  const nlohmann::json& g = Golden()[GetParam()];
  if (g.is_null()) GTEST_SKIP() << "no golden values (the independent reader could not parse it); see SgiVariants";
  const C3dFile file = ReadC3d(PathOf(GetParam()));
  EXPECT_EQ(C3dProcessorName(file.processor), g["processor"].get<std::string>());
  EXPECT_EQ(file.float_storage, g["format"] == "float");
  EXPECT_EQ(file.frame_count, g["frames"].get<int64_t>());
  EXPECT_EQ(file.point_count, g["points"].get<int>());
  EXPECT_DOUBLE_EQ(file.point_rate_hz, g["point_rate"].get<double>());
  EXPECT_DOUBLE_EQ(file.analog_rate_hz, g["analog_rate"].get<double>());
  EXPECT_EQ(file.analog_channel_count, g["analog_channels"].get<int>());
  if (g["analog_channels"].get<int>() > 0) {
    EXPECT_EQ(file.analog_samples_per_frame, g["analog_samples_per_frame"].get<int>());
  }
  EXPECT_EQ(file.point_units, g["units"].get<std::string>());
  EXPECT_EQ(file.point_labels, g["labels"].get<std::vector<std::string>>());
  const auto analog_labels = g["analog_labels"].get<std::vector<std::string>>();
  for (size_t i = 0; i < file.analog_labels.size() && i < analog_labels.size(); ++i) {
    EXPECT_EQ(file.analog_labels[i], analog_labels[i]) << "analog channel " << i;
  }
  EXPECT_EQ(file.MissingPointSamples(), g["invalid_point_values"].get<int64_t>());
  for (const auto& sample : g["point_samples_file_units"]) {
    const size_t i = sample["frame"].get<size_t>() * static_cast<size_t>(file.point_count) + sample["marker"].get<size_t>();
    const auto xyz = sample["xyz"];
    for (size_t k = 0; k < 3; ++k) {
      if (xyz[k].is_null()) {
        EXPECT_TRUE(std::isnan(file.points[3 * i + k])) << sample.dump();
      } else {
        EXPECT_NEAR(file.points[3 * i + k], xyz[k].get<double>(), Tolerance(xyz[k].get<double>())) << sample.dump();
      }
    }
  }
  for (const auto& sample : g["analog_samples_scaled"]) {
    const size_t s = sample["sample"].get<size_t>();
    const auto values = sample["values"].get<std::vector<double>>();
    for (size_t c = 0; c < values.size(); ++c) {
      EXPECT_NEAR(file.analog[s * static_cast<size_t>(file.analog_channel_count) + c], values[c], Tolerance(values[c]))
          << "sample " << s << " channel " << c;
    }
  }
}

std::vector<std::string> GoldenNames() {
  std::vector<std::string> names;
  for (const auto& [name, value] : Golden().items()) names.push_back(name);
  if (names.empty()) names.push_back("absent");
  return names;
}

INSTANTIATE_TEST_SUITE_P(RealFiles, GoldenFile, ::testing::ValuesIn(GoldenNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(C3dForcePlates, CornersOriginsAndTypesMatchTheGoldenValues) {
  SKIP_WITHOUT_DATA();
  int compared = 0;
  for (const auto& [name, g] : Golden().items()) {
    if (g.is_null() || g["force_plates"].get<int>() == 0) continue;
    const auto plates = ReadC3d(PathOf(name)).ForcePlates();
    ASSERT_EQ(plates.size(), g["force_plates"].get<size_t>()) << name;
    for (size_t p = 0; p < plates.size(); ++p) {
      EXPECT_EQ(plates[p].type, g["force_plate_types"][p].get<int>()) << name;
      for (size_t k = 0; k < 4; ++k) {
        for (size_t c = 0; c < 3; ++c) {
          const double expected = g["force_plate_corners_file_units"][p][k][c].get<double>();
          EXPECT_NEAR(plates[p].corners[k][c], expected, Tolerance(expected)) << name << " plate " << p;
        }
      }
      for (size_t c = 0; c < 3; ++c) {
        const double expected = g["force_plate_origin_file_units"][p][c].get<double>();
        EXPECT_NEAR(plates[p].origin[c], expected, Tolerance(expected)) << name << " plate " << p;
      }
      EXPECT_GE(plates[p].channels.size(), 6u) << name;
      if (plates[p].type == 4) {
        EXPECT_EQ(plates[p].calibration.size(), 36u) << name;
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 20);
}

TEST(C3dEvents, MotionAnalysisEventsAreReadWithinTheTrial) {
  SKIP_WITHOUT_DATA();
  const C3dFile trial = ReadC3d(PathOf("motionanalysis_walk1.c3d"));
  const std::vector<C3dEvent> events = trial.Events();
  ASSERT_EQ(events.size(), 8u);
  for (const C3dEvent& e : events) {
    // Motion Analysis puts the kind in CONTEXTS (LHS, RTO, ...) and leaves LABELS empty.
    EXPECT_FALSE(e.label.empty() && e.context.empty());
    EXPECT_GE(e.time_s, 0.0);
    EXPECT_LE(e.time_s, 151 / 60.0);  // within the 151 frames at 60 Hz
  }
  EXPECT_EQ(events[0].context, "LHS");
  EXPECT_NEAR(events[0].time_s, 0.566667, 1e-5);
}

TEST(C3dSubject, ProcessingValuesAreFoundCaseInsensitively) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  C3dFile trial = ReadC3d(PathOf("vicon_gait_raw.c3d"));
  trial.groups.push_back({90, "PROCESSING", "", false});
  C3dParameter mass;
  mass.group = "PROCESSING";
  mass.name = "BODYMASS";
  mass.type = C3dParameterType::kFloat;
  mass.numbers = {71.5};
  trial.parameters.push_back(mass);
  WriteC3d(dir / "subject.c3d", trial);
  const C3dFile back = ReadC3d(dir / "subject.c3d");
  ASSERT_TRUE(back.SubjectValue("Bodymass").has_value());
  EXPECT_FLOAT_EQ(static_cast<float>(*back.SubjectValue("Bodymass")), 71.5f);
  EXPECT_FALSE(back.SubjectValue("LegLength").has_value());
}

TEST(C3dWriter, RefusesWhatTheFormatCannotHoldAndKeepsEdgeValuesThroughHdf5) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  C3dFile trial = ReadC3d(PathOf("vicon_gait_raw.c3d"));
  C3dFile too_many = trial;
  SetEvents(&too_many, std::vector<C3dEvent>(300, C3dEvent{"Foot Strike", "Left", "", 0.5}));
  EXPECT_THROW(WriteC3d(dir / "events.c3d", too_many), InvalidInput);  // one byte per dimension
  EXPECT_FALSE(fs::exists(dir / "events.c3d"));
  // A NaN parameter and a hidden header event survive C3D -> HDF5 -> C3D.
  C3dParameter odd;
  odd.group = "POINT";
  odd.name = "ODD";
  odd.type = C3dParameterType::kFloat;
  odd.dimensions = {3};
  odd.numbers = {std::nan(""), 1.5, -INFINITY};
  trial.parameters.push_back(odd);
  trial.header_events = {{"HS", 0.25, false}, {"TO", 0.75, true}};
  WriteC3d(dir / "odd.c3d", trial);
  ConvertFile(dir / "odd.c3d", dir / "odd.h5");
  ConvertFile(dir / "odd.h5", dir / "back.c3d");
  const C3dFile back = ReadC3d(dir / "back.c3d");
  const C3dParameter* p = back.Find("POINT", "ODD");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->numbers.size(), 3u);
  EXPECT_TRUE(std::isnan(p->numbers[0]));
  EXPECT_EQ(p->numbers[1], 1.5);
  EXPECT_EQ(p->numbers[2], -INFINITY);
  ASSERT_EQ(back.header_events.size(), 2u);
  EXPECT_FALSE(back.header_events[0].displayed);
  EXPECT_TRUE(back.header_events[1].displayed);
}

TEST(C3dEvents, FootStrikeAndFootOffRoundTripThroughTheEventGroup) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  C3dFile trial = ReadC3d(PathOf("vicon_gait_raw.c3d"));
  const std::vector<C3dEvent> events = {{"Foot Strike", "Left", "heel contact", 0.52},
                                        {"Foot Off", "Left", "toe off", 1.26},
                                        {"Foot Strike", "Right", "heel contact", 75.125}};
  SetEvents(&trial, events);
  WriteC3d(dir / "events.c3d", trial);
  const std::vector<C3dEvent> back = ReadC3d(dir / "events.c3d").Events();
  ASSERT_EQ(back.size(), events.size());
  for (size_t e = 0; e < events.size(); ++e) {
    EXPECT_EQ(back[e].label, events[e].label);
    EXPECT_EQ(back[e].context, events[e].context);
    EXPECT_EQ(back[e].description, events[e].description);
    EXPECT_NEAR(back[e].time_s, events[e].time_s, 1e-5);
  }
  // Find() points into the file: keep the file alive while the pointer is used.
  const C3dFile written = ReadC3d(dir / "events.c3d");
  const C3dParameter* times = written.Find("EVENT", "TIMES");
  ASSERT_NE(times, nullptr);
  EXPECT_EQ(times->numbers[4], 1.0);  // 75.125 s = 1 minute, 15.125 seconds
  EXPECT_NEAR(times->numbers[5], 15.125, 1e-6);
}

// Every variant of a trial gives the same data, to the precision of its storage.
void ExpectSameTrial(const std::string& reference_name, const std::string& other_name) {
  const C3dFile reference = ReadC3d(PathOf(reference_name));
  const C3dFile other = ReadC3d(PathOf(other_name));
  ASSERT_EQ(other.frame_count, reference.frame_count) << other_name;
  ASSERT_EQ(other.point_count, reference.point_count) << other_name;
  ASSERT_EQ(other.analog.size(), reference.analog.size()) << other_name;
  EXPECT_EQ(other.point_labels, reference.point_labels) << other_name;
  // Integer storage quantises to POINT:SCALE; the integer sample02 files are within one step of
  // the real ones (their writer truncated rather than rounded), so one step is the precision.
  const double point_step = std::max(reference.float_storage ? 0.0 : reference.point_scale,
                                     other.float_storage ? 0.0 : other.point_scale);
  double worst_point = 0, worst_analog = 0;
  for (size_t i = 0; i < reference.points.size(); ++i) {
    ASSERT_EQ(std::isnan(reference.points[i]), std::isnan(other.points[i])) << other_name << " value " << i;
    if (!std::isnan(reference.points[i])) worst_point = std::max(worst_point, std::fabs(reference.points[i] - other.points[i]));
  }
  for (size_t i = 0; i < reference.analog.size(); ++i) worst_analog = std::max(worst_analog, std::fabs(reference.analog[i] - other.analog[i]));
  EXPECT_LE(worst_point, point_step + 1e-3) << other_name;
  EXPECT_LE(worst_analog, 1e-3) << other_name;
}

TEST(C3dVariants, Eb015StoredSixWaysIsOneTrial) {
  SKIP_WITHOUT_DATA();
  for (const char* name : {"Eb015pr.c3d", "Eb015si.c3d", "Eb015sr.c3d", "Eb015vi.c3d", "Eb015vr.c3d"}) {
    ExpectSameTrial("Eb015pi.c3d", name);
  }
}

TEST(C3dVariants, Sample02StoredSixWaysIsOneTrialIncludingSgi) {
  SKIP_WITHOUT_DATA();
  for (const char* name : {"sample02_pc_real.c3d", "sample02_dec_int.c3d", "sample02_dec_real.c3d",
                           "sample02_sgi_int.c3d", "sample02_sgi_real.c3d"}) {
    ExpectSameTrial("sample02_pc_int.c3d", name);
  }
}

TEST(C3dReader, BadFilesAreOneLineErrorsNamingTheField) {
  testing::TempDir dir;
  auto expect_error = [&](const std::vector<uint8_t>& bytes, const std::string& field, C3dReadOptions options = {}) {
    const std::string path = dir / "bad.c3d";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    try {
      ReadC3d(path, options);
      ADD_FAILURE() << "accepted a file that should fail at " << field;
    } catch (const FileFormatError& error) {
      const std::string what = error.what();
      EXPECT_NE(what.find("bad.c3d"), std::string::npos) << what;
      EXPECT_NE(what.find(field), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  };
  expect_error({}, "header");
  expect_error(std::vector<uint8_t>(512, 0), "key");
  if (Golden().is_null()) GTEST_SKIP() << PathOf("Eb015pi.c3d") << " is absent (../shared/data not beside the clone)";
  std::ifstream stream(PathOf("Eb015pi.c3d"), std::ios::binary);
  const std::vector<uint8_t> good((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  std::vector<uint8_t> bad = good;
  bad[512 + 3] = 99;
  expect_error(bad, "processor type");
  expect_error(std::vector<uint8_t>(good.begin(), good.begin() + 700), "parameter");
  // A cut data section is read up to its last whole frame with a warning (c3d_quirks_test);
  // strict mode refuses it.
  expect_error(std::vector<uint8_t>(good.begin(), good.end() - 5000), "data section", C3dReadOptions{true});
}

bool DescribesStorage(const C3dParameter& p) {
  static const std::vector<std::pair<std::string, std::string>> kStorage = {
      {"POINT", "USED"},   {"POINT", "SCALE"},  {"POINT", "RATE"},   {"POINT", "FRAMES"},      {"POINT", "DATA_START"},
      {"POINT", "LABELS"}, {"ANALOG", "USED"},  {"ANALOG", "RATE"},  {"ANALOG", "LABELS"},     {"POINT", "UNITS"}};
  return std::find(kStorage.begin(), kStorage.end(), std::make_pair(p.group, p.name)) != kStorage.end();
}

class RoundTrip : public ::testing::TestWithParam<std::string> {};

// What a rewritten file must keep of the original (C3D round trips, direct or through HDF5).
// Integer-storage files must come back exactly (the same 16-bit words); float files to 1e-5.
void ExpectSameContent(const C3dFile& original, const C3dFile& copy) {
  const bool exact = !original.float_storage;
  EXPECT_EQ(copy.float_storage, original.float_storage);
  ASSERT_EQ(copy.frame_count, original.frame_count);
  ASSERT_EQ(copy.point_count, original.point_count);
  EXPECT_EQ(copy.point_labels, original.point_labels);
  EXPECT_EQ(copy.point_units, original.point_units);
  EXPECT_DOUBLE_EQ(copy.point_rate_hz, original.point_rate_hz);
  EXPECT_DOUBLE_EQ(copy.analog_rate_hz, original.analog_rate_hz);
  EXPECT_EQ(copy.analog_labels, original.analog_labels);
  // Integer files: the same 16-bit words, so equal values; float files: 1e-5 relative.
  ASSERT_TRUE(testing::ValuesMatch(original.points, copy.points, exact ? 0.0 : 1e-5));
  for (size_t i = 0; i < original.residuals.size(); ++i) {
    if (!std::isnan(original.residuals[i])) {
      ASSERT_NEAR(copy.residuals[i], original.residuals[i], 1e-5 * std::max(1.0, original.residuals[i]));
      ASSERT_EQ(copy.camera_masks[i] & 0x7f, original.camera_masks[i] & 0x7f);
    }
  }
  ASSERT_TRUE(testing::ValuesMatch(original.analog, copy.analog, exact ? 0.0 : 1e-5));
  ASSERT_EQ(copy.header_events.size(), original.header_events.size());
  for (size_t e = 0; e < original.header_events.size(); ++e) {
    EXPECT_EQ(copy.header_events[e].label, original.header_events[e].label);
    EXPECT_FLOAT_EQ(static_cast<float>(copy.header_events[e].time_s), static_cast<float>(original.header_events[e].time_s));
  }
  for (const C3dParameter& p : original.parameters) {
    if (DescribesStorage(p)) continue;
    const C3dParameter* q = copy.Find(p.group, p.name);
    ASSERT_NE(q, nullptr) << p.group << ":" << p.name;
    EXPECT_EQ(q->type, p.type) << p.group << ":" << p.name;
    EXPECT_EQ(q->dimensions, p.dimensions) << p.group << ":" << p.name;
    EXPECT_EQ(q->strings, p.strings) << p.group << ":" << p.name;
    ASSERT_EQ(q->numbers.size(), p.numbers.size()) << p.group << ":" << p.name;
    for (size_t i = 0; i < p.numbers.size(); ++i) {
      EXPECT_EQ(static_cast<float>(q->numbers[i]), static_cast<float>(p.numbers[i])) << p.group << ":" << p.name << "[" << i << "]";
    }
  }
}

TEST_P(RoundTrip, ReadWriteReadPreservesDataAndParameters) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  const C3dFile original = ReadC3d(PathOf(GetParam()));
  WriteC3d(dir / "copy.c3d", original);
  const C3dFile copy = ReadC3d(dir / "copy.c3d");
  EXPECT_EQ(copy.processor, C3dProcessor::kIntel);
  ExpectSameContent(original, copy);
}

TEST_P(RoundTrip, ThroughHdf5PreservesDataAndParameters) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  const C3dFile original = ReadC3d(PathOf(GetParam()));
  ConvertFile(PathOf(GetParam()), dir / "trial.h5");
  const Hdf5Reader h5(dir / "trial.h5");
  std::vector<uint64_t> dims;
  const std::vector<double> metres = h5.ReadDoubles("/markers/positions", &dims);
  EXPECT_EQ(h5.ReadStringAttribute("/markers/positions", "units"), "m");
  const double scale = original.point_units.empty() ? 1e-3 : original.PointUnitsInMetres();
  for (size_t i = 0; i < metres.size(); i += 997) {
    if (!std::isnan(original.points[i])) {
      EXPECT_NEAR(metres[i], original.points[i] * scale, 1e-12 + 1e-9 * std::fabs(metres[i]));
    }
  }
  const auto plates = original.ForcePlates();
  for (size_t p = 0; p < plates.size(); ++p) {
    const auto corners = h5.ReadDoubles("/forceplates/" + std::to_string(p) + "/corners", nullptr);
    EXPECT_NEAR(corners[4], plates[p].corners[1][1] * scale, 1e-9) << "plate " << p;
  }
  ConvertFile(dir / "trial.h5", dir / "back.c3d");
  ExpectSameContent(original, ReadC3d(dir / "back.c3d"));
}

std::vector<std::string> AllC3dNames() {
  std::vector<std::string> names;
  if (fs::exists(kData + "/c3d")) {
    for (const auto& entry : fs::directory_iterator(kData + "/c3d")) names.push_back(entry.path().filename().string());
    names.push_back("walking2.c3d");
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) names.push_back("absent");
  return names;
}

INSTANTIATE_TEST_SUITE_P(RealFiles, RoundTrip, ::testing::ValuesIn(AllC3dNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// The committed corpus (tools/make_c3d_fuzz_corpus.py; regression_* are inputs the fuzzer found):
// every bad_* file is a one-line FileFormatError naming the file; nothing crashes.
TEST(C3dReader, MalformedCorpusIsAnsweredByOneLineErrors) {
  const std::string folder = std::string(MIDSTANCE_SOURCE_DIR) + "/tests/fuzz/corpus/c3d";
  int bad = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("bad_", 0) == 0) {
      ++bad;
      try {
        // By default a vendor quirk (an announced frame count beyond the data, an ANALOG:RATE
        // against the layout) is read with a warning; strict mode refuses every bad file.
        const C3dFile lenient = ReadC3d(entry.path().string());
        EXPECT_FALSE(lenient.warnings.empty()) << name << " was accepted without a warning";
        ReadC3d(entry.path().string(), C3dReadOptions{true});
        ADD_FAILURE() << name << " was accepted";
      } catch (const FileFormatError& error) {
        const std::string what = error.what();
        EXPECT_NE(what.find(name), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        EXPECT_NE(what.find(": expected"), std::string::npos) << what;  // field, then what was expected
      }
    } else {
      try {
        ReadC3d(entry.path().string());
      } catch (const FileFormatError&) {
      }
    }
  }
  EXPECT_GE(bad, 15);
  const C3dFile seed = ReadC3d(folder + "/seed_valid.c3d");
  EXPECT_EQ(seed.frame_count, 3);
  EXPECT_EQ(seed.point_labels, (std::vector<std::string>{"M000", "M001"}));
  EXPECT_NEAR(seed.points[3 * 2 + 0], 101.0, 1e-5);  // frame 1, marker 0: x = 100 + p + f
}

// Beside the fuzz target (tools/fuzz_c3d.sh): every real file truncated at many points and with random bytes
// in its header and parameter section must either read or fail with a one-line FileFormatError.
TEST(C3dReader, CorruptedRealFilesNeverCrash) {
  SKIP_WITHOUT_DATA();
  testing::TempDir dir;
  std::mt19937 rng(77);
  int mutants = 0, rejected = 0;
  for (const auto& entry : fs::directory_iterator(kData + "/c3d")) {
    std::ifstream stream(entry.path(), std::ios::binary);
    const std::vector<uint8_t> good((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
    const size_t parameter_end = std::min<size_t>(good.size(), (static_cast<size_t>(good[0]) + 10) * 512);
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<uint8_t> bad = good;
      if (trial < 12) {
        bad.resize(static_cast<size_t>(rng() % good.size()));
      } else {
        for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
          bad[rng() % parameter_end] = static_cast<uint8_t>(rng());
        }
      }
      const std::string path = dir / "mutant.c3d";
      std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bad.data()), static_cast<std::streamsize>(bad.size()));
      ++mutants;
      try {
        const C3dFile file = ReadC3d(path);
        EXPECT_LE(file.points.size() * sizeof(double), 64 * bad.size() + (1 << 20)) << entry.path();
        if (!file.warnings.empty()) ++rejected;  // a cut data section is read up to its last whole frame, with a warning
      } catch (const FileFormatError& error) {
        ++rejected;
        EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << error.what();
      }
    }
  }
  EXPECT_GT(rejected, mutants / 10);  // the corruptions do bite
}

}  // namespace
}  // namespace midstance
