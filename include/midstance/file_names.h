#pragma once
// File-name helpers shared by the readers and commands that dispatch on a file's kind.
#include <string>

namespace midstance {

// ".c3d" for "Trial.C3D": the extension, lower case, with its dot ("" when none).
std::string LowercaseExtension(const std::string& path);

}  // namespace midstance
