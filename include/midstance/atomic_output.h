#pragma once
// Output files appear whole or not at all: writers write to a temporary name in the same folder
// and Commit() renames it into place; an AtomicOutput destroyed without Commit() (an error was
// thrown) removes the temporary file.
#include <string>

namespace midstance {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::string final_path);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temporary_path() const { return temporary_path_; }
  const std::string& final_path() const { return final_path_; }
  void Commit();

 private:
  std::string final_path_;
  std::string temporary_path_;
  bool committed_ = false;
};

}  // namespace midstance
