#pragma once
// Synthetic capture sessions with known truth (`midstance synth`): a ring of cameras with
// realistic lenses filming 14 mm retroreflective markers on two articulated legs walking through
// a ~4 x 2 x 2 m volume (lab frame: X progression, Z up, metres).
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "midstance/camera.h"

namespace midstance {

struct SynthOptions {
  int camera_count = 8;
  int width_px = 1280;
  int height_px = 1024;
  double rate_hz = 250.0;
  double duration_s = 2.0;
  double marker_diameter_m = 0.014;
  double read_noise_dn = 0.5;        // sensor read noise, grey levels (0 = noise-free render)
  double shot_noise_gain = 0.1;      // shot-noise variance per grey level of signal
  double psf_sigma_px = 0.65;        // optical blur + pixel integration of the disc edge
  double occlusion_fraction = 0.04;  // share of (camera, marker, frame) samples hidden
  int reflections_per_camera = 2;    // static reflections: one streak, one round spot
  uint64_t seed = 1;

  void Validate() const;
};

struct StaticReflection {
  Eigen::Vector2d centre_px;
  double major_px = 0, minor_px = 0, angle_rad = 0, peak_dn = 0;
};

struct SyntheticScene {
  SynthOptions options;
  std::vector<Camera> cameras;
  std::vector<std::string> marker_names;
  int frame_count = 0;
  std::vector<Eigen::Vector3d> positions_m;  // frame-major: [frame * markers + marker], world
  std::vector<double> marker_peak_dn;        // brightness of each marker
  std::vector<uint8_t> occluded;             // [(camera * frames + frame) * markers + marker]
  std::vector<std::vector<StaticReflection>> reflections;  // per camera

  int marker_count() const { return static_cast<int>(marker_names.size()); }
  const Eigen::Vector3d& Position(int frame, int marker) const {
    return positions_m[static_cast<size_t>(frame) * marker_names.size() + static_cast<size_t>(marker)];
  }
  bool Occluded(int camera, int frame, int marker) const {
    return occluded[(static_cast<size_t>(camera) * frame_count + static_cast<size_t>(frame)) * marker_names.size() +
                    static_cast<size_t>(marker)] != 0;
  }
};

// Camera ring and marker motion (deterministic for a given seed).
SyntheticScene MakeScene(const SynthOptions& options);

// The camera ring alone (used by tests and benchmarks that need realistic cameras).
std::vector<Camera> MakeCameraRing(const SynthOptions& options);

// Renders frame `frame` of camera `camera` into `pixels` (width * height, 8-bit grey). Fills
// `centres_px` (2 per marker) with the true distorted image centre of each marker drawn, NaN for
// markers not drawn (occluded, behind the camera, or centre outside the image).
void RenderFrame(const SyntheticScene& scene, int camera, int frame, uint8_t* pixels,
                 std::vector<double>* centres_px);

// Draws one marker image (blurred disc) additively; exposed for detection tests.
void DrawBlurredDisc(uint8_t* pixels, int width, int height, double centre_x, double centre_y,
                     double radius_px, double peak_dn, double psf_sigma_px);

struct SynthSummary {
  std::string session_folder;
  int frame_count = 0;
  int camera_count = 0;
  int marker_count = 0;
};

// Writes a whole session into `folder`: session.toml, calibration.toml, videos/<camera>.mkv
// (FFV1, lossless) and truth.h5 (/markers/positions, /markers/labels, /cameras/<name>/centres_px).
SynthSummary WriteSyntheticSession(const std::string& folder, const SynthOptions& options);

}  // namespace midstance
