#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "midstance/c3d.h"
#include "midstance/error.h"

namespace midstance {
namespace {

constexpr int64_t kBlockBytes = 512;
constexpr int kParameterKey = 0x50;  // header byte 2
constexpr int kProcessorBase = 83;   // parameter section byte 4 = 83 + processor type

std::string Quote(const std::string& text) { return "'" + text + "'"; }

// A number as people write it: 2000, 0.5, 1333.33 (no trailing zeros).
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

// The file's bytes with bounds-checked, processor-aware reads. Every failure names the field.
class C3dBytes {
 public:
  C3dBytes(std::string path, std::vector<uint8_t> bytes) : path_(std::move(path)), bytes_(std::move(bytes)) {}

  const std::string& path() const { return path_; }
  int64_t size() const { return static_cast<int64_t>(bytes_.size()); }
  void set_processor(C3dProcessor processor) { processor_ = processor; }
  C3dProcessor processor() const { return processor_; }

  void Require(int64_t offset, int64_t count, const std::string& field) const {
    if (offset < 0 || count < 0 || offset > size() || count > size() - offset) {
      throw FileFormatError(path_, field, "data within the file (" + std::to_string(size()) + " bytes)",
                            "bytes " + std::to_string(offset) + ".." + std::to_string(offset + count) + " past its end");
    }
  }
  uint8_t U8(int64_t offset, const std::string& field) const {
    Require(offset, 1, field);
    return bytes_[static_cast<size_t>(offset)];
  }
  int8_t I8(int64_t offset, const std::string& field) const { return static_cast<int8_t>(U8(offset, field)); }
  uint16_t U16(int64_t offset, const std::string& field) const {
    Require(offset, 2, field);
    return U16Unchecked(offset);
  }
  int16_t I16(int64_t offset, const std::string& field) const { return static_cast<int16_t>(U16(offset, field)); }
  float F32(int64_t offset, const std::string& field) const {
    Require(offset, 4, field);
    return F32Unchecked(offset);
  }
  std::string Chars(int64_t offset, int64_t count, const std::string& field) const {
    Require(offset, count, field);
    return std::string(bytes_.begin() + offset, bytes_.begin() + offset + count);
  }

  bool AllZero(int64_t offset, int64_t count) const {
    Require(offset, count, "data section");
    return std::all_of(bytes_.begin() + offset, bytes_.begin() + offset + count, [](uint8_t b) { return b == 0; });
  }

  // Unchecked variants for the data section, whose extent is checked once.
  uint16_t U16Unchecked(int64_t offset) const {
    const uint8_t* p = bytes_.data() + offset;
    return processor_ == C3dProcessor::kMips ? static_cast<uint16_t>(p[0] << 8 | p[1])
                                             : static_cast<uint16_t>(p[1] << 8 | p[0]);
  }
  float F32Unchecked(int64_t offset) const {
    const uint8_t* p = bytes_.data() + offset;
    uint32_t bits;
    switch (processor_) {
      case C3dProcessor::kIntel:
        bits = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
               static_cast<uint32_t>(p[3]) << 24;
        break;
      case C3dProcessor::kMips:
        bits = static_cast<uint32_t>(p[3]) | static_cast<uint32_t>(p[2]) << 8 | static_cast<uint32_t>(p[1]) << 16 |
               static_cast<uint32_t>(p[0]) << 24;
        break;
      case C3dProcessor::kDec:
      default: {
        // VAX F-floating: 16-bit words swapped relative to IEEE little-endian, exponent bias 128
        // with the binary point before the hidden bit, hence the division by 4.
        bits = static_cast<uint32_t>(p[2]) | static_cast<uint32_t>(p[3]) << 8 | static_cast<uint32_t>(p[0]) << 16 |
               static_cast<uint32_t>(p[1]) << 24;
        float value;
        std::memcpy(&value, &bits, sizeof(value));
        return value / 4.0f;
      }
    }
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }

