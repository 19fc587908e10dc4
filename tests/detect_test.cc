// Detection kernel (CPU backend) against an OpenCV reference: cv::threshold +
// cv::connectedComponentsWithStats (8-connectivity) + intensity moments over each label, on
// awkward sizes; and centroid accuracy against the synthetic renderer's true centres.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <omp.h>

#include <random>

#include "midstance/compute.h"
#include "midstance/detect.h"
#include "midstance/error.h"
#include "midstance/synth.h"

namespace midstance {
namespace {

struct ReferenceBlob {
  double x, y;
  int area;
};

// Centroids with the same weights as the kernel (I - threshold + 1), from OpenCV's labels.
std::vector<ReferenceBlob> OpenCvReference(const cv::Mat& image, int threshold) {
  cv::Mat binary, labels, stats, centroids;
  cv::threshold(image, binary, threshold - 1, 255, cv::THRESH_BINARY);
  const int count = cv::connectedComponentsWithStats(binary, labels, stats, centroids, 8, CV_32S);
  std::vector<double> w(count, 0), wx(count, 0), wy(count, 0);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      const int label = labels.at<int>(y, x);
      if (label == 0) continue;
      const double weight = image.at<uint8_t>(y, x) - threshold + 1;
      w[label] += weight;
      wx[label] += weight * x;
      wy[label] += weight * y;
    }
  }
  std::vector<ReferenceBlob> blobs;
  for (int label = 1; label < count; ++label) {
    blobs.push_back({wx[label] / w[label], wy[label] / w[label], stats.at<int>(label, cv::CC_STAT_AREA)});
  }
  // Raster order of each component's first pixel, as the kernel reports them.
  std::vector<std::pair<int, int>> first(count, {-1, -1});
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      const int label = labels.at<int>(y, x);
      if (label > 0 && first[label].first < 0) first[label] = {y, x};
    }
  }
  std::vector<int> order(blobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return first[a + 1] < first[b + 1]; });
  std::vector<ReferenceBlob> sorted;
  for (int i : order) sorted.push_back(blobs[static_cast<size_t>(i)]);
  return sorted;
}

void ExpectMatchesReference(const cv::Mat& image, int threshold, const std::string& what) {
  const ImageBatchView view{image.data, image.cols, image.rows, 1};
  const DetectedBlobs blobs = compute::DetectBlobs(Backend::kCpu, view, threshold, BlobFilter::None());
  const std::vector<ReferenceBlob> reference = OpenCvReference(image, threshold);
  ASSERT_EQ(blobs.blobs.size(), reference.size()) << what;
  ASSERT_EQ(blobs.frame_begin.size(), 2u);
  EXPECT_EQ(blobs.frame_begin[1], static_cast<int>(reference.size()));
  for (size_t i = 0; i < reference.size(); ++i) {
    EXPECT_EQ(blobs.blobs[i].area_px, reference[i].area) << what << " blob " << i;
    EXPECT_NEAR(blobs.blobs[i].x_px, reference[i].x, 1e-9) << what << " blob " << i;
    EXPECT_NEAR(blobs.blobs[i].y_px, reference[i].y, 1e-9) << what << " blob " << i;
  }
}

cv::Mat RandomSpots(int width, int height, unsigned seed, double density) {
  cv::Mat image(height, width, CV_8UC1, cv::Scalar(0));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) image.at<uint8_t>(y, x) = unit(rng) < density ? static_cast<uint8_t>(40 + 215 * unit(rng)) : 0;
  }
  return image;
}

TEST(DetectBlobs, MatchesOpenCvOnAwkwardImages) {
  ExpectMatchesReference(cv::Mat(1, 1, CV_8UC1, cv::Scalar(0)), 50, "1x1 dark");
  ExpectMatchesReference(cv::Mat(1, 1, CV_8UC1, cv::Scalar(255)), 50, "1x1 bright");
  ExpectMatchesReference(cv::Mat(17, 33, CV_8UC1, cv::Scalar(0)), 50, "33x17 all dark");
  ExpectMatchesReference(cv::Mat(17, 33, CV_8UC1, cv::Scalar(200)), 50, "33x17 all bright");
  ExpectMatchesReference(cv::Mat(1024, 1280, CV_8UC1, cv::Scalar(180)), 50, "1280x1024 all bright");
  ExpectMatchesReference(RandomSpots(33, 17, 1, 0.3), 50, "33x17 random");
  ExpectMatchesReference(RandomSpots(1, 129, 2, 0.5), 50, "1x129 column");
  ExpectMatchesReference(RandomSpots(257, 1, 3, 0.5), 50, "257x1 row");
  ExpectMatchesReference(RandomSpots(131, 77, 4, 0.45), 50, "131x77 dense maze");
  ExpectMatchesReference(RandomSpots(640, 480, 5, 0.02), 50, "640x480 sparse");
  cv::Mat border(17, 33, CV_8UC1, cv::Scalar(0));
  cv::circle(border, {0, 0}, 4, 220, -1);
  cv::circle(border, {32, 16}, 3, 180, -1);
  cv::circle(border, {32, 0}, 2, 250, -1);
  cv::circle(border, {10, 16}, 2, 90, -1);
  ExpectMatchesReference(border, 60, "blobs on the border");
}

