// SIGINT and SIGTERM, taken by one thread that calls a stop function, so no
// other thread is interrupted mid-job. Make it before any other thread (they
// inherit the blocked signals); Start once there is something to stop;
// Finish before what `stop` touches goes away. A second SIGINT or SIGTERM
// while `stop`'s work goes on (a drain) exits the process at once, status 1,
// saying so on stderr as `who`.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include <signal.h>

namespace tint {

class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal() { Finish(); }
  void Start(std::function<void()> stop, std::string who = "tint");
  void Finish();

 private:
  sigset_t set_;
  std::thread thread_;
};

}  // namespace tint
