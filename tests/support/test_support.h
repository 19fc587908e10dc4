#pragma once
// Shared test helpers: temporary folders and running the midstance binary.
#include <string>

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

// Runs the midstance binary with `arguments` (shell-quoted by the caller), capturing output.
CommandResult RunMidstance(const std::string& arguments);

}  // namespace midstance::testing