TEST(DetectBlobs, MatchesOpenCvAcrossChunkAndTileBoundariesInBatches) {
  // Widths around the kernel's 128-byte chunks and 4 KiB tiles, so runs cross both; several
  // frames per batch, each compared with OpenCV on its own.
  std::mt19937 rng(21);
  const int widths[] = {1, 2, 3, 7, 127, 128, 129, 255, 256, 257, 4095, 4096, 4097};
  int case_number = 0;
  for (int width : widths) {
    for (double density : {0.05, 0.3, 0.6}) {
      const int height = 1 + static_cast<int>(rng() % (width > 1000 ? 9 : 70));
      const int frames = 1 + static_cast<int>(rng() % 3);
      std::vector<cv::Mat> images;
      std::vector<uint8_t> batch;
      for (int f = 0; f < frames; ++f) {
        images.push_back(RandomSpots(width, height, rng(), density));
        batch.insert(batch.end(), images.back().data, images.back().data + static_cast<size_t>(width) * height);
      }
      const DetectedBlobs blobs =
          compute::DetectBlobs(Backend::kCpu, ImageBatchView{batch.data(), width, height, frames}, 50, BlobFilter::None());
      ASSERT_EQ(blobs.frame_begin.size(), static_cast<size_t>(frames) + 1);
      for (int f = 0; f < frames; ++f) {
        const std::vector<ReferenceBlob> reference = OpenCvReference(images[static_cast<size_t>(f)], 50);
        ASSERT_EQ(blobs.frame_begin[f + 1] - blobs.frame_begin[f], static_cast<int>(reference.size()))
            << "case " << case_number << ": " << width << " x " << height << " frame " << f;
        for (size_t i = 0; i < reference.size(); ++i) {
          const Centroid2D& b = blobs.blobs[static_cast<size_t>(blobs.frame_begin[f]) + i];
          ASSERT_EQ(b.area_px, reference[i].area) << "case " << case_number << " blob " << i;
          ASSERT_NEAR(b.x_px, reference[i].x, 1e-9) << "case " << case_number << " blob " << i;
          ASSERT_NEAR(b.y_px, reference[i].y, 1e-9) << "case " << case_number << " blob " << i;
        }
      }
      ++case_number;
    }
  }
}

TEST(DetectBlobs, FramesOfABatchAreIndependent) {
  // A blob touching the bottom row of frame 0 and one on the top row of frame 1 must not merge.
  const int width = 37, height = 11;
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3, 0);
  for (int x = 5; x < 9; ++x) {
    pixels[static_cast<size_t>((height - 1) * width + x)] = 200;               // frame 0, last row
    pixels[static_cast<size_t>(width * height + x)] = 200;                     // frame 1, first row
  }
  pixels[static_cast<size_t>(2 * width * height + width * height - 1)] = 99;  // frame 2, last pixel
  const DetectedBlobs blobs =
      compute::DetectBlobs(Backend::kCpu, ImageBatchView{pixels.data(), width, height, 3}, 50, BlobFilter::None());
  ASSERT_EQ(blobs.blobs.size(), 3u);
  EXPECT_EQ(blobs.frame_begin, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(blobs.blobs[0].area_px, 4);
  EXPECT_EQ(blobs.blobs[1].area_px, 4);
  EXPECT_DOUBLE_EQ(blobs.blobs[2].x_px, width - 1);
  EXPECT_DOUBLE_EQ(blobs.blobs[2].y_px, height - 1);
}

TEST(DetectBlobs, FiltersRejectStreaksAndSpecks) {
  cv::Mat image(100, 200, CV_8UC1, cv::Scalar(0));
  cv::circle(image, {50, 50}, 4, 220, -1);                  // marker
  cv::line(image, {100, 20}, {180, 30}, 220, 2);            // streak: low roundness
  image.at<uint8_t>(80, 20) = 200;                          // one-pixel speck
  DetectOptions options;
  const DetectedBlobs blobs = DetectMarkers(Backend::kCpu, ImageBatchView{image.data, image.cols, image.rows, 1}, options);
  ASSERT_EQ(blobs.blobs.size(), 1u);
  EXPECT_NEAR(blobs.blobs[0].x_px, 50, 1e-9);
  EXPECT_NEAR(blobs.blobs[0].y_px, 50, 1e-9);
  EXPECT_GT(blobs.blobs[0].roundness, 0.9);
}

