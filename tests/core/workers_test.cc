#include "core/workers.h"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tint {
namespace {

TEST(ForEachOnThreadsTest, CallsEveryIndexOnce) {
  for (const int threads : {1, 2, 4, 9}) {
    std::vector<std::atomic<int>> calls(57);
    ForEachOnThreads(calls.size(), threads, [&](size_t i) { ++calls[i]; });
    for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i], 1) << i << " " << threads;
  }
  int none = 0;
  ForEachOnThreads(0, 4, [&](size_t) { ++none; });
  EXPECT_EQ(none, 0);
}

// An exception in a worker thread reaches the caller once every thread has
// joined (before, a throw in a pool thread ended the process in
// std::terminate), and no new index is handed out after it.
TEST(ForEachOnThreadsTest, AnExceptionInAnyThreadReachesTheCaller) {
  for (const int threads : {1, 2, 4}) {
    std::atomic<int> started{0};
    try {
      // Every other item takes 1 ms, so that the other threads cannot run
      // through all of them while the throwing thread is between its throw
      // and the stop (a few microseconds; 0.3 s would need a long stall).
      ForEachOnThreads(1000, threads, [&](size_t i) {
        ++started;
        if (i == 3) throw std::runtime_error("check failed");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      });
      ADD_FAILURE() << "no exception with " << threads << " threads";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "check failed");
    }
    EXPECT_LT(started.load(), 1000);
  }
}

}  // namespace
}  // namespace tint
