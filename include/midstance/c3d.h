#pragma once
// C3D files, read as the specification describes them (c3d.org, "The C3D File Format User
// Guide", Motion Lab Systems 2008): a 512-byte header block, a parameter section of groups and
// parameters, and a data section of frames holding 3D points (x, y, z and a residual /
// camera-mask word) followed by analog samples.
//
// - Processor (parameter section byte 4, 83 + type): Intel (little-endian IEEE), DEC (little-
//   endian integers, VAX F-floating reals) and MIPS / SGI (big-endian IEEE).
// - Storage: integers scaled by POINT:SCALE when it is positive, 32-bit reals when negative.
// - A negative residual word marks a missing point: its coordinates are NaN, never 0.
// - Analog values are scaled as (raw - ANALOG:OFFSET) * ANALOG:SCALE * ANALOG:GEN_SCALE, raw
//   read as unsigned when ANALOG:FORMAT is "UNSIGNED".
// - Frame counts beyond 65,535: TRIAL:ACTUAL_START_FIELD / ACTUAL_END_FIELD (two 16-bit words,
//   low first), POINT:LONG_FRAMES (float), or POINT:FRAMES read as unsigned, else the header's
//   first / last frame.
// Coordinates stay in the file's units (POINT:UNITS); PointUnitsInMetres() converts.
// Memory is bounded by the file's size: every count is checked against it before allocation.
//
// Vendor quirks: files from other labs bend the guide in ways whose meaning is still
// unambiguous. By default the reader reads what the data holds and records ONE warning per quirk
// in C3dFile::warnings, naming the quirk and what it did; C3dReadOptions::strict refuses them
// with a one-line FileFormatError instead. Accepted quirks:
// - a data section shorter than the frame count (Optotrak, Kyowa exports; a header last frame
//   one past the data): the whole frames present are read;
// - ANALOG:RATE disagreeing with POINT:RATE x analog samples per frame (EVaRT): the data layout
//   (header word 3 / ANALOG:USED) fixes the samples per frame, so the rate is POINT:RATE x that;
// - POINT:UNITS truncated ("mete", "mil"): an unambiguous prefix of a unit's name is that unit;
// - two parameter groups of one name (Vicon's PROCESSING): both kept, lookups by name find the
//   first;
// - FORCE_PLATFORM:USED >= 1 without analog channels (static trials): no plates.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace midstance {

enum class C3dProcessor { kIntel, kDec, kMips };
const char* C3dProcessorName(C3dProcessor processor);  // "intel", "dec", "mips"

enum class C3dParameterType : int8_t { kChar = -1, kByte = 1, kInt16 = 2, kFloat = 4 };

struct C3dParameter {
  std::string group;  // the group's name, or "GROUP<id>" for a parameter whose group has no record
  int group_id = 0;   // as stored, so parameters of such orphan groups are written back unchanged
  std::string name;
  std::string description;
  C3dParameterType type = C3dParameterType::kChar;
  bool locked = false;
  std::vector<int> dimensions;       // as stored; for characters the first is the string length
  std::vector<double> numbers;       // byte, int16 (signed) and float values, in stored order
  std::vector<std::string> strings;  // character parameters: one per string, blanks trimmed

  // int16 values reinterpreted as unsigned (counts above 32,767 are stored that way).
  double UnsignedAt(size_t i) const;
  // UnsignedAt(i) as a count: finite, whole and within [0, max]; FileFormatError naming `file`
  // and the parameter otherwise (a corrupt float count must not reach an integer conversion).
  int64_t CountAt(size_t i, int64_t max, const std::string& file) const;
};

struct C3dGroup {
  int id = 0;
  std::string name;
  std::string description;
  bool locked = false;
};

struct C3dHeaderEvent {
  std::string label;
  double time_s = 0;
  bool displayed = false;
};

// FORCE_PLATFORM group, one entry per used plate (file units; forces come in issue 4).
struct C3dForcePlate {
  int type = 0;                        // TYPE: 1-4, or Kistler's 3 with FPCOPPOLY
  double corners[4][3] = {};           // CORNERS [3 x 4 x plates]: x y z of corners 1-4
  double origin[3] = {};               // ORIGIN [3 x plates]: plate centre to sensor origin, plate frame
  std::vector<int> channels;           // CHANNEL: 1-based analog channel numbers
  std::vector<double> calibration;     // CAL_MATRIX for this plate, as stored (column-major), or empty
  std::vector<double> cop_polynomial;  // FPCOPPOLY for this plate (all dimensions but the last, which counts plates), or empty
};

