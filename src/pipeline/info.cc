#include "midstance/info.h"

#include <cmath>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <sstream>

#include "midstance/c3d.h"
#include "midstance/c3d_trial.h"
#include "midstance/calibration_io.h"
#include "midstance/convert.h"
#include "midstance/error.h"
#include "midstance/file_names.h"
#include "midstance/forceplate.h"
#include "midstance/hdf5_file.h"
#include "midstance/opensim_files.h"
#include "midstance/session.h"
#include "midstance/trial.h"
#include "midstance/video_reader.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

double Ms(double seconds) { return std::round(seconds * 1e4) / 10; }  // 0.1 ms

// One entry per stance: side, plates, events, contact time and its threshold sensitivity.
nlohmann::ordered_json StancesJson(const TrialAnalysis& a, const TrialOptions& options) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  const double t = options.contact.threshold_n, d = options.sensitivity_n;
  for (const Stance& s : a.stances) {
    nlohmann::ordered_json sensitivity;
    for (size_t k = 0; k < 3; ++k) {
      const double threshold = t + (static_cast<double>(k) - 1) * d;
      const double value = s.contact_time_by_threshold_s[k];
      sensitivity[std::to_string(static_cast<int>(threshold)) + "N"] = std::isnan(value) ? nlohmann::ordered_json() : nlohmann::ordered_json(Ms(value));
    }
    nlohmann::ordered_json plates = s.plates;
    for (auto& p : plates) p = p.get<int>() + 1;
    list.push_back({{"side", SideName(s.side)},
                    {"plates", plates},
                    {"foot_strike_s", s.events.strike_s},
                    {"toe_off_s", s.events.toe_off_s},
                    {"contact_ms", Ms(s.contact_time_s())},
                    {"contact_ms_by_threshold", sensitivity},
                    {"mid_stance_s", s.mid_stance.Time(MidStanceDefinition::kPeakVerticalForce)},
                    {"events", s.events.method},
                    {"status", s.clean ? std::string("clean") : "excluded: " + s.exclusion}});
  }
  return list;
}

nlohmann::ordered_json DescribeC3d(const std::string& path, const C3dReadOptions& read_options) {
  const C3dFile file = ReadC3d(path, read_options);  // warnings logged below, once
  nlohmann::ordered_json d = {{"kind", "c3d"},
                      {"path", path},
                      {"processor", C3dProcessorName(file.processor)},
                      {"storage", file.float_storage ? "float" : "integer"},
                      {"frames", file.frame_count},
                      {"first_frame", file.first_frame},
                      {"point_rate_hz", file.point_rate_hz},
                      {"duration_s", file.point_rate_hz > 0 ? static_cast<double>(file.frame_count) / file.point_rate_hz : 0.0},
                      {"points", file.point_count},
                      {"point_units", file.point_units},
                      {"point_labels", file.point_labels},
                      {"missing_point_samples", file.MissingPointSamples()},
                      {"analog_channels", file.analog_channel_count},
                      {"analog_rate_hz", file.analog_rate_hz},
                      {"analog_labels", file.analog_labels}};
  if (const C3dParameter* used = file.Find("FORCE_PLATFORM", "USED"); used && !used->numbers.empty()) {
    d["force_plates"] = static_cast<int>(used->numbers[0]);
    if (const C3dParameter* types = file.Find("FORCE_PLATFORM", "TYPE")) d["force_plate_types"] = types->numbers;
  }
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (const C3dHeaderEvent& e : file.header_events) events.push_back({{"label", e.label}, {"time_s", e.time_s}});
  d["header_events"] = events;
  if (const C3dParameter* used = file.Find("EVENT", "USED"); used && !used->numbers.empty()) {
    d["event_group_events"] = static_cast<int>(used->numbers[0]);
  }
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const C3dGroup& g : file.groups) groups.push_back(g.name);
  d["parameter_groups"] = groups;
  std::vector<std::string> warnings = file.warnings;
  std::vector<std::string> plate_warnings;  // quirks of the plates' description (FPCOPPOLY)
  if (!ForcePlatesFromC3d(file, &plate_warnings).empty()) {
    const TrialOptions options;
    const TrialAnalysis a = AnalyseTrialFile(path, options, {}, read_options);  // logs the file's warnings
    d["stances"] = StancesJson(a, options);
    d["sync_check"] = a.sync_check.message;
  } else {
    for (const std::string& w : warnings) spdlog::warn("{}", w);
    for (const std::string& w : plate_warnings) spdlog::warn("{}", w);
  }
  warnings.insert(warnings.end(), plate_warnings.begin(), plate_warnings.end());
  d["warnings"] = warnings;
  return d;
}

nlohmann::ordered_json DescribeTrc(const std::string& path) {
  const TrcFile trc = ReadTrc(path);
  int64_t missing = 0;
  for (size_t i = 0; i < trc.positions.size(); i += 3) missing += std::isnan(trc.positions[i]) ? 1 : 0;
  return {{"kind", "trc"}, {"path", path}, {"frames", trc.frame_count()}, {"data_rate_hz", trc.data_rate_hz},
          {"units", trc.units}, {"markers", trc.labels.size()}, {"marker_labels", trc.labels},
          {"missing_marker_samples", missing}};
}

