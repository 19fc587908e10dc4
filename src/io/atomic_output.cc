#include "midstance/atomic_output.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "midstance/error.h"

namespace midstance {

AtomicOutput::AtomicOutput(std::string final_path) : final_path_(std::move(final_path)) {
  const std::filesystem::path path(final_path_);
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  if (!std::filesystem::is_directory(folder)) {
    throw InvalidInput(final_path_ + ": output folder '" + folder.string() + "' does not exist");
  }
  // Keeps the extension: some writers (OpenCV's video writer) choose the format from it.
  temporary_path_ = (folder / ("." + path.stem().string() + ".partial-" +
                               std::to_string(static_cast<long>(getpid())) + path.extension().string()))
                        .string();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_path_, ignored);
  }
}

void AtomicOutput::Commit() {
  std::error_code error;
  std::filesystem::rename(temporary_path_, final_path_, error);
  if (error) throw InvalidInput(final_path_ + ": cannot move the finished file into place: " + error.message());
  committed_ = true;
}

}  // namespace midstance
