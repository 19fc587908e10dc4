#include "midstance/session.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "midstance/atomic_output.h"
#include "midstance/error.h"
#include "toml_fields.h"

namespace midstance {
namespace {
namespace tf = toml_fields;
namespace fs = std::filesystem;

std::string Resolve(const std::string& folder, const std::string& relative) {
  const fs::path path(relative);
  return path.is_absolute() ? relative : (fs::path(folder) / path).lexically_normal().string();
}

void ReadDetectOptions(const toml::value& table, const std::string& path, DetectOptions* options) {
  auto integer = [&](const char* key, int* out, int64_t lo, int64_t hi) {
    if (table.contains(key)) *out = tf::IntegerInRange(table.at(key), path, std::string("detect.") + key, lo, hi);
  };
  integer("threshold", &options->threshold, 1, 255);
  integer("min_area_px", &options->min_area_px, 1, 1 << 30);
  integer("max_area_px", &options->max_area_px, 1, 1 << 30);
  if (table.contains("min_roundness")) {
    options->min_roundness = tf::Number(table.at("min_roundness"), path, "detect.min_roundness", "a number in 0..1");
  }
}

void ReadReconstructOptions(const toml::value& table, const std::string& path, ReconstructOptions* options) {
  auto number = [&](const char* key, double* out) {
    if (table.contains(key)) *out = tf::Number(table.at(key), path, std::string("reconstruct.") + key, "a number");
  };
  number("epipolar_px", &options->epipolar_px);
  number("support_px", &options->support_px);
  number("max_residual_px", &options->max_residual_px);
  auto integer = [&](const char* key, int* out, int64_t lo, int64_t hi) {
    if (table.contains(key)) *out = tf::IntegerInRange(table.at(key), path, std::string("reconstruct.") + key, lo, hi);
  };
  integer("min_cameras", &options->min_cameras, 2, kMaxCameras);
  integer("refine_iterations", &options->refine_iterations, 0, 100);
  integer("max_centroids_per_view", &options->max_centroids_per_view, 1, 100000);
}

}  // namespace

SessionConfig ReadSession(const std::string& session_folder) {
  if (!fs::is_directory(session_folder)) {
    throw InvalidInput(session_folder + ": expected a session folder holding session.toml");
  }
  const std::string path = (fs::path(session_folder) / "session.toml").string();
  return ReadSessionText(path, tf::ReadText(path), session_folder);
}

SessionConfig ReadSessionText(const std::string& session_file, const std::string& text,
                              const std::string& session_folder) {
  SessionConfig session;
  session.folder = session_folder;
  session.session_file = session_file;
  const std::string& path = session.session_file;
  const toml::value root = tf::ParseText(text, path);
  session.toml_text = text;
  const toml::value& header = tf::Require(root, "session", path, "[session]", "a [session] table");
  session.name = header.contains("name") ? tf::String(header.at("name"), path, "session.name", "a string") : "";
  session.calibration_path = Resolve(
      session_folder, tf::String(tf::Require(header, "calibration", path, "session.calibration", "a file name"),
                                 path, "session.calibration", "a file name"));
  session.rate_hz = tf::Number(tf::Require(header, "rate_hz", path, "session.rate_hz", "a frame rate in Hz"),
                               path, "session.rate_hz", "a frame rate in Hz");
  if (!(session.rate_hz > 0) || !std::isfinite(session.rate_hz)) {
    throw FileFormatError(path, "session.rate_hz", "a positive frame rate in Hz", tf::FloatText(session.rate_hz));
  }
  const toml::value& cameras = tf::Require(root, "cameras", path, "[[cameras]]", "one [[cameras]] entry per camera");
  if (!cameras.is_array() || cameras.as_array().empty()) {
    throw FileFormatError(path, "[[cameras]]", "one [[cameras]] entry per camera", "none");
  }
  for (size_t i = 0; i < cameras.as_array().size(); ++i) {
    const toml::value& entry = cameras.as_array()[i];
    const std::string where = "cameras[" + std::to_string(i) + "]";
    CameraFootage footage;
    footage.camera_name = tf::String(tf::Require(entry, "name", path, where + ".name", "a camera name"), path,
                                     where + ".name", "a camera name");
    footage.video_path = Resolve(session_folder, tf::String(tf::Require(entry, "video", path, where + ".video", "a video file"),
                                                            path, where + ".video", "a video file"));
    for (const CameraFootage& other : session.footage) {
      if (other.camera_name == footage.camera_name) {
        throw FileFormatError(path, where + ".name", "a name used once", "'" + footage.camera_name + "' again");
      }
    }
    session.footage.push_back(footage);
  }
  if (root.contains("detect")) ReadDetectOptions(root.at("detect"), path, &session.detect);
  if (root.contains("reconstruct")) ReadReconstructOptions(root.at("reconstruct"), path, &session.reconstruct);
  try {
    session.detect.Validate();
    session.reconstruct.Validate();
  } catch (const InvalidInput& error) {
    throw FileFormatError(path + ": " + error.what());
  }
  return session;
}

void WriteSession(const std::string& folder, const SessionConfig& session) {
  const std::string path = (fs::path(folder) / "session.toml").string();
  AtomicOutput output(path);
  {
    std::ofstream stream(output.temporary_path());
    const fs::path base(folder);
    auto relative = [&](const std::string& p) { return fs::path(p).lexically_relative(base).string(); };
    stream << "# midstance capture session\n[session]\n"
           << "name = \"" << session.name << "\"\n"
           << "calibration = \"" << relative(session.calibration_path) << "\"\n"
           << "rate_hz = " << tf::FloatText(session.rate_hz) << "\n";
    for (const CameraFootage& footage : session.footage) {
      stream << "\n[[cameras]]\nname = \"" << footage.camera_name << "\"\nvideo = \""
             << relative(footage.video_path) << "\"\n";
    }
    const DetectOptions& d = session.detect;
    stream << "\n[detect]\nthreshold = " << d.threshold << "\nmin_area_px = " << d.min_area_px
           << "\nmax_area_px = " << d.max_area_px << "\nmin_roundness = " << tf::FloatText(d.min_roundness) << "\n";
    const ReconstructOptions& r = session.reconstruct;
    stream << "\n[reconstruct]\nepipolar_px = " << tf::FloatText(r.epipolar_px)
           << "\nsupport_px = " << tf::FloatText(r.support_px)
           << "\nmax_residual_px = " << tf::FloatText(r.max_residual_px) << "\nmin_cameras = " << r.min_cameras
           << "\nrefine_iterations = " << r.refine_iterations
           << "\nmax_centroids_per_view = " << r.max_centroids_per_view << "\n";
    if (!stream) throw InvalidInput(path + ": cannot write the session file");
  }
  output.Commit();
}

std::vector<Camera> CamerasForSession(const SessionConfig& session, const std::vector<Camera>& calibration) {
  std::vector<Camera> cameras;
  for (size_t i = 0; i < session.footage.size(); ++i) {
    const std::string& name = session.footage[i].camera_name;
    auto found = std::find_if(calibration.begin(), calibration.end(), [&](const Camera& c) { return c.name == name; });
    if (found == calibration.end()) {
      std::string names;
      for (const Camera& c : calibration) names += (names.empty() ? "" : ", ") + c.name;
      throw CalibrationError(session.session_file, "cameras[" + std::to_string(i) + "].name",
                             "a camera of " + session.calibration_path + " (" + names + ")", "'" + name + "'");
    }
    Camera camera = *found;
    camera.rate_hz = session.rate_hz;
    cameras.push_back(camera);
  }
  if (cameras.size() > static_cast<size_t>(kMaxCameras)) {
    throw InvalidInput(session.session_file + ": [[cameras]]: expected at most " + std::to_string(kMaxCameras) +
                       " cameras, got " + std::to_string(cameras.size()));
  }
  return cameras;
}

}  // namespace midstance
