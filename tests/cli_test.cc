// The midstance binary end to end: the demo meets the accuracy bounds, outputs are reproducible,
// and every kind of bad input is answered by one line on stderr, a non-zero exit code and no
// output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "midstance/hdf5_file.h"
#include "midstance/truth.h"
#include "midstance/video_reader.h"
#include "support/test_support.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;
using testing::CommandResult;
using testing::RunMidstance;
using testing::TempDir;

int LineCount(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

std::string ReadText(const std::string& path) {
  std::ifstream stream(path);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

void ReplaceInFile(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = ReadText(path);
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  WriteText(path, text);
}

// One small session shared by the tests: 3 cameras, 320 x 256, 20 frames.
class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const CommandResult r = RunMidstance("--quiet synth " + *dir_ / "session" +
                                         " --cameras 4 --width 320 --height 256 --duration 0.08 --seed 3");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const CommandResult shorter = RunMidstance("--quiet synth " + *dir_ / "short" +
                                               " --cameras 4 --width 320 --height 256 --duration 0.06 --seed 3");
    ASSERT_EQ(shorter.exit_code, 0) << shorter.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  // A fresh copy of the shared session to break.
  std::string CopySession() {
    const std::string copy = work_ / "session";
    fs::copy(*dir_ / "session", copy, fs::copy_options::recursive);
    return copy;
  }

  // Runs `process` on `session` and checks the bad-input contract.
  void ExpectRejected(const std::string& session, const std::string& must_mention) {
    const std::string out = work_ / "result.h5";
    const CommandResult r = RunMidstance("--quiet process " + session + " -o " + out);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.exit_code, 70) << "an internal error is not an answer to bad input: " << r.err;
    EXPECT_EQ(LineCount(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(must_mention), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    for (const auto& entry : fs::directory_iterator(work_.path())) {
      EXPECT_EQ(entry.path().string().find("result"), std::string::npos) << "left behind: " << entry.path();
    }
  }

  static TempDir* dir_;
  TempDir work_;
};
TempDir* CliTest::dir_ = nullptr;

TEST_F(CliTest, ProcessWritesTheDesignLayout) {
  const std::string out = work_ / "result.h5";
  const CommandResult r = RunMidstance("--backend cpu process " + *dir_ / "session" + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("backend: cpu"), std::string::npos) << r.err;  // says which backend ran
  const Hdf5Reader h5(out);
  EXPECT_EQ(h5.ReadStringAttribute("/", "format"), "midstance");
  EXPECT_FALSE(h5.ReadStringAttribute("/", "format_version").empty());
  EXPECT_NE(h5.ReadStringAttribute("/", "backend").find("cpu"), std::string::npos);
  const auto inputs = nlohmann::json::parse(h5.ReadStringAttribute("/", "inputs"));
  ASSERT_EQ(inputs.size(), 2u + 4u);  // session, calibration, 4 videos
  EXPECT_EQ(inputs[0]["sha256"].get<std::string>().size(), 64u);
  EXPECT_NE(h5.ReadStringAttribute("/", "config").find("[session]"), std::string::npos);
  const auto effective = nlohmann::json::parse(h5.ReadStringAttribute("/", "options"));
  EXPECT_EQ(effective["detect"]["threshold"], 30);
  EXPECT_EQ(effective["reconstruct"]["min_cameras"], 3);
  std::vector<uint64_t> dims;
  h5.ReadDoubles("/markers/positions", &dims);
  ASSERT_EQ(dims.size(), 3u);
  EXPECT_EQ(dims[0], 20u);
  EXPECT_EQ(dims[2], 3u);
  for (const char* name : {"/markers/positions", "/markers/residual", "/markers/camera_count", "/cameras/cam1/intrinsics",
                           "/cameras/cam1/distortion", "/cameras/cam1/rotation", "/cameras/cam1/translation"}) {
    EXPECT_FALSE(h5.ReadStringAttribute(name, "units").empty()) << name;
    EXPECT_FALSE(h5.ReadStringAttribute(name, "description").empty()) << name;
  }
  const TruthComparison truth = CompareWithTruth(out, *dir_ / "session/truth.h5");
  // At 320 px wide the markers are ~1 px blobs: a sanity bound only (accuracy is tested at full
  // resolution by Demo.MeetsTheAccuracyBounds and reconstruct_test).
  EXPECT_GT(truth.matched, 100);
  EXPECT_LE(truth.rms_error_mm, 15.0);
}

TEST_F(CliTest, SameInputSameNumbers) {
  const CommandResult a = RunMidstance("--quiet process " + *dir_ / "session" + " -o " + work_ / "a.h5");
  const CommandResult b = RunMidstance("--quiet --threads 1 process " + *dir_ / "session" + " -o " + work_ / "b.h5");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const Hdf5Reader ha(work_ / "a.h5"), hb(work_ / "b.h5");
  for (const char* name : {"/markers/positions", "/markers/residual"}) {
    const auto x = ha.ReadDoubles(name, nullptr), y = hb.ReadDoubles(name, nullptr);
    ASSERT_EQ(x.size(), y.size());
    EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(double))) << name;
  }
}

