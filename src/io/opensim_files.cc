#include "midstance/opensim_files.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "midstance/atomic_output.h"
#include "midstance/error.h"
#include "midstance/one_line.h"

namespace midstance {
namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream stream(line);
  while (std::getline(stream, field, '\t')) fields.push_back(field);
  if (!line.empty() && line.back() == '\t') fields.push_back("");
  return fields;
}

std::vector<std::string> SplitWhitespace(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream stream(line);
  for (std::string field; stream >> field;) fields.push_back(field);
  return fields;
}

std::string StripCr(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// At most 40 characters of `text`, quoted, on one line: errors quote the file's own text, which
// may hold stray carriage returns, NUL or other control bytes (shown as '?'), or be a whole line.
std::string Excerpt(const std::string& text) {
  std::string excerpt = OneLine(text.substr(0, 40));
  for (char& c : excerpt) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return "'" + excerpt + "'";
}

// A number, "NaN"/"nan", or an empty field (missing, as some tools write it).
double ParseNumber(const std::string& text, const std::string& path, int line, const std::string& what) {
  if (text.empty() || text == "NaN" || text == "nan" || text == "-nan") return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  // The end is compared with the string's size, not with '\0': a NUL byte inside the field would
  // otherwise hide whatever follows it.
  if (end == text.c_str() || end != text.c_str() + text.size()) {
    throw FileFormatError(path, "line " + std::to_string(line) + " " + what, "a number", Excerpt(text));
  }
  return value;
}

// A whole number within int range (frame numbers and counts), else an error naming the field.
int ParseWhole(const std::string& text, const std::string& path, int line, const std::string& what) {
  const double value = ParseNumber(text, path, line, what);
  if (!std::isfinite(value) || value != std::floor(value) || std::fabs(value) > 2147483647.0) {
    throw FileFormatError(path, "line " + std::to_string(line) + " " + what, "a whole number", Excerpt(text));
  }
  return static_cast<int>(value);
}

std::string ReadText(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileFormatError(path, "file", "a readable text file", "no such file or unreadable");
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

std::string NumberText(double value) {
  if (std::isnan(value)) return "NaN";
  char text[32];
  std::snprintf(text, sizeof(text), "%.10g", value);
  return text;
}

// Short rows are padded with NaN (tools that leave trailing markers out), but a row of a few
// bytes must not stand for megabytes of NaN: padding is bounded by the file's size, so memory
// stays proportional to the input (64 coordinates per byte: a 3-byte row "1\t0" missing 44
// markers is 44 per byte).
constexpr size_t kMaxPaddedCoordinatesPerByte = 64;

// Lines 1-4: the header and the marker labels. Returns NumFrames.
int ReadTrcHeader(const std::vector<std::string>& lines, const std::string& path, TrcFile* trc) {
  if (lines.size() < 5 || lines[0].rfind("PathFileType", 0) != 0) {
    throw FileFormatError(path, "line 1", "a TRC header starting with PathFileType", lines.empty() ? "an empty file" : Excerpt(lines[0]));
  }
  const auto path_fields = SplitTabs(lines[0]);
  trc->name = path_fields.size() > 3 ? path_fields[3] : "";
  const auto keys = SplitTabs(lines[1]);
  const auto values = SplitTabs(lines[2]);
  auto value_of = [&](const std::string& key) -> std::string {
    for (size_t i = 0; i < keys.size() && i < values.size(); ++i) {
      if (keys[i] == key) return values[i];
    }
    throw FileFormatError(path, "line 2-3 " + key, "a value for " + key, "nothing");
  };
  trc->data_rate_hz = ParseNumber(value_of("DataRate"), path, 3, "DataRate");
  trc->camera_rate_hz = ParseNumber(value_of("CameraRate"), path, 3, "CameraRate");
  const int frames = ParseWhole(value_of("NumFrames"), path, 3, "NumFrames");
  const int markers = ParseWhole(value_of("NumMarkers"), path, 3, "NumMarkers");
  trc->units = value_of("Units");
  trc->orig_data_rate_hz = ParseNumber(value_of("OrigDataRate"), path, 3, "OrigDataRate");
  trc->orig_data_start_frame = ParseWhole(value_of("OrigDataStartFrame"), path, 3, "OrigDataStartFrame");
  trc->orig_num_frames = ParseWhole(value_of("OrigNumFrames"), path, 3, "OrigNumFrames");
  if (!(markers >= 0 && markers < 100000) || !(frames >= 0)) {
    throw FileFormatError(path, "line 3 NumMarkers / NumFrames", "counts >= 0", std::to_string(markers) + " / " + std::to_string(frames));
  }
  for (const std::string& field : SplitTabs(lines[3])) {
    if (!field.empty() && field != "Frame#" && field != "Time") trc->labels.push_back(field);
  }
  if (trc->labels.size() != static_cast<size_t>(markers)) {
    throw FileFormatError(path, "line 4 marker labels", std::to_string(markers) + " labels (NumMarkers)",
                          std::to_string(trc->labels.size()));
  }
  return frames;
}

// Line 6 on: one row per frame, blank lines skipped.
void ReadTrcRows(const std::vector<std::string>& lines, const std::string& path, size_t text_size, TrcFile* trc) {
  const size_t columns = 2 + 3 * trc->labels.size();
  const size_t max_padded = kMaxPaddedCoordinatesPerByte * text_size;
  size_t padded = 0;
  for (size_t l = 5; l < lines.size(); ++l) {
    if (lines[l].find_first_not_of(" \t") == std::string::npos) continue;
    const int line = static_cast<int>(l + 1);
    const auto fields = SplitTabs(lines[l]);
    if (fields.size() < 2) throw FileFormatError(path, "line " + std::to_string(line), "Frame# and Time", Excerpt(lines[l]));
    padded += columns > fields.size() ? columns - fields.size() : 0;
    if (padded > max_padded) {
      throw FileFormatError(path, "line " + std::to_string(line),
                            std::to_string(columns) + " fields (Frame#, Time, X Y Z per marker; short rows are padded with NaN up to " +
                                std::to_string(kMaxPaddedCoordinatesPerByte) + " per byte of the file)",
                            std::to_string(fields.size()) + " fields, past that bound");
    }
    trc->frame_numbers.push_back(ParseWhole(fields[0], path, line, "Frame#"));
    trc->time_s.push_back(ParseNumber(fields[1], path, line, "Time"));
    for (size_t c = 2; c < columns; ++c) {
      trc->positions.push_back(c < fields.size() ? ParseNumber(fields[c], path, line, "coordinate")
                                                 : std::numeric_limits<double>::quiet_NaN());
    }
  }
}

}  // namespace

TrcFile ReadTrcText(const std::string& name, const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(StripCr(line));
  TrcFile trc;
  const int frames = ReadTrcHeader(lines, name, &trc);
  ReadTrcRows(lines, name, text.size(), &trc);
  // Rows and NumFrames must agree. Fewer rows mean a truncated file (an interrupted copy or
  // export) or a wrong header, and the reader cannot tell which: reading what is there would
  // hand a shorter trial to every later stage (events, stances, report) with nothing but a log
  // line to say so. Refusing names the mismatch; a user who trusts the rows fixes one number.
  // More rows than promised are refused for the same reason.
  if (trc.frame_count() != static_cast<size_t>(frames)) {
    throw FileFormatError(name, "NumFrames (line 3)", std::to_string(frames) + " frame rows", std::to_string(trc.frame_count()));
  }
  return trc;
}

TrcFile ReadTrc(const std::string& path) { return ReadTrcText(path, ReadText(path)); }

void WriteTrc(const std::string& path, const TrcFile& trc) {
  const size_t markers = trc.labels.size();
  if (trc.positions.size() != trc.frame_count() * markers * 3 || trc.frame_numbers.size() != trc.frame_count()) {
    throw InvalidInput(path + ": TRC writer: positions, frame numbers and times must match the counts");
  }
  AtomicOutput output(path);
  {
    std::ofstream out(output.temporary_path());
    out << "PathFileType\t4\t(X/Y/Z)\t" << (trc.name.empty() ? path : trc.name) << "\n";
    out << "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n";
    out << NumberText(trc.data_rate_hz) << "\t" << NumberText(trc.camera_rate_hz) << "\t" << trc.frame_count() << "\t"
        << markers << "\t" << trc.units << "\t" << NumberText(trc.orig_data_rate_hz) << "\t" << trc.orig_data_start_frame
        << "\t" << trc.orig_num_frames << "\n";
    out << "Frame#\tTime";
    for (const std::string& label : trc.labels) out << "\t" << label << "\t\t";
    out << "\n\t";
    for (size_t m = 1; m <= markers; ++m) out << "\tX" << m << "\tY" << m << "\tZ" << m;
    out << "\n\n";
    for (size_t f = 0; f < trc.frame_count(); ++f) {
      out << trc.frame_numbers[f] << "\t" << NumberText(trc.time_s[f]);
      for (size_t i = 0; i < 3 * markers; ++i) out << "\t" << NumberText(trc.positions[f * 3 * markers + i]);
      out << "\n";
    }
    if (!out) throw InvalidInput(path + ": cannot write the TRC file");
  }
  output.Commit();
}

int OpenSimTable::ColumnIndex(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return static_cast<int>(i);
  }
  return -1;
}

