#include "midstance/convert.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <set>
#include <sstream>

#include "midstance/atomic_output.h"
#include "midstance/error.h"
#include "midstance/file_names.h"
#include "midstance/hdf5_file.h"
#include "midstance/sha256.h"
#include "midstance/version.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

std::vector<double> ScaledToMetres(const std::vector<double>& values, double metres_per_unit) {
  std::vector<double> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i] * metres_per_unit;
  return out;
}

// C3D strings are bytes; JSON wants UTF-8. Each byte is taken as a Latin-1 code point, which
// round-trips exactly (bytes 0x80-0xFF become two-byte UTF-8 sequences and back).
std::string Latin1ToUtf8(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string Utf8ToLatin1(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xE0) == 0xC0 && i + 1 < text.size()) {
      out.push_back(static_cast<char>(((c & 0x1F) << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F)));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::vector<std::string> Latin1ToUtf8(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) out.push_back(Latin1ToUtf8(v));
  return out;
}

nlohmann::json ParameterJson(const C3dParameter& p) {
  nlohmann::json j = {{"type", static_cast<int>(p.type)}, {"dimensions", p.dimensions}, {"description", Latin1ToUtf8(p.description)},
                      {"locked", p.locked}, {"group_id", p.group_id}};
  if (p.type == C3dParameterType::kChar) {
    j["strings"] = Latin1ToUtf8(p.strings);
  } else {
    nlohmann::json numbers = nlohmann::json::array();
    for (double v : p.numbers) {  // JSON has no NaN or infinity: those go as strings
      if (std::isfinite(v)) numbers.push_back(v); else numbers.push_back(std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    }
    j["numbers"] = numbers;
  }
  return j;
}

// An attribute key per group id: its name, then "NAME#2", "NAME#3" ... for later groups of the
// same name.
std::map<int, std::string> UniqueGroupKeys(const std::vector<C3dGroup>& groups) {
  std::map<int, std::string> keys;
  std::map<std::string, int> seen;
  for (const C3dGroup& g : groups) {
    const int n = ++seen[g.name];
    keys[g.id] = n == 1 ? g.name : g.name + "#" + std::to_string(n);
  }
  return keys;
}

// n for a group key "NAME#n" (the n-th group of that name), 1 otherwise.
int DuplicateRank(const std::string& group_key) {
  const size_t hash = group_key.rfind('#');
  if (hash == std::string::npos || hash + 1 >= group_key.size()) return 1;
  const std::string digits = group_key.substr(hash + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 3) return 1;
  return std::stoi(digits);
}

std::string NameOfGroup(const std::vector<C3dGroup>& groups, int id) {
  for (const C3dGroup& g : groups) {
    if (g.id == id) return g.name;
  }
  return "";
}

}  // namespace

void WriteC3dAsHdf5(const std::string& path, const C3dFile& c3d) {
  Hdf5Writer h5(path);
  h5.SetAttribute("/", "format", std::string("midstance"));
  h5.SetAttribute("/", "format_version", std::string(kFormatVersion));
  h5.SetAttribute("/", "software_version", std::string(kSoftwareVersion));
  h5.SetAttribute("/", "kind", std::string("c3d trial"));
  h5.SetAttribute("/", "inputs", nlohmann::json::array({{{"path", c3d.path}, {"sha256", FileSha256(c3d.path)}}}).dump());
  WriteC3dContents(h5, c3d);
  h5.Commit();
}

