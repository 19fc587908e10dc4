#include "midstance/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

namespace midstance {
namespace {

// One JSON object per line on stderr: {"time":..., "level":..., "message":...}.
class JsonStderrSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto seconds = std::chrono::duration<double>(msg.time.time_since_epoch()).count();
    nlohmann::json line = {
        {"time", seconds},
        {"level", spdlog::level::to_string_view(msg.level).data()},
        {"message", std::string(msg.payload.data(), msg.payload.size())}};
    std::fprintf(stderr, "%s\n", line.dump().c_str());
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void ConfigureLogging(const LogOptions& options) {
  std::shared_ptr<spdlog::logger> logger;
  if (options.format == LogFormat::kJson) {
    logger = std::make_shared<spdlog::logger>("midstance", std::make_shared<JsonStderrSink>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        "midstance", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_pattern("%^%l%$: %v");
  }
  logger->set_level(options.quiet     ? spdlog::level::warn
                    : options.verbose ? spdlog::level::debug
                                      : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace midstance
