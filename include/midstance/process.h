#pragma once
// `midstance process SESSION_DIR -o result.h5`: decode -> detect -> reconstruct -> HDF5.
#include <string>

#include "midstance/backend.h"

namespace midstance {

struct ProcessOptions {
  std::string session_folder;
  std::string output_path;
  ResolvedBackend backend;
  int batch_frames = 16;  // frames decoded per camera before detection runs on them
  std::string command_line;

  void Validate() const;
};

struct ProcessSummary {
  int frame_count = 0;
  int camera_count = 0;
  int64_t point_count = 0;
  int max_points_per_frame = 0;
  double decode_s = 0, detect_s = 0, reconstruct_s = 0, write_s = 0;
};

ProcessSummary ProcessSession(const ProcessOptions& options);

}  // namespace midstance