void WriteC3dContents(Hdf5Writer& h5, const C3dFile& c3d) {
  const double metres = c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres();  // no units: mm, the norm
  const uint64_t frames = static_cast<uint64_t>(c3d.frame_count), markers = static_cast<uint64_t>(c3d.point_count);
  const uint64_t samples = frames * static_cast<uint64_t>(c3d.analog_samples_per_frame);
  h5.WriteDoubles("/markers/positions", {frames, markers, 3}, ScaledToMetres(c3d.points, metres), "m",
                  "marker positions, frames x markers x 3, the file's lab frame, NaN for missing samples");
  h5.WriteDoubles("/markers/residual", {frames, markers}, ScaledToMetres(c3d.residuals, metres), "m",
                  "C3D residual of each sample, NaN for missing samples");
  std::vector<int32_t> masks(c3d.camera_masks.begin(), c3d.camera_masks.end());
  h5.WriteInts("/markers/camera_mask", {frames, markers}, masks, "1", "C3D camera contribution mask of each sample");
  h5.WriteStrings("/markers/labels", c3d.point_labels, "marker labels in file order");
  h5.SetAttribute("/markers", "rate", c3d.point_rate_hz);
  h5.SetAttribute("/markers", "units", std::string("m"));
  h5.SetAttribute("/markers", "first_frame", static_cast<int64_t>(c3d.first_frame));
  std::vector<std::string> channel_units(static_cast<size_t>(c3d.analog_channel_count), "");
  if (const C3dParameter* units = c3d.Find("ANALOG", "UNITS")) {
    for (size_t c = 0; c < channel_units.size() && c < units->strings.size(); ++c) channel_units[c] = units->strings[c];
  }
  h5.WriteDoubles("/analog/values", {samples, static_cast<uint64_t>(c3d.analog_channel_count)}, c3d.analog,
                  "see channel_units", "analog samples x channels, scaled: (raw - OFFSET) * SCALE * GEN_SCALE");
  h5.WriteStrings("/analog/labels", c3d.analog_labels, "analog channel labels");
  h5.WriteStrings("/analog/channel_units", channel_units, "units of each analog channel (ANALOG:UNITS)");
  h5.SetAttribute("/analog", "rate", c3d.analog_rate_hz);
  std::vector<std::string> event_labels;
  std::vector<double> event_times;
  for (const C3dHeaderEvent& e : c3d.header_events) {
    event_labels.push_back(e.label);
    event_times.push_back(e.time_s);
  }
  std::vector<int32_t> event_displayed;
  for (const C3dHeaderEvent& e : c3d.header_events) event_displayed.push_back(e.displayed ? 1 : 0);
  h5.WriteInts("/events/header_displayed", {event_displayed.size()}, event_displayed, "1", "C3D header event display flags");
  h5.WriteStrings("/events/header_labels", event_labels, "C3D header event labels");
  h5.WriteDoubles("/events/header_times", {event_times.size()}, event_times, "s", "C3D header event times");
  const std::vector<C3dForcePlate> plates = c3d.ForcePlates();
  for (size_t p = 0; p < plates.size(); ++p) {
    const std::string g = "/forceplates/" + std::to_string(p);
    std::vector<double> corners;
    for (const auto& corner : plates[p].corners) {
      for (double v : corner) corners.push_back(v * metres);
    }
    h5.WriteDoubles(g + "/corners", {4, 3}, corners, "m", "plate corners 1-4 in the lab frame (FORCE_PLATFORM:CORNERS)");
    h5.WriteDoubles(g + "/origin", {3}, {plates[p].origin[0] * metres, plates[p].origin[1] * metres, plates[p].origin[2] * metres},
                    "m", "plate centre to sensor origin, plate frame, as the file stores it (FORCE_PLATFORM:ORIGIN)");
    h5.WriteInts(g + "/channels", {plates[p].channels.size()}, std::vector<int32_t>(plates[p].channels.begin(), plates[p].channels.end()),
                 "1", "1-based analog channels of the plate (FORCE_PLATFORM:CHANNEL)");
    h5.SetAttribute(g, "type", static_cast<int64_t>(plates[p].type));
    if (!plates[p].calibration.empty()) {
      h5.WriteDoubles(g + "/calibration", {plates[p].calibration.size()}, plates[p].calibration, "1",
                      "FORCE_PLATFORM:CAL_MATRIX of the plate as stored (column-major)");
    }
  }
  h5.CreateGroup("/c3d");
  h5.SetAttribute("/c3d", "processor", std::string(C3dProcessorName(c3d.processor)));
  h5.SetAttribute("/c3d", "storage", std::string(c3d.float_storage ? "float" : "integer"));
  h5.SetAttribute("/c3d", "point_units", c3d.point_units);
  h5.SetAttribute("/c3d", "point_scale", c3d.point_scale);
  h5.SetAttribute("/c3d", "first_frame", static_cast<int64_t>(c3d.first_frame));
  // Attribute names must be unique, and a file may hold two groups of one name (Vicon's two
  // PROCESSING groups, which the reader warned about): the second is keyed "PROCESSING#2" and
  // its JSON names the group as stored, so ReadC3dFromHdf5 restores both.
  const std::map<int, std::string> keys = UniqueGroupKeys(c3d.groups);
  std::set<std::string> used;
  for (const C3dGroup& g : c3d.groups) {
    nlohmann::json j = {{"id", g.id}, {"description", Latin1ToUtf8(g.description)}, {"locked", g.locked}};
    const std::string& key = keys.at(g.id);
    if (key != g.name) j["name"] = Latin1ToUtf8(g.name);
    h5.SetAttribute("/c3d", "group:" + key, j.dump());
  }
  for (const C3dParameter& p : c3d.parameters) {
    const auto own = keys.find(p.group_id);
    const std::string group_key = own != keys.end() && NameOfGroup(c3d.groups, p.group_id) == p.group ? own->second : p.group;
    std::string key = group_key + ":" + p.name;
    for (int k = 2; used.count(key) > 0; ++k) key = group_key + ":" + p.name + "#" + std::to_string(k);  // a repeated name
    used.insert(key);
    nlohmann::json j = ParameterJson(p);
    if (key != p.group + ":" + p.name) {
      j["group"] = Latin1ToUtf8(p.group);
      j["name"] = Latin1ToUtf8(p.name);
    }
    h5.SetAttribute("/c3d", key, j.dump());
  }
}

