#include "serve/service.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace tint {
namespace {

// SIGINT and SIGTERM are taken by one thread that stops the server, so no
// other thread is interrupted mid-job.
class StopOnSignal {
 public:
  explicit StopOnSignal(std::function<void()> stop) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);  // our own wake-up at the end
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, stop] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (sig != SIGUSR1) stop();
    });
  }
  ~StopOnSignal() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

 private:
  sigset_t set_;
  std::thread thread_;
};

}  // namespace

Status RunService(const ServeOptions& options) {
  std::string error;
  if (!options.queue.Check(&error) || !options.http.Check(&error)) return Status::Error(error);
  if (!options.queue_url.empty()) {
    return Status::Error("--queue-url: the Redis queue is not built yet");
  }
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<JobRunner> runner;
  TINT_RETURN_IF_ERROR(JobRunner::Load(options.runner, &runner));
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LocalJobQueue queue(runner.get(), options.queue);
  HttpService http(&queue, runner->methods(), runner->read_options(), options.http);
  int port = 0;
  TINT_RETURN_IF_ERROR(http.Bind(&port));
  StopOnSignal on_signal([&http] { http.Stop(); });
  std::string names;
  for (const ServedMethod& m : runner->methods()) names += (names.empty() ? "" : ", ") + m.name;
  std::printf(
      "tint serve: listening on http://%s:%d (methods: %s; loaded in %.2f s; %d workers, "
      "queue %d)\n",
      options.http.host.c_str(), port, names.c_str(), load_seconds, options.queue.workers,
      options.queue.capacity);
  std::fflush(stdout);
  Status served = http.Serve();
  std::printf("tint serve: stopped\n");
  std::fflush(stdout);
  return served;
}

}  // namespace tint
