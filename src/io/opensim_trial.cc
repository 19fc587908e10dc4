// OpenSim's TRC + GRF .mot read into the trial model (opensim_trial.h).
#include "midstance/opensim_trial.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "midstance/error.h"
#include "midstance/opensim_files.h"

namespace midstance {
namespace {

constexpr const char* kForceSuffix = "ground_force_vx";

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Side SideOfPrefix(const std::string& prefix) {
  const std::string p = Lower(prefix);
  if (p == "r_" || p == "right_" || p == "r" || p == "right") return Side::kRight;
  if (p == "l_" || p == "left_" || p == "l" || p == "left") return Side::kLeft;
  return Side::kUnknown;
}

double MetresPer(const std::string& units, const std::string& path) {
  // Some writers pad the Units field ("     mm" in OpenSim's own static_run.trc).
  std::string u = Lower(units);
  u.erase(0, u.find_first_not_of(" \t"));
  u.erase(u.find_last_not_of(" \t") + 1);
  if (u == "mm") return 1e-3;
  if (u == "cm") return 1e-2;
  if (u == "m") return 1.0;
  throw FileFormatError(path, "Units", "mm, cm or m", "'" + units + "'");
}

// The table's sampling rate from its time column; OpenSim writes evenly sampled tables, and an
// uneven one cannot be put on the analog clock without resampling.
double EvenRate(const OpenSimTable& table, const std::string& path) {
  const size_t rows = table.row_count(), cols = table.columns.size();
  if (rows < 2) throw FileFormatError(path, "rows", "at least 2 samples", std::to_string(rows));
  const double t0 = table.values[0], t1 = table.values[(rows - 1) * cols];
  const double step = (t1 - t0) / static_cast<double>(rows - 1);
  if (!(step > 0)) throw FileFormatError(path, "time", "increasing times", "a last time not after the first");
  for (size_t r = 1; r < rows; ++r) {
    const double dt = table.values[r * cols] - table.values[(r - 1) * cols];
    if (std::abs(dt - step) > 0.01 * step) {
      char got[96];
      std::snprintf(got, sizeof(got), "a step of %.6g s at row %zu (the mean step is %.6g s)", dt, r + 1, step);
      throw FileFormatError(path, "time", "evenly sampled times", got);
    }
  }
  return 1.0 / step;
}

GroundReaction SeriesOf(const OpenSimTable& table, const std::string& prefix, double rate_hz, double t0_s, const std::string& path) {
  GroundReaction g;
  g.name = prefix;
  g.side = SideOfPrefix(prefix);
  g.rate_hz = rate_hz;
  g.t0_s = t0_s;
  const std::vector<std::string> names = GroundReactionColumns(prefix);
  std::vector<int> columns;
  for (const std::string& name : names) {
    const int c = table.ColumnIndex(name);
    if (c < 0) throw FileFormatError(path, name, "the nine ExternalLoads columns of '" + prefix + "' forces", "the column missing");
    columns.push_back(c);
  }
  const size_t rows = table.row_count(), cols = table.columns.size();
  std::vector<double>* out[3] = {&g.force_n, &g.point_m, &g.torque_nm};
  for (size_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < 9; ++k) out[k / 3]->push_back(table.values[r * cols + static_cast<size_t>(columns[k])]);
  }
  return g;
}

}  // namespace

Trial TrialFromOpenSim(const std::string& trc_path, const std::string& grf_path) {
  const TrcFile trc = ReadTrc(trc_path);
  Trial trial;
  trial.format = grf_path.empty() ? "trc" : "trc+mot";
  trial.path = grf_path.empty() ? trc_path : trc_path + " + " + grf_path;
  trial.input_paths = {trc_path};
  MarkerTrajectories& m = trial.markers;
  m.file = trc_path;
  m.rate_hz = trc.data_rate_hz;
  m.frame_count = static_cast<int>(trc.frame_count());
  m.labels = trc.labels;
  const double unit = MetresPer(trc.units, trc_path);
  m.positions_m.resize(trc.positions.size());
  for (size_t i = 0; i < trc.positions.size(); ++i) m.positions_m[i] = trc.positions[i] * unit;
  if (const int64_t zeros = ZeroMarkersToNan(&m); zeros > 0) {
    trial.warnings.push_back(trc_path + ": " + std::to_string(zeros) + " marker samples stored as exactly (0, 0, 0): read as missing (NaN)");
  }
  if (grf_path.empty()) return trial;
  trial.input_paths.push_back(grf_path);
  const OpenSimTable table = ReadOpenSimTable(grf_path);
  const double rate = EvenRate(table, grf_path);
  const double trc_t0 = trc.time_s.empty() ? 0.0 : trc.time_s.front();
  const double t0 = table.values.front() - trc_t0;
  for (const std::string& column : table.columns) {
    const size_t at = column.size() >= std::string(kForceSuffix).size() ? column.size() - std::string(kForceSuffix).size() : std::string::npos;
    if (at == std::string::npos || column.compare(at, std::string::npos, kForceSuffix) != 0) continue;
    trial.ground_reactions.push_back(SeriesOf(table, column.substr(0, at), rate, t0, grf_path));
  }
  if (trial.ground_reactions.empty()) {
    throw FileFormatError(grf_path, "columns", "ground reaction forces in ExternalLoads' layout (<prefix>ground_force_vx ...)", "none");
  }
  return trial;
}

}  // namespace midstance
