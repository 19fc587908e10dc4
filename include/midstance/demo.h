#pragma once
// `midstance demo`: synth a session, process it, compare with the truth.
#include <string>

#include "midstance/backend.h"
#include "midstance/process.h"
#include "midstance/synth.h"
#include "midstance/truth.h"

namespace midstance {

struct DemoOptions {
  std::string out_folder;  // empty: a new folder under the current directory
  ResolvedBackend backend;
  SynthOptions synth;
};

struct DemoSummary {
  std::string out_folder;
  std::string result_path;
  ProcessSummary process;
  TruthComparison truth;
  double synth_s = 0;
};

DemoSummary RunDemo(const DemoOptions& options);

}  // namespace midstance