OpenSimTable ReadOpenSimTable(const std::string& path) { return ReadOpenSimTableText(path, ReadText(path)); }

OpenSimTable ReadOpenSimTableText(const std::string& path, const std::string& text) {
  std::istringstream stream(text);
  OpenSimTable table;
  std::string line;
  int number = 0;
  bool header_ended = false;
  while (std::getline(stream, line)) {
    ++number;
    line = StripCr(line);
    const std::string trimmed = line.substr(0, line.find_last_not_of(" \t") + 1);
    if (trimmed == "endheader") {
      header_ended = true;
      break;
    }
    if (trimmed.empty()) continue;
    const size_t equals = trimmed.find('=');
    std::string key, value;
    if (equals != std::string::npos) {
      key = trimmed.substr(0, equals);
      value = trimmed.substr(equals + 1);
    } else {
      const size_t space = trimmed.find_first_of(" \t");
      key = trimmed.substr(0, space);
      value = space == std::string::npos ? "" : trimmed.substr(trimmed.find_first_not_of(" \t", space));
    }
    if (number == 1 && equals == std::string::npos && key != "name") {
      table.name = trimmed;  // old files: the first line is the name itself
    } else if (key == "name") {
      table.name = value;
    } else if (key == "inDegrees") {
      table.in_degrees = value == "yes";
    } else if (key != "version" && key != "nRows" && key != "nColumns" && key != "datarows" && key != "datacolumns") {
      table.header.emplace_back(key, value);
    }
  }
  if (!header_ended) throw FileFormatError(path, "header", "a header ended by 'endheader'", "no endheader line");
  while (std::getline(stream, line)) {
    ++number;
    table.columns = SplitWhitespace(StripCr(line));
    if (!table.columns.empty()) break;
  }
  if (table.columns.empty()) throw FileFormatError(path, "line " + std::to_string(number), "column labels", "nothing");
  while (std::getline(stream, line)) {
    ++number;
    const auto fields = SplitWhitespace(StripCr(line));
    if (fields.empty()) continue;
    if (fields.size() != table.columns.size()) {
      throw FileFormatError(path, "line " + std::to_string(number), std::to_string(table.columns.size()) + " values",
                            std::to_string(fields.size()));
    }
    for (const std::string& field : fields) table.values.push_back(ParseNumber(field, path, number, "value"));
  }
  return table;
}

