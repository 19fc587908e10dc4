// Vendor quirks of real C3D files (issue 12): each real file of ../shared/data transformed the way
// a failing lab's file was, read against the untouched file's reading, with exactly one warning
// naming the quirk, and refused by strict mode with a one-line error. Also the MIPS (SGI) byte
// order, on a big-endian copy of an Intel file made here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "midstance/c3d.h"
#include "midstance/c3d_trial.h"
#include "midstance/convert.h"
#include "midstance/error.h"
#include "midstance/forceplate.h"
#include "midstance/info.h"
#include "support/test_support.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kBlockBytes = 512;

std::string DataFile(const std::string& relative) { return testing::kSharedData + "/" + relative; }

#define SKIP_WITHOUT(file) \
  if (!fs::exists(file)) GTEST_SKIP() << (file) << " is absent (../shared/data): real-file test skipped"

std::vector<uint8_t> Bytes(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
}

// The file as WriteC3d writes it: the transformations that change parameters go through it.
std::vector<uint8_t> Written(const C3dFile& file, const std::string& path) {
  WriteC3d(path, file);
  return Bytes(path);
}

int64_t DataStart(const std::vector<uint8_t>& intel) {
  return (static_cast<int64_t>(intel[16] | intel[17] << 8) - 1) * kBlockBytes;  // header word 9
}

int64_t FrameBytes(const C3dFile& file) {
  const int64_t word = file.float_storage ? 4 : 2;
  return (4 * static_cast<int64_t>(file.point_count) +
          static_cast<int64_t>(file.analog_channel_count) * file.analog_samples_per_frame) * word;
}

// The first `frames` frames of a reading: points [frame][point][xyz], analog [sample][channel].
std::vector<double> FirstPoints(const C3dFile& file, int64_t frames) {
  return std::vector<double>(file.points.begin(), file.points.begin() + frames * file.point_count * 3);
}
std::vector<double> FirstAnalog(const C3dFile& file, int64_t frames) {
  return std::vector<double>(file.analog.begin(),
                             file.analog.begin() + frames * file.analog_samples_per_frame * file.analog_channel_count);
}

// Exactly one warning, naming `quirk`, prefixed with the file.
void ExpectOneWarning(const C3dFile& file, const std::string& quirk) {
  ASSERT_EQ(file.warnings.size(), 1u) << (file.warnings.empty() ? "no warning" : file.warnings[0]);
  EXPECT_NE(file.warnings[0].find(quirk), std::string::npos) << file.warnings[0];
  EXPECT_EQ(file.warnings[0].rfind(file.path + ": ", 0), 0u) << file.warnings[0];
}

