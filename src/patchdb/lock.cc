#include "patchdb/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <thread>

namespace tint {

namespace {

std::atomic<int> g_hold_ms{-1};

int HoldMilliseconds() {
  int ms = g_hold_ms.load();
  if (ms < 0) {
    const char* env = std::getenv("TINT_TEST_LOCK_HOLD_MS");
    ms = env != nullptr ? std::max(0, std::atoi(env)) : 0;
  }
  return ms;
}

std::string HostName() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

// What the holder wrote into the lock file, for the message.
std::string Holder(int fd) {
  char buf[256] = {};
  const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  std::istringstream in(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0));
  long pid = 0;
  std::string host;
  in >> pid >> host;
  if (pid <= 0) return "a writer that is starting";
  return "pid " + std::to_string(pid) + " on " + (host.empty() ? "?" : host);
}

}  // namespace

namespace internal {
void SetLockHoldForTesting(int milliseconds) { g_hold_ms = milliseconds; }
}  // namespace internal

std::string DatabaseLock::LockPath(const std::string& db_dir) {
  return (std::filesystem::path(db_dir) / ".lock").string();
}

DatabaseLock::~DatabaseLock() {
  // Emptied so that nobody reads a finished writer as the holder; closing
  // the descriptor releases the lock. The file stays: deleting it would let
  // a writer that opened the old file and one that creates a new one both
  // "hold" the lock.
  if (::ftruncate(fd_, 0) != 0) { /* only informational content */
  }
  ::close(fd_);
}

Status DatabaseLock::Acquire(const std::string& db_dir, std::unique_ptr<DatabaseLock>* lock) {
  std::error_code ec;
  if (!std::filesystem::is_directory(db_dir, ec))
    return Status::Error(db_dir + ": patch database folder not found");
  const std::string path = LockPath(db_dir);
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) {
    if (errno == ELOOP) return Status::Error(path + ": is a symbolic link; remove it");
    return Status::Error(path + ": cannot open the lock file (" + std::strerror(errno) + ")");
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(path + ": is not a regular file; remove it");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string holder = err == EWOULDBLOCK ? Holder(fd) : std::string();
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Error(db_dir + ": the database is being changed by another writer (" + holder +
                           "); try again when it has finished");
    }
    return Status::Error(path + ": cannot lock (" + std::strerror(err) + ")");
  }
  std::ostringstream os;
  os << ::getpid() << " " << HostName() << " " << std::time(nullptr) << "\n";
  const std::string text = os.str();
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    ::close(fd);
    return Status::Error(path + ": cannot write the lock file");
  }
  lock->reset(new DatabaseLock(fd));
  if (const int ms = HoldMilliseconds(); ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return Status::Ok();
}

}  // namespace tint
