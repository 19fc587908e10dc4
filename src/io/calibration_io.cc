#include "midstance/calibration_io.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "midstance/atomic_output.h"
#include "midstance/error.h"
#include "midstance/one_line.h"
#include "toml_fields.h"

namespace midstance {

namespace {
namespace tf = toml_fields;

Eigen::Matrix3d Matrix3(const toml::value& v, const std::string& path, const std::string& field,
                        const std::string& expected) {
  if (!v.is_array() || v.as_array().size() != 3) throw FileFormatError(path, field, expected, "another shape");
  Eigen::Matrix3d m;
  for (int i = 0; i < 3; ++i) {
    const auto row = tf::Numbers(v.as_array()[static_cast<size_t>(i)], path, field, expected);
    if (row.size() != 3) throw FileFormatError(path, field, expected, "another shape");
    for (int j = 0; j < 3; ++j) m(i, j) = row[static_cast<size_t>(j)];
  }
  return m;
}

Camera CameraFromTable(const toml::value& table, const std::string& path, const std::string& key) {
  auto field = [&](const char* name, const std::string& expected) -> const toml::value& {
    return tf::Require(table, name, path, key + "." + name, expected);
  };
  Camera camera;
  camera.name = tf::String(field("name", "a camera name"), path, key + ".name", "a camera name");
  const auto size = tf::Numbers(field("size", "[width, height]"), path, key + ".size", "[width, height]");
  if (size.size() != 2) throw FileFormatError(path, key + ".size", "[width, height]", std::to_string(size.size()) + " values");
  for (double v : size) {
    if (!(v >= 1 && v <= 65535) || v != std::floor(v)) {
      throw FileFormatError(path, key + ".size", "whole numbers of pixels in 1..65535", tf::FloatText(v));
    }
  }
  camera.width_px = static_cast<int>(size[0]);
  camera.height_px = static_cast<int>(size[1]);
  SetIntrinsics(Matrix3(field("matrix", "a 3x3 camera matrix"), path, key + ".matrix", "a 3x3 camera matrix"), path,
                key + ".matrix", &camera);
  const std::string distortion_expected = "[k1, k2, p1, p2] or [k1, k2, p1, p2, k3]";
  const auto d = tf::Numbers(field("distortions", distortion_expected), path, key + ".distortions", distortion_expected);
  if (d.size() != 4 && d.size() != 5) {
    throw FileFormatError(path, key + ".distortions", distortion_expected, std::to_string(d.size()) + " values");
  }
  camera.distortion = {d[0], d[1], d[2], d[3], d.size() == 5 ? d[4] : 0.0};
  camera.rate_hz = table.contains("rate_hz") ? tf::Number(table.at("rate_hz"), path, key + ".rate_hz", "a rate in Hz") : 0.0;

  const std::string rotation_expected = "a Rodrigues vector [rx, ry, rz] or a 3x3 rotation matrix";
  const toml::value& rotation = field("rotation", rotation_expected);
  if (rotation.is_array() && !rotation.as_array().empty() && rotation.as_array()[0].is_array()) {
    camera.cam_from_world.rotation = RotationFromStoredMatrix(
        Matrix3(rotation, path, key + ".rotation", rotation_expected), path, key + ".rotation");
  } else {
    const auto r = tf::Numbers(rotation, path, key + ".rotation", rotation_expected);
    if (r.size() != 3) throw FileFormatError(path, key + ".rotation", rotation_expected, std::to_string(r.size()) + " values");
    camera.cam_from_world.rotation = RotationFromStoredRodrigues(Eigen::Vector3d(r[0], r[1], r[2]), path, key + ".rotation");
  }
  const auto t = tf::Numbers(field("translation", "[tx, ty, tz] in metres"), path, key + ".translation", "[tx, ty, tz] in metres");
  if (t.size() != 3) throw FileFormatError(path, key + ".translation", "[tx, ty, tz]", std::to_string(t.size()) + " values");
  camera.cam_from_world.translation = Eigen::Vector3d(t[0], t[1], t[2]);
  return camera;
}

}  // namespace


std::vector<Camera> ReadCalibrationToml(const std::string& path) { return ReadCalibrationTomlText(path, tf::ReadText(path)); }

std::vector<Camera> ReadCalibrationTomlText(const std::string& path, const std::string& text) {
  const toml::value root = tf::ParseText(text, path);
  std::vector<Camera> cameras;
  for (const auto& [key, table] : root.as_table()) {
    if (key == "metadata" || !table.is_table()) continue;
    Camera camera = CameraFromTable(table, path, key);
    if (camera.rate_hz == 0.0) camera.rate_hz = 1.0;  // anipose files carry no rate; the session sets it
    camera.Validate(path);
    cameras.push_back(std::move(camera));
  }
  if (cameras.empty()) throw FileFormatError(path, "cameras", "at least one [cam_N] table", "none");
  RequireUniqueNames(cameras, path);
  std::sort(cameras.begin(), cameras.end(), [](const Camera& a, const Camera& b) { return a.name < b.name; });
  return cameras;
}

void WriteCalibrationToml(const std::string& path, const std::vector<Camera>& cameras) {
  AtomicOutput output(path);
  {
    std::ofstream stream(output.temporary_path());
    auto f = [](double value) { return tf::FloatText(value); };
    stream << "# Camera calibration, anipose / Pose2Sim layout. rotation: Rodrigues vector (rad) and\n"
              "# translation (m) of cam_from_world; distortions: OpenCV k1 k2 p1 p2 k3.\n";
    for (size_t i = 0; i < cameras.size(); ++i) {
      const Camera& c = cameras[i];
      const Eigen::Vector3d r = RodriguesFromQuaternion(c.cam_from_world.rotation);
      const Eigen::Vector3d& t = c.cam_from_world.translation;
      stream << "\n[cam_" << i << "]\n"
             << "name = \"" << c.name << "\"\n"
             << "size = [" << c.width_px << ", " << c.height_px << "]\n"
             << "matrix = [[" << f(c.fx_px) << ", 0.0, " << f(c.cx_px) << "], [0.0, " << f(c.fy_px)
             << ", " << f(c.cy_px) << "], [0.0, 0.0, 1.0]]\n"
             << "distortions = [" << f(c.distortion.k1) << ", " << f(c.distortion.k2) << ", "
             << f(c.distortion.p1) << ", " << f(c.distortion.p2) << ", " << f(c.distortion.k3) << "]\n"
             << "rotation = [" << f(r.x()) << ", " << f(r.y()) << ", " << f(r.z()) << "]\n"
             << "translation = [" << f(t.x()) << ", " << f(t.y()) << ", " << f(t.z()) << "]\n"
             << "fisheye = false\n"
             << "rate_hz = " << f(c.rate_hz) << "\n";
    }
    stream << "\n[metadata]\nunits = \"m\"\nwritten_by = \"midstance\"\n";
    if (!stream) throw InvalidInput(path + ": cannot write the calibration file");
  }
  output.Commit();
}

}  // namespace midstance
