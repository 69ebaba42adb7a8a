// SIGINT and SIGTERM, taken by one thread that calls a stop function, so no
// other thread is interrupted mid-job. Make it before any other thread of
// tint's own (they inherit the blocked signals); Start once there is
// something to stop; Finish before what `stop` touches goes away. A second
// SIGINT or SIGTERM while `stop`'s work goes on (a drain) exits the process
// at once, status 1, saying so on stderr as `who`.
//
// A library may start threads before main (OpenBLAS's pool does, from its
// constructor) that do not block the signals; the kernel may hand a signal
// to one of those. So the signals are not taken with sigwait but by a
// handler, which only writes the signal's number to a pipe (safe in any
// thread); the watcher thread reads the pipe and does the rest.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include <signal.h>

namespace tint {

class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  void Start(std::function<void()> stop, std::string who = "tint");
  void Finish();

 private:
  sigset_t set_;
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  std::thread thread_;
};

}  // namespace tint
