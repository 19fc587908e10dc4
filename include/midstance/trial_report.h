#pragma once
// `midstance report RESULT.h5 [MORE.h5 ...] -o report.html`: the coach's report from result files
// of `midstance process` (format 0.5 or later). Per trial: warnings, the stance table, hip and
// knee curves over the stance (mean +- SD per side, mid-stance marked), the vertical GRF over the
// trial with foot strikes, mid-stances and toe-offs; across all trials: knee drive against force,
// a scatter per leg with that leg's line, and every relationship with its verdict, which comes from
// the repeated-measures correlation over the trial-legs (relationship.h), never the pooled fit.
#include <string>
#include <vector>

#include "midstance/html_report.h"

namespace midstance {

// Throws FileFormatError naming the file and the missing dataset for a file that is not a
// processed trial, InvalidInput for an empty list.
Report BuildTrialReport(const std::vector<std::string>& result_paths);

// BuildTrialReport rendered to html_path (written to a temporary name, then renamed), the files
// read once. With fits_csv_path, also the report's relationships as CSV, one row per (knee-drive,
// force) pair: the pooled fit's n, slope, intercept, r, 95 % intervals and p; conclusive (0/1),
// verdict and verdict_source; left_* and right_* (each leg's fit); rm_* (repeated-measures
// correlation over the trial-legs) and lmm_* (random intercept per trial-leg, REML).
void WriteTrialReport(const std::vector<std::string>& result_paths, const std::string& html_path,
                      const std::string& fits_csv_path = "");

// Only the relationships CSV of WriteTrialReport (what `midstance process` writes next to the
// stance table as <output>.relationships.csv: one trial, its legs as the groups).
void WriteRelationshipsCsv(const std::vector<std::string>& result_paths, const std::string& csv_path);

}  // namespace midstance
