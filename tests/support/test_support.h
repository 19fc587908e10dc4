#pragma once
// Shared test helpers: temporary folders and running the midstance binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace midstance::testing {

// A fresh folder under the build's temporary area, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Same size, NaN exactly where `expected` is NaN, and elsewhere
// |actual - expected| <= relative * max(1, |expected|) (relative 0: equal). Names the first
// index that differs.
::testing::AssertionResult ValuesMatch(const std::vector<double>& expected, const std::vector<double>& actual,
                                       double relative);

// ../shared/data (real trials, read-only; MIDSTANCE_SHARED_DATA overrides the folder): its folder, a trial's path by file name (c3d/ or
// opensim/), and expected.json (null when the folder is absent: tests then skip).
extern const std::string kSharedData;
std::string SharedDataPath(const std::string& name);
const nlohmann::json& SharedGolden();

// In a real-trial test: skip with a message when ../shared/data is absent.
#define MIDSTANCE_SKIP_WITHOUT_SHARED_DATA()                                                    \
  if (::midstance::testing::kSharedData.empty() ||                                             \
      !std::filesystem::exists(::midstance::testing::SharedDataPath("vicon_gait_raw.c3d")))  \
  GTEST_SKIP() << ::midstance::testing::SharedDataPath("vicon_gait_raw.c3d") << " is absent (../shared/data not beside the clone)"

// Runs the midstance binary with `arguments` (shell-quoted by the caller), capturing output.
CommandResult RunMidstance(const std::string& arguments);

}  // namespace midstance::testing
