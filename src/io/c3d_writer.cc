#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "midstance/atomic_output.h"
#include "midstance/c3d.h"
#include "midstance/error.h"

namespace midstance {
namespace {

constexpr int64_t kBlockBytes = 512;

// Little-endian (Intel) byte sink.
class Sink {
 public:
  void U8(uint8_t v) { bytes_.push_back(v); }
  void I8(int8_t v) { U8(static_cast<uint8_t>(v)); }
  void I16(int v) {
    const uint16_t u = static_cast<uint16_t>(v);
    U8(static_cast<uint8_t>(u & 0xff));
    U8(static_cast<uint8_t>(u >> 8));
  }
  void F32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    for (int k = 0; k < 4; ++k) U8(static_cast<uint8_t>(bits >> (8 * k)));
  }
  void Chars(const std::string& text, size_t width) {
    for (size_t i = 0; i < width; ++i) U8(static_cast<uint8_t>(i < text.size() ? text[i] : ' '));
  }
  void PadToBlock() {
    while (bytes_.size() % kBlockBytes != 0) U8(0);
  }
  void PatchI16(size_t at, int v) {
    const uint16_t u = static_cast<uint16_t>(v);
    bytes_[at] = static_cast<uint8_t>(u & 0xff);
    bytes_[at + 1] = static_cast<uint8_t>(u >> 8);
  }
  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

C3dParameter* FindOrAdd(std::vector<C3dParameter>& parameters, const std::string& group, const std::string& name) {
  for (C3dParameter& p : parameters) {
    if (p.group == group && p.name == name) return &p;
  }
  C3dParameter p;
  p.group = group;
  p.name = name;
  parameters.push_back(p);  // its group id comes from the group of that name when written
  return &parameters.back();
}

void SetNumber(std::vector<C3dParameter>& parameters, const std::string& group, const std::string& name,
               C3dParameterType type, double value) {
  C3dParameter* p = FindOrAdd(parameters, group, name);
  p->type = type;
  p->dimensions.clear();
  p->strings.clear();
  p->numbers = {value};
}

// Character parameter of `values`, 255 per parameter (LABELS, LABELS2, ...).
void SetStrings(std::vector<C3dParameter>& parameters, const std::string& group, const std::string& name,
                const std::vector<std::string>& values) {
  for (size_t first = 0, k = 1; first < values.size() || k == 1; first += 255, ++k) {
    C3dParameter* p = FindOrAdd(parameters, group, k == 1 ? name : name + std::to_string(k));
    p->type = C3dParameterType::kChar;
    p->numbers.clear();
    p->strings.assign(values.begin() + static_cast<ptrdiff_t>(std::min(first, values.size())),
                      values.begin() + static_cast<ptrdiff_t>(std::min(first + 255, values.size())));
    size_t width = 1;
    for (const std::string& v : p->strings) width = std::max(width, v.size());
    p->dimensions = {static_cast<int>(width), static_cast<int>(p->strings.size())};
    if (values.empty()) break;
  }
}

void WriteGroupRecord(Sink& sink, const C3dGroup& group, bool last) {
  const std::string name = group.name.substr(0, 127);
  sink.I8(static_cast<int8_t>(group.locked ? -static_cast<int>(name.size()) : static_cast<int>(name.size())));
  sink.I8(static_cast<int8_t>(-group.id));
  sink.Chars(name, name.size());
  const std::string description = group.description.substr(0, 255);
  sink.I16(last ? 0 : static_cast<int>(2 + 1 + description.size()));
  sink.U8(static_cast<uint8_t>(description.size()));
  sink.Chars(description, description.size());
}

void WriteParameterRecord(Sink& sink, const C3dParameter& p, int group_id, bool last) {
  const std::string name = p.name.substr(0, 127);
  sink.I8(static_cast<int8_t>(p.locked ? -static_cast<int>(name.size()) : static_cast<int>(name.size())));
  sink.I8(static_cast<int8_t>(group_id));
  sink.Chars(name, name.size());
  const size_t link = sink.size();
  sink.I16(0);  // patched below
  sink.I8(static_cast<int8_t>(p.type));
  if (p.dimensions.size() > 7) throw InvalidInput("C3D writer: parameter " + p.group + ":" + p.name + ": more than 7 dimensions");
  sink.U8(static_cast<uint8_t>(p.dimensions.size()));
  for (int d : p.dimensions) {
    if (d < 0 || d > 255) {  // one byte per dimension in the format
      throw InvalidInput("C3D writer: parameter " + p.group + ":" + p.name + ": dimension " + std::to_string(d) +
                         " exceeds the format's 255");
    }
    sink.U8(static_cast<uint8_t>(d));
  }
  if (p.type == C3dParameterType::kChar) {
    const size_t width = p.dimensions.empty() ? 1 : static_cast<size_t>(p.dimensions[0]);
    int64_t count = 1;
    for (int d : p.dimensions) count *= d;
    const size_t strings = width == 0 ? 0 : static_cast<size_t>(count) / width;
    for (size_t s = 0; s < strings; ++s) sink.Chars(s < p.strings.size() ? p.strings[s] : "", width);
  } else {
    for (double v : p.numbers) {
      if (p.type == C3dParameterType::kByte) sink.I8(static_cast<int8_t>(v));
      else if (p.type == C3dParameterType::kInt16) sink.I16(static_cast<int>(v));
      else sink.F32(static_cast<float>(v));
    }
  }
  const std::string description = p.description.substr(0, 255);
  sink.U8(static_cast<uint8_t>(description.size()));
  sink.Chars(description, description.size());
  if (!last) sink.PatchI16(link, static_cast<int>(sink.size() - link));
}

// The parameter's own group id when that group has its name (so the parameters of a second group
// of one name, as Vicon's two PROCESSING groups, stay in it), else the id of the first group of
// its name (parameters added here carry no id), else its id as stored (an orphan group).
int GroupIdOf(const std::vector<C3dGroup>& groups, const C3dParameter& p) {
  const auto own = std::find_if(groups.begin(), groups.end(), [&](const C3dGroup& g) { return g.id == p.group_id && g.name == p.group; });
  if (own != groups.end()) return own->id;
  const auto named = std::find_if(groups.begin(), groups.end(), [&](const C3dGroup& g) { return g.name == p.group; });
  return named != groups.end() ? named->id : p.group_id;
}

}  // namespace

void WriteC3d(const std::string& path, const C3dFile& file) {
  const size_t samples = static_cast<size_t>(file.frame_count) * static_cast<size_t>(file.point_count);
  const size_t analog_samples = static_cast<size_t>(file.frame_count) * static_cast<size_t>(file.analog_samples_per_frame);
  if (file.points.size() != 3 * samples || file.residuals.size() != samples ||
      file.analog.size() != analog_samples * static_cast<size_t>(file.analog_channel_count) ||
      file.point_labels.size() != static_cast<size_t>(file.point_count)) {
    throw InvalidInput(path + ": C3D writer: points, residuals, analog values and labels must match the counts");
  }
  std::vector<C3dGroup> groups = file.groups;
  std::vector<C3dParameter> parameters = file.parameters;
  auto ensure_group = [&](const std::string& name) {
    if (std::none_of(groups.begin(), groups.end(), [&](const C3dGroup& g) { return g.name == name; })) {
      int id = 1;  // not used by any group or orphan parameter
      for (const C3dGroup& g : groups) id = std::max(id, g.id + 1);
      for (const C3dParameter& p : parameters) id = std::max(id, p.group_id + 1);
      groups.push_back({id, name, "", false});
    }
  };
  for (const char* name : {"POINT", "ANALOG"}) ensure_group(name);
  const double scale = file.point_scale > 0 ? file.point_scale : 1.0;
  SetNumber(parameters, "POINT", "USED", C3dParameterType::kInt16, file.point_count);
  const bool integer = !file.float_storage;  // keep the source's storage: integer round trips exactly
  SetNumber(parameters, "POINT", "SCALE", C3dParameterType::kFloat, integer ? scale : -scale);
  SetNumber(parameters, "POINT", "RATE", C3dParameterType::kFloat, file.point_rate_hz);
  // An unsigned 16-bit count (stored signed); beyond 65,535 it reads 65,535 and TRIAL:ACTUAL_*
  // carries the count, as Vicon and ezc3d write it (ezc3d refuses a float POINT:FRAMES).
  const int64_t frames16 = std::min<int64_t>(file.frame_count, 65535);
  SetNumber(parameters, "POINT", "FRAMES", C3dParameterType::kInt16, frames16 <= 32767 ? frames16 : frames16 - 65536.0);
  SetStrings(parameters, "POINT", "LABELS", file.point_labels);
  if (!file.point_units.empty()) SetStrings(parameters, "POINT", "UNITS", {file.point_units});
  SetNumber(parameters, "ANALOG", "USED", C3dParameterType::kInt16, file.analog_channel_count);
  SetNumber(parameters, "ANALOG", "RATE", C3dParameterType::kFloat, file.analog_rate_hz);
  SetStrings(parameters, "ANALOG", "LABELS", file.analog_labels);
  const int64_t first_frame = std::max(0, file.first_frame);
  const int64_t last_frame = first_frame + file.frame_count - 1;
  if (static_cast<int64_t>(file.analog_channel_count) * file.analog_samples_per_frame > 65535) {
    throw InvalidInput(path + ": C3D writer: " + std::to_string(file.analog_channel_count) + " analog channels x " +
                       std::to_string(file.analog_samples_per_frame) + " samples per frame exceed the header's 16-bit word");
  }
  const bool has_trial_fields = file.Find("TRIAL", "ACTUAL_START_FIELD") != nullptr;
  if (last_frame > 65535 || has_trial_fields) {  // kept consistent with the data when present
    ensure_group("TRIAL");
    for (auto [name, value] : {std::pair<const char*, int64_t>{"ACTUAL_START_FIELD", first_frame}, {"ACTUAL_END_FIELD", last_frame}}) {
      C3dParameter* p = FindOrAdd(parameters, "TRIAL", name);
      p->type = C3dParameterType::kInt16;
      p->dimensions = {2};
      p->strings.clear();
      p->numbers = {static_cast<double>(static_cast<int16_t>(value & 0xffff)), static_cast<double>(static_cast<int16_t>(value >> 16))};
    }
  }
  SetNumber(parameters, "POINT", "DATA_START", C3dParameterType::kInt16, 0);  // patched once known

  // Parameter section, then the data start it implies.
  auto serialise = [&](int data_start_block) {
    for (C3dParameter& p : parameters) {
      if (p.group == "POINT" && p.name == "DATA_START") p.numbers = {static_cast<double>(data_start_block)};
    }
    Sink section;
    section.U8(1);
    section.U8(0x50);
    section.U8(0);  // block count, patched
    section.U8(84);  // Intel
    std::vector<std::pair<const C3dGroup*, const C3dParameter*>> records;
    for (const C3dGroup& g : groups) records.push_back({&g, nullptr});
    for (const C3dParameter& p : parameters) records.push_back({nullptr, &p});
    for (size_t r = 0; r < records.size(); ++r) {
      const bool last = r + 1 == records.size();
      if (records[r].first) {
        WriteGroupRecord(section, *records[r].first, last);
      } else {
        const C3dParameter& p = *records[r].second;
        WriteParameterRecord(section, p, GroupIdOf(groups, p), last);
      }
    }
    section.PadToBlock();
    section.bytes()[2] = static_cast<uint8_t>(section.size() / kBlockBytes);
    return section;
  };
  Sink section = serialise(0);
  const int data_start_block = 2 + static_cast<int>(section.size() / kBlockBytes);
  section = serialise(data_start_block);
  if (section.size() / kBlockBytes > 255) throw InvalidInput(path + ": C3D writer: parameter section over 255 blocks");

  Sink header;
  header.U8(2);
  header.U8(0x50);
  header.I16(file.point_count);
  header.I16(file.analog_channel_count * file.analog_samples_per_frame);
  header.I16(static_cast<int>(std::min<int64_t>(first_frame, 65535)));
  header.I16(static_cast<int>(std::min<int64_t>(last_frame, 65535)));
  header.I16(10);  // maximum interpolation gap
  header.F32(static_cast<float>(integer ? scale : -scale));
  header.I16(data_start_block);
  header.I16(file.analog_samples_per_frame);
  header.F32(static_cast<float>(file.point_rate_hz));
  while (header.size() < 2 * 149) header.U8(0);
  const int events = static_cast<int>(std::min<size_t>(file.header_events.size(), 18));
  header.I16(events > 0 ? 12345 : 0);
  header.I16(events);
  header.I16(0);
  for (int e = 0; e < 18; ++e) header.F32(e < events ? static_cast<float>(file.header_events[static_cast<size_t>(e)].time_s) : 0.0f);
  for (int e = 0; e < 18; ++e) header.U8(e < events && !file.header_events[static_cast<size_t>(e)].displayed ? 1 : 0);
  header.I16(0);
  for (int e = 0; e < 18; ++e) header.Chars(e < events ? file.header_events[static_cast<size_t>(e)].label : "", 4);
  header.PadToBlock();

  const C3dParameter* format = file.Find("ANALOG", "FORMAT");
  std::string format_text = format && !format->strings.empty() ? format->strings[0] : "";
  for (char& c : format_text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  while (!format_text.empty() && format_text.back() == ' ') format_text.pop_back();
  const bool unsigned_analog = format_text == "UNSIGNED";  // as the reader decides it
  std::vector<double> offset(static_cast<size_t>(file.analog_channel_count), 0.0);
  if (const C3dParameter* p = file.Find("ANALOG", "OFFSET")) {
    for (size_t i = 0; i < offset.size() && i < p->numbers.size(); ++i) offset[i] = unsigned_analog ? p->UnsignedAt(i) : p->numbers[i];
  }
  std::vector<double> analog_scale(static_cast<size_t>(file.analog_channel_count), 1.0);
  if (const C3dParameter* p = file.Find("ANALOG", "SCALE")) {
    for (size_t i = 0; i < analog_scale.size() && i < p->numbers.size(); ++i) analog_scale[i] = p->numbers[i];
  }
  const C3dParameter* general = file.Find("ANALOG", "GEN_SCALE");
  const double general_scale = general && !general->numbers.empty() ? general->numbers[0] : 1.0;

  // One stored word: a float, or an integer within [lo, hi] (else an error naming the value).
  auto put = [&](Sink& sink, double value, double lo, double hi, const char* what, int64_t frame) {
    if (!integer) {
      sink.F32(static_cast<float>(value));
      return;
    }
    const double rounded = std::round(value);
    if (!(rounded >= lo && rounded <= hi)) {
      throw InvalidInput(path + ": C3D writer: " + what + " at frame " + std::to_string(frame) + " is " +
                         std::to_string(value) + " storage steps, beyond 16-bit integer storage; write float storage");
    }
    sink.I16(static_cast<int>(rounded));
  };

  AtomicOutput output(path);
  {
    std::ofstream stream(output.temporary_path(), std::ios::binary);
    stream.write(reinterpret_cast<const char*>(header.bytes().data()), static_cast<std::streamsize>(header.size()));
    stream.write(reinterpret_cast<const char*>(section.bytes().data()), static_cast<std::streamsize>(section.size()));
    Sink frame;
    for (int64_t f = 0; f < file.frame_count; ++f) {
      frame.bytes().clear();
      for (int p = 0; p < file.point_count; ++p) {
        const size_t i = static_cast<size_t>(f) * static_cast<size_t>(file.point_count) + static_cast<size_t>(p);
        if (std::isnan(file.residuals[i]) || std::isnan(file.points[3 * i]) || std::isnan(file.points[3 * i + 1]) ||
            std::isnan(file.points[3 * i + 2])) {
          for (int k = 0; k < 3; ++k) put(frame, 0.0, 0, 0, "point", f);
          put(frame, -1.0, -1, -1, "residual", f);
          continue;
        }
        for (int k = 0; k < 3; ++k) {
          const double v = file.points[3 * i + static_cast<size_t>(k)];
          put(frame, integer ? v / scale : v, -32768, 32767, "a point coordinate", f);
        }
        const int residual = std::clamp(static_cast<int>(std::lround(file.residuals[i] / scale)), 0, 255);
        const int mask = i < file.camera_masks.size() ? file.camera_masks[i] : 0;
        put(frame, static_cast<double>((mask & 0x7f) << 8 | residual), 0, 32767, "a residual word", f);
      }
      for (int s = 0; s < file.analog_samples_per_frame; ++s) {
        for (int c = 0; c < file.analog_channel_count; ++c) {
          const size_t i = (static_cast<size_t>(f) * static_cast<size_t>(file.analog_samples_per_frame) + static_cast<size_t>(s)) *
                               static_cast<size_t>(file.analog_channel_count) + static_cast<size_t>(c);
          const double gain = analog_scale[static_cast<size_t>(c)] * general_scale;
          const double raw = gain != 0 ? file.analog[i] / gain + offset[static_cast<size_t>(c)] : file.analog[i];
          put(frame, raw, unsigned_analog ? 0 : -32768, unsigned_analog ? 65535 : 32767, "an analog sample", f);
        }
      }
      stream.write(reinterpret_cast<const char*>(frame.bytes().data()), static_cast<std::streamsize>(frame.size()));
    }
    const int64_t written = static_cast<int64_t>(stream.tellp());
    for (int64_t pad = (kBlockBytes - written % kBlockBytes) % kBlockBytes; pad > 0; --pad) stream.put('\0');
    if (!stream) throw InvalidInput(path + ": cannot write the C3D file (disk full?)");
  }
  output.Commit();
}

}  // namespace midstance
