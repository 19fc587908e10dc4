#include "midstance/truth.h"

#include <cmath>
#include <limits>

#include "midstance/error.h"
#include "midstance/hdf5_file.h"

namespace midstance {

TruthComparison CompareWithTruth(const std::string& result_path, const std::string& truth_path, double match_radius_m) {
  const Hdf5Reader result(result_path), truth(truth_path);
  std::vector<uint64_t> rdims, tdims;
  const std::vector<double> points = result.ReadDoubles("/markers/positions", &rdims);
  const std::vector<double> markers = truth.ReadDoubles("/markers/positions", &tdims);
  if (rdims.size() != 3 || tdims.size() != 3 || rdims[0] != tdims[0]) {
    throw FileFormatError(result_path, "/markers/positions", "as many frames as " + truth_path, "another shape");
  }
  const size_t frames = rdims[0], slots = rdims[1], true_markers = tdims[1];

  // Observable: drawn in at least two cameras.
  std::vector<int> drawn(frames * true_markers, 0);
  std::vector<std::string> camera_names;
  for (int c = 1; truth.Exists("/cameras/cam" + std::to_string(c) + "/centres_px"); ++c) {
    camera_names.push_back("cam" + std::to_string(c));
  }
  for (const std::string& camera : camera_names) {
    const std::vector<double> centres = truth.ReadDoubles("/cameras/" + camera + "/centres_px", nullptr);
    for (size_t i = 0; i < frames * true_markers; ++i) drawn[i] += std::isnan(centres[2 * i]) ? 0 : 1;
  }

  TruthComparison comparison;
  double sum2 = 0;
  for (size_t f = 0; f < frames; ++f) {
    std::vector<bool> taken(true_markers, false);
    for (size_t m = 0; m < true_markers; ++m) comparison.observable += drawn[f * true_markers + m] >= 2;
    for (size_t s = 0; s < slots; ++s) {
      const double* p = &points[(f * slots + s) * 3];
      if (std::isnan(p[0])) continue;
      ++comparison.reconstructed;
      size_t best = true_markers;
      double best_d = match_radius_m;
      for (size_t m = 0; m < true_markers; ++m) {
        const double* q = &markers[(f * true_markers + m) * 3];
        const double d = std::sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]));
        if (d < best_d) {
          best_d = d;
          best = m;
        }
      }
      if (best == true_markers || taken[best]) {
        ++comparison.ghosts;
        continue;
      }
      taken[best] = true;
      ++comparison.matched;
      sum2 += best_d * best_d;
      comparison.max_error_mm = std::max(comparison.max_error_mm, best_d * 1000);
    }
  }
  comparison.rms_error_mm = comparison.matched ? std::sqrt(sum2 / static_cast<double>(comparison.matched)) * 1000 : 0;
  return comparison;
}

}  // namespace midstance