C3dFile ReadC3dFromHdf5(const std::string& path) {
  const Hdf5Reader h5(path);
  if (!h5.Exists("/c3d")) throw FileFormatError(path, "/c3d", "a C3D trial converted by midstance", "no /c3d group");
  C3dFile c3d;
  c3d.path = path;
  c3d.point_units = h5.ReadStringAttribute("/c3d", "point_units");
  c3d.point_scale = h5.ReadDoubleAttribute("/c3d", "point_scale");
  c3d.float_storage = h5.ReadStringAttribute("/c3d", "storage") == "float";
  const double metres = c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres();
  std::vector<uint64_t> dims;
  c3d.points = ScaledToMetres(h5.ReadDoubles("/markers/positions", &dims), 1.0 / metres);
  if (dims.size() != 3 || dims[2] != 3) throw FileFormatError(path, "/markers/positions", "frames x markers x 3", "another shape");
  c3d.frame_count = static_cast<int64_t>(dims[0]);
  c3d.point_count = static_cast<int>(dims[1]);
  c3d.residuals = ScaledToMetres(h5.ReadDoubles("/markers/residual", nullptr), 1.0 / metres);
  for (int32_t m : h5.ReadInts("/markers/camera_mask", nullptr)) c3d.camera_masks.push_back(static_cast<uint8_t>(m));
  c3d.point_labels = h5.ReadStrings("/markers/labels");
  c3d.point_rate_hz = h5.ReadDoubleAttribute("/markers", "rate");
  c3d.analog = h5.ReadDoubles("/analog/values", &dims);
  c3d.analog_channel_count = dims.size() == 2 ? static_cast<int>(dims[1]) : 0;
  c3d.analog_samples_per_frame = c3d.frame_count > 0 ? static_cast<int>(dims[0] / static_cast<uint64_t>(c3d.frame_count)) : 0;
  c3d.analog_labels = h5.ReadStrings("/analog/labels");
  c3d.analog_rate_hz = h5.ReadDoubleAttribute("/analog", "rate");
  const auto labels = h5.ReadStrings("/events/header_labels");
  const auto times = h5.ReadDoubles("/events/header_times", nullptr);
  const auto displayed = h5.Exists("/events/header_displayed") ? h5.ReadInts("/events/header_displayed", nullptr)
                                                                : std::vector<int32_t>(labels.size(), 1);
  for (size_t e = 0; e < labels.size() && e < times.size(); ++e) {
    c3d.header_events.push_back({labels[e], times[e], e >= displayed.size() || displayed[e] != 0});
  }
  std::vector<int> ranks;  // per parameter: 1, or n for a group keyed "NAME#n"
  for (const std::string& key : h5.AttributeNames("/c3d")) {
    const size_t colon = key.find(':');
    if (colon == std::string::npos) continue;
    const nlohmann::json j = nlohmann::json::parse(h5.ReadStringAttribute("/c3d", key), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw FileFormatError(path, "/c3d@" + key, "a JSON parameter", "unparsable text");
    if (key.compare(0, colon, "group") == 0) {  // "name" present when the key carries a "#2" suffix
      c3d.groups.push_back({j.value("id", 0), Utf8ToLatin1(j.value("name", key.substr(colon + 1))),
                            Utf8ToLatin1(j.value("description", "")), j.value("locked", false)});
      continue;
    }
    C3dParameter p;
    p.group = j.contains("group") ? Utf8ToLatin1(j.value("group", "")) : key.substr(0, colon);
    p.name = j.contains("name") ? Utf8ToLatin1(j.value("name", "")) : key.substr(colon + 1);
    p.type = static_cast<C3dParameterType>(j.value("type", -1));
    p.dimensions = j.value("dimensions", std::vector<int>{});
    p.description = Utf8ToLatin1(j.value("description", ""));
    p.locked = j.value("locked", false);
    p.group_id = j.value("group_id", 0);
    for (const nlohmann::json& v : j.value("numbers", nlohmann::json::array())) {
      if (v.is_number()) {
        p.numbers.push_back(v.get<double>());
      } else if (v.is_string()) {
        const std::string text = v.get<std::string>();
        p.numbers.push_back(text == "inf"    ? std::numeric_limits<double>::infinity()
                            : text == "-inf" ? -std::numeric_limits<double>::infinity()
                                             : std::numeric_limits<double>::quiet_NaN());
      } else {
        throw FileFormatError(path, "/c3d@" + key, "numbers", "another JSON type");
      }
    }
    for (const std::string& text : j.value("strings", std::vector<std::string>{})) p.strings.push_back(Utf8ToLatin1(text));
    c3d.parameters.push_back(p);
    ranks.push_back(DuplicateRank(key.substr(0, colon)));
  }
  // Attributes come back sorted by name, where "PROCESSING#2" precedes "PROCESSING": the first
  // group of a name goes first again, so lookups by name find what they found in the C3D.
  std::vector<size_t> order(c3d.parameters.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranks[a] < ranks[b]; });
  std::vector<C3dParameter> sorted;
  for (size_t i : order) sorted.push_back(std::move(c3d.parameters[i]));
  c3d.parameters = std::move(sorted);
  std::sort(c3d.groups.begin(), c3d.groups.end(), [](const C3dGroup& a, const C3dGroup& b) { return a.id < b.id; });
  c3d.first_frame = static_cast<int>(h5.ReadDoubleAttribute("/c3d", "first_frame") + 0.5);
  return c3d;
}

