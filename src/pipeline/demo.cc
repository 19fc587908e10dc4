#include "midstance/demo.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "midstance/error.h"

namespace midstance {
namespace {
namespace fs = std::filesystem;

std::string NewDemoFolder() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", std::localtime(&now));
  std::string folder = std::string("midstance-demo-") + stamp;
  for (int n = 2; fs::exists(folder); ++n) folder = std::string("midstance-demo-") + stamp + "-" + std::to_string(n);
  return folder;
}

}  // namespace

DemoSummary RunDemo(const DemoOptions& options) {
  DemoSummary summary;
  summary.out_folder = options.out_folder.empty() ? NewDemoFolder() : options.out_folder;
  std::error_code error;
  fs::create_directories(summary.out_folder, error);
  if (error) throw InvalidInput(summary.out_folder + ": cannot create the demo folder: " + error.message());
  const std::string session = (fs::path(summary.out_folder) / "session").string();
  summary.result_path = (fs::path(summary.out_folder) / "result.h5").string();

  const auto start = std::chrono::steady_clock::now();
  WriteSyntheticSession(session, options.synth);
  summary.synth_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ProcessOptions process;
  process.session_folder = session;
  process.output_path = summary.result_path;
  process.backend = options.backend;
  process.command_line = "midstance demo";
  summary.process = ProcessSession(process);
  summary.truth = CompareWithTruth(summary.result_path, (fs::path(session) / "truth.h5").string());
  return summary;
}

}  // namespace midstance
