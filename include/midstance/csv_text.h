#pragma once
// CSV cells (RFC 4180): text quoted when it holds a comma, quote or line break (quotes doubled);
// numbers with 9 significant digits, NaN and infinities as an empty cell.
#include <cmath>
#include <cstdio>
#include <string>

namespace midstance {

inline std::string CsvText(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

inline std::string CsvNumber(double value) {
  if (!std::isfinite(value)) return "";
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return text;
}

}  // namespace midstance
