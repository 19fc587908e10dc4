#include <cmath>
#include <random>

#include "midstance/error.h"
#include "midstance/synth.h"

namespace midstance {
namespace {

constexpr double kPi = 3.14159265358979323846;

// OpenCV camera axes (x right, y down, z forward) looking from `centre` at `target`, Z up.
Rigid3d CamFromWorldLookingAt(const Eigen::Vector3d& centre, const Eigen::Vector3d& target) {
  const Eigen::Vector3d forward = (target - centre).normalized();
  const Eigen::Vector3d right = forward.cross(Eigen::Vector3d::UnitZ()).normalized();
  const Eigen::Vector3d down = forward.cross(right);
  Eigen::Matrix3d world_from_cam;
  world_from_cam << right, down, forward;
  const Eigen::Matrix3d rotation = world_from_cam.transpose();
  return Rigid3d(Eigen::Quaterniond(rotation), -(rotation * centre));
}

// Hidden spans per (camera, marker): a marker passing behind a leg is hidden from a camera for
// a few to a few tens of frames.
void AddOcclusions(const SynthOptions& options, SyntheticScene* scene, std::mt19937_64* rng) {
  const int frames = scene->frame_count, markers = scene->marker_count();
  scene->occluded.assign(static_cast<size_t>(options.camera_count) * frames * markers, 0);
  if (options.occlusion_fraction <= 0) return;
  std::uniform_int_distribution<int> span_length(5, 40);
  const double mean_span = 22.5;
  const double spans_per_frame = options.occlusion_fraction / mean_span;
  std::uniform_real_distribution<double> unit(0, 1);
  for (int c = 0; c < options.camera_count; ++c) {
    for (int m = 0; m < markers; ++m) {
      for (int f = 0; f < frames; ++f) {
        if (unit(*rng) >= spans_per_frame) continue;
        const int length = span_length(*rng);
        for (int g = f; g < std::min(frames, f + length); ++g) {
          scene->occluded[(static_cast<size_t>(c) * frames + g) * markers + m] = 1;
        }
      }
    }
  }
}

// Two legs walking along +X (sagittal-plane hip and knee motion), Plug-in Gait-like names.
void AddWalkingLegs(const SynthOptions& options, SyntheticScene* scene) {
  const double speed_m_s = 1.4, stride_hz = 0.9;
  const double thigh_m = 0.42, shank_m = 0.42;
  scene->marker_names = {"LASI", "RASI", "LPSI", "RPSI"};
  for (const char* side : {"L", "R"}) {
    for (const char* name : {"THI", "THI2", "KNE", "TIB", "TIB2", "ANK", "HEE", "TOE"}) {
      scene->marker_names.push_back(std::string(side) + name);
    }
  }
  const int markers = scene->marker_count();
  scene->positions_m.resize(static_cast<size_t>(scene->frame_count) * markers);
  const double start_x = -0.5 * speed_m_s * options.duration_s;
  for (int f = 0; f < scene->frame_count; ++f) {
    const double t = f / options.rate_hz;
    const double omega_t = 2 * kPi * stride_hz * t;
    const Eigen::Vector3d pelvis(start_x + speed_m_s * t, 0.0, 0.95 + 0.02 * std::sin(2 * omega_t));
    std::vector<Eigen::Vector3d> p = {
        pelvis + Eigen::Vector3d(0.10, 0.12, 0.05), pelvis + Eigen::Vector3d(0.10, -0.12, 0.05),
        pelvis + Eigen::Vector3d(-0.08, 0.05, 0.08), pelvis + Eigen::Vector3d(-0.08, -0.05, 0.08)};
    for (int leg = 0; leg < 2; ++leg) {
      const double side = leg == 0 ? 1.0 : -1.0;  // left is +Y
      const double phase = omega_t + leg * kPi;
      const double thigh_angle = 0.35 * std::sin(phase);                      // rad from vertical
      const double knee_flexion = 0.10 + 0.55 * (1 + std::sin(phase - 1.8)) / 2;
      const double shank_angle = thigh_angle - knee_flexion;
      const Eigen::Vector3d lateral(0, side, 0);
      const Eigen::Vector3d hip = pelvis + 0.09 * lateral;
      const Eigen::Vector3d thigh_dir(std::sin(thigh_angle), 0, -std::cos(thigh_angle));
      const Eigen::Vector3d thigh_front(std::cos(thigh_angle), 0, std::sin(thigh_angle));
      const Eigen::Vector3d knee = hip + thigh_m * thigh_dir;
      const Eigen::Vector3d shank_dir(std::sin(shank_angle), 0, -std::cos(shank_angle));
      const Eigen::Vector3d shank_front(std::cos(shank_angle), 0, std::sin(shank_angle));
      const Eigen::Vector3d ankle = knee + shank_m * shank_dir;
      const Eigen::Vector3d foot_dir = (shank_front * 0.8 + Eigen::Vector3d::UnitX() * 0.2).normalized();
      p.push_back(hip + 0.5 * thigh_m * thigh_dir + 0.075 * lateral);
      p.push_back(hip + 0.3 * thigh_m * thigh_dir + 0.07 * thigh_front + 0.04 * lateral);
      p.push_back(knee + 0.055 * lateral);
      p.push_back(knee + 0.5 * shank_m * shank_dir + 0.06 * lateral);
      p.push_back(knee + 0.3 * shank_m * shank_dir + 0.055 * shank_front + 0.03 * lateral);
      p.push_back(ankle + 0.045 * lateral);
      p.push_back(ankle - 0.07 * foot_dir + Eigen::Vector3d(0, 0, -0.03));
      p.push_back(ankle + 0.15 * foot_dir + Eigen::Vector3d(0, 0, -0.05) + 0.02 * lateral);
    }
    for (int m = 0; m < markers; ++m) scene->positions_m[static_cast<size_t>(f) * markers + m] = p[static_cast<size_t>(m)];
  }
}

}  // namespace

void SynthOptions::Validate() const {
  auto require = [](bool ok, const std::string& field, const std::string& expected, double got) {
    if (!ok) throw InvalidInput("synth " + field + ": expected " + expected + ", got " + std::to_string(got));
  };
  require(camera_count >= 2 && camera_count <= 32, "--cameras", "2..32", camera_count);
  require(width_px >= 64 && width_px <= 8192, "--width", "64..8192", width_px);
  require(height_px >= 64 && height_px <= 8192, "--height", "64..8192", height_px);
  require(rate_hz > 0 && rate_hz <= 10000, "--rate", "a rate in (0, 10000] Hz", rate_hz);
  require(duration_s > 0 && duration_s * rate_hz <= 100000, "--duration", "a positive duration of at most 100000 frames",
          duration_s);
  require(marker_diameter_m > 0.001 && marker_diameter_m < 0.1, "marker diameter", "1..100 mm", marker_diameter_m);
  require(read_noise_dn >= 0 && read_noise_dn <= 50, "--noise", "0..50 grey levels", read_noise_dn);
  require(occlusion_fraction >= 0 && occlusion_fraction < 0.5, "--occlusion", "0..0.5", occlusion_fraction);
  require(reflections_per_camera >= 0 && reflections_per_camera <= 20, "--reflections", "0..20", reflections_per_camera);
}

std::vector<Camera> MakeCameraRing(const SynthOptions& options) {
  std::mt19937_64 rng(options.seed * 7919 + 17);
  std::uniform_real_distribution<double> jitter(-1, 1);
  const Eigen::Vector3d volume_centre(0, 0, 0.8);
  std::vector<Camera> cameras;
  // A lens whose horizontal field of view (about 55 degrees at 1280 px) covers the volume from
  // 5-6 m; barrel distortion typical of mocap lenses.
  const double focal_px = 1230.0 * options.width_px / 1280.0;
  for (int c = 0; c < options.camera_count; ++c) {
    const double angle = 2 * kPi * (c + 0.5) / options.camera_count;
    const Eigen::Vector3d centre(6.0 * std::cos(angle), 4.5 * std::sin(angle), c % 2 == 0 ? 2.3 : 2.9);
    Camera camera;
    camera.name = "cam" + std::to_string(c + 1);
    camera.width_px = options.width_px;
    camera.height_px = options.height_px;
    camera.rate_hz = options.rate_hz;
    camera.fx_px = focal_px * (1 + 0.01 * jitter(rng));
    camera.fy_px = camera.fx_px * (1 + 0.001 * jitter(rng));
    camera.cx_px = (options.width_px - 1) / 2.0 + 8 * jitter(rng);
    camera.cy_px = (options.height_px - 1) / 2.0 + 8 * jitter(rng);
    camera.distortion = {-0.10 + 0.02 * jitter(rng), 0.08 + 0.02 * jitter(rng), 4e-4 * jitter(rng),
                         4e-4 * jitter(rng), -0.01 * jitter(rng)};
    const Eigen::Vector3d target = volume_centre + Eigen::Vector3d(0.2 * jitter(rng), 0.2 * jitter(rng), 0.1 * jitter(rng));
    camera.cam_from_world = CamFromWorldLookingAt(centre, target);
    cameras.push_back(camera);
  }
  return cameras;
}

SyntheticScene MakeScene(const SynthOptions& options) {
  options.Validate();
  SyntheticScene scene;
  scene.options = options;
  scene.cameras = MakeCameraRing(options);
  scene.frame_count = static_cast<int>(std::lround(options.duration_s * options.rate_hz));
  AddWalkingLegs(options, &scene);
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int m = 0; m < scene.marker_count(); ++m) scene.marker_peak_dn.push_back(200 + 40 * unit(rng));
  AddOcclusions(options, &scene, &rng);
  scene.reflections.resize(static_cast<size_t>(options.camera_count));
  for (int c = 0; c < options.camera_count; ++c) {
    for (int r = 0; r < options.reflections_per_camera; ++r) {
      StaticReflection reflection;
      reflection.centre_px = Eigen::Vector2d((0.1 + 0.8 * unit(rng)) * options.width_px,
                                             (0.1 + 0.8 * unit(rng)) * options.height_px);
      const bool streak = r % 2 == 0;  // a streak off a metal edge, or a round glint
      reflection.major_px = streak ? 10 + 6 * unit(rng) : 1.6 + 0.6 * unit(rng);
      reflection.minor_px = streak ? 1.2 : reflection.major_px;
      reflection.angle_rad = kPi * unit(rng);
      reflection.peak_dn = 150 + 60 * unit(rng);
      scene.reflections[static_cast<size_t>(c)].push_back(reflection);
    }
  }
  return scene;
}

}  // namespace midstance
