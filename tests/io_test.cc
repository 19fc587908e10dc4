// Readers and writers: calibration TOML (anipose / Pose2Sim layout), session.toml, HDF5, CSV,
// SHA-256, atomic outputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "midstance/atomic_output.h"
#include "midstance/calibration_io.h"
#include "midstance/centroid_csv.h"
#include "midstance/error.h"
#include "midstance/hdf5_file.h"
#include "midstance/session.h"
#include "midstance/sha256.h"
#include "midstance/synth.h"
#include "support/test_support.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

const char* kAniposeCamera = R"([cam_0]
name = "A"
size = [ 1280, 1024,]
matrix = [ [ 1200.5, 0.0, 640.0,], [ 0.0, 1201, 512.0,], [ 0.0, 0.0, 1.0,],]
distortions = [ -0.1, 0.05, 0.0, 0.0, 0.0,]
rotation = [ 0.1, -0.2, 0.3,]
translation = [ 0.5, 0.1, 5.0,]
)";

TEST(CalibrationToml, RoundTripKeepsEveryParameter) {
  TempDir dir;
  const std::vector<Camera> cameras = MakeCameraRing(SynthOptions());
  WriteCalibrationToml(dir / "calibration.toml", cameras);
  const std::vector<Camera> back = ReadCalibrationToml(dir / "calibration.toml");
  ASSERT_EQ(back.size(), cameras.size());
  for (size_t i = 0; i < cameras.size(); ++i) {
    EXPECT_EQ(back[i].name, cameras[i].name);
    EXPECT_EQ(back[i].width_px, cameras[i].width_px);
    EXPECT_DOUBLE_EQ(back[i].fx_px, cameras[i].fx_px);
    EXPECT_DOUBLE_EQ(back[i].cy_px, cameras[i].cy_px);
    EXPECT_DOUBLE_EQ(back[i].distortion.k2, cameras[i].distortion.k2);
    EXPECT_DOUBLE_EQ(back[i].rate_hz, cameras[i].rate_hz);
    EXPECT_LT((back[i].cam_from_world.translation - cameras[i].cam_from_world.translation).norm(), 1e-12);
    EXPECT_LT(back[i].cam_from_world.rotation.angularDistance(cameras[i].cam_from_world.rotation), 1e-12);
  }
}

TEST(CalibrationToml, ShippedExampleMatchesTheSynthRing) {
  const std::vector<Camera> shipped = ReadCalibration(std::string(MIDSTANCE_SOURCE_DIR) + "/calib/cameras/synthetic_ring_8.toml");
  const std::vector<Camera> ring = MakeCameraRing(SynthOptions());
  ASSERT_EQ(shipped.size(), ring.size());
  for (size_t i = 0; i < ring.size(); ++i) {
    const Eigen::Vector3d p(0.1, 0.2, 0.9);
    EXPECT_LT((*shipped[i].ProjectToPixel(p) - *ring[i].ProjectToPixel(p)).norm(), 1e-9) << ring[i].name;
  }
}

TEST(CalibrationToml, ReadsAniposeLayoutWithIntegersAndMatrixRotation) {
  TempDir dir;
  WriteText(dir / "a.toml", kAniposeCamera);
  const std::vector<Camera> cameras = ReadCalibrationToml(dir / "a.toml");
  ASSERT_EQ(cameras.size(), 1u);
  EXPECT_DOUBLE_EQ(cameras[0].fy_px, 1201.0);
  EXPECT_LT((RodriguesFromQuaternion(cameras[0].cam_from_world.rotation) - Eigen::Vector3d(0.1, -0.2, 0.3)).norm(), 1e-12);

  std::string matrix = kAniposeCamera;
  matrix.replace(matrix.find("rotation = [ 0.1, -0.2, 0.3,]"), 29, "rotation = [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]");
  WriteText(dir / "m.toml", matrix);
  const Eigen::Matrix3d r = ReadCalibrationToml(dir / "m.toml")[0].cam_from_world.RotationMatrix();
  EXPECT_NEAR(r(0, 1), -1.0, 1e-12);
  EXPECT_NEAR(r(1, 0), 1.0, 1e-12);
}

