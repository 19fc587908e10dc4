// Force plates: closed-form loads on plates of every type (a known force at a known point with a
// known free moment, turned into the channels each type records, must come back exactly), and
// the real plates of ../shared/data against the golden values of an independent reader.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "midstance/c3d.h"
#include "midstance/c3d_trial.h"
#include "midstance/error.h"
#include "midstance/forceplate.h"
#include "support/test_support.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

constexpr double kPi = 3.14159265358979323846;

// A plate turned 30 degrees about the vertical and tilted 4 degrees: corners not axis-aligned.
struct TestPlate {
  Eigen::Matrix3d lab_from_plate;
  Eigen::Vector3d centre_m{1.2, 0.4, 0.003};
};

TestPlate TiltedPlate() {
  TestPlate t;
  // The plate frame's z points into the ground (corners in the guide's order, seen from above).
  const Eigen::Matrix3d z_down = Eigen::Vector3d(1, -1, -1).asDiagonal();
  t.lab_from_plate = (Eigen::AngleAxisd(30 * kPi / 180, Eigen::Vector3d::UnitZ()) *
                      Eigen::AngleAxisd(4 * kPi / 180, Eigen::Vector3d::UnitX())).toRotationMatrix() * z_down;
  return t;
}

ForcePlate PlateOfType(int type, const TestPlate& t) {
  ForcePlate plate;
  plate.file = "test";
  plate.name = "plate";
  plate.type = type;
  const double hx = 0.2, hy = 0.3;  // 400 x 600 mm
  const double signs[4][2] = {{1, 1}, {-1, 1}, {-1, -1}, {1, -1}};
  for (size_t k = 0; k < 4; ++k) {
    plate.corners_m[k] = t.centre_m + t.lab_from_plate * Eigen::Vector3d(signs[k][0] * hx, signs[k][1] * hy, 0);
  }
  plate.channels = type == 3 ? std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7} : std::vector<int>{0, 1, 2, 3, 4, 5};
  plate.moment_unit_m = 1e-3;  // moments in N mm, as C3D files in mm store them
  plate.origin_m = type == 3 ? Eigen::Vector3d(0.120, 0.200, -0.048) : Eigen::Vector3d(0.0016, -0.0007, -0.0375);
  if (type == 4) {
    Eigen::Matrix<double, 6, 6> cal = Eigen::Matrix<double, 6, 6>::Identity();
    cal.diagonal() << 1.5, 1.5, 6.0, 740, 740, 390;
    cal(3, 0) = -4.3, cal(3, 1) = 17.2, cal(4, 2) = 13.2, cal(0, 1) = -0.005, cal(5, 4) = 2.0;
    plate.calibration = cal;
  }
  return plate;
}

// A load on the subject: force F (lab), applied at the surface point P (lab), free moment T about
// the plate normal.
struct Load {
  Eigen::Vector3d force_n{-95.0, 41.0, 1630.0};
  Eigen::Vector3d cop_plate_m{0.083, -0.121, 0.0};  // surface point relative to the centre, plate frame
  double free_moment_nm = 3.7;                       // about the plate's z axis (into the ground)
};

// Force and moment about the surface centre, plate frame: M_c = r x F + (0, 0, Tz).
void PlateFrameLoad(const TestPlate& t, const Load& load, Eigen::Vector3d* f, Eigen::Vector3d* m_centre) {
  *f = t.lab_from_plate.transpose() * load.force_n;
  *m_centre = load.cop_plate_m.cross(*f) + Eigen::Vector3d(0, 0, load.free_moment_nm);
}

// The channels each type records for that load (inverse of the type's formulas).
std::vector<double> ChannelsFor(int type, const TestPlate& t, const ForcePlate& plate, const Load& load) {
  Eigen::Vector3d f, mc;
  PlateFrameLoad(t, load, &f, &mc);
  if (type == 1) return {f.x(), f.y(), f.z(), load.cop_plate_m.x() * 1e3, load.cop_plate_m.y() * 1e3, load.free_moment_nm * 1e3};
  if (type == 3) {
    const double a = plate.origin_m.x(), b = plate.origin_m.y(), az0 = plate.origin_m.z();
    const Eigen::Vector3d ms = mc + Eigen::Vector3d(0, 0, az0).cross(f);  // moment about the sensor plane centre
    const double fy14 = f.y() / 2, fy23 = f.y() / 2;
    const double fx34 = (f.x() + ms.z() / b) / 2, fx12 = f.x() - fx34;  // Mz = b (fx34 - fx12) with fy14 = fy23
    Eigen::Matrix4d a4;
    a4 << 1, 1, 1, 1, b, b, -b, -b, -a, a, a, -a, 1, -1, 1, -1;  // sum, Mx, My, and a free 4th condition
    const Eigen::Vector4d fz = a4.colPivHouseholderQr().solve(Eigen::Vector4d(f.z(), ms.x(), ms.y(), 0));
    return {fx12, fx34, fy14, fy23, fz(0), fz(1), fz(2), fz(3)};
  }
  const Eigen::Vector3d ms = mc + plate.origin_m.cross(f);  // about the sensor origin: M_o = M_c + s x F
  Eigen::Matrix<double, 6, 1> outputs;
  outputs << f, ms * 1e3;
  if (type == 4) outputs = plate.calibration.inverse() * outputs;
  return std::vector<double>(outputs.data(), outputs.data() + 6);
}

