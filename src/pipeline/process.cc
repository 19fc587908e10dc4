#include "midstance/process.h"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "midstance/calibration_io.h"
#include "midstance/detect.h"
#include "midstance/error.h"
#include "midstance/hdf5_file.h"
#include "midstance/progress.h"
#include "midstance/reconstruct.h"
#include "midstance/session.h"
#include "midstance/sha256.h"
#include "midstance/utc_time.h"
#include "midstance/version.h"
#include "midstance/video_reader.h"

namespace midstance {
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Opens every camera's video and checks its frame size against the calibration. Frame counts are
// compared on the frames actually decoded: containers may announce a count that is off.
std::vector<std::unique_ptr<VideoReader>> OpenVideos(const SessionConfig& session, const std::vector<Camera>& cameras) {
  std::vector<std::unique_ptr<VideoReader>> readers;
  for (size_t c = 0; c < cameras.size(); ++c) {
    auto reader = std::make_unique<VideoReader>(session.footage[c].video_path);
    if (reader->width_px() != cameras[c].width_px || reader->height_px() != cameras[c].height_px) {
      throw FileFormatError(reader->path(), "frame size",
                            std::to_string(cameras[c].width_px) + " x " + std::to_string(cameras[c].height_px) +
                                " as calibrated for " + cameras[c].name,
                            std::to_string(reader->width_px()) + " x " + std::to_string(reader->height_px()));
    }
    readers.push_back(std::move(reader));
  }
  return readers;
}

// Decodes up to `count` frames of every camera into `frames` (camera-major) and returns how many
// were decoded, the same for every camera; a camera whose stream ends (or breaks) before the
// others is an error naming its file.
int DecodeBatch(std::vector<std::unique_ptr<VideoReader>>& readers, int count, std::vector<std::vector<uint8_t>>* frames) {
  std::string failure;
  const int cameras = static_cast<int>(readers.size());
  std::vector<int> decoded(readers.size(), 0);
#pragma omp parallel for schedule(dynamic, 1)
  for (int c = 0; c < cameras; ++c) {
    VideoReader& reader = *readers[static_cast<size_t>(c)];
    const size_t frame_bytes = static_cast<size_t>(reader.width_px()) * reader.height_px();
    std::vector<uint8_t>& buffer = (*frames)[static_cast<size_t>(c)];
    buffer.resize(frame_bytes * static_cast<size_t>(count));
    try {
      int& n = decoded[static_cast<size_t>(c)];
      while (n < count && reader.ReadGrey(buffer.data() + frame_bytes * static_cast<size_t>(n))) ++n;
    } catch (const std::exception& e) {
#pragma omp critical(midstance_decode_failure)
      if (failure.empty()) failure = e.what();
    }
  }
  if (!failure.empty()) throw FileFormatError(failure);
  const auto [shortest, longest] = std::minmax_element(decoded.begin(), decoded.end());
  if (*shortest != *longest) {
    const VideoReader& short_reader = *readers[static_cast<size_t>(shortest - decoded.begin())];
    const VideoReader& long_reader = *readers[static_cast<size_t>(longest - decoded.begin())];
    throw FileFormatError(short_reader.path(), "frame count",
                          "as many decodable frames as " + long_reader.path() + " (at least " +
                              std::to_string(long_reader.frames_read()) + ")",
                          std::to_string(short_reader.frames_read()) + " (the stream ends or is corrupt there)");
  }
  return *shortest;
}

// Refuses frames with more centroids than reconstruction can match in bounded time and memory
// (pairs grow with the square of the count): such footage is too noisy for the threshold.
void CheckCentroidCounts(const std::vector<Camera>& cameras, const std::vector<DetectedBlobs>& blobs, int first_frame,
                         const SessionConfig& session) {
  for (size_t c = 0; c < cameras.size(); ++c) {
    for (size_t f = 0; f + 1 < blobs[c].frame_begin.size(); ++f) {
      const int count = blobs[c].frame_begin[f + 1] - blobs[c].frame_begin[f];
      if (count > session.reconstruct.max_centroids_per_view) {
        throw InvalidInput(session.footage[c].video_path + ": frame " + std::to_string(first_frame + static_cast<int>(f)) +
                           ": " + std::to_string(count) + " centroids, more than reconstruct.max_centroids_per_view = " +
                           std::to_string(session.reconstruct.max_centroids_per_view) +
                           " (is detect.threshold too low for this footage?)");
      }
    }
  }
}

struct PointTable {
  std::vector<std::vector<double>> position_m;  // per frame: x y z ...
  std::vector<std::vector<double>> residual_px;
  std::vector<std::vector<int32_t>> camera_count;
  std::vector<std::vector<int32_t>> camera_mask;
};

void AppendPoints(const ReconstructedPoints& points, PointTable* table) {
  for (size_t f = 0; f + 1 < points.frame_begin.size(); ++f) {
    std::vector<double> xyz, residual;
    std::vector<int32_t> count, mask;
    for (int k = points.frame_begin[f]; k < points.frame_begin[f + 1]; ++k) {
      const size_t i = static_cast<size_t>(k);
      xyz.insert(xyz.end(), points.position_m.begin() + static_cast<ptrdiff_t>(3 * i),
                 points.position_m.begin() + static_cast<ptrdiff_t>(3 * i + 3));
      residual.push_back(points.residual_px[i]);
      count.push_back(points.camera_count[i]);
      mask.push_back(static_cast<int32_t>(points.camera_mask[i]));
    }
    table->position_m.push_back(std::move(xyz));
    table->residual_px.push_back(std::move(residual));
    table->camera_count.push_back(std::move(count));
    table->camera_mask.push_back(std::move(mask));
  }
}

void WriteCameras(Hdf5Writer& h5, const std::vector<Camera>& cameras) {
  for (const Camera& c : cameras) {
    const std::string g = "/cameras/" + c.name;
    const Eigen::Matrix3d k = c.IntrinsicMatrix();
    const Eigen::Matrix3d r = c.cam_from_world.RotationMatrix();
    std::vector<double> kv, rv;
    for (int i = 0; i < 3; ++i) for (int j = 0; j < 3; ++j) { kv.push_back(k(i, j)); rv.push_back(r(i, j)); }
    h5.WriteDoubles(g + "/intrinsics", {3, 3}, kv, "px", "camera matrix K (fx, fy, cx, cy; pixel origin at the centre of the top-left pixel)");
    h5.WriteDoubles(g + "/distortion", {5}, {c.distortion.k1, c.distortion.k2, c.distortion.p1, c.distortion.p2, c.distortion.k3},
                    "1", "OpenCV radial-tangential distortion k1 k2 p1 p2 k3 (normalized image plane)");
    h5.WriteDoubles(g + "/rotation", {3, 3}, rv, "1", "rotation of cam_from_world (x_cam = R x_world + t)");
    const Eigen::Vector3d& t = c.cam_from_world.translation;
    h5.WriteDoubles(g + "/translation", {3}, {t.x(), t.y(), t.z()}, "m", "translation of cam_from_world");
    h5.WriteInts(g + "/resolution", {2}, {c.width_px, c.height_px}, "px", "image width and height");
    h5.WriteDoubles(g + "/rate", {1}, {c.rate_hz}, "Hz", "frame rate");
  }
}

void WriteMarkers(Hdf5Writer& h5, const PointTable& table, double rate_hz, int max_points) {
  const uint64_t frames = table.position_m.size(), width = static_cast<uint64_t>(max_points);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> positions(frames * width * 3, nan), residual(frames * width, nan), time(frames);
  std::vector<int32_t> count(frames * width, 0), mask(frames * width, 0);
  for (uint64_t f = 0; f < frames; ++f) {
    time[f] = static_cast<double>(f) / rate_hz;
    std::copy(table.position_m[f].begin(), table.position_m[f].end(), positions.begin() + static_cast<ptrdiff_t>(f * width * 3));
    std::copy(table.residual_px[f].begin(), table.residual_px[f].end(), residual.begin() + static_cast<ptrdiff_t>(f * width));
    std::copy(table.camera_count[f].begin(), table.camera_count[f].end(), count.begin() + static_cast<ptrdiff_t>(f * width));
    std::copy(table.camera_mask[f].begin(), table.camera_mask[f].end(), mask.begin() + static_cast<ptrdiff_t>(f * width));
  }
  h5.WriteDoubles("/markers/positions", {frames, width, 3}, positions, "m",
                  "unlabelled reconstructed points per frame, lab frame, NaN-padded to the largest frame");
  h5.WriteDoubles("/markers/residual", {frames, width}, residual, "px",
                  "RMS reprojection error of each point over the cameras that saw it (ideal pixels), NaN padding");
  h5.WriteInts("/markers/camera_count", {frames, width}, count, "1", "number of cameras each point was triangulated from, 0 padding");
  h5.WriteInts("/markers/camera_mask", {frames, width}, mask, "1",
               "bit c set when camera c (order of /cameras and session.toml) saw the point");
  h5.WriteDoubles("/markers/time", {frames}, time, "s", "time of each frame from the first captured frame");
  h5.WriteStrings("/markers/labels", std::vector<std::string>(width), "marker labels; empty: points are unlabelled");
  h5.SetAttribute("/markers", "rate", rate_hz);
  h5.SetAttribute("/markers", "units", std::string("m"));
  h5.SetAttribute("/markers", "labelled", static_cast<int64_t>(0));
}

// The options in effect, defaults included (the session file may omit them).
std::string EffectiveOptionsJson(const SessionConfig& session, const ProcessOptions& options) {
  const DetectOptions& d = session.detect;
  const ReconstructOptions& r = session.reconstruct;
  nlohmann::json json = {
      {"detect", {{"threshold", d.threshold}, {"min_area_px", d.min_area_px}, {"max_area_px", d.max_area_px},
                  {"min_roundness", d.min_roundness}}},
      {"reconstruct", {{"epipolar_px", r.epipolar_px}, {"support_px", r.support_px}, {"max_residual_px", r.max_residual_px},
                       {"min_cameras", r.min_cameras}, {"refine_iterations", r.refine_iterations},
                       {"max_centroids_per_view", r.max_centroids_per_view}}},
      {"process", {{"batch_frames", options.batch_frames}}}};
  return json.dump();
}

std::string InputsJson(const SessionConfig& session) {
  nlohmann::json inputs = nlohmann::json::array();
  auto add = [&](const std::string& path) { inputs.push_back({{"path", path}, {"sha256", FileSha256(path)}}); };
  add(session.session_file);
  add(session.calibration_path);
  for (const CameraFootage& footage : session.footage) add(footage.video_path);
  return inputs.dump();
}

}  // namespace

