#include "bench_support.h"

#include <benchmark/benchmark.h>

#include <cstdio>

namespace midstance::bench {
namespace {

// Without colour: escape codes would otherwise precede the COMPARE lines in logs.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  RecordingReporter() : ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const auto items = run.counters.find("items_per_second");
      if (items != run.counters.end()) rates[run.benchmark_name()] = items->second;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> rates;
};

}  // namespace

std::map<std::string, double> RunAll(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return reporter.rates;
}

void PrintCompare(const std::string& name, double ours_per_s, const std::string& peer, double peer_per_s,
                  const std::string& unit, double scale) {
  if (ours_per_s <= 0 || peer_per_s <= 0) {
    std::printf("COMPARE %s: not measured (filtered out)\n", name.c_str());
    return;
  }
  std::printf("COMPARE %s: midstance %.4g %s, %s %.4g %s, ratio %.2f\n", name.c_str(), ours_per_s * scale, unit.c_str(),
              peer.c_str(), peer_per_s * scale, unit.c_str(), ours_per_s / peer_per_s);
}

}  // namespace midstance::bench