// EVENT group entry (Vicon: labels "Foot Strike" / "Foot Off", contexts "Left" / "Right").
struct C3dEvent {
  std::string label;
  std::string context;
  std::string description;
  double time_s = 0;  // EVENT:TIMES holds (minutes, seconds) pairs; this is 60 * minutes + seconds
};

struct C3dReadOptions {
  bool strict = false;  // refuse vendor quirks (see above) instead of reading them with a warning
};

struct C3dFile {
  std::string path;
  C3dReadOptions read_options;     // how it was read: views such as ForcePlates() follow it
  std::vector<std::string> warnings;  // one per vendor quirk read around, each prefixed with the path
  C3dProcessor processor = C3dProcessor::kIntel;
  bool float_storage = false;  // POINT:SCALE < 0
  double point_scale = 1;      // |POINT:SCALE|
  int first_frame = 1;         // as stored (1-based)
  int64_t frame_count = 0;
  int point_count = 0;
  double point_rate_hz = 0;
  std::string point_units;     // POINT:UNITS as stored, "" when absent
  std::vector<std::string> point_labels;  // point_count entries ("" where the file has none)
  std::vector<double> points;      // [frame][point][x y z], file units, NaN when missing
  std::vector<double> residuals;   // [frame][point], file units, NaN when missing
  std::vector<uint8_t> camera_masks;  // [frame][point], bit c: camera c contributed

  int analog_channel_count = 0;
  int analog_samples_per_frame = 0;
  double analog_rate_hz = 0;
  std::vector<std::string> analog_labels;  // analog_channel_count entries
  std::vector<double> analog;              // [sample][channel], scaled

  std::vector<C3dGroup> groups;       // in file order; names may repeat (Vicon's two PROCESSING groups)
  std::vector<C3dParameter> parameters;
  std::vector<C3dHeaderEvent> header_events;

  const C3dParameter* Find(const std::string& group, const std::string& name) const;  // nullptr if absent
  // Throw FileFormatError naming the parameter when its dimensions disagree with the counts.
  // None when the file has no analog channels (a plate without channels cannot be read; the
  // reader warns, or refuses in strict mode).
  std::vector<C3dForcePlate> ForcePlates() const;
  std::vector<C3dEvent> Events() const;
  // Subject measurements Vicon stores in PROCESSING (Bodymass, LegLength, KneeWidth ...) or
  // SUBJECTS / SUBJECT: the first number of NAME (case-insensitive), or nullopt.
  std::optional<double> SubjectValue(const std::string& name) const;
  int64_t MissingPointSamples() const;
  // Metres per file unit from POINT:UNITS: "mm", "cm", "m", or an unambiguous prefix of
  // "millimeters", "centimeters", "meters" (or "-metres"), case-insensitive; throws
  // FileFormatError otherwise.
  double PointUnitsInMetres() const;
};

// Metres per unit of a POINT:UNITS text (as PointUnitsInMetres), or nullopt when it names no
// length unit unambiguously.
std::optional<double> LengthUnitInMetres(const std::string& units);

// Throws FileFormatError naming the file and the field for anything it cannot read (and, with
// options.strict, for the vendor quirks above).
C3dFile ReadC3d(const std::string& path, const C3dReadOptions& options = {});
// The same from bytes already in memory; `name` is used in messages (the fuzz target's entry).
C3dFile ReadC3dBytes(const std::string& name, std::vector<uint8_t> bytes, const C3dReadOptions& options = {});

// Writes `file` as an Intel C3D (atomically), in the storage of `file.float_storage`: integer
// files stay integer (round trip exact), float files float. Points in the file's units with
// their residual / camera-mask words, analog values stored raw so ANALOG:SCALE / OFFSET /
// GEN_SCALE stay as they are, every group and parameter kept, header events written. Only the
// parameters that describe the storage are set from the data: POINT:USED, FRAMES, SCALE
// (negative: float), RATE, DATA_START, LABELS, ANALOG:USED, RATE, LABELS, and TRIAL:ACTUAL_*
// beyond 65,535 frames. Throws InvalidInput when the data and its counts disagree, or when a
// value does not fit integer storage (|value / POINT:SCALE| > 32767), naming it.
void WriteC3d(const std::string& path, const C3dFile& file);

// Replaces the EVENT group of `file` with `events` (USED, LABELS, CONTEXTS, DESCRIPTIONS, TIMES
// as minutes / seconds pairs, ICON_IDS, GENERIC_FLAGS), as Vicon Nexus writes it.
void SetEvents(C3dFile* file, const std::vector<C3dEvent>& events);

}  // namespace midstance
