#pragma once
// Error model (STYLE.md, three tiers):
//  1. MS_CHECK for broken invariants (a bug): throws InternalError with file and line.
//  2. Typed exceptions for bad user input or files, always naming the file, the field and the
//     value: InvalidInput, FileFormatError, CalibrationError, BackendUnavailable.
//  3. Expected numeric failure (a point seen by one camera) is std::optional or a count, never
//     an exception.
// The CLI maps each type to its own exit code and prints what() as one line.
#include <sstream>
#include <stdexcept>
#include <string>

namespace midstance {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  virtual int ExitCode() const = 0;
};

// Bad options or arguments from the user.
class InvalidInput : public Error {
 public:
  using Error::Error;
  int ExitCode() const override { return 2; }
};

// A file that is missing, unreadable, corrupt or inconsistent.
class FileFormatError : public Error {
 public:
  using Error::Error;
  // "<file>: <field>: expected <expected>, got <got>"
  FileFormatError(const std::string& file, const std::string& field, const std::string& expected,
                  const std::string& got)
      : Error(file + ": " + field + ": expected " + expected + ", got " + got) {}
  int ExitCode() const override { return 3; }
};

// A camera calibration that cannot be used (NaN, singular rotation, missing camera).
class CalibrationError : public Error {
 public:
  using Error::Error;
  CalibrationError(const std::string& file, const std::string& field, const std::string& expected,
                   const std::string& got)
      : Error(file + ": " + field + ": expected " + expected + ", got " + got) {}
  int ExitCode() const override { return 4; }
};

// The requested compute backend cannot run here (e.g. --backend cuda without a device).
class BackendUnavailable : public Error {
 public:
  using Error::Error;
  int ExitCode() const override { return 5; }
};

// A broken invariant: a bug in midstance, not in the input.
class InternalError : public Error {
 public:
  using Error::Error;
  int ExitCode() const override { return 70; }
};

namespace detail {
[[noreturn]] void ThrowCheckFailure(const char* file, int line, const char* condition,
                                    const std::string& detail);
}  // namespace detail

}  // namespace midstance

#define MS_CHECK(condition)                                                             \
  do {                                                                                  \
    if (!(condition)) ::midstance::detail::ThrowCheckFailure(__FILE__, __LINE__, #condition, ""); \
  } while (0)

#define MS_CHECK_MSG(condition, message)                                                \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::ostringstream ms_check_stream_;                                              \
      ms_check_stream_ << message;                                                      \
      ::midstance::detail::ThrowCheckFailure(__FILE__, __LINE__, #condition,            \
                                             ms_check_stream_.str());                   \
    }                                                                                   \
  } while (0)
