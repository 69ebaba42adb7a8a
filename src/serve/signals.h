// SIGINT and SIGTERM, taken by one thread that calls a stop function, so no
// other thread is interrupted mid-job. Make it before any other thread (they
// inherit the blocked signals); Start once there is something to stop;
// Finish before what `stop` touches goes away.
#pragma once

#include <functional>
#include <thread>

#include <signal.h>

namespace tint {

class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal() { Finish(); }
  void Start(std::function<void()> stop);
  void Finish();

 private:
  sigset_t set_;
  std::thread thread_;
};

}  // namespace tint
