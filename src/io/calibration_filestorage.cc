#include <filesystem>
#include <opencv2/core.hpp>
#include <sstream>

#include "midstance/atomic_output.h"
#include "midstance/calibration_io.h"
#include "midstance/error.h"
#include "midstance/file_names.h"
#include "midstance/one_line.h"

namespace midstance {
namespace {

cv::Mat ReadMatrix(const cv::FileNode& node, const std::string& path, const std::string& field,
                   const std::string& expected) {
  cv::Mat m;
  try {
    node >> m;
  } catch (const cv::Exception&) {
    throw FileFormatError(path, field, expected, "something else");
  }
  if (m.empty()) throw FileFormatError(path, field, expected, "nothing");
  m.convertTo(m, CV_64F);
  return m;
}

Camera CameraFromNode(const cv::FileNode& node, const std::string& path, size_t index) {
  const std::string where = "cameras[" + std::to_string(index) + "]";
  if (!node.isMap()) throw FileFormatError(path, where, "a map of camera fields", "another kind of node");
  Camera camera;
  if (!node["name"].isString()) throw FileFormatError(path, where + ".name", "a camera name", "nothing");
  camera.name = static_cast<std::string>(node["name"]);
  if (!node["image_width"].isInt() || !node["image_height"].isInt()) {
    throw FileFormatError(path, where + ".image_width/image_height", "integers", "something else");
  }
  camera.width_px = static_cast<int>(node["image_width"]);
  camera.height_px = static_cast<int>(node["image_height"]);
  if (camera.width_px < 1 || camera.height_px < 1 || camera.width_px > 65535 || camera.height_px > 65535) {
    throw FileFormatError(path, where + ".image_width/image_height", "1..65535 pixels",
                          std::to_string(camera.width_px) + " x " + std::to_string(camera.height_px));
  }
  const cv::Mat k = ReadMatrix(node["camera_matrix"], path, where + ".camera_matrix", "a 3x3 matrix");
  if (k.rows != 3 || k.cols != 3) throw FileFormatError(path, where + ".camera_matrix", "a 3x3 matrix", "another shape");
  Eigen::Matrix3d k_matrix;
  for (int i = 0; i < 3; ++i) for (int j = 0; j < 3; ++j) k_matrix(i, j) = k.at<double>(i, j);
  SetIntrinsics(k_matrix, path, where + ".camera_matrix", &camera);
  const cv::Mat d = ReadMatrix(node["distortion_coefficients"], path, where + ".distortion_coefficients", "k1 k2 p1 p2 [k3]");
  if (d.total() != 4 && d.total() != 5) {
    throw FileFormatError(path, where + ".distortion_coefficients", "4 or 5 values", std::to_string(d.total()) + " values");
  }
  const double* dv = d.ptr<double>();
  camera.distortion = {dv[0], dv[1], dv[2], dv[3], d.total() == 5 ? dv[4] : 0.0};
  const cv::Mat r = ReadMatrix(node["rotation"], path, where + ".rotation", "a 3x1 Rodrigues vector or a 3x3 matrix");
  if (r.total() == 3) {
    camera.cam_from_world.rotation = RotationFromStoredRodrigues(
        Eigen::Vector3d(r.ptr<double>()[0], r.ptr<double>()[1], r.ptr<double>()[2]), path, where + ".rotation");
  } else if (r.rows == 3 && r.cols == 3) {
    Eigen::Matrix3d matrix;
    for (int i = 0; i < 3; ++i) for (int j = 0; j < 3; ++j) matrix(i, j) = r.at<double>(i, j);
    camera.cam_from_world.rotation = RotationFromStoredMatrix(matrix, path, where + ".rotation");
  } else {
    throw FileFormatError(path, where + ".rotation", "a 3x1 Rodrigues vector or a 3x3 matrix", "another shape");
  }
  const cv::Mat t = ReadMatrix(node["translation"], path, where + ".translation", "a 3x1 vector in metres");
  if (t.total() != 3) throw FileFormatError(path, where + ".translation", "3 values", std::to_string(t.total()) + " values");
  camera.cam_from_world.translation = Eigen::Vector3d(t.ptr<double>()[0], t.ptr<double>()[1], t.ptr<double>()[2]);
  camera.rate_hz = node["rate_hz"].isReal() || node["rate_hz"].isInt() ? static_cast<double>(node["rate_hz"]) : 1.0;
  return camera;
}

bool IsFileStorage(const std::string& path) {
  const std::string e = LowercaseExtension(path);
  return e == ".yml" || e == ".yaml" || e == ".xml" || e == ".json";
}

}  // namespace

std::vector<Camera> ReadCalibrationFileStorage(const std::string& path) {
  if (!std::filesystem::exists(path)) throw FileFormatError(path, "file", "an existing calibration file", "no such file");
  cv::FileStorage storage;
  try {
    if (!storage.open(path, cv::FileStorage::READ)) throw FileFormatError(path, "file", "a readable OpenCV FileStorage file", "unreadable");
  } catch (const cv::Exception& error) {
    throw FileFormatError(path + ": FileStorage syntax: " + OneLine(error.what()));
  }
  const cv::FileNode list = storage["cameras"];
  if (!list.isSeq() || list.size() == 0) throw FileFormatError(path, "cameras", "a sequence of cameras", "nothing");
  std::vector<Camera> cameras;
  for (size_t i = 0; i < list.size(); ++i) {
    Camera camera = CameraFromNode(list[static_cast<int>(i)], path, i);
    camera.Validate(path);
    cameras.push_back(std::move(camera));
  }
  RequireUniqueNames(cameras, path);
  return cameras;
}

void WriteCalibrationFileStorage(const std::string& path, const std::vector<Camera>& cameras) {
  AtomicOutput output(path);
  {
    cv::FileStorage storage(output.temporary_path(), cv::FileStorage::WRITE);
    if (!storage.isOpened()) throw InvalidInput(path + ": cannot write the calibration file");
    storage << "cameras" << "[";
    for (const Camera& c : cameras) {
      const Eigen::Vector3d r = RodriguesFromQuaternion(c.cam_from_world.rotation);
      const Eigen::Vector3d& t = c.cam_from_world.translation;
      storage << "{" << "name" << c.name << "image_width" << c.width_px << "image_height" << c.height_px;
      storage << "camera_matrix" << (cv::Mat_<double>(3, 3) << c.fx_px, 0, c.cx_px, 0, c.fy_px, c.cy_px, 0, 0, 1);
      storage << "distortion_coefficients"
              << (cv::Mat_<double>(1, 5) << c.distortion.k1, c.distortion.k2, c.distortion.p1, c.distortion.p2, c.distortion.k3);
      storage << "rotation" << (cv::Mat_<double>(3, 1) << r.x(), r.y(), r.z());
      storage << "translation" << (cv::Mat_<double>(3, 1) << t.x(), t.y(), t.z());
      storage << "rate_hz" << c.rate_hz << "}";
    }
    storage << "]";
  }
  output.Commit();
}

std::vector<Camera> ReadCalibration(const std::string& path) {
  if (LowercaseExtension(path) == ".toml") return ReadCalibrationToml(path);
  if (IsFileStorage(path)) return ReadCalibrationFileStorage(path);
  throw FileFormatError(path, "file name", "a .toml (anipose / Pose2Sim) or .yml/.yaml/.xml/.json (OpenCV) calibration",
                        "'" + LowercaseExtension(path) + "'");
}

void WriteCalibration(const std::string& path, const std::vector<Camera>& cameras) {
  if (LowercaseExtension(path) == ".toml") return WriteCalibrationToml(path, cameras);
  if (IsFileStorage(path)) return WriteCalibrationFileStorage(path, cameras);
  throw InvalidInput(path + ": expected a .toml, .yml, .yaml, .xml or .json calibration file name");
}

}  // namespace midstance
