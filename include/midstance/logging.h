#pragma once
// Logging policy: human-readable lines on stderr by default; `--json` makes every log line one
// JSON object (for scripts and cluster logs); `--quiet` keeps only warnings and errors.
#include <spdlog/spdlog.h>

namespace midstance {

enum class LogFormat { kText, kJson };

struct LogOptions {
  LogFormat format = LogFormat::kText;
  bool quiet = false;
  bool verbose = false;
};

// Installs the process-wide logger. Safe to call more than once.
void ConfigureLogging(const LogOptions& options);

}  // namespace midstance
