#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace midstance::testing {
namespace fs = std::filesystem;

// ../shared/data beside the clone; MIDSTANCE_SHARED_DATA points elsewhere (a missing folder
// shows what a clone alone does: every real-file test skips, naming its file).
const std::string kSharedData = std::getenv("MIDSTANCE_SHARED_DATA") != nullptr ? std::string(std::getenv("MIDSTANCE_SHARED_DATA"))
                                                                                : std::string(MIDSTANCE_SOURCE_DIR) + "/../shared/data";

std::string SharedDataPath(const std::string& name) {
  const std::string c3d = kSharedData + "/c3d/" + name;
  return fs::exists(c3d) ? c3d : kSharedData + "/opensim/" + name;
}

const nlohmann::json& SharedGolden() {
  static const nlohmann::json golden = [] {
    std::ifstream stream(kSharedData + "/expected.json");
    return stream ? nlohmann::json::parse(stream) : nlohmann::json();
  }();
  return golden;
}

TempDir::TempDir() {
  std::random_device device;
  const fs::path base = fs::temp_directory_path() / "midstance-tests";
  fs::create_directories(base);
  path_ = (base / ("t" + std::to_string(getpid()) + "-" + std::to_string(device()))).string();
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream stream(path);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}
}  // namespace

::testing::AssertionResult ValuesMatch(const std::vector<double>& expected, const std::vector<double>& actual,
                                       double relative) {
  if (expected.size() != actual.size()) {
    return ::testing::AssertionFailure() << "sizes " << expected.size() << " and " << actual.size();
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::isnan(expected[i]) != std::isnan(actual[i])) {
      return ::testing::AssertionFailure() << "value " << i << ": " << expected[i] << " vs " << actual[i];
    }
    if (!std::isnan(expected[i]) &&
        !(std::fabs(actual[i] - expected[i]) <= relative * std::max(1.0, std::fabs(expected[i])))) {
      return ::testing::AssertionFailure() << "value " << i << ": expected " << expected[i] << ", got " << actual[i];
    }
  }
  return ::testing::AssertionSuccess();
}

CommandResult RunMidstance(const std::string& arguments) {
  TempDir capture;
  const std::string out = capture / "out", err = capture / "err";
  const std::string command = std::string(MIDSTANCE_BINARY) + " " + arguments + " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = Slurp(out);
  result.err = Slurp(err);
  return result;
}

}  // namespace midstance::testing
