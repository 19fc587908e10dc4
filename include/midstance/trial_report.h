#pragma once
// `midstance report RESULT.h5 [MORE.h5 ...] -o report.html`: the coach's report from result files
// of `midstance process` (format 0.5 or later). Per trial: warnings, the stance table, hip and
// knee curves over the stance (mean +- SD per side, mid-stance marked), the vertical GRF over the
// trial with foot strikes, mid-stances and toe-offs; across all trials: knee drive against force,
// scatter with the fitted line and every relationship's fit with its verdict.
#include <string>
#include <vector>

#include "midstance/html_report.h"

namespace midstance {

// Throws FileFormatError naming the file and the missing dataset for a file that is not a
// processed trial, InvalidInput for an empty list.
Report BuildTrialReport(const std::vector<std::string>& result_paths);

// BuildTrialReport rendered to html_path (written to a temporary name, then renamed), the files
// read once. With fits_csv_path, also the report's pooled relationships as CSV, one row per
// (knee-drive, force) pair: n, slope, intercept, r, the 95 % intervals, p, conclusive (0/1), verdict.
void WriteTrialReport(const std::vector<std::string>& result_paths, const std::string& html_path,
                      const std::string& fits_csv_path = "");

}  // namespace midstance
