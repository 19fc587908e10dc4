#pragma once
// Shared by the text readers' libFuzzer targets: what every rejection must look like.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "midstance/error.h"

namespace midstance::fuzz {

// midstance promises one-line errors (the CLI prints what() as is): a newline or carriage
// return in a message is a finding, reported and aborted on so libFuzzer keeps the input.
inline void CheckOneLine(const Error& error) {
  const std::string message = error.what();
  if (message.find_first_of("\n\r") != std::string::npos) {
    std::fprintf(stderr, "error message spans lines: %s\n", message.c_str());
    std::abort();
  }
}

}  // namespace midstance::fuzz