std::vector<double> Repeat(const std::vector<double>& sample, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.insert(out.end(), sample.begin(), sample.end());
  return out;
}

void ExpectLoadExact(const TestPlate& t, const Load& load, const PlateLoads& got, size_t sample) {
  const Eigen::Vector3d cop_lab = t.centre_m + t.lab_from_plate * load.cop_plate_m;
  const Eigen::Vector3d free_lab = t.lab_from_plate * Eigen::Vector3d(0, 0, load.free_moment_nm);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(got.force_n[3 * sample + k], load.force_n(static_cast<int>(k)), 1e-9 * load.force_n.norm()) << "force " << k;
    EXPECT_NEAR(got.cop_m[3 * sample + k], cop_lab(static_cast<int>(k)), 1e-9 * cop_lab.norm()) << "cop " << k;
    EXPECT_NEAR(got.free_moment_nm[3 * sample + k], free_lab(static_cast<int>(k)), 1e-9 * load.free_moment_nm) << "free moment " << k;
  }
}

class EveryType : public ::testing::TestWithParam<int> {};

TEST_P(EveryType, KnownLoadOnATiltedPlateComesBackExactly) {
  const TestPlate t = TiltedPlate();
  const ForcePlate plate = PlateOfType(GetParam(), t);
  const Load load;
  const PlateLoads got = ComputePlateLoads(plate, ChannelsFor(GetParam(), t, plate, load), GetParam() == 3 ? 8 : 6, 1, {});
  ASSERT_EQ(got.samples, 1);
  EXPECT_EQ(got.sign, 1);
  ExpectLoadExact(t, load, got, 0);
  // The moment about the surface centre, lab frame: (P - centre) x F + T.
  const Eigen::Vector3d expected = (t.lab_from_plate * load.cop_plate_m).cross(load.force_n) +
                                   t.lab_from_plate * Eigen::Vector3d(0, 0, load.free_moment_nm);
  for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(got.moment_nm[k], expected(static_cast<int>(k)), 1e-9 * expected.norm());
}

INSTANTIATE_TEST_SUITE_P(Types, EveryType, ::testing::Values(1, 2, 3, 4));

TEST(ForcePlate, KistlerAndType2DescriptionsOfTheSameLoadAgree) {
  const TestPlate t = TiltedPlate();
  const ForcePlate kistler = PlateOfType(3, t), amti = PlateOfType(2, t);
  for (const Load& load : {Load{}, Load{{12, -230, 2400}, {-0.15, 0.26, 0}, -8.5}}) {
    const PlateLoads a = ComputePlateLoads(kistler, ChannelsFor(3, t, kistler, load), 8, 1, {});
    const PlateLoads b = ComputePlateLoads(amti, ChannelsFor(2, t, amti, load), 6, 1, {});
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(a.force_n[k], b.force_n[k], 1e-9 * 2400);
      EXPECT_NEAR(a.cop_m[k], b.cop_m[k], 1e-12);
      EXPECT_NEAR(a.free_moment_nm[k], b.free_moment_nm[k], 1e-9 * 10);
      EXPECT_NEAR(a.moment_nm[k], b.moment_nm[k], 1e-9 * 1000);
    }
  }
}

TEST(ForcePlate, OriginDepthWrittenPositiveGivesTheSameLoad) {
  // The guide's ORIGIN points from the sensor to the surface centre (z < 0 in the z-down frame);
  // AMTI sheets and Vicon write the whole vector negated (depth positive).
  const TestPlate t = TiltedPlate();
  ForcePlate plate = PlateOfType(2, t);
  const Load load;
  const std::vector<double> channels = ChannelsFor(2, t, plate, load);
  plate.origin_m = -plate.origin_m;
  ExpectLoadExact(t, load, ComputePlateLoads(plate, channels, 6, 1, {}), 0);
}