TEST_F(CliTest, DetectWritesCentroidCsv) {
  const std::string csv = work_ / "c.csv";
  const CommandResult r = RunMidstance("--quiet detect " + *dir_ / "session/videos/cam1.mkv" + " -o " + csv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadText(csv);
  EXPECT_EQ(text.rfind("frame,x,y,area,roundness\n", 0), 0u);
  EXPECT_GT(LineCount(text), 20);
  EXPECT_TRUE(std::regex_search(text, std::regex("\n19,[0-9.]+,[0-9.]+,[0-9]+,[0-9.]+\n")));  // last frame present
}

TEST_F(CliTest, ImageSequenceGivesTheSameCentroidsAsTheVideo) {
  fs::create_directory(work_ / "png");
  const std::string command = "ffmpeg -nostdin -loglevel error -i " + *dir_ / "session/videos/cam2.mkv" + " " +
                              work_ / "png/%06d.png";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const CommandResult png = RunMidstance("--quiet detect '" + work_ / "png/%06d.png" + "' -o " + work_ / "png.csv");
  const CommandResult mkv = RunMidstance("--quiet detect " + *dir_ / "session/videos/cam2.mkv" + " -o " + work_ / "mkv.csv");
  ASSERT_EQ(png.exit_code, 0) << png.err;
  ASSERT_EQ(mkv.exit_code, 0) << mkv.err;
  EXPECT_GT(LineCount(ReadText(work_ / "mkv.csv")), 20);
  EXPECT_EQ(ReadText(work_ / "png.csv"), ReadText(work_ / "mkv.csv"));
}

TEST_F(CliTest, QuietAndJsonLogging) {
  const CommandResult quiet = RunMidstance("--quiet detect " + *dir_ / "session/videos/cam1.mkv" + " -o " + work_ / "q.csv");
  EXPECT_TRUE(quiet.err.empty()) << quiet.err;
  const CommandResult json = RunMidstance("--json detect " + *dir_ / "session/videos/cam1.mkv" + " -o " + work_ / "j.csv");
  ASSERT_EQ(json.exit_code, 0);
  std::istringstream lines(json.err);
  int parsed = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto object = nlohmann::json::parse(line);  // throws if any line is not JSON
    EXPECT_TRUE(object.contains("level") && object.contains("message"));
    ++parsed;
  }
  EXPECT_GE(parsed, 2);
  EXPECT_EQ(json.err.find('\r'), std::string::npos);  // no progress bar when not a terminal
}

TEST_F(CliTest, MissingVideo) {
  const std::string session = CopySession();
  fs::remove(session + "/videos/cam2.mkv");
  ExpectRejected(session, "cam2.mkv");
}

TEST_F(CliTest, UnreadableVideo) {
  const std::string session = CopySession();
  fs::remove(session + "/videos/cam2.mkv");
  fs::create_directory(session + "/videos/cam2.mkv");
  ExpectRejected(session, "cam2.mkv");
}

TEST_F(CliTest, CorruptVideo) {
  const std::string session = CopySession();
  WriteText(session + "/videos/cam3.mkv", std::string(5000, 'x'));
  ExpectRejected(session, "cam3.mkv");
}

TEST_F(CliTest, TruncatedVideo) {
  const std::string session = CopySession();
  const std::string path = session + "/videos/cam3.mkv";
  fs::resize_file(path, fs::file_size(path) / 2);
  ExpectRejected(session, "cam3.mkv");
}

TEST_F(CliTest, SessionCameraMissingFromCalibration) {
  const std::string session = CopySession();
  ReplaceInFile(session + "/session.toml", "name = \"cam2\"", "name = \"cam9\"");
  ExpectRejected(session, "cam9");
}

TEST_F(CliTest, FrameCountsDifferBetweenCameras) {
  const std::string session = CopySession();
  fs::copy_file(*dir_ / "short/videos/cam2.mkv", session + "/videos/cam2.mkv", fs::copy_options::overwrite_existing);
  ExpectRejected(session, "frame count");
}

TEST_F(CliTest, CalibrationWithNaN) {
  const std::string session = CopySession();
  std::string text = ReadText(session + "/calibration.toml");
  text = std::regex_replace(text, std::regex("translation = \\[[^,]+,"), "translation = [nan,", std::regex_constants::format_first_only);
  WriteText(session + "/calibration.toml", text);
  ExpectRejected(session, "translation");
}

