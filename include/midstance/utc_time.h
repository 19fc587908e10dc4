#pragma once
#include <string>

namespace midstance {

// The current time as ISO 8601 UTC ("2026-11-26T09:04:00Z"), for the `created` attribute of results.
std::string UtcNow();

}  // namespace midstance
