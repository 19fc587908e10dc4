#pragma once
// A capture session folder (DESIGN.md, "Files a session uses"): session.toml names the
// calibration file and one video per camera, and carries the processing options.
//
//   [session]
//   name = "synthetic"
//   calibration = "calibration.toml"   # relative to the session folder
//   rate_hz = 250.0
//   [[cameras]]
//   name = "cam1"
//   video = "videos/cam1.mkv"
//   [detect]       # optional, DetectOptions fields
//   [reconstruct]  # optional, ReconstructOptions fields
#include <string>
#include <vector>

#include "midstance/camera.h"
#include "midstance/detection.h"
#include "midstance/reconstruction.h"

namespace midstance {

struct CameraFootage {
  std::string camera_name;
  std::string video_path;  // absolute or relative to the working directory (resolved)
};

struct SessionConfig {
  std::string folder;
  std::string session_file;      // path of session.toml
  std::string name;
  std::string calibration_path;  // resolved
  double rate_hz = 0;
  std::vector<CameraFootage> footage;
  DetectOptions detect;
  ReconstructOptions reconstruct;
  std::string toml_text;  // the session file as read, stored in the results
};

// Reads SESSION_DIR/session.toml. Throws FileFormatError / InvalidInput naming file and field.
SessionConfig ReadSession(const std::string& session_folder);
// The same from session.toml's text already in memory: `session_file` names it in errors and
// relative paths resolve against `session_folder` (the fuzz target reads this way).
SessionConfig ReadSessionText(const std::string& session_file, const std::string& text,
                              const std::string& session_folder);

// Writes session.toml into `folder` (atomically).
void WriteSession(const std::string& folder, const SessionConfig& session);

// The calibration's cameras in the session's order; throws CalibrationError naming the session
// file when a session camera is missing from the calibration. Sets each camera's rate.
std::vector<Camera> CamerasForSession(const SessionConfig& session, const std::vector<Camera>& calibration);

}  // namespace midstance
