#pragma once
// Centroids as CSV: header `frame,x,y,area,roundness`, one row per blob, frames from 0, pixel
// coordinates distorted with the origin at the centre of the top-left pixel (OpenCV).
#include <memory>
#include <string>
#include <vector>

#include "midstance/detection.h"

namespace midstance {

class CentroidCsvWriter {
 public:
  explicit CentroidCsvWriter(const std::string& path);
  ~CentroidCsvWriter();
  CentroidCsvWriter(const CentroidCsvWriter&) = delete;
  CentroidCsvWriter& operator=(const CentroidCsvWriter&) = delete;
  // Appends the blobs of a batch whose first frame is `first_frame`.
  void Append(int first_frame, const DetectedBlobs& blobs);
  void Commit();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads such a file back: per frame, its centroids.
std::vector<std::vector<Centroid2D>> ReadCentroidCsv(const std::string& path);

}  // namespace midstance