TrcFile TrcFromC3d(const C3dFile& c3d) {
  TrcFile trc;
  trc.name = fs::path(c3d.path).filename().replace_extension(".trc").string();
  trc.data_rate_hz = trc.camera_rate_hz = trc.orig_data_rate_hz = c3d.point_rate_hz;
  trc.units = c3d.point_units.empty() ? "mm" : c3d.point_units;
  trc.orig_data_start_frame = c3d.first_frame;
  trc.orig_num_frames = static_cast<int>(c3d.frame_count);
  trc.labels = c3d.point_labels;
  for (size_t m = 0; m < trc.labels.size(); ++m) {
    if (trc.labels[m].empty()) trc.labels[m] = "M" + std::to_string(m + 1);  // TRC columns need names
  }
  for (int64_t f = 0; f < c3d.frame_count; ++f) {
    trc.frame_numbers.push_back(static_cast<int>(c3d.first_frame + f));
    trc.time_s.push_back(c3d.point_rate_hz > 0 ? static_cast<double>(f) / c3d.point_rate_hz : 0.0);
  }
  trc.positions = c3d.points;
  return trc;
}

OpenSimTable AnalogTableFromC3d(const C3dFile& c3d) {
  OpenSimTable table;
  table.name = fs::path(c3d.path).filename().string() + " analog";
  table.columns.push_back("time");
  table.columns.insert(table.columns.end(), c3d.analog_labels.begin(), c3d.analog_labels.end());
  const size_t channels = static_cast<size_t>(c3d.analog_channel_count);
  const size_t samples = channels ? c3d.analog.size() / channels : 0;
  for (size_t s = 0; s < samples; ++s) {
    table.values.push_back(c3d.analog_rate_hz > 0 ? static_cast<double>(s) / c3d.analog_rate_hz : 0.0);
    table.values.insert(table.values.end(), c3d.analog.begin() + static_cast<ptrdiff_t>(s * channels),
                        c3d.analog.begin() + static_cast<ptrdiff_t>((s + 1) * channels));
  }
  return table;
}

