// StopOnSignal: the stop function runs on SIGTERM even when the signal is
// handed to a thread that does not block it (a library's pool, started
// before main, as OpenBLAS's is), and Finish ends the watcher without one.
#include "serve/signals.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace tint {
namespace {
using namespace std::chrono_literals;

TEST(StopOnSignalTest, ASignalToAThreadMadeBeforeItStillStops) {
  std::atomic<bool> done{false};
  // Made before StopOnSignal: SIGTERM is not blocked in it.
  std::thread early([&] {
    while (!done) std::this_thread::sleep_for(1ms);
  });
  std::promise<void> stopped;
  {
    StopOnSignal on_signal;
    on_signal.Start([&] { stopped.set_value(); });
    // Without a handler, SIGTERM to this thread would end the process.
    ASSERT_EQ(pthread_kill(early.native_handle(), SIGTERM), 0);
    EXPECT_EQ(stopped.get_future().wait_for(10s), std::future_status::ready);
    on_signal.Finish();
  }
  done = true;
  early.join();
}

TEST(StopOnSignalTest, FinishWithoutASignalDoesNotStop) {
  std::atomic<int> stops{0};
  StopOnSignal on_signal;
  on_signal.Start([&] { ++stops; });
  const auto t0 = std::chrono::steady_clock::now();
  on_signal.Finish();
  EXPECT_EQ(stops, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

}  // namespace
}  // namespace tint
