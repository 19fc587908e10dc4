#pragma once
// Typed TOML field access that names the file and the field in every error (io-internal).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <toml.hpp>
#include <vector>

#include "midstance/error.h"
#include "midstance/one_line.h"

namespace midstance::toml_fields {

// The whole file as bytes, or FileFormatError naming it.
inline std::string ReadText(const std::string& path) {
  if (!std::filesystem::exists(path)) throw FileFormatError(path, "file", "an existing TOML file", "no such file");
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileFormatError(path, "file", "a readable file", "permission denied or unreadable");
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// toml11 parses arrays and inline tables recursively, so a few thousand '[' or '{' overflow the
// stack (a crafted input run through the session and calibration fuzz targets). The files midstance
// reads nest a few levels (a 3x3 matrix is two); 64 leaves room for any real one.
constexpr int kMaxTomlNesting = 64;

// Index just past the string opening at `i` (quote `text[i]`, one or three of them); basic
// strings ("...") skip backslash escapes. Unterminated strings run to the end (toml11 reports them).
inline size_t SkipTomlString(const std::string& text, size_t i) {
  const char quote = text[i];
  const bool triple = text.compare(i, 3, std::string(3, quote)) == 0;
  for (size_t j = i + (triple ? 3 : 1); j < text.size(); ++j) {
    if (quote == '"' && text[j] == '\\') {
      ++j;
    } else if (!triple && text[j] == '\n') {
      return j;
    } else if (text[j] == quote && (!triple || text.compare(j, 3, std::string(3, quote)) == 0)) {
      return j + (triple ? 3 : 1);
    }
  }
  return text.size();
}

// Throws FileFormatError naming the line where arrays / inline tables nest deeper than
// kMaxTomlNesting, outside strings and comments. Unbalanced brackets are left to toml11.
inline void CheckTomlNesting(const std::string& text, const std::string& path) {
  int depth = 0, line = 1;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      const size_t end = SkipTomlString(text, i);
      line += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
      i = end;
      continue;
    }
    if (c == '#') {
      i = text.find('\n', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (c == '\n') ++line;
    if (c == '[' || c == '{') {
      if (++depth > kMaxTomlNesting) {
        throw FileFormatError(path, "line " + std::to_string(line),
                              "arrays and inline tables nested at most " + std::to_string(kMaxTomlNesting) + " deep",
                              "deeper nesting");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    ++i;
  }
}

// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlong forms, no surrogates,
// at most U+10FFFF), or 0.
inline size_t Utf8SequenceLength(const std::string& text, size_t i) {
  const auto byte = [&](size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
  const unsigned lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned low = 0x80, high = 0xBF;  // range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) length = 3, low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
  else if (lead >= 0xF0 && lead <= 0xF4) length = 4, low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// TOML files must be UTF-8 (toml.io, spec 1.0.0). toml11 3.7 reads past its buffer on a
// malformed sequence inside a literal string (found by the calibration fuzz target), so the
// encoding is checked before toml11 sees the text. Throws FileFormatError naming the line.
inline void CheckUtf8(const std::string& text, const std::string& path) {
  int line = 1;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      char got[48];
      std::snprintf(got, sizeof(got), "byte 0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      throw FileFormatError(path, "line " + std::to_string(line), "UTF-8 text", got);
    }
    if (text[i] == '\n') ++line;
    i += length;
  }
}

// `text` parsed as TOML; `path` names the file in errors.
inline toml::value ParseText(const std::string& text, const std::string& path) {
  CheckUtf8(text, path);
  CheckTomlNesting(text, path);
  std::istringstream stream(text);
  try {
    return toml::parse(stream, path);
  } catch (const std::exception& error) {
    throw FileFormatError(path + ": TOML syntax: " + OneLine(error.what()));
  }
}

inline toml::value Parse(const std::string& path) { return ParseText(ReadText(path), path); }

inline const toml::value& Require(const toml::value& table, const std::string& key, const std::string& path,
                                  const std::string& field, const std::string& expected) {
  if (!table.is_table() || !table.contains(key)) throw FileFormatError(path, field, expected, "nothing");
  return table.at(key);
}

inline double Number(const toml::value& v, const std::string& path, const std::string& field,
                     const std::string& expected) {
  if (v.is_floating()) return v.as_floating();
  if (v.is_integer()) return static_cast<double>(v.as_integer());
  throw FileFormatError(path, field, expected, "a value of another type");
}

inline int64_t Integer(const toml::value& v, const std::string& path, const std::string& field,
                       const std::string& expected) {
  if (v.is_integer()) return v.as_integer();
  throw FileFormatError(path, field, expected, "a value of another type");
}

// An integer within [lo, hi]; TOML integers are 64-bit, so a narrowing cast would wrap.
inline int IntegerInRange(const toml::value& v, const std::string& path, const std::string& field, int64_t lo,
                          int64_t hi) {
  const std::string expected = "an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
  const int64_t value = Integer(v, path, field, expected);
  if (value < lo || value > hi) throw FileFormatError(path, field, expected, std::to_string(value));
  return static_cast<int>(value);
}

inline std::string String(const toml::value& v, const std::string& path, const std::string& field,
                          const std::string& expected) {
  if (v.is_string()) return v.as_string().str;
  throw FileFormatError(path, field, expected, "a value of another type");
}

inline std::vector<double> Numbers(const toml::value& v, const std::string& path, const std::string& field,
                                   const std::string& expected) {
  if (!v.is_array()) throw FileFormatError(path, field, expected, "a value of another type");
  std::vector<double> values;
  for (const toml::value& item : v.as_array()) values.push_back(Number(item, path, field, expected));
  return values;
}

// A float as TOML: always with a decimal point or exponent so readers see a float.
inline std::string FloatText(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s.precision(17);
  s << value;
  std::string text = s.str();
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

}  // namespace midstance::toml_fields