TEST(ForcePlate, KistlerCopCorrectionPolynomial) {
  // COP' = COP - COP * (P1 y^4 + P2 x^2 y^2 + P3 x^4 + P4 y^2 + P5 x^2 + P6), x and y in mm.
  const TestPlate t = TiltedPlate();
  ForcePlate plate = PlateOfType(3, t);
  const Load load;
  const std::vector<double> channels = ChannelsFor(3, t, plate, load);
  plate.cop_polynomial = {1e-12, 2e-12, 3e-12, 1e-7, 2e-7, 1e-3, -1e-12, 4e-12, 2e-12, -2e-7, 1e-7, -2e-3};
  const PlateLoads got = ComputePlateLoads(plate, channels, 8, 1, {});
  const double x = load.cop_plate_m.x() * 1e3, y = load.cop_plate_m.y() * 1e3;
  const auto& p = plate.cop_polynomial;
  const double fx = p[0] * std::pow(y, 4) + p[1] * x * x * y * y + p[2] * std::pow(x, 4) + p[3] * y * y + p[4] * x * x + p[5];
  const double fy = p[6] * std::pow(y, 4) + p[7] * x * x * y * y + p[8] * std::pow(x, 4) + p[9] * y * y + p[10] * x * x + p[11];
  const Eigen::Vector3d corrected((x - x * fx) * 1e-3, (y - y * fy) * 1e-3, 0);
  const Eigen::Vector3d expected = t.centre_m + t.lab_from_plate * corrected;
  for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(got.cop_m[k], expected(static_cast<int>(k)), 1e-12);
  // Tz is taken about the corrected COP: Tz = M_c,z - (x' Fy - y' Fx).
  Eigen::Vector3d f, mc;
  PlateFrameLoad(t, load, &f, &mc);
  const double tz = mc.z() - (corrected.x() * f.y() - corrected.y() * f.x());
  EXPECT_NEAR(got.free_moment_nm[2], (t.lab_from_plate * Eigen::Vector3d(0, 0, tz)).z(), 1e-9);
}

TEST(ForcePlate, ChannelsReportingTheActionOnThePlateAreFlipped) {
  const TestPlate t = TiltedPlate();
  const ForcePlate plate = PlateOfType(2, t);
  const Load load;
  std::vector<double> channels = ChannelsFor(2, t, plate, load);
  for (double& v : channels) v = -v;
  const PlateLoads got = ComputePlateLoads(plate, channels, 6, 1, {});
  EXPECT_EQ(got.sign, -1);
  ExpectLoadExact(t, load, got, 0);
  PlateOptions forced;
  forced.sign = 1;
  EXPECT_LT(ComputePlateLoads(plate, channels, 6, 1, forced).force_n[2], 0) << "an explicit sign is obeyed";
}

TEST(ForcePlate, BaselineFromZeroFramesAndThresholdForCop) {
  const TestPlate t = TiltedPlate();
  ForcePlate plate = PlateOfType(2, t);
  const Load load;
  const std::vector<double> offset = {3.0, -2.0, 11.0, 150.0, -90.0, 40.0};
  // 2 samples per frame; frames 1-3 unloaded, frame 4 loaded.
  std::vector<double> analog = Repeat(offset, 6);
  std::vector<double> loaded = ChannelsFor(2, t, plate, load);
  for (size_t k = 0; k < 6; ++k) loaded[k] += offset[k];
  analog.insert(analog.end(), loaded.begin(), loaded.end());
  analog.insert(analog.end(), loaded.begin(), loaded.end());
  plate.zero_frames = {1, 3};
  PlateLoads got = ComputePlateLoads(plate, analog, 6, 2, {});
  EXPECT_TRUE(got.baseline_applied);
  ExpectLoadExact(t, load, got, 7);
  EXPECT_TRUE(std::isnan(got.cop_m[0])) << "unloaded samples have no COP";
  EXPECT_TRUE(std::isnan(got.free_moment_nm[2]));
  EXPECT_NEAR(got.force_n[2], 0.0, 1e-9);
  for (const std::array<int, 2> none : {std::array<int, 2>{1, 0}, std::array<int, 2>{0, 3}}) {
    plate.zero_frames = none;
    got = ComputePlateLoads(plate, analog, 6, 2, {});
    EXPECT_FALSE(got.baseline_applied) << none[0] << ", " << none[1];
    EXPECT_NEAR(got.force_n[2], (t.lab_from_plate * Eigen::Vector3d(3, -2, 11)).z(), 1e-9);
  }
}

