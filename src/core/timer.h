// A stopwatch for the seconds each stage takes (ColorizeDetails::seconds).
#pragma once

#include <chrono>

namespace tint {

class Timer {
 public:
  Timer() : start_(std::chrono::steady_clock::now()) {}
  double Lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - start_).count();
    start_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tint
