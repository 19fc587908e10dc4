#pragma once
// Comparison of a result file with a synthetic session's truth.h5.
#include <string>

namespace midstance {

struct TruthComparison {
  int64_t reconstructed = 0;     // points in the result
  int64_t matched = 0;           // within the match radius of a true marker, one per marker
  int64_t ghosts = 0;            // reconstructed points matching no true marker
  int64_t observable = 0;        // true (frame, marker) samples drawn in at least 2 cameras
  double rms_error_mm = 0;       // over matched points
  double max_error_mm = 0;
  double ghost_fraction() const { return reconstructed ? static_cast<double>(ghosts) / reconstructed : 0.0; }
  double recall() const { return observable ? static_cast<double>(matched) / observable : 0.0; }
};

TruthComparison CompareWithTruth(const std::string& result_path, const std::string& truth_path,
                                 double match_radius_m = 0.01);

}  // namespace midstance
