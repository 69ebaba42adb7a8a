#include "patchdb/lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tint {

std::string DatabaseLock::LockPath(const std::string& db_dir) {
  return (std::filesystem::path(db_dir) / ".lock").string();
}

DatabaseLock::~DatabaseLock() { ::unlink(path_.c_str()); }

namespace {

std::string HostName() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

// True when the lock file names a process that no longer runs on this host.
bool IsStale(const std::string& path, std::string* holder) {
  std::ifstream in(path);
  long pid = 0;
  std::string host;
  in >> pid >> host;
  std::ostringstream os;
  os << "pid " << pid << " on " << (host.empty() ? "?" : host);
  *holder = os.str();
  if (pid <= 0) return true;  // unreadable or half-written: its writer died
  if (host != HostName()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

Status DatabaseLock::Acquire(const std::string& db_dir, std::unique_ptr<DatabaseLock>* lock) {
  std::error_code ec;
  if (!std::filesystem::is_directory(db_dir, ec)) return Status::Error(db_dir + ": patch database folder not found");
  const std::string path = LockPath(db_dir);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      std::ostringstream os;
      os << ::getpid() << " " << HostName() << " " << std::time(nullptr) << "\n";
      const std::string text = os.str();
      const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
      ::close(fd);
      if (!ok) {
        ::unlink(path.c_str());
        return Status::Error(path + ": cannot write the lock file");
      }
      lock->reset(new DatabaseLock(path));
      return Status::Ok();
    }
    if (errno != EEXIST) return Status::Error(path + ": cannot create the lock file (" + std::strerror(errno) + ")");
    std::string holder;
    if (!IsStale(path, &holder)) {
      return Status::Error(db_dir + ": the database is being changed by another writer (" + holder + "); if it is gone, remove " + path);
    }
    std::fprintf(stderr, "tint: removing stale lock of %s (%s)\n", db_dir.c_str(), holder.c_str());
    ::unlink(path.c_str());
  }
  return Status::Error(path + ": could not take the lock");
}

}  // namespace tint
