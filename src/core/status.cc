#include "core/status.h"

namespace tint::internal {

void CheckFailed(const char* expr, const char* file, int line, const std::string& msg) {
  std::ostringstream os;
  os << "check failed: " << expr << " (" << file << ":" << line << ")";
  if (!msg.empty()) os << ": " << msg;
  throw CheckError(os.str());
}

}  // namespace tint::internal