TEST_F(CliTest, CalibrationWithSingularRotation) {
  const std::string session = CopySession();
  std::string text = ReadText(session + "/calibration.toml");
  text = std::regex_replace(text, std::regex("rotation = \\[[^\\]]+\\]"),
                            "rotation = [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]",
                            std::regex_constants::format_first_only);
  WriteText(session + "/calibration.toml", text);
  ExpectRejected(session, "rotation");
}

TEST_F(CliTest, MissingSessionFile) {
  const std::string session = CopySession();
  fs::remove(session + "/session.toml");
  ExpectRejected(session, "session.toml");
}

TEST_F(CliTest, ContainerThatUnderstatesItsLengthIsReadToTheEnd) {
  // Timestamps compressed 2x: the container announces ~10 frames of the 20 it holds.
  const std::string session = CopySession();
  for (int c = 1; c <= 4; ++c) {
    const std::string video = session + "/videos/cam" + std::to_string(c) + ".mkv";
    const std::string command = "ffmpeg -nostdin -loglevel error -y -i " + video +
                                " -c copy -bsf:v setts=ts=N*2 " + work_ / "t.mkv" + " && mv " + work_ / "t.mkv " + video;
    ASSERT_EQ(std::system(command.c_str()), 0) << "ffmpeg (tools/install-deps.sh installs it) failed: " << command;
    ASSERT_LT(VideoReader(video).frame_count(), 15) << "the rewritten container should understate its length";
  }
  const CommandResult r = RunMidstance("--quiet process " + session + " -o " + work_ / "r.h5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<uint64_t> dims;
  Hdf5Reader(work_ / "r.h5").ReadDoubles("/markers/positions", &dims);
  EXPECT_EQ(dims[0], 20u);
}

TEST_F(CliTest, OutOfRangeSessionIntegers) {
  const std::string session = CopySession();
  ReplaceInFile(session + "/session.toml", "threshold = 30", "threshold = 4294967326");
  ExpectRejected(session, "detect.threshold");
}

TEST_F(CliTest, MoreCamerasRequiredThanTheSessionHas) {
  const std::string session = CopySession();
  ReplaceInFile(session + "/session.toml", "min_cameras = 3", "min_cameras = 5");
  ExpectRejected(session, "min_cameras");
}

TEST_F(CliTest, TooManyCentroidsPerFrameIsRefused) {
  const std::string session = CopySession();
  ReplaceInFile(session + "/session.toml", "max_centroids_per_view = 1000", "max_centroids_per_view = 2");
  ExpectRejected(session, "max_centroids_per_view");
}

TEST_F(CliTest, BadOptionsAreOneLine) {
  CommandResult r = RunMidstance("--quiet detect " + *dir_ / "session/videos/cam1.mkv" + " -o " + work_ / "c.csv --grey-threshold 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("threshold"), std::string::npos);
  EXPECT_FALSE(fs::exists(work_ / "c.csv"));
  r = RunMidstance("process");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  r = RunMidstance("--backend gpu demo");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
}

TEST_F(CliTest, CudaRequestedWithoutDeviceIsOneLineError) {
  const CommandResult r = RunMidstance("--backend cuda process " + *dir_ / "session" + " -o " + work_ / "r.h5");
  if (r.exit_code == 0) GTEST_SKIP() << "a CUDA device answered";
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("--backend cuda"), std::string::npos);
  EXPECT_FALSE(fs::exists(work_ / "r.h5"));
}

// Commands that run no kernel do not touch the backend: `--backend cuda info` works without a GPU
// and logs no backend line (issue 12).
TEST_F(CliTest, CommandsWithoutKernelsIgnoreTheBackend) {
  const CommandResult r = RunMidstance("--backend cuda info " + *dir_ / "session");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("backend"), std::string::npos) << r.err;
}

