#pragma once
// Parsers (toml11, OpenCV FileStorage) report errors over several lines with source excerpts;
// midstance promises one line per error.
#include <string>

namespace midstance {

// Collapses a multi-line message into one line (whitespace runs become single spaces).
std::string OneLine(const std::string& message);

}  // namespace midstance
