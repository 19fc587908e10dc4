#include "midstance/centroid_csv.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "midstance/atomic_output.h"
#include "midstance/error.h"

namespace midstance {

struct CentroidCsvWriter::State {
  explicit State(const std::string& path) : output(path) {}
  AtomicOutput output;
  std::FILE* file = nullptr;
};

CentroidCsvWriter::CentroidCsvWriter(const std::string& path) : state_(std::make_unique<State>(path)) {
  state_->file = std::fopen(state_->output.temporary_path().c_str(), "w");
  if (!state_->file) throw InvalidInput(path + ": cannot create the CSV file");
  std::fputs("frame,x,y,area,roundness\n", state_->file);
}

CentroidCsvWriter::~CentroidCsvWriter() {
  if (state_->file) std::fclose(state_->file);
}

void CentroidCsvWriter::Append(int first_frame, const DetectedBlobs& blobs) {
  for (size_t f = 0; f + 1 < blobs.frame_begin.size(); ++f) {
    for (int k = blobs.frame_begin[f]; k < blobs.frame_begin[f + 1]; ++k) {
      const Centroid2D& c = blobs.blobs[static_cast<size_t>(k)];
      std::fprintf(state_->file, "%d,%.6f,%.6f,%d,%.6f\n", first_frame + static_cast<int>(f), c.x_px, c.y_px,
                   c.area_px, c.roundness);
    }
  }
}

void CentroidCsvWriter::Commit() {
  const bool ok = std::fflush(state_->file) == 0 && std::ferror(state_->file) == 0;
  std::fclose(state_->file);
  state_->file = nullptr;
  if (!ok) throw InvalidInput(state_->output.final_path() + ": cannot write the CSV file (disk full?)");
  state_->output.Commit();
}

std::vector<std::vector<Centroid2D>> ReadCentroidCsv(const std::string& path) {
  std::ifstream stream(path);
  if (!stream) throw FileFormatError(path, "file", "a readable CSV file", "no such file or unreadable");
  std::string line;
  std::getline(stream, line);
  if (line.rfind("frame,x,y,area,roundness", 0) != 0) {
    throw FileFormatError(path, "header", "frame,x,y,area,roundness", "'" + line + "'");
  }
  std::vector<std::vector<Centroid2D>> frames;
  int line_number = 1;
  while (std::getline(stream, line)) {
    ++line_number;
    if (line.empty()) continue;
    int frame = 0;
    Centroid2D c;
    if (std::sscanf(line.c_str(), "%d,%lf,%lf,%d,%lf", &frame, &c.x_px, &c.y_px, &c.area_px, &c.roundness) != 5 ||
        frame < 0) {
      throw FileFormatError(path, "line " + std::to_string(line_number), "frame,x,y,area,roundness", "'" + line + "'");
    }
    if (static_cast<size_t>(frame) >= frames.size()) frames.resize(static_cast<size_t>(frame) + 1);
    frames[static_cast<size_t>(frame)].push_back(c);
  }
  return frames;
}

}  // namespace midstance