namespace {

// A processing result's markers as a C3D trial in millimetres.
C3dFile C3dFromResult(const std::string& path) {
  const Hdf5Reader h5(path);
  if (!h5.Exists("/markers/positions")) throw InvalidInput(path + ": export: expected /markers/positions, got none");
  C3dFile c3d;
  c3d.path = path;
  std::vector<uint64_t> dims;
  const std::vector<double> metres = h5.ReadDoubles("/markers/positions", &dims);
  if (dims.size() != 3 || dims[2] != 3) throw FileFormatError(path, "/markers/positions", "frames x points x 3", "another shape");
  c3d.frame_count = static_cast<int64_t>(dims[0]);
  c3d.point_count = static_cast<int>(dims[1]);
  c3d.point_units = "mm";
  c3d.float_storage = true;  // reconstructed points: no integer grid to keep
  c3d.point_scale = 0.01;    // residual resolution in mm
  c3d.point_rate_hz = h5.ReadDoubleAttribute("/markers", "rate");
  c3d.points = ScaledToMetres(metres, 1000.0);
  c3d.residuals.assign(static_cast<size_t>(c3d.frame_count) * static_cast<size_t>(c3d.point_count), 0.0);
  for (size_t i = 0; i < c3d.residuals.size(); ++i) {
    if (std::isnan(c3d.points[3 * i])) c3d.residuals[i] = std::numeric_limits<double>::quiet_NaN();
  }
  if (h5.Exists("/markers/camera_mask")) {
    for (int32_t m : h5.ReadInts("/markers/camera_mask", nullptr)) c3d.camera_masks.push_back(static_cast<uint8_t>(m & 0x7f));
  } else {
    c3d.camera_masks.assign(c3d.residuals.size(), 0);
  }
  c3d.point_labels = h5.Exists("/markers/labels") ? h5.ReadStrings("/markers/labels") : std::vector<std::string>{};
  c3d.point_labels.resize(static_cast<size_t>(c3d.point_count));
  for (size_t p = 0; p < c3d.point_labels.size(); ++p) {
    if (c3d.point_labels[p].empty()) {
      const std::string number = std::to_string(p + 1);
      c3d.point_labels[p] = "P" + std::string(number.size() < 3 ? 3 - number.size() : 0, '0') + number;
    }
  }
  return c3d;
}

void WriteResultCsv(const std::string& path, const C3dFile& c3d) {
  AtomicOutput output(path);
  {
    std::FILE* file = std::fopen(output.temporary_path().c_str(), "w");
    if (!file) throw InvalidInput(path + ": cannot create the CSV file");
    std::fputs("frame,time_s,point,label,x_m,y_m,z_m\n", file);
    const double metres = c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres();
    for (int64_t f = 0; f < c3d.frame_count; ++f) {
      for (int p = 0; p < c3d.point_count; ++p) {
        const double* x = &c3d.points[3 * (static_cast<size_t>(f) * static_cast<size_t>(c3d.point_count) + static_cast<size_t>(p))];
        if (std::isnan(x[0])) continue;
        std::fprintf(file, "%lld,%.6f,%d,%s,%.9f,%.9f,%.9f\n", static_cast<long long>(f),
                     c3d.point_rate_hz > 0 ? static_cast<double>(f) / c3d.point_rate_hz : 0.0, p,
                     c3d.point_labels[static_cast<size_t>(p)].c_str(), x[0] * metres, x[1] * metres, x[2] * metres);
      }
    }
    const bool ok = std::fflush(file) == 0 && std::ferror(file) == 0;
    std::fclose(file);
    if (!ok) throw InvalidInput(path + ": cannot write the CSV file (disk full?)");
  }
  output.Commit();
}

// Foot strike / toe-off / mid-stance of a processed result as C3D events, labelled and placed in
// context the way Vicon Nexus writes them ("Foot Strike" / "Foot Off", "Left" / "Right").
std::vector<C3dEvent> EventsOfResult(const Hdf5Reader& h5) {
  std::vector<C3dEvent> events;
  const std::pair<const char*, const char*> kinds[] = {{"/events/foot_strike", "Foot Strike"}, {"/events/toe_off", "Foot Off"},
                                                       {"/events/mid_stance", "Mid Stance"}};
  for (const auto& [group, label] : kinds) {
    const std::vector<double> time = h5.ReadDoubles(std::string(group) + "/time", nullptr);
    const std::vector<std::string> side = h5.ReadStrings(std::string(group) + "/side");
    const std::vector<std::string> method = h5.ReadStrings(std::string(group) + "/method");
    for (size_t i = 0; i < time.size() && i < side.size(); ++i) {
      if (std::isnan(time[i])) continue;
      const std::string context = side[i] == "left" ? "Left" : side[i] == "right" ? "Right" : "General";
      events.push_back({label, context, "midstance: " + (i < method.size() ? method[i] : std::string()), time[i]});
    }
  }
  return events;
}

// The joints /kinematics holds and the TRC labels of their centres (Plug-in Gait's spelling).
struct KinematicJoint {
  const char* name;
  const char* centre_label;
};
constexpr KinematicJoint kKinematicJoints[] = {{"hip_left", "LHJC"},  {"hip_right", "RHJC"},  {"knee_left", "LKJC"},
                                               {"knee_right", "RKJC"}, {"ankle_left", "LAJC"}, {"ankle_right", "RAJC"}};

// False for results without a skeleton and for those where it was skipped (/kinematics@skipped).
bool HasKinematics(const Hdf5Reader& h5) { return h5.Exists("/kinematics/time"); }

// A [frames x 3] dataset, its shape checked: angles and centres line up with the frames.
std::vector<double> ReadFramesByThree(const Hdf5Reader& h5, const std::string& input, const std::string& path, size_t frames) {
  const std::string expected = std::to_string(frames) + " x 3 values";
  if (!h5.Exists(path)) throw FileFormatError(input, path, expected, "no such dataset");
  std::vector<uint64_t> dims;
  std::vector<double> values = h5.ReadDoubles(path, &dims);
  if (dims != std::vector<uint64_t>{frames, 3}) {
    std::string got;
    for (uint64_t d : dims) got += (got.empty() ? "" : " x ") + std::to_string(d);
    throw FileFormatError(input, path, expected, got.empty() ? "a scalar" : got);
  }
  return values;
}

// The three angle names of a joint dataset, from its "columns" attribute ("flexion, adduction, ...").
std::vector<std::string> AngleNames(const Hdf5Reader& h5, const std::string& input, const std::string& path) {
  const std::string text = h5.ReadStringAttribute(path, "columns");
  std::vector<std::string> names;
  std::istringstream stream(text);
  for (std::string name; std::getline(stream, name, ',');) {
    const size_t first = name.find_first_not_of(' ');
    names.push_back(first == std::string::npos ? "" : name.substr(first, name.find_last_not_of(' ') - first + 1));
  }
  if (names.size() != 3 || names[0].empty() || names[1].empty() || names[2].empty()) {
    throw FileFormatError(input, path + "@columns", "three angle names separated by ', '", "'" + text + "'");
  }
  return names;
}

// The MOT header's description of the angle columns: naming, signs, and the model's own words.
std::vector<std::pair<std::string, std::string>> KinematicsHeader(const Hdf5Reader& h5) {
  std::vector<std::pair<std::string, std::string>> header = {
      {"angles", "<joint>_<side>_<angle> from /kinematics/<joint>_<side>, deg; NaN where the skeleton was not solved"},
      {"signs", "flexion, adduction, internal rotation, dorsiflexion, inversion positive on both sides; "
                "knee flexion positive (OpenSim gait2392 knee_angle is its negative)"}};
  const std::vector<std::string> attributes = h5.AttributeNames("/kinematics");
  for (const char* key : {"model", "angle_convention"}) {
    if (std::find(attributes.begin(), attributes.end(), key) != attributes.end()) {
      header.emplace_back(key, h5.ReadStringAttribute("/kinematics", key));
    }
  }
  return header;
}

// The joint angles as an OpenSim motion, one column <joint>_<side>_<angle> per angle in degrees
// (hip_left_flexion ... ankle_right_internal_rotation), time from /kinematics/time.
// The names are our clinical ones on purpose, not OpenSim's coordinates (hip_flexion_l, knee_angle_l,
// ankle_angle_l, subtalar_angle_l): those are generalized coordinates of the OpenSim model's own
// segment frames, the knee's sign differs between its models (gait2392: knee_angle negative in
// flexion, range -120..10 deg), and ankle_angle / subtalar_angle turn about Inman's oblique axes,
// not the Grood & Suntay axes; matching names would let OpenSim drive a model with angles that
// are not its coordinates, silently. Signs: flexion, adduction, internal rotation, dorsiflexion
// and inversion positive on both sides (knee flexion positive). Frames the skeleton did not solve
// stay rows of NaN: OpenSim 4's table readers parse NaN (std::stod), but its tools do not
// interpolate over it, so gaps are the user's to trim or fill before OpenSim uses the file.
OpenSimTable KinematicsTable(const Hdf5Reader& h5, const std::string& input) {
  OpenSimTable table;
  table.name = fs::path(input).filename().string() + " joint angles (midstance)";
  table.in_degrees = true;
  table.columns = {"time"};
  const std::vector<double> time = h5.ReadDoubles("/kinematics/time", nullptr);
  std::vector<std::vector<double>> angles;
  for (const KinematicJoint& joint : kKinematicJoints) {
    const std::string path = std::string("/kinematics/") + joint.name;
    angles.push_back(ReadFramesByThree(h5, input, path, time.size()));
    for (const std::string& angle : AngleNames(h5, input, path)) table.columns.push_back(std::string(joint.name) + "_" + angle);
  }
  for (size_t f = 0; f < time.size(); ++f) {
    table.values.push_back(time[f]);
    for (const std::vector<double>& joint : angles) table.values.insert(table.values.end(), &joint[3 * f], &joint[3 * f] + 3);
  }
  table.header = KinematicsHeader(h5);
  return table;
}

// Appends the joint centres LHJC ... RAJC to `trc` as virtual markers, in the TRC's units.
void AppendJointCentres(const Hdf5Reader& h5, const std::string& input, double metres_per_unit, TrcFile* trc) {
  const size_t frames = trc->frame_count(), markers = trc->labels.size();
  std::vector<std::vector<double>> centres;
  for (const KinematicJoint& joint : kKinematicJoints) {
    centres.push_back(ReadFramesByThree(h5, input, std::string("/kinematics/joint_centres/") + joint.name, frames));
    const bool taken = std::find(trc->labels.begin(), trc->labels.end(), joint.centre_label) != trc->labels.end();
    trc->labels.push_back(std::string(joint.centre_label) + (taken ? "_midstance" : ""));  // TRC labels must be unique
  }
  std::vector<double> positions;
  positions.reserve(frames * trc->labels.size() * 3);
  for (size_t f = 0; f < frames; ++f) {
    const auto row = trc->positions.begin() + static_cast<ptrdiff_t>(f * markers * 3);
    positions.insert(positions.end(), row, row + static_cast<ptrdiff_t>(markers * 3));
    for (const std::vector<double>& centre : centres) {
      for (int i = 0; i < 3; ++i) positions.push_back(centre[3 * f + static_cast<size_t>(i)] / metres_per_unit);
    }
  }
  trc->positions = std::move(positions);
}

}  // namespace

