#include "midstance/video_reader.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "midstance/error.h"

namespace midstance {
namespace {
// FFmpeg would print its own multi-line complaints about corrupt files; midstance reports them
// itself, in one line.
void SilenceDecoderLogs() {
  static const bool done = [] {
    setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0);  // AV_LOG_QUIET
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    return true;
  }();
  (void)done;
}
}  // namespace

VideoReader::VideoReader(const std::string& path) : path_(path) {
  SilenceDecoderLogs();
  const bool sequence = path.find('%') != std::string::npos;
  if (!sequence) {
    if (!std::filesystem::exists(path)) throw FileFormatError(path, "video", "an existing video file", "no such file");
    if (std::filesystem::is_directory(path)) throw FileFormatError(path, "video", "a video file", "a folder");
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw FileFormatError(path, "video", "a readable file", "permission denied");
  }
  capture_ = std::make_unique<cv::VideoCapture>();
  const int api = sequence ? cv::CAP_IMAGES : cv::CAP_FFMPEG;
  if (!capture_->open(path, api) || !capture_->isOpened()) {
    throw FileFormatError(path, "video", "a video OpenCV can decode (FFV1/Matroska or an image sequence)",
                          "undecodable data");
  }
  width_ = static_cast<int>(capture_->get(cv::CAP_PROP_FRAME_WIDTH));
  height_ = static_cast<int>(capture_->get(cv::CAP_PROP_FRAME_HEIGHT));
  frame_count_ = static_cast<int>(capture_->get(cv::CAP_PROP_FRAME_COUNT));
  if (width_ <= 0 || height_ <= 0) {
    throw FileFormatError(path, "video size", "positive width and height", std::to_string(width_) + " x " + std::to_string(height_));
  }
  if (frame_count_ <= 0) throw FileFormatError(path, "video frame count", "at least one frame", std::to_string(frame_count_));
}

VideoReader::~VideoReader() = default;

bool VideoReader::ReadGrey(uint8_t* grey) {
  cv::Mat frame;
  if (!capture_->read(frame) || frame.empty()) return false;
  if (frame.cols != width_ || frame.rows != height_) {
    throw FileFormatError(path_, "frame " + std::to_string(frames_read_) + " size",
                          std::to_string(width_) + " x " + std::to_string(height_),
                          std::to_string(frame.cols) + " x " + std::to_string(frame.rows));
  }
  cv::Mat destination(height_, width_, CV_8UC1, grey);
  if (frame.type() == CV_8UC1) {
    frame.copyTo(destination);
  } else if (frame.type() == CV_8UC3) {
    // Grey stored as BGR has equal channels; the conversion's weights sum to one, so exact.
    cv::cvtColor(frame, destination, cv::COLOR_BGR2GRAY);
  } else {
    throw FileFormatError(path_, "frame " + std::to_string(frames_read_) + " pixel format", "8-bit grey or BGR",
                          "OpenCV type " + std::to_string(frame.type()));
  }
  ++frames_read_;
  return true;
}

}  // namespace midstance
