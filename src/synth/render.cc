#include <cmath>
#include <limits>
#include <random>

#include "midstance/synth.h"

namespace midstance {
namespace {

uint8_t ClampToByte(double value) {
  return static_cast<uint8_t>(value <= 0 ? 0 : value >= 255 ? 255 : std::lround(value));
}

// Background read noise: a table of quantised Gaussian samples per camera, sampled at a random
// offset per row. Statistically the sensor's read noise, at the cost of a memcpy per row.
const std::vector<uint8_t>& NoiseTable(double read_noise_dn, uint64_t seed) {
  thread_local std::vector<uint8_t> table;
  thread_local double table_noise = -1;
  thread_local uint64_t table_seed = 0;
  if (table_noise != read_noise_dn || table_seed != seed || table.empty()) {
    table.resize(1 << 22);
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, read_noise_dn);
    for (uint8_t& value : table) value = ClampToByte(noise(rng));
    table_noise = read_noise_dn;
    table_seed = seed;
  }
  return table;
}

void DrawEllipse(uint8_t* pixels, int width, int height, const StaticReflection& r, double psf_sigma_px) {
  const double c = std::cos(r.angle_rad), s = std::sin(r.angle_rad);
  const int reach = static_cast<int>(std::ceil(r.major_px + 4 * psf_sigma_px));
  const int x0 = std::max(0, static_cast<int>(r.centre_px.x()) - reach);
  const int x1 = std::min(width - 1, static_cast<int>(r.centre_px.x()) + reach);
  const int y0 = std::max(0, static_cast<int>(r.centre_px.y()) - reach);
  const int y1 = std::min(height - 1, static_cast<int>(r.centre_px.y()) + reach);
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const double dx = x - r.centre_px.x(), dy = y - r.centre_px.y();
      const double u = (c * dx + s * dy) / r.major_px, v = (-s * dx + c * dy) / r.minor_px;
      const double distance_px = (std::sqrt(u * u + v * v) - 1.0) * r.minor_px;
      const double value = r.peak_dn * 0.5 * std::erfc(distance_px / (std::sqrt(2.0) * psf_sigma_px));
      uint8_t& p = pixels[static_cast<size_t>(y) * width + x];
      p = ClampToByte(p + value);
    }
  }
}

}  // namespace

// A uniform disc of radius r blurred by a Gaussian PSF has, to first order in sigma / r, the
// radial profile peak * erfc((d - r) / (sqrt(2) sigma)) / 2 (the edge-spread function of a
// Gaussian); sampled at pixel centres, symmetric about the true centre.
void DrawBlurredDisc(uint8_t* pixels, int width, int height, double centre_x, double centre_y,
                     double radius_px, double peak_dn, double psf_sigma_px) {
  const double reach = radius_px + 4 * psf_sigma_px;
  const int x0 = std::max(0, static_cast<int>(std::floor(centre_x - reach)));
  const int x1 = std::min(width - 1, static_cast<int>(std::ceil(centre_x + reach)));
  const int y0 = std::max(0, static_cast<int>(std::floor(centre_y - reach)));
  const int y1 = std::min(height - 1, static_cast<int>(std::ceil(centre_y + reach)));
  const double inv = 1.0 / (std::sqrt(2.0) * psf_sigma_px);
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const double d = std::hypot(x - centre_x, y - centre_y);
      const double value = peak_dn * 0.5 * std::erfc((d - radius_px) * inv);
      uint8_t& p = pixels[static_cast<size_t>(y) * width + x];
      p = ClampToByte(p + value);
    }
  }
}

void RenderFrame(const SyntheticScene& scene, int camera, int frame, uint8_t* pixels,
                 std::vector<double>* centres_px) {
  const SynthOptions& options = scene.options;
  const Camera& cam = scene.cameras[static_cast<size_t>(camera)];
  const int width = cam.width_px, height = cam.height_px;
  const uint64_t frame_seed = options.seed * 1000003ULL + static_cast<uint64_t>(camera) * 100003ULL +
                              static_cast<uint64_t>(frame);
  std::mt19937_64 rng(frame_seed);
  if (options.read_noise_dn > 0) {
    const std::vector<uint8_t>& table = NoiseTable(options.read_noise_dn, options.seed + static_cast<uint64_t>(camera));
    std::uniform_int_distribution<size_t> offset(0, table.size() - static_cast<size_t>(width));
    for (int y = 0; y < height; ++y) {
      std::copy_n(table.data() + offset(rng), width, pixels + static_cast<size_t>(y) * width);
    }
  } else {
    std::fill_n(pixels, static_cast<size_t>(width) * height, uint8_t{0});
  }
  for (const StaticReflection& r : scene.reflections[static_cast<size_t>(camera)]) {
    DrawEllipse(pixels, width, height, r, options.psf_sigma_px);
  }
  const CameraParams params = cam.ToParams();
  const int markers = scene.marker_count();
  centres_px->assign(2 * static_cast<size_t>(markers), std::numeric_limits<double>::quiet_NaN());
  const double radius_m = options.marker_diameter_m / 2;
  for (int m = 0; m < markers; ++m) {
    if (scene.Occluded(camera, frame, m)) continue;
    const Eigen::Vector3d& x = scene.Position(frame, m);
    double pc[3];
    WorldToCamera(params, x.data(), pc);
    double u, v;
    if (!(pc[2] > 0.1) || !ProjectToPixel(params, x.data(), &u, &v)) continue;
    if (u < -0.5 || v < -0.5 || u > width - 0.5 || v > height - 0.5) continue;
    const double radius_px = cam.fx_px * radius_m / pc[2];
    DrawBlurredDisc(pixels, width, height, u, v, radius_px, scene.marker_peak_dn[static_cast<size_t>(m)],
                    options.psf_sigma_px);
    (*centres_px)[2 * static_cast<size_t>(m)] = u;
    (*centres_px)[2 * static_cast<size_t>(m) + 1] = v;
  }
  if (options.shot_noise_gain > 0 && options.read_noise_dn > 0) {
    // Shot noise on the signal: only bright-ish pixels carry enough signal to matter.
    std::normal_distribution<double> unit_normal(0.0, 1.0);
    const size_t count = static_cast<size_t>(width) * height;
    for (size_t i = 0; i < count; ++i) {
      if (pixels[i] < 8) continue;
      pixels[i] = ClampToByte(pixels[i] + std::sqrt(options.shot_noise_gain * pixels[i]) * unit_normal(rng));
    }
  }
}

}  // namespace midstance
