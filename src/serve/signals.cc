#include "serve/signals.h"

#include <pthread.h>

namespace tint {

StopOnSignal::StopOnSignal() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGUSR1);  // our own wake-up at the end
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

void StopOnSignal::Start(std::function<void()> stop) {
  thread_ = std::thread([this, stop] {
    int sig = 0;
    sigwait(&set_, &sig);
    if (sig != SIGUSR1) stop();
  });
}

void StopOnSignal::Finish() {
  if (!thread_.joinable()) return;
  pthread_kill(thread_.native_handle(), SIGUSR1);
  thread_.join();
}

}  // namespace tint