void ProcessOptions::Validate() const {
  if (output_path.empty()) throw InvalidInput("process: -o: expected an output .h5 path, got nothing");
  if (batch_frames < 1 || batch_frames > 4096) {
    throw InvalidInput("process: --batch-frames: expected 1..4096, got " + std::to_string(batch_frames));
  }
  if (backend.backend == Backend::kAuto) throw InternalError("process: backend not resolved");
}

ProcessSummary ProcessSession(const ProcessOptions& options) {
  options.Validate();
  const SessionConfig session = ReadSession(options.session_folder);
  const std::vector<Camera> cameras = CamerasForSession(session, ReadCalibration(session.calibration_path));
  if (static_cast<int>(cameras.size()) < std::max(2, session.reconstruct.min_cameras)) {
    throw InvalidInput(session.session_file + ": [[cameras]]: expected at least " +
                       std::to_string(std::max(2, session.reconstruct.min_cameras)) +
                       " cameras (reconstruct.min_cameras), got " + std::to_string(cameras.size()));
  }
  auto readers = OpenVideos(session, cameras);
  const int announced_frames = readers.front()->frame_count();
  spdlog::info("process: {} cameras, about {} frames at {} Hz, backend {}", cameras.size(), announced_frames,
               session.rate_hz, options.backend.description);

  ProcessSummary summary;
  summary.camera_count = static_cast<int>(cameras.size());
  PointTable table;
  std::vector<std::vector<uint8_t>> frames(cameras.size());
  Progress progress("process", announced_frames);
  for (;;) {
    auto start = Clock::now();
    const int count = DecodeBatch(readers, options.batch_frames, &frames);
    summary.decode_s += Seconds(start);
    if (count == 0) break;

    start = Clock::now();
    std::vector<DetectedBlobs> blobs(cameras.size());
    std::vector<const DetectedBlobs*> blob_pointers;
    for (size_t c = 0; c < cameras.size(); ++c) {
      const ImageBatchView view{frames[c].data(), cameras[c].width_px, cameras[c].height_px, count};
      blobs[c] = DetectMarkers(options.backend.backend, view, session.detect);
      blob_pointers.push_back(&blobs[c]);
    }
    CheckCentroidCounts(cameras, blobs, summary.frame_count, session);
    summary.detect_s += Seconds(start);

    start = Clock::now();
    const ObservationBatch observations = MakeObservationBatch(cameras, blob_pointers, count);
    AppendPoints(ReconstructMarkers(options.backend.backend, observations, session.reconstruct), &table);
    summary.reconstruct_s += Seconds(start);
    summary.frame_count += count;
    progress.Advance(count);
  }
  progress.Finish();
  if (summary.frame_count == 0) {
    throw FileFormatError(readers.front()->path(), "frames", "at least one decodable frame", "none");
  }

  const auto start = Clock::now();
  for (const auto& counts : table.camera_count) {
    summary.point_count += static_cast<int64_t>(counts.size());
    summary.max_points_per_frame = std::max(summary.max_points_per_frame, static_cast<int>(counts.size()));
  }
  Hdf5Writer h5(options.output_path);
  h5.SetAttribute("/", "format", std::string("midstance"));
  h5.SetAttribute("/", "format_version", std::string(kFormatVersion));
  h5.SetAttribute("/", "software_version", std::string(kSoftwareVersion));
  h5.SetAttribute("/", "created", UtcNow());
  h5.SetAttribute("/", "inputs", InputsJson(session));
  h5.SetAttribute("/", "config", session.toml_text);
  h5.SetAttribute("/", "options", EffectiveOptionsJson(session, options));
  h5.SetAttribute("/", "command_line", options.command_line);
  h5.SetAttribute("/", "backend", std::string(BackendName(options.backend.backend)) + ": " + options.backend.description);
  h5.SetAttribute("/", "lab_frame", std::string("right-handed, Z up, X progression; metres"));
  WriteCameras(h5, cameras);
  WriteMarkers(h5, table, session.rate_hz, summary.max_points_per_frame);
  h5.Commit();
  summary.write_s = Seconds(start);
  return summary;
}

}  // namespace midstance
