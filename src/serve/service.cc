#include "serve/service.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/file_util.h"
#include "serve/redis_queue.h"
#include "serve/signals.h"

namespace tint {

Status RunService(const ServeOptions& options) {
  std::string error;
  if (!options.queue.Check(&error) || !options.http.Check(&error)) return Status::Error(error);
  if (!(options.drain_timeout >= 0 && options.drain_timeout <= 24 * 3600))
    return Status::Error("drain-timeout must be 0..86400 s");
  HttpOptions http_options = options.http;
  if (!options.token_file.empty()) {
    std::vector<uint8_t> bytes;
    TINT_RETURN_IF_ERROR(ReadFileBytes(options.token_file, &bytes, 4096));
    std::string token(bytes.begin(), bytes.end());
    token = token.substr(0, token.find_first_of("\r\n"));
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
    if (token.size() < 16)
      return Status::Error("--token-file " + options.token_file +
                           ": the token must be at least 16 characters on the first line");
    http_options.token = token;
  }
  StopOnSignal on_signal;
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<JobRunner> runner;
  std::unique_ptr<JobQueue> queue;
  LocalJobQueue* local = nullptr;
  std::vector<ServedMethod> methods;
  std::string engine;
  if (options.queue_url.empty()) {
    TINT_RETURN_IF_ERROR(JobRunner::Load(options.runner, &runner));
    ShareCoresAmongJobs(options.queue.workers);
    methods = runner->methods();
    auto local_queue = std::make_unique<LocalJobQueue>(runner.get(), options.queue);
    local = local_queue.get();
    queue = std::move(local_queue);
    engine = std::to_string(options.queue.workers) + " workers";
  } else {
    // The workers load the methods; this process only names them.
    TINT_RETURN_IF_ERROR(ServableMethods(options.runner.methods, &methods));
    RedisQueueOptions redis;
    redis.capacity = options.queue.capacity;
    redis.result_ttl = options.queue.result_ttl;
    std::unique_ptr<RedisJobQueue> redis_queue;
    TINT_RETURN_IF_ERROR(RedisJobQueue::Open(options.queue_url, redis, &redis_queue));
    queue = std::move(redis_queue);
    engine = "jobs through " + RedisUrlForDisplay(options.queue_url);
  }
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  HttpService http(queue.get(), methods, options.runner.read, http_options);
  int port = 0;
  TINT_RETURN_IF_ERROR(http.Bind(&port));
  std::thread drain;
  on_signal.Start(
      [&http, &drain, local, &options] {
        if (local == nullptr) return http.Stop();  // Redis: the workers hold the jobs
        local->BeginDrain();
        std::printf(
            "tint serve: draining: no new jobs; finishing the queued and running ones "
            "for at most %g s (a second signal stops at once)\n",
            options.drain_timeout);
        std::fflush(stdout);
        drain = std::thread([&http, local, &options] {
          const auto until =
              std::chrono::steady_clock::now() +
              std::chrono::milliseconds(static_cast<int64_t>(options.drain_timeout * 1000));
          while (!local->Idle() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          const int dropped = local->Abandon();
          if (dropped > 0)
            std::printf("tint serve: drain timeout: %d unfinished job(s) stopped and dropped\n",
                        dropped);
          else
            std::printf("tint serve: every job finished\n");
          std::fflush(stdout);
          http.Stop();
        });
      },
      "tint serve");
  std::string names;
  for (const ServedMethod& m : methods) names += (names.empty() ? "" : ", ") + m.name;
  std::printf(
      "tint serve: listening on http://%s:%d (methods: %s; ready in %.2f s; %s, queue %d)\n",
      options.http.host.c_str(), port, names.c_str(), load_seconds, engine.c_str(),
      options.queue.capacity);
  std::fflush(stdout);
  const std::string& host = options.http.host;
  if (host != "127.0.0.1" && host != "localhost" && host != "::1" && http_options.token.empty()) {
    std::fprintf(stderr,
                 "tint serve: warning: listening on %s, beyond loopback, with no access token "
                 "(--token-file): whoever reaches the port can submit jobs; add one, or a reverse "
                 "proxy with access control in front (README, 'Service')%s\n",
                 host.c_str(),
                 options.http.allowed_hosts.empty()
                     ? "; any Host header is answered (name yours with --allow-host)"
                     : "");
  }
  Status served = http.Serve();
  if (drain.joinable()) drain.join();
  on_signal.Finish();  // before `http` goes
  std::printf("tint serve: stopped\n");
  std::fflush(stdout);
  return served;
}

}  // namespace tint
