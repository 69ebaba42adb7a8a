// Serializes writers of one patch database with flock(2) on DIR/.lock.
//
// The kernel holds the lock for the life of the open descriptor and drops it
// when the process ends, however it ends (kill -9 included), so there is no
// stale lock to detect and no read-delete-recreate race: the lock file is
// never deleted, only locked. While held it names the writer (pid, host,
// time) so that a refused writer can say who holds it.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"

namespace tint {

class DatabaseLock {
 public:
  ~DatabaseLock();
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;

  // Takes the lock of db_dir, or fails at once saying who holds it. A
  // symbolic link, FIFO or other non-regular file at DIR/.lock is refused.
  static Status Acquire(const std::string& db_dir, std::unique_ptr<DatabaseLock>* lock);
  static std::string LockPath(const std::string& db_dir);

 private:
  explicit DatabaseLock(int fd) : fd_(fd) {}
  int fd_;
};

namespace internal {
// Test hook: every Acquire that succeeds then waits this long (ms) before
// returning, widening the window in which a second writer races the first.
// Also set by the environment variable TINT_TEST_LOCK_HOLD_MS.
void SetLockHoldForTesting(int milliseconds);
}  // namespace internal

}  // namespace tint