// Strict mode refuses the bytes with one line naming the file and `field`.
void ExpectStrictRefuses(const std::string& name, const std::vector<uint8_t>& bytes, const std::string& field) {
  try {
    ReadC3dBytes(name, bytes, C3dReadOptions{true});
    ADD_FAILURE() << "strict mode read " << name;
  } catch (const FileFormatError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find(name), std::string::npos) << what;
    EXPECT_NE(what.find(field), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(C3dQuirks, ShortDataSectionReadsTheWholeFramesPresent) {
  const std::string path = DataFile("c3d/vicon_gait_raw.c3d");
  SKIP_WITHOUT(path);
  const C3dFile whole = ReadC3d(path);
  ASSERT_TRUE(whole.warnings.empty());
  // Optotrak / Kyowa: the data stops 7 frames and a half early.
  constexpr int64_t kMissing = 7;
  const int64_t kept = whole.frame_count - kMissing;
  std::vector<uint8_t> bytes = Bytes(path);
  bytes.resize(static_cast<size_t>(DataStart(bytes) + kept * FrameBytes(whole) + FrameBytes(whole) / 2));
  const C3dFile cut = ReadC3dBytes("cut.c3d", bytes);
  ASSERT_EQ(cut.frame_count, kept);
  EXPECT_TRUE(testing::ValuesMatch(FirstPoints(whole, kept), cut.points, 0));
  EXPECT_TRUE(testing::ValuesMatch(FirstAnalog(whole, kept), cut.analog, 0));
  ExpectOneWarning(cut, "data section holds " + std::to_string(kept) + " of " + std::to_string(whole.frame_count) +
                            " frames: reading " + std::to_string(kept));
  ExpectStrictRefuses("cut.c3d", bytes, "data section");
}

TEST(C3dQuirks, LastFrameOnePastTheDataReadsWhatIsThere) {
  const std::string path = DataFile("c3d/vicon_gait_raw.c3d");
  SKIP_WITHOUT(path);
  const C3dFile whole = ReadC3d(path);
  std::vector<uint8_t> bytes = Bytes(path);
  bytes.resize(static_cast<size_t>(DataStart(bytes) + whole.frame_count * FrameBytes(whole)));  // no block padding
  const int last = bytes[8] | bytes[9] << 8;  // header word 5, Intel
  bytes[8] = static_cast<uint8_t>((last + 1) & 0xff);
  bytes[9] = static_cast<uint8_t>((last + 1) >> 8);
  const C3dFile read = ReadC3dBytes("one_past.c3d", bytes);
  ASSERT_EQ(read.frame_count, whole.frame_count);
  EXPECT_TRUE(testing::ValuesMatch(whole.points, read.points, 0));
  EXPECT_TRUE(testing::ValuesMatch(whole.analog, read.analog, 0));
  ExpectOneWarning(read, "last frame " + std::to_string(last + 1) + " is one past the data section");
  ExpectStrictRefuses("one_past.c3d", bytes, "data section");
}

TEST(C3dQuirks, AnalogRateDisagreeingWithTheLayoutTakesTheLayoutsRate) {
  const std::string path = DataFile("c3d/vicon_gait_raw.c3d");
  SKIP_WITHOUT(path);
  testing::TempDir dir;
  const C3dFile whole = ReadC3d(path);
  ASSERT_GT(whole.analog_samples_per_frame, 1);
  // EVaRT: ANALOG:RATE says half the rate the frames hold.
  C3dFile evart = whole;
  evart.analog_rate_hz = whole.analog_rate_hz / 2;
  const std::vector<uint8_t> bytes = Written(evart, dir / "evart.c3d");
  const C3dFile read = ReadC3dBytes("evart.c3d", bytes);
  EXPECT_DOUBLE_EQ(read.analog_rate_hz, whole.analog_rate_hz);
  EXPECT_EQ(read.analog_samples_per_frame, whole.analog_samples_per_frame);
  EXPECT_TRUE(testing::ValuesMatch(whole.analog, read.analog, 1e-6));
  char expected[200];
  std::snprintf(expected, sizeof(expected), "ANALOG:RATE %g Hz disagrees with POINT:RATE %g Hz x %d analog samples per frame", evart.analog_rate_hz,
                whole.point_rate_hz, whole.analog_samples_per_frame);
  ExpectOneWarning(read, expected);
  char using_rate[64];
  std::snprintf(using_rate, sizeof(using_rate), ": using %g Hz", whole.analog_rate_hz);
  EXPECT_NE(read.warnings[0].find(using_rate), std::string::npos) << read.warnings[0];
  ExpectStrictRefuses("evart.c3d", bytes, "ANALOG:RATE");
}

TEST(C3dQuirks, TruncatedPointUnitsAreReadAsTheUnitTheyBegin) {
  testing::TempDir dir;
  // ist_static stores metres; "mete" is "meters" cut to four characters. vicon_gait_raw stores
  // millimetres; "mil" is "millimeters" cut to three.
  for (const auto& [name, truncated, metres] : {std::tuple<const char*, const char*, double>{"c3d/ist_static.c3d", "mete", 1.0},
                                                 {"c3d/vicon_gait_raw.c3d", "mil", 1e-3}}) {
    const std::string path = DataFile(name);
    SKIP_WITHOUT(path);
    const C3dFile whole = ReadC3d(path);
    ASSERT_DOUBLE_EQ(whole.PointUnitsInMetres(), metres) << name;
    C3dFile cut = whole;
    cut.point_units = truncated;
    const std::vector<uint8_t> bytes = Written(cut, dir / "units.c3d");
    const C3dFile read = ReadC3dBytes("units.c3d", bytes);
    EXPECT_EQ(read.point_units, truncated);  // kept as stored
    EXPECT_DOUBLE_EQ(read.PointUnitsInMetres(), metres) << name;
    EXPECT_TRUE(testing::ValuesMatch(whole.points, read.points, 1e-6)) << name;
    ExpectOneWarning(read, std::string("POINT:UNITS '") + truncated + "' is not mm, cm or m: read as " + (metres == 1.0 ? "m" : "mm"));
    ExpectStrictRefuses("units.c3d", bytes, "POINT:UNITS");
  }
}

TEST(C3dQuirks, LengthUnitNamesAndTheirUnambiguousPrefixes) {
  EXPECT_EQ(LengthUnitInMetres("mm"), 1e-3);
  EXPECT_EQ(LengthUnitInMetres("CM"), 1e-2);
  EXPECT_EQ(LengthUnitInMetres("m"), 1.0);
  EXPECT_EQ(LengthUnitInMetres("mete"), 1.0);
  EXPECT_EQ(LengthUnitInMetres("metres"), 1.0);
  EXPECT_EQ(LengthUnitInMetres("mil"), 1e-3);
  EXPECT_EQ(LengthUnitInMetres("Millimetres"), 1e-3);
  EXPECT_EQ(LengthUnitInMetres("cent"), 1e-2);
  EXPECT_EQ(LengthUnitInMetres("c"), 1e-2);
  EXPECT_FALSE(LengthUnitInMetres("").has_value());
  EXPECT_FALSE(LengthUnitInMetres("in").has_value());
  EXPECT_FALSE(LengthUnitInMetres("meterss").has_value());
  EXPECT_FALSE(LengthUnitInMetres("deg").has_value());
}

// Vicon Nexus: a second PROCESSING group record of the same name, with its own parameters.
C3dFile WithSecondProcessingGroup(const C3dFile& file, int* second_id) {
  C3dFile twice = file;
  *second_id = 1;
  for (const C3dGroup& g : twice.groups) *second_id = std::max(*second_id, g.id + 1);
  if (std::none_of(twice.groups.begin(), twice.groups.end(), [](const C3dGroup& g) { return g.name == "PROCESSING"; })) {
    twice.groups.push_back({*second_id, "PROCESSING", "subject", false});
    C3dParameter first;
    first.group = "PROCESSING";
    first.group_id = *second_id;
    first.name = "BODYMASS";
    first.type = C3dParameterType::kFloat;
    first.numbers = {71.5};
    twice.parameters.push_back(first);
    ++*second_id;
  }
  twice.groups.push_back({*second_id, "PROCESSING", "model outputs", false});
  C3dParameter mass;
  mass.group = "PROCESSING";
  mass.group_id = *second_id;
  mass.name = "BODYMASS";
  mass.type = C3dParameterType::kFloat;
  mass.numbers = {99.25};
  twice.parameters.push_back(mass);
  C3dParameter own;
  own.group = "PROCESSING";
  own.group_id = *second_id;
  own.name = "PIG_VERSION";
  own.type = C3dParameterType::kChar;
  own.dimensions = {3};
  own.strings = {"2.9"};
  twice.parameters.push_back(own);
  return twice;
}

// Both PROCESSING groups with their parameters, each in its own group.
void ExpectBothProcessingGroups(const C3dFile& file, int second_id, double first_mass) {
  int groups = 0;
  for (const C3dGroup& g : file.groups) groups += g.name == "PROCESSING" ? 1 : 0;
  EXPECT_EQ(groups, 2) << file.path;
  std::vector<double> masses;
  bool version = false;
  for (const C3dParameter& p : file.parameters) {
    if (p.group != "PROCESSING") continue;
    if (p.name == "BODYMASS") masses.push_back(p.group_id == second_id ? -p.numbers.at(0) : p.numbers.at(0));
    if (p.name == "PIG_VERSION") version = p.group_id == second_id && p.strings == std::vector<std::string>{"2.9"};
  }
  std::sort(masses.begin(), masses.end());
  EXPECT_EQ(masses, (std::vector<double>{-99.25, first_mass})) << file.path;  // the second group's negated
  EXPECT_TRUE(version) << file.path;
  ASSERT_TRUE(file.SubjectValue("Bodymass").has_value());
  EXPECT_DOUBLE_EQ(*file.SubjectValue("Bodymass"), first_mass);  // lookups by name find the first group
}

TEST(C3dQuirks, TwoProcessingGroupsAreKeptThroughHdf5AndC3d) {
  const std::string path = DataFile("c3d/vicon_gait_raw.c3d");
  SKIP_WITHOUT(path);
  testing::TempDir dir;
  const C3dFile whole = ReadC3d(path);
  int second_id = 0;
  const std::vector<uint8_t> bytes = Written(WithSecondProcessingGroup(whole, &second_id), dir / "twice.c3d");
  const C3dFile read = ReadC3dBytes(dir / "twice.c3d", bytes);
  const double first_mass = read.SubjectValue("Bodymass").value_or(NAN);
  EXPECT_TRUE(testing::ValuesMatch(whole.points, read.points, 1e-6));
  ExpectOneWarning(read, "parameter groups named PROCESSING");
  ExpectBothProcessingGroups(read, second_id, first_mass);
  // C3D -> HDF5 (failed before: "cannot write attribute /c3d@group:PROCESSING") -> C3D.
  ConvertFile(dir / "twice.c3d", dir / "twice.h5");
  ExpectBothProcessingGroups(ReadC3dFromHdf5(dir / "twice.h5"), second_id, first_mass);
  ConvertFile(dir / "twice.h5", dir / "back.c3d");
  ExpectBothProcessingGroups(ReadC3d(dir / "back.c3d"), second_id, first_mass);
  // C3D -> C3D.
  WriteC3d(dir / "again.c3d", read);
  const C3dFile again = ReadC3d(dir / "again.c3d");
  ExpectBothProcessingGroups(again, second_id, first_mass);
  EXPECT_EQ(again.parameters.size(), read.parameters.size());
  ExpectStrictRefuses("twice.c3d", bytes, "parameter group PROCESSING");
}

TEST(C3dQuirks, StaticTrialDeclaringPlatesWithoutAnalogChannelsHasNoPlates) {
  const std::string path = DataFile("c3d/hybrid_standing.c3d");
  SKIP_WITHOUT(path);
  testing::TempDir dir;
  const C3dFile whole = ReadC3d(path);
  ASSERT_FALSE(whole.ForcePlates().empty());
  // A static trial exported with FORCE_PLATFORM kept and the analog channels left out.
  C3dFile still = whole;
  still.analog_channel_count = 0;
  still.analog_samples_per_frame = 0;
  still.analog.clear();
  still.analog_labels.clear();
  const std::vector<uint8_t> bytes = Written(still, dir / "static.c3d");
  const C3dFile read = ReadC3d(dir / "static.c3d");
  EXPECT_TRUE(testing::ValuesMatch(whole.points, read.points, 1e-6));
  ExpectOneWarning(read, "FORCE_PLATFORM:USED declares " + std::to_string(whole.ForcePlates().size()) +
                             " plate(s) but the file has no analog channels: no force plates read");
  EXPECT_TRUE(read.ForcePlates().empty());
  EXPECT_TRUE(ForcePlatesFromC3d(read).empty());
  const nlohmann::ordered_json info = DescribePath(dir / "static.c3d");  // `midstance info` failed here
  EXPECT_EQ(info["frames"].get<int64_t>(), whole.frame_count);
  EXPECT_EQ(info["warnings"].size(), 1u);
  ExpectStrictRefuses("static.c3d", bytes, "FORCE_PLATFORM:USED");
}

TEST(C3dQuirks, QualisysKistlerCopPolynomialIsReadPerPlateAndIgnoredWhenItCannotApply) {
  const std::string path = DataFile("running/qualisys_kistler_running.c3d");
  SKIP_WITHOUT(path);
  const C3dFile file = ReadC3d(path);
  EXPECT_TRUE(file.warnings.empty()) << file.warnings.front();
  // FPCOPPOLY is stored [6, 2, plates]: Px1-6 and Py1-6 of each plate, 12 per plate.
  const C3dParameter* polynomial = file.Find("FORCE_PLATFORM", "FPCOPPOLY");
  ASSERT_NE(polynomial, nullptr);
  ASSERT_EQ(polynomial->dimensions, (std::vector<int>{6, 2, 2}));
  const std::vector<C3dForcePlate> stored = file.ForcePlates();
  ASSERT_EQ(stored.size(), 2u);
  for (size_t p = 0; p < stored.size(); ++p) {
    const std::vector<double> expected(polynomial->numbers.begin() + static_cast<ptrdiff_t>(12 * p),
                                       polynomial->numbers.begin() + static_cast<ptrdiff_t>(12 * (p + 1)));
    EXPECT_EQ(stored[p].cop_polynomial, expected) << "plate " << p + 1;
  }
  // As BioWare's polynomial (mm) the coefficients would move the COP off the plate: ignored.
  std::vector<std::string> warnings;
  const std::vector<ForcePlate> plates = ForcePlatesFromC3d(file, &warnings);
  ASSERT_EQ(plates.size(), 2u);
  for (const ForcePlate& plate : plates) EXPECT_TRUE(plate.cop_polynomial.empty());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("FORCE_PLATFORM:FPCOPPOLY cannot be applied as Kistler's COP correction (plates 1, 2"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("ignored, COP uncorrected"), std::string::npos) << warnings[0];
  // Strict: the file reads (nothing else is bent), the plates refuse the polynomial in one line.
  const C3dFile strict = ReadC3d(path, C3dReadOptions{true});
  try {
    ForcePlatesFromC3d(strict);
    ADD_FAILURE() << "strict mode applied an unusable FPCOPPOLY";
  } catch (const FileFormatError& error) {
    EXPECT_NE(std::string(error.what()).find("FPCOPPOLY"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << error.what();
  }
}

// A plausible Kistler polynomial (a few mm at the corners) is kept and applied.
TEST(C3dQuirks, PlausibleCopPolynomialIsKept) {
  const std::string path = DataFile("running/qualisys_kistler_running.c3d");
  SKIP_WITHOUT(path);
  C3dFile file = ReadC3d(path);
  for (C3dParameter& p : file.parameters) {
    if (p.group != "FORCE_PLATFORM" || p.name != "FPCOPPOLY") continue;
    for (size_t i = 0; i < p.numbers.size(); ++i) p.numbers[i] = i % 6 == 5 ? 0.01 : 0.0;  // 1 % of x and y
  }
  std::vector<std::string> warnings;
  const std::vector<ForcePlate> plates = ForcePlatesFromC3d(file, &warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(plates.size(), 2u);
  EXPECT_EQ(plates[0].cop_polynomial.size(), 12u);
}

int Count(const std::string& text, const std::string& what) {
  int count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// The warning reaches the user once, on stderr, from info, convert and process; --strict refuses
// the file in one line with exit status 3.
TEST(C3dQuirksCli, WarningsAreLoggedOnceAndStrictRefuses) {
  const std::string path = DataFile("c3d/vicon_gait_raw.c3d");
  SKIP_WITHOUT(path);
  testing::TempDir dir;
  const C3dFile whole = ReadC3d(path);
  std::vector<uint8_t> bytes = Bytes(path);
  bytes.resize(static_cast<size_t>(DataStart(bytes) + (whole.frame_count - 7) * FrameBytes(whole)));
  const std::string cut = dir / "cut.c3d";
  std::ofstream(cut, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  const std::string quirk = "data section holds " + std::to_string(whole.frame_count - 7) + " of ";
  for (const std::string& command : {"info " + cut, "convert " + cut + " -o " + dir / "cut.h5",
                                     "process " + cut + " -o " + dir / "cut_result.h5 --no-report --no-csv --no-skeleton"}) {
    const testing::CommandResult run = testing::RunMidstance("--quiet " + command);
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.err;
    EXPECT_EQ(Count(run.err, quirk), 1) << command << ": " << run.err;
    const testing::CommandResult strict = testing::RunMidstance("--quiet --strict " + command);
    EXPECT_EQ(strict.exit_code, 3) << command;
    EXPECT_EQ(std::count(strict.err.begin(), strict.err.end(), '\n'), 1) << strict.err;
    EXPECT_NE(strict.err.find("cut.c3d: data section: expected"), std::string::npos) << strict.err;
  }
}

// Qualisys / Kistler running trial: `midstance process` exited 3 on its FPCOPPOLY.
TEST(C3dQuirksCli, QualisysKistlerRunningTrialProcesses) {
  const std::string path = DataFile("running/qualisys_kistler_running.c3d");
  SKIP_WITHOUT(path);
  testing::TempDir dir;
  const testing::CommandResult run =
      testing::RunMidstance("--quiet process " + path + " -o " + dir / "run.h5" + " --no-report --no-csv --no-skeleton");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Count(run.err, "FPCOPPOLY"), 1) << run.err;
  EXPECT_TRUE(fs::exists(dir / "run.h5"));
}

// Big-endian (MIPS / SGI, processor 86) copy of an Intel file: every 16-bit word and 32-bit float
// of the header, the parameter records and the data section byte-swapped, as SGI writers store
// them (c3d.org user guide, "Processor type").
class MipsCopy {
 public:
  explicit MipsCopy(std::vector<uint8_t> intel) : bytes_(std::move(intel)) {}

  std::vector<uint8_t> Convert(bool float_storage) {
    const int64_t section = (static_cast<int64_t>(bytes_[0]) - 1) * kBlockBytes;
    const int64_t data = DataStart(bytes_);
    SwapHeader();
    SwapParameters(section);
    bytes_[static_cast<size_t>(section + 3)] = 86;
    for (int64_t at = data; at + (float_storage ? 4 : 2) <= static_cast<int64_t>(bytes_.size()); at += float_storage ? 4 : 2) {
      float_storage ? Swap4(at) : Swap2(at);
    }
    return bytes_;
  }

 private:
  void Swap2(int64_t at) { std::swap(bytes_[static_cast<size_t>(at)], bytes_[static_cast<size_t>(at + 1)]); }
  void Swap4(int64_t at) {
    std::swap(bytes_[static_cast<size_t>(at)], bytes_[static_cast<size_t>(at + 3)]);
    std::swap(bytes_[static_cast<size_t>(at + 1)], bytes_[static_cast<size_t>(at + 2)]);
  }
  int16_t I16(int64_t at) const { return static_cast<int16_t>(bytes_[static_cast<size_t>(at)] | bytes_[static_cast<size_t>(at + 1)] << 8); }

  // Word 1 is two bytes; words 2-6, 9, 10 are integers; 7-8 and 11-12 floats; then the event
  // block: key, count, a spare word, 18 float times, 18 flag bytes, a spare word, labels.
  void SwapHeader() {
    for (int word : {2, 3, 4, 5, 6, 9, 10}) Swap2(2 * (word - 1));
    for (int word : {7, 11}) Swap4(2 * (word - 1));
    constexpr int kEventKeyWord = 150;
    for (int word = kEventKeyWord; word < kEventKeyWord + 3; ++word) Swap2(2 * (word - 1));
    for (int e = 0; e < 18; ++e) Swap4(2 * (kEventKeyWord + 2) + 4 * e);
  }

  void SwapParameters(int64_t section) {
    const int64_t end = section + bytes_[static_cast<size_t>(section + 2)] * kBlockBytes;
    for (int64_t offset = section + 4; offset + 2 <= end;) {
      const int8_t name_length = static_cast<int8_t>(bytes_[static_cast<size_t>(offset)]);
      const int8_t id = static_cast<int8_t>(bytes_[static_cast<size_t>(offset + 1)]);
      if (name_length == 0 || id == 0) break;
      const int64_t link = offset + 2 + std::abs(name_length);
      const int16_t next = I16(link);
      if (id > 0) {
        const int8_t type = static_cast<int8_t>(bytes_[static_cast<size_t>(link + 2)]);
        const int rank = bytes_[static_cast<size_t>(link + 3)];
        int64_t count = 1;
        for (int d = 0; d < rank; ++d) count *= bytes_[static_cast<size_t>(link + 4 + d)];
        const int64_t values = link + 4 + rank;
        for (int64_t i = 0; i < count; ++i) {
          if (type == 2) Swap2(values + 2 * i);
          if (type == 4) Swap4(values + 4 * i);
        }
      }
      Swap2(link);
      if (next == 0) break;
      offset = link + next;
    }
  }

  std::vector<uint8_t> bytes_;
};

TEST(C3dMips, BigEndianIntegerAndFloatCopiesReadAsTheIntelFile) {
  testing::TempDir dir;
  // Intel sources only (processor 84): DEC files' VAX floats are not IEEE and would need more.
  for (const char* name : {"c3d/Eb015pi.c3d", "c3d/sample02_pc_int.c3d", "c3d/Eb015pr.c3d", "c3d/hybrid_walking_1.c3d"}) {
    const std::string path = DataFile(name);
    SKIP_WITHOUT(path);
    const C3dFile intel = ReadC3d(path);
    ASSERT_EQ(intel.processor, C3dProcessor::kIntel) << name;
    const std::vector<uint8_t> big_endian = MipsCopy(Bytes(path)).Convert(intel.float_storage);
    const C3dFile mips = ReadC3dBytes(dir / "mips.c3d", big_endian);
    EXPECT_EQ(mips.processor, C3dProcessor::kMips) << name;
    EXPECT_TRUE(mips.warnings.empty()) << name;
    EXPECT_EQ(mips.float_storage, intel.float_storage) << name;
    EXPECT_DOUBLE_EQ(mips.point_scale, intel.point_scale) << name;
    EXPECT_EQ(mips.point_labels, intel.point_labels) << name;
    EXPECT_TRUE(testing::ValuesMatch(intel.points, mips.points, 0)) << name;
    EXPECT_TRUE(testing::ValuesMatch(intel.residuals, mips.residuals, 0)) << name;
    EXPECT_EQ(mips.camera_masks, intel.camera_masks) << name;
    EXPECT_TRUE(testing::ValuesMatch(intel.analog, mips.analog, 0)) << name;
    EXPECT_DOUBLE_EQ(mips.PointUnitsInMetres(), intel.PointUnitsInMetres()) << name;
    // Through convert, as `midstance convert X.c3d -o X.h5` writes it: metres, equal to the Intel file's.
    std::ofstream(dir / "mips.c3d", std::ios::binary)
        .write(reinterpret_cast<const char*>(big_endian.data()), static_cast<std::streamsize>(big_endian.size()));
    ConvertFile(path, dir / "intel.h5");
    ConvertFile(dir / "mips.c3d", dir / "mips.h5");
    const C3dFile intel_h5 = ReadC3dFromHdf5(dir / "intel.h5");
    const C3dFile mips_h5 = ReadC3dFromHdf5(dir / "mips.h5");
    EXPECT_TRUE(testing::ValuesMatch(intel_h5.points, mips_h5.points, 1e-12)) << name;
    EXPECT_TRUE(testing::ValuesMatch(intel_h5.analog, mips_h5.analog, 1e-12)) << name;
  }
}

}  // namespace
}  // namespace midstance
