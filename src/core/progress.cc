#include "midstance/progress.h"

#include <atomic>
#include <cstdio>

namespace midstance {
namespace {
std::atomic<bool> g_progress_enabled{false};
}  // namespace

void Progress::SetEnabled(bool enabled) { g_progress_enabled = enabled; }
bool Progress::Enabled() { return g_progress_enabled; }

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), start_(std::chrono::steady_clock::now()) {
  last_draw_ = start_ - std::chrono::seconds(1);
}

Progress::~Progress() { Finish(); }

void Progress::Advance(int64_t count) {
  done_ += count;
  Draw(false);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!Enabled()) return;
  Draw(true);
  std::fputc('\n', stderr);
}

void Progress::Draw(bool force) {
  if (!Enabled()) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double fraction = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::fprintf(stderr, "\r%-12s [", label_.c_str());
  for (int i = 0; i < kWidth; ++i) std::fputc(i < filled ? '#' : '.', stderr);
  std::fprintf(stderr, "] %3d%%  %lld/%lld  %.1f s", static_cast<int>(fraction * 100.0),
               static_cast<long long>(done_), static_cast<long long>(total_), seconds);
  std::fflush(stderr);
}

}  // namespace midstance