std::string ErrorOf(const std::string& path) {
  try {
    ReadCalibrationToml(path);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(CalibrationToml, BadValuesNameFileAndField) {
  TempDir dir;
  std::string nan = kAniposeCamera;
  nan.replace(nan.find("1200.5"), 6, "nan");
  WriteText(dir / "nan.toml", nan);
  EXPECT_THROW(ReadCalibrationToml(dir / "nan.toml"), CalibrationError);
  EXPECT_NE(ErrorOf(dir / "nan.toml").find("nan.toml"), std::string::npos);
  EXPECT_NE(ErrorOf(dir / "nan.toml").find("'A' fx"), std::string::npos) << ErrorOf(dir / "nan.toml");

  std::string singular = kAniposeCamera;
  singular.replace(singular.find("rotation = [ 0.1, -0.2, 0.3,]"), 29, "rotation = [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]");
  WriteText(dir / "singular.toml", singular);
  EXPECT_THROW(ReadCalibrationToml(dir / "singular.toml"), CalibrationError);
  EXPECT_NE(ErrorOf(dir / "singular.toml").find("cam_0.rotation"), std::string::npos);

  std::string missing = kAniposeCamera;
  missing.erase(missing.find("translation"));
  WriteText(dir / "missing.toml", missing);
  EXPECT_THROW(ReadCalibrationToml(dir / "missing.toml"), FileFormatError);
  EXPECT_NE(ErrorOf(dir / "missing.toml").find("cam_0.translation"), std::string::npos);

  std::string skew = kAniposeCamera;
  skew.replace(skew.find("[ 1200.5, 0.0,"), 14, "[ 1200.5, 3.0,");
  WriteText(dir / "skew.toml", skew);
  EXPECT_THROW(ReadCalibrationToml(dir / "skew.toml"), CalibrationError);
  EXPECT_NE(ErrorOf(dir / "skew.toml").find("cam_0.matrix"), std::string::npos);

  std::string fractional = kAniposeCamera;
  fractional.replace(fractional.find("1280"), 4, "640.7");
  WriteText(dir / "fractional.toml", fractional);
  EXPECT_NE(ErrorOf(dir / "fractional.toml").find("cam_0.size"), std::string::npos);

  std::string duplicate = std::string(kAniposeCamera) + kAniposeCamera;
  duplicate.replace(duplicate.rfind("[cam_0]"), 7, "[cam_1]");
  WriteText(dir / "duplicate.toml", duplicate);
  EXPECT_THROW(ReadCalibrationToml(dir / "duplicate.toml"), CalibrationError);
  EXPECT_NE(ErrorOf(dir / "duplicate.toml").find("'A' twice"), std::string::npos);

  WriteText(dir / "syntax.toml", "[cam_0\nname = ");
  const std::string syntax = ErrorOf(dir / "syntax.toml");
  EXPECT_NE(syntax.find("syntax.toml"), std::string::npos);
  EXPECT_EQ(syntax.find('\n'), std::string::npos);  // one line

  EXPECT_THROW(ReadCalibrationToml(dir / "absent.toml"), FileFormatError);
}

TEST(SessionToml, RoundTripAndValidation) {
  TempDir dir;
  SessionConfig session;
  session.name = "trial 1";
  session.calibration_path = dir / "calibration.toml";
  session.rate_hz = 200;
  session.footage = {{"A", dir / "videos/a.mkv"}, {"B", dir / "videos/b.mkv"}};
  session.detect.threshold = 77;
  session.reconstruct.min_cameras = 2;
  WriteSession(dir.path(), session);
  const SessionConfig back = ReadSession(dir.path());
  EXPECT_EQ(back.name, "trial 1");
  EXPECT_EQ(back.footage.size(), 2u);
  EXPECT_EQ(fs::path(back.footage[1].video_path), fs::path(dir / "videos/b.mkv"));
  EXPECT_EQ(back.detect.threshold, 77);
  EXPECT_EQ(back.reconstruct.min_cameras, 2);
  EXPECT_DOUBLE_EQ(back.rate_hz, 200);

  std::string text = back.toml_text;
  text.replace(text.find("threshold = 77"), 14, "threshold = 700");
  WriteText(dir / "session.toml", text);
  try {
    ReadSession(dir.path());
    FAIL() << "threshold 700 accepted";
  } catch (const FileFormatError& error) {
    EXPECT_NE(std::string(error.what()).find("detect.threshold"), std::string::npos);
  }
}

// toml11 recurses per '[' / '{': thousands of them overflowed the stack (a crafted input run
// through the session fuzz target). Deep nesting is a one-line error naming the line; brackets in strings and
// comments do not count, and the text entry point reads what ReadSession reads.
TEST(SessionToml, DeepNestingIsAnErrorNotAStackOverflow) {
  const std::string session = "[session]\ncalibration = \"c.toml\"\nrate_hz = 100.0\n"
                              "[[cameras]]\nname = \"A[[[[\" # " + std::string(100, '[') + "\nvideo = '" +
                              std::string(100, '{') + "'\n";
  const SessionConfig read = ReadSessionText("s/session.toml", session, "s");
  EXPECT_EQ(read.footage.at(0).camera_name, "A[[[[");
  EXPECT_EQ(read.toml_text, session);
  for (const char* open : {"[", "{a="}) {
    std::string deep = "x = ";
    for (int i = 0; i < 5000; ++i) deep += open;
    try {
      ReadSessionText("s/session.toml", session + deep + "\n", "s");
      FAIL() << "nesting accepted";
    } catch (const FileFormatError& error) {
      EXPECT_EQ(std::string(error.what()),
                "s/session.toml: line 7: expected arrays and inline tables nested at most 64 deep, got deeper nesting");
    }
  }
  EXPECT_THROW(ReadCalibrationTomlText("c.toml", "a = " + std::string(5000, '[')), FileFormatError);
}

// TOML is UTF-8; toml11 read past its buffer on a malformed sequence in a literal string (found
// by the calibration fuzz target), so the encoding is checked first, naming the line.
TEST(CalibrationToml, MalformedUtf8IsAnErrorNamingTheLine) {
  try {
    ReadCalibrationTomlText("c.toml", "a = 1\nb = 'x\xaf'\n");
    FAIL() << "malformed UTF-8 accepted";
  } catch (const FileFormatError& error) {
    EXPECT_EQ(std::string(error.what()), "c.toml: line 2: expected UTF-8 text, got byte 0xAF");
  }
  const std::string session = "[session]\ncalibration = \"c.toml\"\nrate_hz = 100.0\n"
                              "[[cameras]]\nname = 'Kamera \xc3\xbc \xe2\x82\xac \xf0\x9f\x8f\x83'\nvideo = \"a.mkv\"\n";
  EXPECT_EQ(ReadSessionText("s/session.toml", session, "s").footage.at(0).camera_name,
            "Kamera \xc3\xbc \xe2\x82\xac \xf0\x9f\x8f\x83");
}

TEST(SessionToml, CamerasMissingFromTheCalibrationAreNamed) {
  SessionConfig session;
  session.session_file = "s/session.toml";
  session.calibration_path = "s/calibration.toml";
  session.rate_hz = 100;
  session.footage = {{"cam1", "a.mkv"}, {"cam9", "b.mkv"}};
  const std::vector<Camera> calibration = MakeCameraRing(SynthOptions());
  try {
    CamerasForSession(session, calibration);
    FAIL();
  } catch (const CalibrationError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("cameras[1].name"), std::string::npos) << what;
    EXPECT_NE(what.find("cam9"), std::string::npos) << what;
  }
}

TEST(Hdf5, RoundTripWithUnitsAndDescriptions) {
  TempDir dir;
  const std::string path = dir / "x.h5";
  {
    Hdf5Writer h5(path);
    h5.WriteDoubles("/a/b/values", {2, 3}, {1, 2, 3, 4, 5, std::numeric_limits<double>::quiet_NaN()}, "m", "test values");
    h5.WriteInts("/a/counts", {3}, {7, -1, 9}, "1", "counts");
    h5.WriteStrings("/labels", {"LASI", "", "RKNE"}, "labels");
    h5.SetAttribute("/", "format", std::string("midstance"));
    h5.SetAttribute("/a", "rate", 250.0);
    EXPECT_FALSE(fs::exists(path));  // not before Commit
    h5.Commit();
  }
  const Hdf5Reader h5(path);
  std::vector<uint64_t> dims;
  const auto values = h5.ReadDoubles("/a/b/values", &dims);
  EXPECT_EQ(dims, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(values[4], 5);
  EXPECT_TRUE(std::isnan(values[5]));
  EXPECT_EQ(h5.ReadInts("/a/counts", nullptr)[1], -1);
  EXPECT_EQ(h5.ReadStrings("/labels"), (std::vector<std::string>{"LASI", "", "RKNE"}));
  EXPECT_EQ(h5.ReadStringAttribute("/a/b/values", "units"), "m");
  EXPECT_EQ(h5.ReadStringAttribute("/a/b/values", "description"), "test values");
  EXPECT_EQ(h5.ReadDoubleAttribute("/a", "rate"), 250.0);
  EXPECT_FALSE(h5.Exists("/nothing/here"));
}

TEST(Hdf5, AbandonedWriterLeavesNoFile) {
  TempDir dir;
  {
    Hdf5Writer h5(dir / "x.h5");
    h5.WriteInts("/a", {1}, {1}, "1", "a");
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(AtomicOutput, RemovesTheTemporaryFileWithoutCommit) {
  TempDir dir;
  std::string temporary;
  {
    AtomicOutput output(dir / "out.csv");
    temporary = output.temporary_path();
    std::ofstream(temporary) << "partial";
    EXPECT_EQ(fs::path(temporary).extension(), ".csv");
  }
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_FALSE(fs::exists(dir / "out.csv"));
  EXPECT_THROW(AtomicOutput(dir / "no/such/folder/out.csv"), InvalidInput);
}

TEST(CentroidCsv, RoundTrip) {
  TempDir dir;
  DetectedBlobs blobs;
  blobs.blobs = {{10.25, 20.5, 12, 0.9}, {1.0, 2.0, 4, 1.0}, {300.125, 400.0625, 30, 0.75}};
  blobs.frame_begin = {0, 2, 2, 3};
  CentroidCsvWriter writer(dir / "c.csv");
  writer.Append(5, blobs);
  writer.Commit();
  const auto frames = ReadCentroidCsv(dir / "c.csv");
  ASSERT_EQ(frames.size(), 8u);
  ASSERT_EQ(frames[5].size(), 2u);
  EXPECT_DOUBLE_EQ(frames[5][0].x_px, 10.25);
  EXPECT_EQ(frames[7][0].area_px, 30);
  EXPECT_TRUE(frames[6].empty());
}

TEST(Sha256, KnownDigest) {
  TempDir dir;
  WriteText(dir / "abc", "abc");
  EXPECT_EQ(FileSha256(dir / "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2 example
}

}  // namespace
}  // namespace midstance

namespace midstance {
namespace {

TEST(CalibrationFileStorage, RoundTripInYamlXmlAndJson) {
  TempDir dir;
  const std::vector<Camera> cameras = MakeCameraRing(SynthOptions());
  for (const char* name : {"c.yml", "c.xml", "c.json"}) {
    WriteCalibration(dir / name, cameras);
    const std::vector<Camera> back = ReadCalibration(dir / name);
    ASSERT_EQ(back.size(), cameras.size()) << name;
    for (size_t i = 0; i < cameras.size(); ++i) {
      EXPECT_EQ(back[i].name, cameras[i].name);
      EXPECT_NEAR(back[i].fx_px, cameras[i].fx_px, 1e-9 * cameras[i].fx_px) << name;
      EXPECT_NEAR(back[i].distortion.k1, cameras[i].distortion.k1, 1e-12) << name;
      EXPECT_LT((back[i].cam_from_world.translation - cameras[i].cam_from_world.translation).norm(), 1e-9) << name;
      EXPECT_LT(back[i].cam_from_world.rotation.angularDistance(cameras[i].cam_from_world.rotation), 1e-9) << name;
      // The same point projects to the same pixel through either file.
      const Eigen::Vector3d p(0.3, -0.2, 1.0);
      EXPECT_LT((*back[i].ProjectToPixel(p) - *cameras[i].ProjectToPixel(p)).norm(), 1e-6) << name;
    }
  }
}

TEST(CalibrationFileStorage, SingularRotationAndUnknownExtension) {
  TempDir dir;
  WriteText(dir / "s.yml", "%YAML:1.0\n---\ncameras:\n  - name: A\n    image_width: 64\n    image_height: 48\n"
                           "    camera_matrix: !!opencv-matrix\n      rows: 3\n      cols: 3\n      dt: d\n"
                           "      data: [ 100., 0., 32., 0., 100., 24., 0., 0., 1. ]\n"
                           "    distortion_coefficients: !!opencv-matrix\n      rows: 1\n      cols: 4\n      dt: d\n      data: [ 0., 0., 0., 0. ]\n"
                           "    rotation: !!opencv-matrix\n      rows: 3\n      cols: 3\n      dt: d\n"
                           "      data: [ 1., 0., 0., 0., 0., 0., 0., 0., 1. ]\n"
                           "    translation: !!opencv-matrix\n      rows: 3\n      cols: 1\n      dt: d\n      data: [ 0., 0., 1. ]\n");
  EXPECT_THROW(ReadCalibration(dir / "s.yml"), CalibrationError);
  EXPECT_THROW(ReadCalibration(dir / "c.txt"), FileFormatError);
}

}  // namespace
}  // namespace midstance
