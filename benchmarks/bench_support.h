#pragma once
// Runs the registered Google Benchmarks, remembers each run's items/s, and prints the
// comparison lines every midstance benchmark ends with:
//   COMPARE <name>: midstance <value> <unit>, <peer> <value> <unit>, ratio <r>
// where r > 1 means midstance is faster (throughput over throughput).
#include <map>
#include <string>

namespace midstance::bench {

// Runs every benchmark (honouring --benchmark_filter etc.); returns items per second by name.
std::map<std::string, double> RunAll(int argc, char** argv);

// Prints one COMPARE line from two throughputs (items/s), scaled by `scale` into `unit`.
void PrintCompare(const std::string& name, double ours_per_s, const std::string& peer, double peer_per_s,
                  const std::string& unit, double scale = 1.0);

}  // namespace midstance::bench
