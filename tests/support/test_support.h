#pragma once
// Shared test helpers: temporary folders and running the midstance binary.
#include <gtest/gtest.h>

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

// Runs the midstance binary with `arguments` (shell-quoted by the caller), capturing output.
CommandResult RunMidstance(const std::string& arguments);

}  // namespace midstance::testing
