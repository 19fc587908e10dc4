#pragma once
// Camera calibration files in the TOML layout of anipose and Pose2Sim (one [cam_N] table per
// camera: name, size [w, h], matrix (3x3 K), distortions [k1 k2 p1 p2 k3], rotation
// (cam_from_world, Rodrigues vector in radians, or a 3x3 matrix), translation (cam_from_world,
// metres as Pose2Sim), plus midstance's `rate_hz`).
#include <string>
#include <vector>

#include "midstance/camera.h"

namespace midstance {

// Throws FileFormatError (unreadable, bad TOML, missing or mistyped field) or CalibrationError
// (NaN, singular or improper rotation, non-positive focal length), naming file and field.
std::vector<Camera> ReadCalibrationToml(const std::string& path);
// The same from the file's text already in memory; `name` stands for the file in errors (the
// fuzz target reads this way).
std::vector<Camera> ReadCalibrationTomlText(const std::string& name, const std::string& text);

// Writes atomically.
void WriteCalibrationToml(const std::string& path, const std::vector<Camera>& cameras);

// OpenCV FileStorage (.yml, .yaml, .xml, .json): a sequence `cameras` of maps with `name`,
// `image_width`, `image_height`, `camera_matrix` (3x3), `distortion_coefficients` (1x4 or 1x5,
// k1 k2 p1 p2 [k3]), `rotation` (cam_from_world, 3x1 Rodrigues or 3x3 matrix), `translation`
// (3x1, metres) and optionally `rate_hz`: the names of OpenCV's calibration samples.
std::vector<Camera> ReadCalibrationFileStorage(const std::string& path);
void WriteCalibrationFileStorage(const std::string& path, const std::vector<Camera>& cameras);

// By extension: .toml -> TOML, .yml/.yaml/.xml/.json -> FileStorage. Throws FileFormatError for
// any other extension.
std::vector<Camera> ReadCalibration(const std::string& path);
void WriteCalibration(const std::string& path, const std::vector<Camera>& cameras);

}  // namespace midstance