TEST(DetectBlobs, ResultsDoNotDependOnThreadCount) {
  const cv::Mat image = RandomSpots(300, 200, 9, 0.3);
  const ImageBatchView view{image.data, image.cols, image.rows, 1};
  omp_set_num_threads(1);
  const DetectedBlobs one = compute::DetectBlobs(Backend::kCpu, view, 50, BlobFilter::None());
  omp_set_num_threads(2);
  const DetectedBlobs two = compute::DetectBlobs(Backend::kCpu, view, 50, BlobFilter::None());
  ASSERT_EQ(one.blobs.size(), two.blobs.size());
  for (size_t i = 0; i < one.blobs.size(); ++i) {
    EXPECT_EQ(one.blobs[i].x_px, two.blobs[i].x_px);
    EXPECT_EQ(one.blobs[i].y_px, two.blobs[i].y_px);
    EXPECT_EQ(one.blobs[i].roundness, two.blobs[i].roundness);
  }
}

TEST(DetectOptions, ValidateNamesTheField) {
  DetectOptions options;
  options.threshold = 0;
  try {
    options.Validate();
    FAIL();
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("threshold"), std::string::npos);
  }
  options = DetectOptions();
  options.max_area_px = 1;
  EXPECT_THROW(options.Validate(), InvalidInput);
}

struct CentroidErrors {
  double rms_px = 0;
  int compared = 0;
  int missed_large = 0;  // isolated true markers of > 3 px area with no detection within 1 px
};

// Renders frames of a synthetic scene, detects, and compares with the true centres of markers
// that are isolated (no other marker or reflection within 10 px) and away from the border.
CentroidErrors MeasureCentroids(double read_noise_dn, int frames) {
  SynthOptions options;
  options.read_noise_dn = read_noise_dn;
  options.duration_s = frames / options.rate_hz;
  const SyntheticScene scene = MakeScene(options);
  const int width = options.width_px, height = options.height_px;
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height);
  std::vector<double> centres;
  double sum2 = 0;
  CentroidErrors errors;
  for (int c = 0; c < options.camera_count; ++c) {
    for (int f = 0; f < scene.frame_count; ++f) {
      RenderFrame(scene, c, f, pixels.data(), &centres);
      const DetectedBlobs blobs =
          DetectMarkers(Backend::kCpu, ImageBatchView{pixels.data(), width, height, 1}, DetectOptions());
      for (int m = 0; m < scene.marker_count(); ++m) {
        const double u = centres[2 * m], v = centres[2 * m + 1];
        if (std::isnan(u) || u < 6 || v < 6 || u > width - 7 || v > height - 7) continue;
        bool isolated = true;
        for (int n = 0; n < scene.marker_count(); ++n) {
          if (n != m && !std::isnan(centres[2 * n]) && std::hypot(centres[2 * n] - u, centres[2 * n + 1] - v) < 10) isolated = false;
        }
        for (const StaticReflection& r : scene.reflections[static_cast<size_t>(c)]) {
          if ((r.centre_px - Eigen::Vector2d(u, v)).norm() < r.major_px + 10) isolated = false;
        }
        if (!isolated) continue;
        double best = 1e9;
        for (const Centroid2D& blob : blobs.blobs) best = std::min(best, std::hypot(blob.x_px - u, blob.y_px - v));
        if (best > 1.0) {
          ++errors.missed_large;  // every marker of the ring covers more than 3 px
          continue;
        }
        sum2 += best * best;
        ++errors.compared;
      }
    }
  }
  errors.rms_px = std::sqrt(sum2 / std::max(1, errors.compared));
  return errors;
}

TEST(DetectAccuracy, NoiseFreeRendersWithin003Px) {
  const CentroidErrors errors = MeasureCentroids(0.0, 12);
  EXPECT_GT(errors.compared, 1000);
  EXPECT_LE(errors.rms_px, 0.03) << errors.compared << " centroids";
  EXPECT_EQ(errors.missed_large, 0);
  RecordProperty("centroid_rms_px_noise_free", std::to_string(errors.rms_px));
}

TEST(DetectAccuracy, DefaultNoiseWithin005Px) {
  const CentroidErrors errors = MeasureCentroids(SynthOptions().read_noise_dn, 12);
  EXPECT_GT(errors.compared, 1000);
  EXPECT_LE(errors.rms_px, 0.05) << errors.compared << " centroids";
  EXPECT_EQ(errors.missed_large, 0);
  RecordProperty("centroid_rms_px_default_noise", std::to_string(errors.rms_px));
}

TEST(DetectAccuracy, HeavierNoiseStillFindsEveryMarker) {
  const CentroidErrors errors = MeasureCentroids(2.0, 6);
  EXPECT_EQ(errors.missed_large, 0);
  EXPECT_LE(errors.rms_px, 0.08);
}

}  // namespace
}  // namespace midstance
