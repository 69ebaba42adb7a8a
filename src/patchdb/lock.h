// Serializes writers of one patch database: DIR/.lock holds the pid, host
// and time of the writer. A lock whose process no longer runs on this host
// is stale and is taken over; any other existing lock is an error.
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

  // Takes the lock of db_dir or says who holds it.
  static Status Acquire(const std::string& db_dir, std::unique_ptr<DatabaseLock>* lock);
  static std::string LockPath(const std::string& db_dir);

 private:
  explicit DatabaseLock(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace tint
