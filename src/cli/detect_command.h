#pragma once
// `midstance detect VIDEO -o centroids.csv`.
#include <string>

#include "midstance/backend.h"
#include "midstance/detection.h"

namespace midstance {

struct DetectCommandOptions {
  std::string video_path;
  std::string output_path;
  DetectOptions detect;
  int batch_frames = 32;
};

struct DetectCommandSummary {
  int frame_count = 0;
  int64_t blob_count = 0;
};

DetectCommandSummary RunDetectCommand(const DetectCommandOptions& options, Backend backend);

}  // namespace midstance
