#pragma once
// A progress line for long work: drawn on stderr only when stderr is a terminal and the user
// did not ask for --quiet or --json, so piped output stays clean.
#include <chrono>
#include <cstdint>
#include <string>

namespace midstance {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Advance(int64_t count = 1);
  void Finish();

  // Global switch set by the CLI (--quiet / --json / not a TTY).
  static void SetEnabled(bool enabled);
  static bool Enabled();

 private:
  void Draw(bool force);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace midstance
