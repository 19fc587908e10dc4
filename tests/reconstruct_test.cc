// Reconstruction against synthetic truth, in memory: exact centroids give exact points; rendered
// and detected centroids give sub-millimetre points with no ghosts.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "midstance/detect.h"
#include "midstance/error.h"
#include "midstance/reconstruct.h"
#include "midstance/synth.h"

namespace midstance {
namespace {

struct Score {
  int64_t reconstructed = 0, matched = 0, ghosts = 0, observable = 0;
  double rms_mm = 0;
};

Score ScoreAgainstTruth(const SyntheticScene& scene, const ReconstructedPoints& points,
                        const std::vector<std::vector<int>>& views_per_sample) {
  Score score;
  double sum2 = 0;
  for (int f = 0; f < scene.frame_count; ++f) {
    for (int m = 0; m < scene.marker_count(); ++m) score.observable += views_per_sample[static_cast<size_t>(f)][static_cast<size_t>(m)] >= 3;
    std::vector<bool> taken(static_cast<size_t>(scene.marker_count()), false);
    for (int k = points.frame_begin[static_cast<size_t>(f)]; k < points.frame_begin[static_cast<size_t>(f) + 1]; ++k) {
      ++score.reconstructed;
      const Eigen::Vector3d p(&points.position_m[3 * static_cast<size_t>(k)]);
      int best = -1;
      double best_d = 0.01;
      for (int m = 0; m < scene.marker_count(); ++m) {
        const double d = (scene.Position(f, m) - p).norm();
        if (d < best_d) {
          best_d = d;
          best = m;
        }
      }
      if (best < 0 || taken[static_cast<size_t>(best)]) {
        ++score.ghosts;
      } else {
        taken[static_cast<size_t>(best)] = true;
        ++score.matched;
        sum2 += best_d * best_d;
      }
    }
  }
  score.rms_mm = 1000 * std::sqrt(sum2 / std::max<int64_t>(1, score.matched));
  return score;
}

// Renders and detects every camera of `scene`, or (exact) projects the truth directly.
ReconstructedPoints RunScene(const SyntheticScene& scene, bool exact_centroids, std::vector<std::vector<int>>* views) {
  const SynthOptions& o = scene.options;
  std::vector<DetectedBlobs> blobs(scene.cameras.size());
  views->assign(static_cast<size_t>(scene.frame_count), std::vector<int>(static_cast<size_t>(scene.marker_count()), 0));
  std::vector<uint8_t> pixels(static_cast<size_t>(o.width_px) * o.height_px);
  std::vector<double> centres;
  for (size_t c = 0; c < scene.cameras.size(); ++c) {
    blobs[c].frame_begin.push_back(0);
    for (int f = 0; f < scene.frame_count; ++f) {
      RenderFrame(scene, static_cast<int>(c), f, pixels.data(), &centres);
      for (int m = 0; m < scene.marker_count(); ++m) (*views)[static_cast<size_t>(f)][static_cast<size_t>(m)] += !std::isnan(centres[2 * m]);
      if (exact_centroids) {
        for (int m = 0; m < scene.marker_count(); ++m) {
          if (!std::isnan(centres[2 * m])) blobs[c].blobs.push_back({centres[2 * m], centres[2 * m + 1], 10, 1.0});
        }
      } else {
        const DetectedBlobs frame = DetectMarkers(Backend::kCpu, ImageBatchView{pixels.data(), o.width_px, o.height_px, 1}, DetectOptions());
        blobs[c].blobs.insert(blobs[c].blobs.end(), frame.blobs.begin(), frame.blobs.end());
      }
      blobs[c].frame_begin.push_back(static_cast<int>(blobs[c].blobs.size()));
    }
  }
  std::vector<const DetectedBlobs*> pointers;
  for (const DetectedBlobs& b : blobs) pointers.push_back(&b);
  return ReconstructMarkers(Backend::kCpu, MakeObservationBatch(scene.cameras, pointers, scene.frame_count), ReconstructOptions());
}

TEST(Reconstruct, ExactCentroidsGiveExactPoints) {
  SynthOptions options;
  options.duration_s = 0.08;
  options.reflections_per_camera = 0;
  const SyntheticScene scene = MakeScene(options);
  std::vector<std::vector<int>> views;
  const ReconstructedPoints points = RunScene(scene, true, &views);
  const Score score = ScoreAgainstTruth(scene, points, views);
  EXPECT_EQ(score.ghosts, 0);
  EXPECT_LT(score.rms_mm, 1e-6);
  EXPECT_EQ(score.matched, score.observable);  // every marker seen by >= 3 cameras comes back
  for (double r : points.residual_px) EXPECT_LT(r, 1e-6);
}

TEST(Reconstruct, RenderedSessionIsSubMillimetreWithoutGhosts) {
  SynthOptions options;
  options.duration_s = 0.2;
  const SyntheticScene scene = MakeScene(options);
  std::vector<std::vector<int>> views;
  const ReconstructedPoints points = RunScene(scene, false, &views);
  const Score score = ScoreAgainstTruth(scene, points, views);
  EXPECT_LE(score.rms_mm, 0.5);
  EXPECT_LE(static_cast<double>(score.ghosts), 0.005 * static_cast<double>(score.reconstructed));
  EXPECT_GE(static_cast<double>(score.matched), 0.95 * static_cast<double>(score.observable));
  for (size_t k = 0; k < points.camera_count.size(); ++k) {
    EXPECT_GE(points.camera_count[k], 3);
    EXPECT_LE(points.residual_px[k], ReconstructOptions().max_residual_px);
  }
  RecordProperty("rms_mm", std::to_string(score.rms_mm));
}

TEST(Reconstruct, TwoViewMinimumAdmitsPointsSeenByTwoCameras) {
  // Two cameras only: with min_cameras = 2 every marker comes back; with 3, none.
  SynthOptions options;
  options.duration_s = 0.02;
  options.reflections_per_camera = 0;
  options.occlusion_fraction = 0;
  SyntheticScene scene = MakeScene(options);
  scene.cameras.resize(2);
  std::vector<DetectedBlobs> blobs(2);
  for (int c = 0; c < 2; ++c) {
    blobs[static_cast<size_t>(c)].frame_begin = {0};
    for (int f = 0; f < scene.frame_count; ++f) {
      for (int m = 0; m < scene.marker_count(); ++m) {
        const auto pixel = scene.cameras[static_cast<size_t>(c)].ProjectToPixel(scene.Position(f, m));
        blobs[static_cast<size_t>(c)].blobs.push_back({pixel->x(), pixel->y(), 10, 1.0});
      }
      blobs[static_cast<size_t>(c)].frame_begin.push_back(static_cast<int>(blobs[static_cast<size_t>(c)].blobs.size()));
    }
  }
  const ObservationBatch batch = MakeObservationBatch(scene.cameras, {&blobs[0], &blobs[1]}, scene.frame_count);
  ReconstructOptions two;
  two.min_cameras = 2;
  const ReconstructedPoints with_two = ReconstructMarkers(Backend::kCpu, batch, two);
  EXPECT_GE(static_cast<int>(with_two.camera_count.size()), scene.frame_count * scene.marker_count() * 9 / 10);
  const ReconstructedPoints with_three = ReconstructMarkers(Backend::kCpu, batch, ReconstructOptions());
  EXPECT_EQ(with_three.camera_count.size(), 0u);
}

TEST(Reconstruct, EmptyAndSingleCameraInputs) {
  const std::vector<Camera> cameras = MakeCameraRing(SynthOptions());
  DetectedBlobs none;
  none.frame_begin = {0, 0, 0};
  std::vector<const DetectedBlobs*> pointers(cameras.size(), &none);
  const ReconstructedPoints points =
      ReconstructMarkers(Backend::kCpu, MakeObservationBatch(cameras, pointers, 2), ReconstructOptions());
  EXPECT_EQ(points.frame_begin, (std::vector<int>{0, 0, 0}));
  EXPECT_TRUE(points.position_m.empty());
}

TEST(ReconstructOptions, ValidateRejectsOneCameraMinimum) {
  ReconstructOptions options;
  options.min_cameras = 1;
  EXPECT_THROW(options.Validate(), InvalidInput);
  options = ReconstructOptions();
  options.epipolar_px = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(options.Validate(), InvalidInput);
}

}  // namespace
}  // namespace midstance
