// Expected failures (a missing file, a corrupt database, an unreadable image)
// are returned as a Status carrying a one-line message; programmer mistakes
// throw through TINT_CHECK.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace tint {

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), true); }

  bool ok() const { return !failed_; }
  // One line, no trailing newline.
  const std::string& message() const { return message_; }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
};

// `s` with `prefix` before its message (ok stays ok).
inline Status PrefixError(const std::string& prefix, Status s) {
  return s.ok() ? s : Status::Error(prefix + s.message());
}

// Thrown when a precondition that the caller controls is violated.
class CheckError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line, const std::string& msg);
}  // namespace internal

}  // namespace tint

#define TINT_CHECK(cond, msg)                                                         \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::ostringstream tint_check_os_;                                              \
      tint_check_os_ << msg;                                                          \
      ::tint::internal::CheckFailed(#cond, __FILE__, __LINE__, tint_check_os_.str()); \
    }                                                                                 \
  } while (0)

// Propagates a failed Status to the caller.
#define TINT_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::tint::Status tint_status_ = (expr);        \
    if (!tint_status_.ok()) return tint_status_; \
  } while (0)
