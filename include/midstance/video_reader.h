#pragma once
// Reads 8-bit grey frames from a lossless camera video (FFV1 in Matroska, as `midstance synth`
// writes, or anything OpenCV's FFmpeg backend decodes; an image sequence as "dir/%06d.png").
#include <cstdint>
#include <memory>
#include <string>

namespace cv { class VideoCapture; }

namespace midstance {

class VideoReader {
 public:
  // Throws FileFormatError when the file is missing, unreadable or not a decodable video.
  explicit VideoReader(const std::string& path);
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  const std::string& path() const { return path_; }
  int width_px() const { return width_; }
  int height_px() const { return height_; }
  // Frame count from the container (checked against the frames actually decoded).
  int frame_count() const { return frame_count_; }

  // Decodes the next frame into `grey` (width * height bytes). Returns false at the end of the
  // stream; throws FileFormatError when a frame has another size.
  bool ReadGrey(uint8_t* grey);
  int frames_read() const { return frames_read_; }

 private:
  std::string path_;
  std::unique_ptr<cv::VideoCapture> capture_;
  int width_ = 0, height_ = 0, frame_count_ = 0, frames_read_ = 0;
};

}  // namespace midstance