void ExpectFormatError(const ForcePlate& plate, int channels, const std::string& field, const std::string& words) {
  try {
    ValidatePlate(plate, channels);
    ADD_FAILURE() << "no error for " << field;
  } catch (const FileFormatError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("test: plate:" + field), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
  }
}

TEST(ForcePlate, BadDescriptionsAreRefusedNamingTheField) {
  const TestPlate t = TiltedPlate();
  ForcePlate plate = PlateOfType(3, t);
  plate.channels.resize(6);
  ExpectFormatError(plate, 8, "CHANNEL", "8 analog channels for a type-3 plate");
  plate = PlateOfType(2, t);
  ExpectFormatError(plate, 5, "CHANNEL", "analog channel numbers 1..5");
  plate = PlateOfType(4, t);
  plate.calibration.row(5) = plate.calibration.row(4) * 2.0;
  ExpectFormatError(plate, 6, "CAL_MATRIX", "an invertible calibration matrix");
  plate = PlateOfType(2, t);
  plate.corners_m[2] += Eigen::Vector3d(0.06, 0, 0);  // a mistyped corner
  ExpectFormatError(plate, 6, "CORNERS", "a rectangle");
  plate = PlateOfType(2, t);
  std::swap(plate.corners_m[2], plate.corners_m[3]);  // corners out of order: a bow tie
  ExpectFormatError(plate, 6, "CORNERS", "a rectangle");
  plate = PlateOfType(2, t);
  plate.type = 7;
  ExpectFormatError(plate, 6, "TYPE", "1, 2, 3 or 4");
}

// ---------------------------------------------------------------------------------------------
// Real plates.

const std::string& kData = testing::kSharedData;
std::string PathOf(const std::string& name) { return testing::SharedDataPath(name); }
const nlohmann::json& Golden() { return testing::SharedGolden(); }

std::vector<PlateLoads> LoadsOf(const C3dFile& c3d) {
  std::vector<PlateLoads> loads;
  for (const ForcePlate& plate : ForcePlatesFromC3d(c3d)) {
    loads.push_back(ComputePlateLoads(plate, c3d.analog, c3d.analog_channel_count, c3d.analog_samples_per_frame, {}));
  }
  return loads;
}

class GoldenPlates : public ::testing::TestWithParam<std::string> {};

