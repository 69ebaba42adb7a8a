#include "serve/signals.h"

#include <pthread.h>

#include <cstdio>
#include <cstdlib>

namespace tint {

StopOnSignal::StopOnSignal() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGUSR1);  // our own wake-up at the end
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

void StopOnSignal::Start(std::function<void()> stop, std::string who) {
  thread_ = std::thread([this, stop, who] {
    int sig = 0;
    sigwait(&set_, &sig);
    if (sig == SIGUSR1) return;
    stop();
    sigwait(&set_, &sig);
    if (sig == SIGUSR1) return;
    std::fprintf(stderr, "%s: second signal: stopping at once, unfinished jobs dropped\n",
                 who.c_str());
    std::fflush(stderr);
    std::_Exit(1);
  });
}

void StopOnSignal::Finish() {
  if (!thread_.joinable()) return;
  pthread_kill(thread_.native_handle(), SIGUSR1);
  thread_.join();
}

}  // namespace tint