void ExportResult(const std::string& input, const std::string& format, const std::string& output) {
  const Hdf5Reader h5(input);
  C3dFile c3d = h5.Exists("/c3d") ? ReadC3dFromHdf5(input) : C3dFromResult(input);
  if (h5.Exists("/events/foot_strike/time")) SetEvents(&c3d, EventsOfResult(h5));
  if (format == "c3d") {
    WriteC3d(output, c3d);
  } else if (format == "trc") {
    TrcFile trc = TrcFromC3d(c3d);
    if (HasKinematics(h5)) AppendJointCentres(h5, input, c3d.point_units.empty() ? 1e-3 : c3d.PointUnitsInMetres(), &trc);
    WriteTrc(output, trc);
  } else if (format == "csv") {
    WriteResultCsv(output, c3d);
  } else if (format == "mot") {
    if (HasKinematics(h5)) {
      WriteOpenSimTable(output, KinematicsTable(h5, input));
      return;
    }
    if (c3d.analog_channel_count == 0) {
      throw InvalidInput(input + ": export --to mot: expected joint angles (/kinematics) or analog channels (a converted C3D "
                                 "trial), got neither");
    }
    WriteOpenSimTable(output, AnalogTableFromC3d(c3d));
  } else {
    throw InvalidInput("export --to: expected c3d, trc, csv or mot, got '" + format + "'");
  }
}