// The independent reader takes the plate axes straight from the corner edges (2 -> 1, 4 -> 1)
// without making them orthogonal; surveyed corners are off square by up to 0.2 degrees, which
// moves the horizontal force by up to 0.05 N and the COP by up to 0.2 mm, and its unnormalised
// normal shortens the vertical force by up to 2e-6 of itself.
TEST_P(GoldenPlates, ForceCopAndFreeMomentMatchTheIndependentReader) {
  const std::string name = GetParam();
  if (Golden().is_null()) GTEST_SKIP() << "../shared/data is absent: real-file tests skipped";
  // The SGI sample02 files have no golden values of their own: they must match the PC ones.
  const std::string golden_name = name.rfind("sample02_sgi", 0) == 0 ? "sample02_pc" + name.substr(12) : name;
  const C3dFile c3d = ReadC3d(PathOf(name));
  const double unit_m = c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres();
  const std::vector<PlateLoads> loads = LoadsOf(c3d);
  int checked = 0;
  for (const nlohmann::json& g : Golden()[golden_name]["force_plates_type2_golden"]) {
    if (g["type"] != 2) continue;
    const PlateLoads& plate = loads.at(g["plate"].get<size_t>());
    EXPECT_EQ(plate.sign, 1);
    for (const nlohmann::json& s : g["loaded_samples"]) {
      const size_t i = s["sample"].get<size_t>();
      for (size_t k = 0; k < 3; ++k) {
        const double force_tolerance = k == 2 ? 1e-3 + 5e-6 * std::abs(s["grf"][k].get<double>()) : 0.06;
        EXPECT_NEAR(plate.force_n[3 * i + k], s["grf"][k].get<double>(), force_tolerance) << name << " sample " << i << " axis " << k;
        EXPECT_NEAR(plate.cop_m[3 * i + k] / unit_m, s["cop"][k].get<double>(), 0.25 * 1e-3 / unit_m) << name << " sample " << i;
      }
      EXPECT_NEAR(plate.free_moment_nm[3 * i + 2] / unit_m, s["free_moment"].get<double>(), 0.02) << name << " sample " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Files, GoldenPlates,
    ::testing::Values("Eb015pi.c3d", "Eb015pr.c3d", "Eb015si.c3d", "Eb015sr.c3d", "Eb015vi.c3d", "Eb015vr.c3d", "plate_type2.c3d",
                      "plate_type3.c3d", "sample02_pc_int.c3d", "sample02_pc_real.c3d", "sample02_dec_int.c3d",
                      "sample02_dec_real.c3d", "sample02_sgi_int.c3d", "sample02_sgi_real.c3d", "vicon_gait_raw.c3d",
                      "vicon_gait_pig.c3d", "walking2.c3d"),
    [](const ::testing::TestParamInfo<std::string>& param) {
      std::string n = param.param.substr(0, param.param.size() - 4);
      for (char& c : n) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

double PeakVertical(const PlateLoads& loads, int64_t* at = nullptr) {
  double peak = 0;
  for (int64_t s = 0; s < loads.samples; ++s) {
    if (loads.force_n[static_cast<size_t>(3 * s + 2)] > peak) {
      peak = loads.force_n[static_cast<size_t>(3 * s + 2)];
      if (at) *at = s;
    }
  }
  return peak;
}

TEST(RealPlates, Type4CalibrationMatrixAgreesWithTheSameTrialStoredAsType2) {
  // plate_type4.c3d holds the plate_type2.c3d trial as raw channels with a full 6 x 6
  // calibration; the type-2 file was scaled with another, diagonal calibration (its force
  // sensitivities differ by 1-5 %, its moment sensitivities by about 20 %). So forces agree to a
  // few per cent and the COP to a couple of centimetres; the transposed matrix is far off, which
  // settles the axis order of CAL_MATRIX (output index varying fastest).
  if (Golden().is_null()) GTEST_SKIP() << "../shared/data is absent";
  const C3dFile c3d4 = ReadC3d(PathOf("plate_type4.c3d"));
  const PlateLoads type4 = LoadsOf(c3d4).at(0);
  const PlateLoads type2 = LoadsOf(ReadC3d(PathOf("plate_type2.c3d"))).at(0);
  ASSERT_EQ(type4.samples, type2.samples);
  int64_t at = 0;
  const double peak2 = PeakVertical(type2, &at);
  EXPECT_NEAR(type4.force_n[static_cast<size_t>(3 * at + 2)], peak2, 0.03 * peak2);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(type4.cop_m[static_cast<size_t>(3 * at) + k], type2.cop_m[static_cast<size_t>(3 * at) + k], 0.025) << "COP axis " << k;
  }
  ForcePlate transposed = ForcePlatesFromC3d(c3d4).at(0);
  transposed.calibration.transposeInPlace();
  PlateOptions raw_sign;
  raw_sign.sign = 1;
  const PlateLoads wrong = ComputePlateLoads(transposed, c3d4.analog, c3d4.analog_channel_count, c3d4.analog_samples_per_frame, raw_sign);
  EXPECT_GT(std::abs(wrong.force_n[static_cast<size_t>(3 * at + 2)] - peak2), 0.5 * peak2);
}

// Kistler plates have no golden values: the runner's weight and the COP's place must agree with
// the type-2 plates of the same trial and with the plate's outline.
TEST(RealPlates, KistlerPlatesCarryTheSameRunnerAsTheType2Plates) {
  if (Golden().is_null()) GTEST_SKIP() << "../shared/data is absent";
  const C3dFile c3d = ReadC3d(PathOf("plate_type3.c3d"));
  const std::vector<ForcePlate> plates = ForcePlatesFromC3d(c3d);
  const std::vector<PlateLoads> loads = LoadsOf(c3d);
  const double type2_peak = std::max(PeakVertical(loads[2]), PeakVertical(loads[3]));
  for (size_t p = 0; p < 2; ++p) {
    int64_t at = 0;
    const double peak = PeakVertical(loads[p], &at);
    std::printf("plate_type3.c3d Kistler plate %zu: peak vertical %.1f N (type-2 plates %.1f N)\n", p + 1, peak, type2_peak);
    EXPECT_NEAR(peak, type2_peak, 0.25 * type2_peak);
    const PlateGeometry g = PlateGeometryOf(plates[p]);
    const Eigen::Vector3d cop(loads[p].cop_m[static_cast<size_t>(3 * at)], loads[p].cop_m[static_cast<size_t>(3 * at + 1)],
                              loads[p].cop_m[static_cast<size_t>(3 * at + 2)]);
    const Eigen::Vector3d local = g.lab_from_plate.transpose() * (cop - g.centre_m);
    EXPECT_LT(std::abs(local.x()), (plates[p].corners_m[0] - plates[p].corners_m[1]).norm() / 2) << "COP on the plate";
    EXPECT_LT(std::abs(local.y()), (plates[p].corners_m[0] - plates[p].corners_m[3]).norm() / 2) << "COP on the plate";
  }
}

}  // namespace
}  // namespace midstance
