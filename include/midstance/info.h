#pragma once
// `midstance info PATH`: what a file or session folder holds, as JSON (for scripts) or as a
// readable summary. C3D trials, session folders and midstance results (HDF5) so far; TRC / MOT
// come with their readers.
#include <nlohmann/json.hpp>
#include <string>

#include "midstance/c3d.h"

namespace midstance {

// Throws FileFormatError / InvalidInput for unreadable or unknown inputs. A C3D trial is read
// with `c3d_options`; its warnings are logged and listed under "warnings".
nlohmann::ordered_json DescribePath(const std::string& path, const C3dReadOptions& c3d_options = {});

// The same summary as aligned "key: value" lines.
std::string FormatDescription(const nlohmann::ordered_json& description);

}  // namespace midstance