 private:
  std::string path_;
  std::vector<uint8_t> bytes_;
  C3dProcessor processor_ = C3dProcessor::kIntel;
};

std::vector<uint8_t> ReadWholeFile(const std::string& path) {
  if (!std::filesystem::exists(path)) throw FileFormatError(path, "file", "an existing C3D file", "no such file");
  if (std::filesystem::is_directory(path)) throw FileFormatError(path, "file", "a C3D file", "a folder");
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileFormatError(path, "file", "a readable file", "permission denied");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
}

std::string TrimRight(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

// Names as they may appear in messages: non-printable bytes become '?'.
std::string Printable(std::string text) {
  for (char& c : text) c = std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Parameter section: records of groups (negative id) and parameters (positive id), each linked
// to the next by a 16-bit offset counted from the offset field itself.
// The section ends after the block count in its third byte (and before the data); a link that
// leads past it ends the list, as some writers (the SGI sample02 files) leave a stale link in
// the last record.
void ReadParameters(const C3dBytes& bytes, int64_t section, int64_t data_start, C3dFile* file) {
  const uint8_t blocks = bytes.U8(section + 2, "parameter section block count");
  int64_t section_end = section + (blocks > 0 ? blocks : 255) * kBlockBytes;
  if (data_start > section) section_end = std::min(section_end, data_start);
  section_end = std::min(section_end, bytes.size());
  int64_t offset = section + 4;
  for (int record = 0; offset + 2 <= section_end; ++record) {
    const std::string where = "parameter record " + std::to_string(record);
    const int8_t name_length = bytes.I8(offset, where + " name length");
    const int8_t id = bytes.I8(offset + 1, where + " group id");
    if (name_length == 0 || id == 0) break;
    const int length = std::abs(static_cast<int>(name_length));
    const std::string name = Printable(Upper(TrimRight(bytes.Chars(offset + 2, length, where + " name"))));
    const int64_t link = offset + 2 + length;
    const int16_t next = bytes.I16(link, where + " (" + name + ") offset to the next record");
    if (id < 0) {
      C3dGroup group;
      group.id = -id;
      group.name = name;
      group.locked = name_length < 0;
      const uint8_t description_length = bytes.U8(link + 2, "group " + name + " description length");
      group.description = TrimRight(bytes.Chars(link + 3, description_length, "group " + name + " description"));
      file->groups.push_back(group);
    } else {
      C3dParameter parameter;
      parameter.name = name;
      parameter.locked = name_length < 0;
      parameter.group_id = id;  // the group's name is resolved below
      const std::string field = "parameter " + name;
      const int8_t type = bytes.I8(link + 2, field + " type");
      if (type != -1 && type != 1 && type != 2 && type != 4) {
        throw FileFormatError(bytes.path(), field + " type", "-1 (char), 1 (byte), 2 (int16) or 4 (float)", std::to_string(type));
      }
      parameter.type = static_cast<C3dParameterType>(type);
      const uint8_t rank = bytes.U8(link + 3, field + " dimension count");
      int64_t count = 1;
      for (int d = 0; d < rank; ++d) {
        parameter.dimensions.push_back(bytes.U8(link + 4 + d, field + " dimensions"));
        count *= parameter.dimensions.back();
        if (count > bytes.size()) {  // checked at each step, so the product cannot overflow
          throw FileFormatError(bytes.path(), field + " dimensions", "data that fits in the file", "more values than its bytes");
        }
      }
      const int element = std::abs(static_cast<int>(type));
      const int64_t data = link + 4 + rank;
      bytes.Require(data, count * element, field + " data");
      if (parameter.type == C3dParameterType::kChar) {
        const int64_t width = rank == 0 ? 1 : parameter.dimensions[0];
        const int64_t strings = width == 0 ? 0 : count / width;
        for (int64_t s = 0; s < strings; ++s) {
          parameter.strings.push_back(TrimRight(bytes.Chars(data + s * width, width, field + " data")));
        }
      } else {
        parameter.numbers.reserve(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i) {
          const int64_t at = data + i * element;
          parameter.numbers.push_back(parameter.type == C3dParameterType::kByte    ? bytes.I8(at, field + " data")
                                      : parameter.type == C3dParameterType::kInt16 ? bytes.I16(at, field + " data")
                                                                                    : bytes.F32(at, field + " data"));
        }
      }
      const int64_t after = data + count * element;
      if (after < bytes.size()) {
        const uint8_t description_length = bytes.U8(after, field + " description length");
        if (after + 1 + description_length <= bytes.size()) {
          parameter.description = TrimRight(bytes.Chars(after + 1, description_length, field + " description"));
        }
      }
      file->parameters.push_back(std::move(parameter));
    }
    if (next == 0 || link + next >= section_end) break;
    if (next < 0) throw FileFormatError(bytes.path(), where + " (" + name + ") offset to the next record", "a positive offset", std::to_string(next));
    offset = link + next;
  }
  for (C3dParameter& parameter : file->parameters) {
    const int id = parameter.group_id;
    const auto group = std::find_if(file->groups.begin(), file->groups.end(), [&](const C3dGroup& g) { return g.id == id; });
    parameter.group = group == file->groups.end() ? "GROUP" + std::to_string(id) : group->name;
  }
}

const C3dParameter* FindIn(const C3dFile& file, const std::string& group, const std::string& name) {
  for (const C3dParameter& p : file.parameters) {
    if (p.group == group && p.name == name) return &p;
  }
  return nullptr;
}

double FirstNumber(const C3dFile& file, const std::string& group, const std::string& name, double fallback) {
  const C3dParameter* p = FindIn(file, group, name);
  return p && !p->numbers.empty() ? p->numbers[0] : fallback;
}

// Labels from GROUP:LABELS, LABELS2, LABELS3 ... (255 per parameter), padded to `count`.
std::vector<std::string> Labels(const C3dFile& file, const std::string& group, int count) {
  std::vector<std::string> labels;
  for (int k = 1; static_cast<int>(labels.size()) < count; ++k) {
    const C3dParameter* p = FindIn(file, group, k == 1 ? "LABELS" : "LABELS" + std::to_string(k));
    if (!p) break;
    labels.insert(labels.end(), p->strings.begin(), p->strings.end());
  }
  labels.resize(static_cast<size_t>(std::max(count, 0)));
  return labels;
}

std::vector<double> NumbersOr(const C3dFile& file, const std::string& group, const std::string& name, size_t count,
                              double fallback, bool as_unsigned) {
  std::vector<double> values(count, fallback);
  const C3dParameter* p = FindIn(file, group, name);
  if (!p) return values;
  for (size_t i = 0; i < count && i < p->numbers.size(); ++i) values[i] = as_unsigned ? p->UnsignedAt(i) : p->numbers[i];
  return values;
}

int64_t FrameCount(const C3dFile& file, int header_first, int header_last) {
  // Files beyond 65,535 frames: TRIAL:ACTUAL_START_FIELD / ACTUAL_END_FIELD hold 32-bit frame
  // numbers as two unsigned 16-bit words (low word first).
  const C3dParameter* start = FindIn(file, "TRIAL", "ACTUAL_START_FIELD");
  const C3dParameter* end = FindIn(file, "TRIAL", "ACTUAL_END_FIELD");
  if (start && end && start->numbers.size() >= 2 && end->numbers.size() >= 2) {
    const int64_t first = start->CountAt(0, 65535, file.path) + (start->CountAt(1, 65535, file.path) << 16);
    const int64_t last = end->CountAt(0, 65535, file.path) + (end->CountAt(1, 65535, file.path) << 16);
    if (last >= first && first >= 0) return last - first + 1;
  }
  // POINT:LONG_FRAMES (a float count, written by some Motion Analysis and Qualisys exporters).
  const C3dParameter* long_frames = FindIn(file, "POINT", "LONG_FRAMES");
  if (long_frames && !long_frames->numbers.empty() && long_frames->numbers[0] > 65535) {
    return long_frames->CountAt(0, int64_t{1} << 40, file.path);
  }
  const int64_t from_header = static_cast<int64_t>(static_cast<uint16_t>(header_last)) -
                              static_cast<uint16_t>(header_first) + 1;
  const C3dParameter* frames = FindIn(file, "POINT", "FRAMES");
  if (frames && !frames->numbers.empty()) {
    const double value = frames->UnsignedAt(0);
    if (value > static_cast<double>(from_header)) return frames->CountAt(0, int64_t{1} << 40, file.path);
  }
  return from_header;
}

void ReadHeaderEvents(const C3dBytes& bytes, int64_t header, C3dFile* file) {
  // Header words 150 (key 12345), 151 (count), 153.. (times), 189.. (display flags), 199.. (labels).
  if (bytes.I16(header + 2 * 149, "header event key") != 12345) return;
  const int count = bytes.I16(header + 2 * 150, "header event count");
  if (count < 0 || count > 18) throw FileFormatError(bytes.path(), "header event count", "0..18", std::to_string(count));
  for (int e = 0; e < count; ++e) {
    C3dHeaderEvent event;
    event.time_s = bytes.F32(header + 2 * 152 + 4 * e, "header event times");
    event.displayed = bytes.U8(header + 2 * 188 + e, "header event display flags") == 0;
    event.label = TrimRight(bytes.Chars(header + 2 * 198 + 4 * e, 4, "header event labels"));
    file->header_events.push_back(event);
  }
}

// One warning per quirk, prefixed with the file; in strict mode the quirk's one-line error instead.
void Quirk(C3dFile* file, const std::string& warning, const FileFormatError& refusal) {
  if (file->read_options.strict) throw refusal;
  file->warnings.push_back(file->path + ": " + warning);
}

// Optotrak and Kyowa exports (and writers whose header last frame is one past the data) announce
// more frames than the data section holds. The frames present are whole and laid out as the
// guide describes, so they are read; a partial last frame is dropped, and so are trailing frames
// of zero bytes: the guide pads sections to whole 512-byte blocks with zeros, which would read as
// markers at the origin. A data section without one whole frame holds nothing to read: refused.
int64_t FramesPresent(const C3dBytes& bytes, int64_t data_start, int64_t frame_bytes, C3dFile* file) {
  const int64_t frames = file->frame_count;
  const int64_t available = std::max<int64_t>(0, bytes.size() - data_start);
  if (frame_bytes <= 0 || frames <= available / frame_bytes) return frames;
  int64_t present = available / frame_bytes;
  while (present > 0 && bytes.AllZero(data_start + (present - 1) * frame_bytes, frame_bytes)) --present;
  const FileFormatError refusal(bytes.path(), "data section",
                                std::to_string(frames) + " frames of " + std::to_string(frame_bytes) + " bytes from block " +
                                    std::to_string(data_start / kBlockBytes + 1),
                                std::to_string(available) + " bytes (truncated?)");
  if (present == 0) throw refusal;
  const std::string reading = ": reading " + std::to_string(present);
  if (frames == present + 1) {
    const int64_t last = file->first_frame + frames - 1;
    Quirk(file, "last frame " + std::to_string(last) + " is one past the data section, which ends at frame " +
                    std::to_string(last - 1) + reading + " frames",
          refusal);
  } else {
    Quirk(file, "data section holds " + std::to_string(present) + " of " + std::to_string(frames) + " frames" + reading, refusal);
  }
  return present;
}

void ReadData(const C3dBytes& bytes, int64_t data_start, int analog_values_per_frame, C3dFile* file) {
  const int64_t word = file->float_storage ? 4 : 2;
  const int64_t point_values = 4 * static_cast<int64_t>(file->point_count);
  const int64_t frame_bytes = (point_values + analog_values_per_frame) * word;
  file->frame_count = FramesPresent(bytes, data_start, frame_bytes, file);
  const int64_t frames = file->frame_count;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const size_t samples = static_cast<size_t>(frames) * static_cast<size_t>(file->point_count);
  file->points.assign(3 * samples, nan);
  file->residuals.assign(samples, nan);
  file->camera_masks.assign(samples, 0);
  const int channels = file->analog_channel_count;
  const int64_t analog_samples = frames * file->analog_samples_per_frame;
  file->analog.assign(static_cast<size_t>(analog_samples) * static_cast<size_t>(channels), nan);

  const std::vector<double> offset = NumbersOr(*file, "ANALOG", "OFFSET", static_cast<size_t>(channels), 0.0, false);
  const std::vector<double> scale = NumbersOr(*file, "ANALOG", "SCALE", static_cast<size_t>(channels), 1.0, false);
  const double general_scale = FirstNumber(*file, "ANALOG", "GEN_SCALE", 1.0);
  const C3dParameter* format = FindIn(*file, "ANALOG", "FORMAT");
  const bool unsigned_analog = format && !format->strings.empty() && Upper(format->strings[0]) == "UNSIGNED";
  std::vector<double> unsigned_offset = offset;
  if (unsigned_analog) unsigned_offset = NumbersOr(*file, "ANALOG", "OFFSET", static_cast<size_t>(channels), 0.0, true);

  for (int64_t f = 0; f < frames; ++f) {
    const int64_t base = data_start + f * frame_bytes;
    for (int p = 0; p < file->point_count; ++p) {
      const int64_t at = base + 4 * p * word;
      double xyz[3];
      int residual_word;
      if (file->float_storage) {
        for (int k = 0; k < 3; ++k) xyz[k] = bytes.F32Unchecked(at + k * 4);
        const float w = bytes.F32Unchecked(at + 12);
        // The float of a 16-bit word: anything else (NaN, huge) marks the point missing.
        residual_word = std::isfinite(w) && w >= 0 && w < 65536 ? static_cast<int>(w) : -1;
      } else {
        for (int k = 0; k < 3; ++k) xyz[k] = static_cast<int16_t>(bytes.U16Unchecked(at + k * 2)) * file->point_scale;
        residual_word = static_cast<int16_t>(bytes.U16Unchecked(at + 6));
      }
      if (residual_word < 0) continue;  // missing: stays NaN
      const size_t i = static_cast<size_t>(f) * file->point_count + static_cast<size_t>(p);
      for (int k = 0; k < 3; ++k) file->points[3 * i + static_cast<size_t>(k)] = xyz[k];
      file->residuals[i] = (residual_word & 0xff) * file->point_scale;
      file->camera_masks[i] = static_cast<uint8_t>((residual_word >> 8) & 0xff);
    }
    const int64_t analog_base = base + point_values * word;
    for (int s = 0; s < file->analog_samples_per_frame; ++s) {
      for (int c = 0; c < channels; ++c) {
        const int64_t at = analog_base + (static_cast<int64_t>(s) * channels + c) * word;
        double raw;
        if (file->float_storage) {
          raw = bytes.F32Unchecked(at);
        } else {
          const uint16_t u = bytes.U16Unchecked(at);
          raw = unsigned_analog ? static_cast<double>(u) : static_cast<double>(static_cast<int16_t>(u));
        }
        const double zero = unsigned_analog ? unsigned_offset[static_cast<size_t>(c)] : offset[static_cast<size_t>(c)];
        file->analog[static_cast<size_t>(f * file->analog_samples_per_frame + s) * channels + static_cast<size_t>(c)] =
            (raw - zero) * scale[static_cast<size_t>(c)] * general_scale;
      }
    }
  }
}

// Exporters that write POINT:UNITS narrower than the word cut it ("mete" for metres, "mil" for
// millimetres); the guide's units are "mm", "cm" and "m". A cut that still names one unit is read
// as that unit, and stays stored as it was (the round trip keeps the file's text).
void CheckPointUnits(C3dFile* file) {
  const std::string upper = Upper(file->point_units);
  if (upper.empty() || upper == "MM" || upper == "CM" || upper == "M") return;
  const std::optional<double> metres = LengthUnitInMetres(file->point_units);
  if (!metres) return;  // not a length unit: PointUnitsInMetres() refuses it where lengths are needed
  const std::string unit = *metres == 1e-3 ? "mm" : *metres == 1e-2 ? "cm" : "m";
  Quirk(file, "POINT:UNITS " + Quote(file->point_units) + " is not mm, cm or m: read as " + unit,
        FileFormatError(file->path, "POINT:UNITS", "mm, cm or m", Quote(file->point_units)));
}

// Vicon Nexus writes a second PROCESSING group record with the same name under another id. Both
// are kept (each parameter keeps its group id, and the writers keep the two apart); lookups by
// name find the first group's parameter.
void CheckGroupNames(C3dFile* file) {
  for (size_t i = 0; i < file->groups.size(); ++i) {
    std::vector<int> ids = {file->groups[i].id};
    bool seen_before = false;
    for (size_t j = 0; j < file->groups.size(); ++j) {
      if (j == i || file->groups[j].name != file->groups[i].name) continue;
      if (j < i) seen_before = true;
      ids.push_back(file->groups[j].id);
    }
    if (seen_before || ids.size() == 1) continue;
    std::string list;
    for (size_t k = 0; k < ids.size(); ++k) list += (k == 0 ? "" : k + 1 == ids.size() ? " and " : ", ") + std::to_string(ids[k]);
    const std::string& name = file->groups[i].name;
    Quirk(file,
          std::to_string(ids.size()) + " parameter groups named " + name + " (ids " + list +
              "): keeping all, with their parameters; lookups by name find group " + std::to_string(ids[0]) + "'s first",
          FileFormatError(file->path, "parameter group " + name, "one group record per name",
                          std::to_string(ids.size()) + " (ids " + list + ")"));
  }
}

// The guide fixes the data layout by header word 3 (analog values per frame) and ANALOG:USED, so
// the samples per frame are the layout's, and the analog rate is POINT:RATE times them. EVaRT
// writes an ANALOG:RATE that disagrees; the layout is what the data holds, so it wins.
double AnalogRate(C3dFile* file) {
  const double expected = file->point_rate_hz * file->analog_samples_per_frame;
  const double stored = FirstNumber(*file, "ANALOG", "RATE", expected);
  constexpr double kRelativeTolerance = 1e-3;  // float rates such as 1/3 kHz stored to 7 digits
  if (file->analog_channel_count == 0 || std::fabs(stored - expected) <= kRelativeTolerance * expected) return stored;
  if (!(expected > 0)) return stored;  // no POINT:RATE to derive it from: the stored rate is all there is
  const std::string samples = std::to_string(file->analog_samples_per_frame);
  Quirk(file,
        "ANALOG:RATE " + Number(stored) + " Hz disagrees with POINT:RATE " + Number(file->point_rate_hz) + " Hz x " + samples +
            " analog samples per frame (header word 3 / ANALOG:USED): using " + Number(expected) + " Hz",
        FileFormatError(file->path, "ANALOG:RATE",
                        "POINT:RATE x analog samples per frame (" + samples + " from header word 3 / ANALOG:USED) = " +
                            std::to_string(expected) + " Hz",
                        std::to_string(stored) + " Hz"));
  return expected;
}

// A static trial may declare its plates (FORCE_PLATFORM:USED >= 1) and store no analog channel:
// a plate without channels has nothing to read, so ForcePlates() gives none.
void CheckPlatesHaveChannels(C3dFile* file) {
  const C3dParameter* used = FindIn(*file, "FORCE_PLATFORM", "USED");
  if (!used || used->numbers.empty() || file->analog_channel_count > 0) return;
  const double plates = used->UnsignedAt(0);
  if (!(plates >= 1)) return;
  Quirk(file, "FORCE_PLATFORM:USED declares " + Number(plates) + " plate(s) but the file has no analog channels: no force plates read",
        FileFormatError(file->path, "FORCE_PLATFORM:USED", "0 in a file without analog channels (ANALOG:USED 0)", Number(plates)));
}

}  // namespace

const char* C3dProcessorName(C3dProcessor processor) {
  switch (processor) {
    case C3dProcessor::kIntel: return "intel";
    case C3dProcessor::kDec: return "dec";
    case C3dProcessor::kMips: return "mips";
  }
  return "?";
}

double C3dParameter::UnsignedAt(size_t i) const {
  const double value = numbers.at(i);
  return type == C3dParameterType::kInt16 && value < 0 ? value + 65536.0
         : type == C3dParameterType::kByte && value < 0 ? value + 256.0
                                                        : value;
}

int64_t C3dParameter::CountAt(size_t i, int64_t max, const std::string& file) const {
  const double value = i < numbers.size() ? UnsignedAt(i) : std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(value) || value < 0 || value > static_cast<double>(max) || value != std::floor(value)) {
    throw FileFormatError(file, group + ":" + name, "a whole count in 0.." + std::to_string(max),
                          i < numbers.size() ? std::to_string(value) : "no value");
  }
  return static_cast<int64_t>(value);
}

const C3dParameter* C3dFile::Find(const std::string& group, const std::string& name) const {
  return FindIn(*this, Upper(group), Upper(name));
}

int64_t C3dFile::MissingPointSamples() const {
  int64_t missing = 0;
  for (size_t i = 0; i < residuals.size(); ++i) missing += std::isnan(residuals[i]) ? 1 : 0;
  return missing;
}

std::optional<double> LengthUnitInMetres(const std::string& units) {
  const std::string text = Upper(units);
  if (text.empty()) return std::nullopt;
  // The guide's abbreviations, then the names some exporters write (and truncate to the
  // parameter's width: "mete", "mil"). A prefix counts when every name it begins means one unit.
  struct Name {
    const char* text;
    double metres;
  };
  static const Name kAbbreviations[] = {{"MM", 1e-3}, {"CM", 1e-2}, {"M", 1.0}};
  static const Name kNames[] = {{"MILLIMETERS", 1e-3}, {"MILLIMETRES", 1e-3}, {"CENTIMETERS", 1e-2},
                                {"CENTIMETRES", 1e-2}, {"METERS", 1.0},       {"METRES", 1.0}};
  for (const Name& name : kAbbreviations) {
    if (text == name.text) return name.metres;
  }
  std::optional<double> metres;
  for (const Name& name : kNames) {
    if (std::string(name.text).compare(0, text.size(), text) != 0) continue;
    if (metres && *metres != name.metres) return std::nullopt;  // a prefix of two units' names
    metres = name.metres;
  }
  return metres;
}

double C3dFile::PointUnitsInMetres() const {
  if (const std::optional<double> metres = LengthUnitInMetres(point_units)) return *metres;
  throw FileFormatError(path, "POINT:UNITS", "mm, cm or m", Quote(point_units));
}

C3dFile ReadC3d(const std::string& path, const C3dReadOptions& options) {
  return ReadC3dBytes(path, ReadWholeFile(path), options);
}

C3dFile ReadC3dBytes(const std::string& path, std::vector<uint8_t> content, const C3dReadOptions& options) {
  C3dBytes bytes(path, std::move(content));
  C3dFile file;
  file.path = path;
  file.read_options = options;
  if (bytes.size() < kBlockBytes) {
    throw FileFormatError(path, "header", "a 512-byte header block", std::to_string(bytes.size()) + " bytes");
  }
  const uint8_t parameter_block = bytes.U8(0, "header word 1 (first parameter block)");
  const uint8_t key = bytes.U8(1, "header word 1 (key)");
  if (key != kParameterKey) {
    throw FileFormatError(path, "header word 1 (key)", "80 (0x50): a C3D file", std::to_string(key));
  }
  if (parameter_block < 2) throw FileFormatError(path, "header word 1 (first parameter block)", "2 or more", std::to_string(parameter_block));
  const int64_t section = (static_cast<int64_t>(parameter_block) - 1) * kBlockBytes;
  const uint8_t processor = bytes.U8(section + 3, "parameter section processor type");
  if (processor < kProcessorBase + 1 || processor > kProcessorBase + 3) {
    throw FileFormatError(path, "parameter section processor type", "84 (Intel), 85 (DEC) or 86 (MIPS)", std::to_string(processor));
  }
  file.processor = processor == 84 ? C3dProcessor::kIntel : processor == 85 ? C3dProcessor::kDec : C3dProcessor::kMips;
  bytes.set_processor(file.processor);

  const int header_points = bytes.U16(2, "header word 2 (points)");
  const int header_analog_values = bytes.U16(4, "header word 3 (analog values per frame)");
  const int header_first = bytes.U16(6, "header word 4 (first frame)");
  const int header_last = bytes.U16(8, "header word 5 (last frame)");
  const float header_scale = bytes.F32(12, "header words 7-8 (scale)");
  const int header_analog_per_frame = bytes.U16(18, "header word 10 (analog samples per frame)");
  const float header_rate = bytes.F32(20, "header words 11-12 (frame rate)");
  ReadHeaderEvents(bytes, 0, &file);

  const int data_block = bytes.U16(16, "header word 9 (first data block)");
  ReadParameters(bytes, section, (static_cast<int64_t>(data_block) - 1) * kBlockBytes, &file);

  const C3dParameter* points_used = FindIn(file, "POINT", "USED");
  file.point_count = points_used && !points_used->numbers.empty() ? static_cast<int>(points_used->CountAt(0, 65535, path))
                                                                  : header_points;
  const double scale = FirstNumber(file, "POINT", "SCALE", header_scale);
  if (!std::isfinite(scale) || scale == 0) {
    throw FileFormatError(path, "POINT:SCALE", "a finite, non-zero scale (negative: float storage)", std::to_string(scale));
  }
  file.float_storage = scale < 0;
  file.point_scale = std::fabs(scale);
  file.point_rate_hz = FirstNumber(file, "POINT", "RATE", header_rate);
  if (!std::isfinite(file.point_rate_hz) || file.point_rate_hz < 0) {
    throw FileFormatError(path, "POINT:RATE", "a frame rate >= 0 Hz", std::to_string(file.point_rate_hz));
  }
  file.first_frame = header_first;
  file.frame_count = FrameCount(file, header_first, header_last);
  if (file.frame_count < 0) {
    throw FileFormatError(path, "header words 4-5 (first and last frame)", "last >= first",
                          std::to_string(header_first) + " and " + std::to_string(header_last));
  }
  if (const C3dParameter* units = FindIn(file, "POINT", "UNITS"); units && !units->strings.empty()) {
    file.point_units = units->strings[0];
  }
  CheckPointUnits(&file);
  CheckGroupNames(&file);
  file.point_labels = Labels(file, "POINT", file.point_count);

  const C3dParameter* analog_used = FindIn(file, "ANALOG", "USED");
  file.analog_channel_count =
      analog_used && !analog_used->numbers.empty() ? static_cast<int>(analog_used->CountAt(0, 65535, path)) : 0;
  file.analog_samples_per_frame =
      file.analog_channel_count > 0 ? header_analog_values / file.analog_channel_count : header_analog_per_frame;
  if (file.analog_channel_count == 0) file.analog_samples_per_frame = 0;
  if (file.analog_channel_count > 0 && header_analog_values % file.analog_channel_count != 0) {
    throw FileFormatError(path, "header word 3 (analog values per frame)",
                          "a multiple of ANALOG:USED (" + std::to_string(file.analog_channel_count) + ")",
                          std::to_string(header_analog_values));
  }
  file.analog_rate_hz = AnalogRate(&file);
  file.analog_labels = Labels(file, "ANALOG", file.analog_channel_count);

  if (data_block < 1) throw FileFormatError(path, "header word 9 (first data block)", "1 or more", std::to_string(data_block));
  ReadData(bytes, (static_cast<int64_t>(data_block) - 1) * kBlockBytes,
           file.analog_channel_count * file.analog_samples_per_frame, &file);
  CheckPlatesHaveChannels(&file);
  return file;
}

}  // namespace midstance