TEST_F(CliTest, InfoDescribesSessionsResultsAndC3d) {
  const CommandResult session = RunMidstance("--quiet --json info " + *dir_ / "session");
  ASSERT_EQ(session.exit_code, 0) << session.err;
  const auto s = nlohmann::json::parse(session.out);
  EXPECT_EQ(s["kind"], "session");
  EXPECT_EQ(s["cameras"].size(), 4u);
  EXPECT_EQ(s["cameras"][0]["resolution_px"][0], 320);

  ASSERT_EQ(RunMidstance("--quiet process " + *dir_ / "session" + " -o " + work_ / "r.h5").exit_code, 0);
  const auto r = nlohmann::json::parse(RunMidstance("--quiet --json info " + work_ / "r.h5").out);
  EXPECT_EQ(r["format"], "midstance");
  EXPECT_EQ(r["frames"], 20);

  const std::string c3d = std::string(MIDSTANCE_SOURCE_DIR) + "/../shared/data/c3d/Eb015vr.c3d";
  if (!fs::exists(c3d)) GTEST_SKIP() << "../shared/data is absent: C3D part skipped";
  const CommandResult text = RunMidstance("--quiet info " + c3d);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("processor             dec"), std::string::npos) << text.out;
  const auto c = nlohmann::json::parse(RunMidstance("--quiet --json info " + c3d).out);
  EXPECT_EQ(c["frames"], 450);
  EXPECT_EQ(c["points"], 26);
  EXPECT_EQ(c["force_plates"], 2);
  const std::string opensim = std::string(MIDSTANCE_SOURCE_DIR) + "/../shared/data/opensim/";
  const auto trc = nlohmann::json::parse(RunMidstance("--quiet --json info " + opensim + "std_walking2_markers.trc").out);
  EXPECT_EQ(trc["frames"], 126);
  EXPECT_EQ(trc["markers"], 44);
  const auto mot = nlohmann::json::parse(RunMidstance("--quiet --json info " + opensim + "running_grf.mot").out);
  EXPECT_EQ(mot["rows"], 691);
  EXPECT_EQ(mot["columns"][1], "R_ground_force_vx");
  const CommandResult missing = RunMidstance("--quiet info " + work_ / "nothing.c3d");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(LineCount(missing.err), 1);
}

TEST_F(CliTest, ExportAndConvertRoundTrips) {
  const std::string result = work_ / "r.h5";
  ASSERT_EQ(RunMidstance("--quiet process " + *dir_ / "session" + " -o " + result).exit_code, 0);
  for (const char* format : {"c3d", "trc", "csv"}) {
    const std::string out = work_ / (std::string("r.") + format);
    const CommandResult r = RunMidstance(std::string("--quiet export ") + result + " --to " + format + " -o " + out);
    ASSERT_EQ(r.exit_code, 0) << format << ": " << r.err;
    ASSERT_TRUE(fs::exists(out)) << format;
  }
  // The exported C3D holds the result's points, in millimetres, named P001...
  const Hdf5Reader h5(result);
  std::vector<uint64_t> dims;
  const std::vector<double> metres = h5.ReadDoubles("/markers/positions", &dims);
  const std::string info = RunMidstance("--quiet --json info " + work_ / "r.c3d").out;
  const auto c = nlohmann::json::parse(info);
  EXPECT_EQ(c["frames"].get<uint64_t>(), dims[0]);
  EXPECT_EQ(c["points"].get<uint64_t>(), dims[1]);
  EXPECT_EQ(c["point_units"], "mm");
  EXPECT_EQ(c["point_labels"][0], "P001");
  ASSERT_EQ(RunMidstance("--quiet convert " + work_ / "r.c3d" + " -o " + work_ / "r2.h5").exit_code, 0);
  const std::vector<double> back = Hdf5Reader(work_ / "r2.h5").ReadDoubles("/markers/positions", nullptr);
  ASSERT_EQ(back.size(), metres.size());
  for (size_t i = 0; i < metres.size(); ++i) {
    ASSERT_EQ(std::isnan(back[i]), std::isnan(metres[i])) << i;
    if (!std::isnan(metres[i])) {
      ASSERT_NEAR(back[i], metres[i], 1e-7) << i;  // float32 in C3D: < 0.1 um
    }
  }
  const CommandResult mot = RunMidstance("--quiet export " + result + " --to mot -o " + work_ / "r.mot");
  EXPECT_EQ(mot.exit_code, 2);
  EXPECT_EQ(LineCount(mot.err), 1) << mot.err;
  EXPECT_FALSE(fs::exists(work_ / "r.mot"));
  const CommandResult bad = RunMidstance("--quiet convert " + work_ / "r.csv" + " -o " + work_ / "x.c3d");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(LineCount(bad.err), 1) << bad.err;
}

// The README's demo: default session (8 cameras, 1280 x 1024, 250 Hz), shortened to 0.4 s.
TEST(Demo, MeetsTheAccuracyBounds) {
  TempDir dir;
  const CommandResult r = RunMidstance("--quiet demo --duration 0.4 --out " + dir / "demo");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const TruthComparison truth = CompareWithTruth(dir / "demo/result.h5", dir / "demo/session/truth.h5");
  EXPECT_LE(truth.rms_error_mm, 0.5);
  EXPECT_LE(truth.ghost_fraction(), 0.005);
  EXPECT_GE(truth.recall(), 0.95);
  EXPECT_NE(r.out.find("RMS"), std::string::npos) << r.out;
  RecordProperty("demo_rms_mm", std::to_string(truth.rms_error_mm));
}

}  // namespace
}  // namespace midstance
