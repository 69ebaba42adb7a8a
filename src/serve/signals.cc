#include "serve/signals.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "core/status.h"

namespace tint {
namespace {

// The write end of the pipe the handler writes to (one StopOnSignal per
// process), and the read end its watcher reads.
std::atomic<int> g_write_end{-1};
int g_read_end = -1;
constexpr unsigned char kWake = 0;  // Finish's own byte, not a signal

void OnSignal(int sig) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(sig);
  const int fd = g_write_end.load();
  if (fd >= 0) (void)!::write(fd, &byte, 1);
  errno = saved;
}

// The next byte from the pipe (a signal number, or kWake).
unsigned char NextByte() {
  unsigned char byte = kWake;
  for (;;) {
    const ssize_t n = ::read(g_read_end, &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    return kWake;  // the pipe is gone: nothing more to wait for
  }
}

}  // namespace

StopOnSignal::StopOnSignal() {
  int fds[2];
  TINT_CHECK(g_write_end.load() < 0, "one StopOnSignal per process");
  TINT_CHECK(::pipe2(fds, O_CLOEXEC) == 0, "cannot make the signal pipe");
  g_read_end = fds[0];
  g_write_end.store(fds[1]);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
  // tint's own threads, made after this, do not take the signals; the
  // watcher unblocks them, so that some thread always can.
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

StopOnSignal::~StopOnSignal() {
  Finish();
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  const int fd = g_write_end.exchange(-1);
  ::close(fd);
  ::close(g_read_end);
  g_read_end = -1;
}

void StopOnSignal::Start(std::function<void()> stop, std::string who) {
  thread_ = std::thread([this, stop, who] {
    pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
    if (NextByte() == kWake) return;
    stop();
    if (NextByte() == kWake) return;
    std::fprintf(stderr, "%s: second signal: stopping at once, unfinished jobs dropped\n",
                 who.c_str());
    std::fflush(stderr);
    std::_Exit(1);
  });
}

void StopOnSignal::Finish() {
  if (!thread_.joinable()) return;
  const int fd = g_write_end.load();
  if (fd >= 0) (void)!::write(fd, &kWake, 1);
  thread_.join();
}

}  // namespace tint
