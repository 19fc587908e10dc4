#pragma once
// toml11 reports errors over several lines with source excerpts; the CLI promises one line.
#include <string>

namespace midstance {

// Collapses a multi-line message into one line (whitespace runs become single spaces).
std::string OneLine(const std::string& message);

}  // namespace midstance
