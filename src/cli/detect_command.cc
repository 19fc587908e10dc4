#include "detect_command.h"

#include "midstance/centroid_csv.h"
#include "midstance/detect.h"
#include "midstance/error.h"
#include "midstance/progress.h"
#include "midstance/video_reader.h"

namespace midstance {

DetectCommandSummary RunDetectCommand(const DetectCommandOptions& options, Backend backend) {
  options.detect.Validate();
  if (options.output_path.empty()) throw InvalidInput("detect: -o: expected an output CSV path, got nothing");
  VideoReader reader(options.video_path);
  CentroidCsvWriter csv(options.output_path);
  const size_t frame_bytes = static_cast<size_t>(reader.width_px()) * reader.height_px();
  std::vector<uint8_t> frames(frame_bytes * static_cast<size_t>(options.batch_frames));
  DetectCommandSummary summary;
  Progress progress("detect", reader.frame_count());
  for (bool more = true; more;) {
    int count = 0;
    while (count < options.batch_frames && (more = reader.ReadGrey(frames.data() + frame_bytes * static_cast<size_t>(count)))) {
      ++count;
    }
    if (count == 0) break;
    const DetectedBlobs blobs =
        DetectMarkers(backend, ImageBatchView{frames.data(), reader.width_px(), reader.height_px(), count}, options.detect);
    csv.Append(summary.frame_count, blobs);
    summary.frame_count += count;
    summary.blob_count += static_cast<int64_t>(blobs.blobs.size());
    progress.Advance(count);
  }
  progress.Finish();
  if (summary.frame_count < reader.frame_count()) {
    throw FileFormatError(options.video_path, "frame " + std::to_string(summary.frame_count),
                          "a decodable frame (the container announces " + std::to_string(reader.frame_count()) + ")",
                          "corrupt or missing data");
  }
  csv.Commit();
  return summary;
}

}  // namespace midstance
