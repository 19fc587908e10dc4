#include "midstance/error.h"

namespace midstance::detail {

void ThrowCheckFailure(const char* file, int line, const char* condition,
                       const std::string& detail) {
  std::ostringstream message;
  message << "internal error at " << file << ":" << line << ": check failed: " << condition;
  if (!detail.empty()) message << " (" << detail << ")";
  throw InternalError(message.str());
}

}  // namespace midstance::detail