C3dFile ReadC3dAndLogWarnings(const std::string& path, const C3dReadOptions& options) {
  C3dFile c3d = ReadC3d(path, options);
  for (const std::string& warning : c3d.warnings) spdlog::warn("{}", warning);
  return c3d;
}

void ConvertFile(const std::string& input, const std::string& output, const C3dReadOptions& options) {
  const std::string in = LowercaseExtension(input), out = LowercaseExtension(output);
  auto unsupported = [&] {
    throw InvalidInput("convert: " + input + " -> " + output +
                       ": expected .c3d -> .h5/.c3d/.trc/.mot/.sto, .h5 (converted C3D) -> .c3d/.trc, or .trc -> .trc");
  };
  if (in == ".c3d" || in == ".h5" || in == ".hdf5") {
    const C3dFile c3d = in == ".c3d" ? ReadC3dAndLogWarnings(input, options) : ReadC3dFromHdf5(input);
    if (out == ".h5" || out == ".hdf5") WriteC3dAsHdf5(output, c3d);
    else if (out == ".c3d") WriteC3d(output, c3d);
    else if (out == ".trc") WriteTrc(output, TrcFromC3d(c3d));
    else if (out == ".mot" || out == ".sto") WriteOpenSimTable(output, AnalogTableFromC3d(c3d));
    else unsupported();
  } else if (in == ".trc" && out == ".trc") {
    WriteTrc(output, ReadTrc(input));
  } else if ((in == ".mot" || in == ".sto") && (out == ".mot" || out == ".sto")) {
    WriteOpenSimTable(output, ReadOpenSimTable(input));
  } else {
    unsupported();
  }
}

}  // namespace midstance