nlohmann::ordered_json DescribeTable(const std::string& path) {
  const OpenSimTable table = ReadOpenSimTable(path);
  const size_t rows = table.row_count(), columns = table.columns.size();
  return {{"kind", LowercaseExtension(path).substr(1)}, {"path", path}, {"name", table.name}, {"rows", rows},
          {"columns", table.columns},
          {"time_range_s", rows ? nlohmann::ordered_json::array({table.values[0], table.values[(rows - 1) * columns]})
                                : nlohmann::ordered_json::array()},
          {"in_degrees", table.in_degrees}};
}

nlohmann::ordered_json DescribeSession(const std::string& folder) {
  const SessionConfig session = ReadSession(folder);
  const std::vector<Camera> cameras = CamerasForSession(session, ReadCalibration(session.calibration_path));
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t c = 0; c < cameras.size(); ++c) {
    const VideoReader video(session.footage[c].video_path);
    list.push_back({{"name", cameras[c].name},
                    {"video", session.footage[c].video_path},
                    {"resolution_px", {cameras[c].width_px, cameras[c].height_px}},
                    {"frames_announced", video.frame_count()}});
  }
  return {{"kind", "session"}, {"path", folder}, {"name", session.name}, {"rate_hz", session.rate_hz},
          {"calibration", session.calibration_path}, {"cameras", list}};
}

nlohmann::ordered_json StancesFromResult(const Hdf5Reader& h5) {
  const auto side = h5.ReadStrings("/stances/side"), plates = h5.ReadStrings("/stances/plates");
  const auto exclusion = h5.ReadStrings("/stances/exclusion");
  const auto strike = h5.ReadDoubles("/stances/foot_strike_time", nullptr), toe_off = h5.ReadDoubles("/stances/toe_off_time", nullptr);
  const auto by_threshold = h5.ReadDoubles("/stances/contact_time_by_threshold", nullptr);
  const auto mid = h5.ReadDoubles("/stances/mid_stance/peak_vertical_force", nullptr);
  const auto thresholds = nlohmann::json::parse(h5.ReadStringAttribute("/stances/contact_time_by_threshold", "thresholds_n"));
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < side.size(); ++i) {
    nlohmann::ordered_json sensitivity;
    for (size_t k = 0; k < 3; ++k) {
      const double value = by_threshold[3 * i + k];
      sensitivity[std::to_string(thresholds[k].get<int>()) + "N"] = std::isnan(value) ? nlohmann::ordered_json() : nlohmann::ordered_json(Ms(value));
    }
    list.push_back({{"side", side[i]}, {"plates", plates[i]}, {"foot_strike_s", strike[i]}, {"toe_off_s", toe_off[i]},
                    {"contact_ms", Ms(toe_off[i] - strike[i])}, {"contact_ms_by_threshold", sensitivity},
                    {"mid_stance_s", mid[i]}, {"status", exclusion[i].empty() ? std::string("clean") : "excluded: " + exclusion[i]}});
  }
  return list;
}

nlohmann::ordered_json DescribeResult(const std::string& path) {
  const Hdf5Reader h5(path);
  nlohmann::ordered_json d = {{"kind", "midstance result"}, {"path", path}};
  for (const char* attribute : {"format", "format_version", "software_version", "created", "backend"}) {
    try {
      d[attribute] = h5.ReadStringAttribute("/", attribute);
    } catch (const FileFormatError&) {
      d[attribute] = nullptr;
    }
  }
  if (h5.Exists("/markers/positions")) {
    std::vector<uint64_t> dims;
    const std::vector<double> positions = h5.ReadDoubles("/markers/positions", &dims);
    int64_t points = 0;
    for (size_t i = 0; i < positions.size(); i += 3) points += std::isnan(positions[i]) ? 0 : 1;
    d["frames"] = dims.empty() ? 0 : dims[0];
    d["point_slots"] = dims.size() > 1 ? dims[1] : 0;
    d["points"] = points;
  }
  if (h5.Exists("/stances/side")) d["stances"] = StancesFromResult(h5);
  return d;
}

}  // namespace

nlohmann::ordered_json DescribePath(const std::string& path, const C3dReadOptions& c3d_options) {
  if (fs::is_directory(path)) return DescribeSession(path);
  const std::string extension = LowercaseExtension(path);
  if (extension == ".c3d") return DescribeC3d(path, c3d_options);
  if (extension == ".h5" || extension == ".hdf5") return DescribeResult(path);
  if (extension == ".trc") return DescribeTrc(path);
  if (extension == ".mot" || extension == ".sto") return DescribeTable(path);
  if (!fs::exists(path)) throw FileFormatError(path, "file", "an existing file or session folder", "no such file");
  throw InvalidInput(path + ": info: expected a .c3d, .trc, .mot, .sto or .h5 file or a session folder, got '" + extension + "'");
}

std::string FormatDescription(const nlohmann::ordered_json& description) {
  std::ostringstream out;
  for (const auto& [key, value] : description.items()) {
    out << "  " << key << std::string(key.size() < 22 ? 22 - key.size() : 1, ' ');
    if (value.is_string()) {
      out << value.get<std::string>();
    } else if (value.is_array() && !value.empty() && value[0].is_object()) {
      out << value.size() << " entries";
      for (const auto& entry : value) out << "\n    " << entry.dump();
    } else {
      out << value.dump();
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace midstance
