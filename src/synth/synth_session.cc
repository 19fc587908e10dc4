#include <omp.h>

#include <filesystem>
#include <limits>
#include <opencv2/videoio.hpp>

#include "midstance/atomic_output.h"
#include "midstance/calibration_io.h"
#include "midstance/error.h"
#include "midstance/hdf5_file.h"
#include "midstance/progress.h"
#include "midstance/session.h"
#include "midstance/synth.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

// Renders and encodes one camera's video (FFV1 in Matroska: lossless); returns the true centres.
std::vector<double> WriteCameraVideo(const SyntheticScene& scene, int camera, const std::string& path,
                                     Progress* progress) {
  const Camera& cam = scene.cameras[static_cast<size_t>(camera)];
  AtomicOutput output(path);
  cv::VideoWriter writer(output.temporary_path(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('F', 'F', 'V', '1'),
                         scene.options.rate_hz, cv::Size(cam.width_px, cam.height_px), false);
  if (!writer.isOpened()) throw InvalidInput(path + ": cannot open an FFV1 video writer (OpenCV built without FFmpeg?)");
  cv::Mat image(cam.height_px, cam.width_px, CV_8UC1);
  std::vector<double> centres(static_cast<size_t>(scene.frame_count) * scene.marker_count() * 2);
  std::vector<double> frame_centres;
  for (int f = 0; f < scene.frame_count; ++f) {
    RenderFrame(scene, camera, f, image.data, &frame_centres);
    std::copy(frame_centres.begin(), frame_centres.end(), centres.begin() + static_cast<ptrdiff_t>(f) * scene.marker_count() * 2);
    writer.write(image);
#pragma omp critical(midstance_synth_progress)
    progress->Advance();
  }
  writer.release();
  output.Commit();
  return centres;
}

void WriteTruth(const std::string& path, const SyntheticScene& scene,
                const std::vector<std::vector<double>>& centres_per_camera) {
  Hdf5Writer h5(path);
  const uint64_t frames = static_cast<uint64_t>(scene.frame_count), markers = static_cast<uint64_t>(scene.marker_count());
  std::vector<double> positions;
  positions.reserve(frames * markers * 3);
  for (const Eigen::Vector3d& p : scene.positions_m) positions.insert(positions.end(), {p.x(), p.y(), p.z()});
  h5.SetAttribute("/", "format", std::string("midstance-synthetic-truth"));
  h5.SetAttribute("/", "seed", static_cast<int64_t>(scene.options.seed));
  h5.WriteDoubles("/markers/positions", {frames, markers, 3}, positions, "m",
                  "true marker centres, frames x markers x 3, lab frame (X progression, Z up)");
  h5.WriteStrings("/markers/labels", scene.marker_names, "marker names, in the order of positions");
  h5.SetAttribute("/markers", "rate", scene.options.rate_hz);
  h5.SetAttribute("/markers", "marker_diameter_m", scene.options.marker_diameter_m);
  for (size_t c = 0; c < scene.cameras.size(); ++c) {
    const std::string group = "/cameras/" + scene.cameras[c].name;
    h5.WriteDoubles(group + "/centres_px", {frames, markers, 2}, centres_per_camera[c], "px",
                    "true distorted image centre of each marker, NaN where the marker is not drawn "
                    "(occluded, behind the camera or outside the image)");
    std::vector<double> reflections;
    for (const StaticReflection& r : scene.reflections[c]) {
      reflections.insert(reflections.end(), {r.centre_px.x(), r.centre_px.y(), r.major_px, r.minor_px});
    }
    h5.WriteDoubles(group + "/reflections_px", {scene.reflections[c].size(), 4}, reflections, "px",
                    "static reflections: centre x, centre y, major and minor semi-axis");
  }
  h5.Commit();
}

}  // namespace

SynthSummary WriteSyntheticSession(const std::string& folder, const SynthOptions& options) {
  const SyntheticScene scene = MakeScene(options);
  std::error_code error;
  fs::create_directories(fs::path(folder) / "videos", error);
  if (error) throw InvalidInput(folder + ": cannot create the session folder: " + error.message());

  SessionConfig session;
  session.folder = folder;
  session.name = "synthetic (seed " + std::to_string(options.seed) + ")";
  session.calibration_path = (fs::path(folder) / "calibration.toml").string();
  session.rate_hz = options.rate_hz;
  for (const Camera& camera : scene.cameras) {
    session.footage.push_back({camera.name, (fs::path(folder) / "videos" / (camera.name + ".mkv")).string()});
  }

  std::vector<std::vector<double>> centres(scene.cameras.size());
  Progress progress("synth", static_cast<int64_t>(scene.frame_count) * options.camera_count);
  std::string failure;
#pragma omp parallel for schedule(dynamic, 1)
  for (int c = 0; c < options.camera_count; ++c) {
    try {
      centres[static_cast<size_t>(c)] = WriteCameraVideo(scene, c, session.footage[static_cast<size_t>(c)].video_path, &progress);
    } catch (const std::exception& e) {
#pragma omp critical(midstance_synth_failure)
      failure = e.what();
    }
  }
  progress.Finish();
  if (!failure.empty()) throw InvalidInput(failure);

  WriteCalibrationToml(session.calibration_path, scene.cameras);
  WriteTruth((fs::path(folder) / "truth.h5").string(), scene, centres);
  WriteSession(folder, session);  // last: a session.toml means the session is complete
  return {folder, scene.frame_count, options.camera_count, scene.marker_count()};
}

}  // namespace midstance