void WriteOpenSimTable(const std::string& path, const OpenSimTable& table) {
  if (table.columns.empty() || table.values.size() % table.columns.size() != 0) {
    throw InvalidInput(path + ": table writer: values must fill whole rows of the columns");
  }
  AtomicOutput output(path);
  {
    std::ofstream out(output.temporary_path());
    out << (table.name.empty() ? "midstance" : table.name) << "\nversion=1\nnRows=" << table.row_count()
        << "\nnColumns=" << table.columns.size() << "\ninDegrees=" << (table.in_degrees ? "yes" : "no") << "\n";
    for (const auto& [key, value] : table.header) out << key << "=" << value << "\n";
    out << "endheader\n";
    for (size_t c = 0; c < table.columns.size(); ++c) out << (c ? "\t" : "") << table.columns[c];
    out << "\n";
    for (size_t r = 0; r < table.row_count(); ++r) {
      for (size_t c = 0; c < table.columns.size(); ++c) out << (c ? "\t" : "") << NumberText(table.values[r * table.columns.size() + c]);
      out << "\n";
    }
    if (!out) throw InvalidInput(path + ": cannot write the table");
  }
  output.Commit();
}

std::vector<std::string> GroundReactionColumns(const std::string& prefix) {
  return {prefix + "ground_force_vx", prefix + "ground_force_vy", prefix + "ground_force_vz",
          prefix + "ground_force_px", prefix + "ground_force_py", prefix + "ground_force_pz",
          prefix + "ground_torque_x", prefix + "ground_torque_y", prefix + "ground_torque_z"};
}

}  // namespace midstance

namespace midstance {

OpenSimTable MakeGroundReactionTable(const std::vector<double>& time_s,
                                     const std::vector<GroundReactionSeries>& series) {
  OpenSimTable table;
  table.name = "ground reaction forces (midstance)";
  table.columns = {"time"};
  const size_t samples = time_s.size();
  for (const GroundReactionSeries& s : series) {
    if (s.force_n.size() != 3 * samples || s.point_m.size() != 3 * samples || s.torque_nm.size() != 3 * samples) {
      throw InvalidInput("ground reaction table: series '" + s.prefix + "': expected 3 x " + std::to_string(samples) +
                         " values for force, point and torque");
    }
    const auto columns = GroundReactionColumns(s.prefix);
    table.columns.insert(table.columns.end(), columns.begin(), columns.end());
  }
  for (size_t i = 0; i < samples; ++i) {
    table.values.push_back(time_s[i]);
    for (const GroundReactionSeries& s : series) {
      bool defined = true;
      for (size_t k = 0; k < 3; ++k) {
        defined = defined && std::isfinite(s.force_n[3 * i + k]) && std::isfinite(s.point_m[3 * i + k]) &&
                  std::isfinite(s.torque_nm[3 * i + k]);
      }
      for (const std::vector<double>* v : {&s.force_n, &s.point_m, &s.torque_nm}) {
        for (size_t k = 0; k < 3; ++k) table.values.push_back(defined ? (*v)[3 * i + k] : 0.0);
      }
    }
  }
  table.header.emplace_back("units", "N, m, N m");
  return table;
}

}  // namespace midstance
