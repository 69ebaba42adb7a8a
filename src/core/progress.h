// A one-line progress report on stderr for multi-image runs.
#pragma once

#include <chrono>
#include <string>

namespace tint {

class Progress {
 public:
  Progress(std::string what, int total);
  // Reports that item `done` (1-based) finished; prints count, rate and ETA.
  void Step(int done, const std::string& item);
  void Finish();

 private:
  std::string what_;
  int total_;
  std::chrono::steady_clock::time_point start_;
  bool tty_;
};

}  // namespace tint
