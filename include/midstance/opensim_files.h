#pragma once
// OpenSim's text formats (opensim.stanford.edu, "Marker (.trc) Files" and "Storage (.sto) and
// Motion (.mot) Files"):
// - TRC: marker trajectories. Five header lines (PathFileType; the names and values of DataRate,
//   CameraRate, NumFrames, NumMarkers, Units, OrigDataRate, OrigDataStartFrame, OrigNumFrames;
//   "Frame# Time" then each marker label; X1 Y1 Z1 ...), a blank line, then one tab-separated row
//   per frame; missing coordinates are written NaN (or left empty by some tools).
// - STO / MOT: a header of "key value" or "key=value" lines ended by "endheader", a line of column
//   labels (the first is time) and rows of numbers separated by tabs or spaces.
#include <string>
#include <utility>
#include <vector>

namespace midstance {

struct TrcFile {
  std::string name;               // PathFileType's file name field
  double data_rate_hz = 0;
  double camera_rate_hz = 0;
  std::string units;              // "mm" or "m"
  double orig_data_rate_hz = 0;
  int orig_data_start_frame = 1;
  int orig_num_frames = 0;
  std::vector<std::string> labels;
  std::vector<int> frame_numbers;
  std::vector<double> time_s;
  std::vector<double> positions;  // [frame][marker][x y z], file units, NaN when missing

  size_t frame_count() const { return time_s.size(); }
};

// Throws FileFormatError naming the file and the line / field, also when the frame rows do not
// number NumFrames (a truncated file is refused, not read short).
TrcFile ReadTrc(const std::string& path);
// The same from the file's text already in memory; `name` stands for the file in errors (the
// fuzz target reads this way).
TrcFile ReadTrcText(const std::string& name, const std::string& text);
void WriteTrc(const std::string& path, const TrcFile& trc);

struct OpenSimTable {
  std::string name;
  std::vector<std::pair<std::string, std::string>> header;  // other header entries, in order
  bool in_degrees = false;
  std::vector<std::string> columns;  // columns[0] is "time"
  std::vector<double> values;        // [row][column]

  size_t row_count() const { return columns.empty() ? 0 : values.size() / columns.size(); }
  // Index of `column`, or -1.
  int ColumnIndex(const std::string& column) const;
};

// .sto and .mot alike. Throws FileFormatError naming the file and the line.
OpenSimTable ReadOpenSimTable(const std::string& path);
// The same from the file's text; `name` stands for the file in errors.
OpenSimTable ReadOpenSimTableText(const std::string& name, const std::string& text);
// Writes the version-1 header (name, version, nRows, nColumns, inDegrees, endheader).
void WriteOpenSimTable(const std::string& path, const OpenSimTable& table);

// The nine columns OpenSim's ExternalLoads reads for one applied force, in its order:
// <prefix>ground_force_vx vy vz (N), <prefix>ground_force_px py pz (point, m),
// <prefix>ground_torque_x y z (N m), e.g. prefix "r_", "l_" or "1_".
std::vector<std::string> GroundReactionColumns(const std::string& prefix);

// One applied ground reaction (a foot or a plate) sampled at the table's times, lab frame.
struct GroundReactionSeries {
  std::string prefix;              // column prefix, e.g. "r_", "l_", "1_"
  std::vector<double> force_n;     // [sample][x y z], force on the body, N
  std::vector<double> point_m;     // [sample][x y z], centre of pressure, m
  std::vector<double> torque_nm;   // [sample][x y z], free moment about the point, N m
};

// A table in ExternalLoads' layout: time, then the nine columns of each series. Samples with no
// defined centre of pressure (NaN) are written as zero force, point and torque: ExternalLoads
// cannot read NaN, and a zero force applies nothing. Throws InvalidInput on size mismatches.
OpenSimTable MakeGroundReactionTable(const std::vector<double>& time_s,
                                     const std::vector<GroundReactionSeries>& series);

}  // namespace midstance
