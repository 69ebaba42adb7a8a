// Jobs through Redis (hiredis), for more than one machine: `tint serve
// --queue-url redis://HOST:PORT` stays the only HTTP endpoint and puts jobs
// in Redis; `tint worker --queue-url ...` processes, on any machines, take
// them, colour them and put the results back.
//
// Keys (prefix "tint:"): waiting and running (lists of ids), job:ID (a hash:
// state, progress, stage, timings, the owner's token and lease), image:ID,
// grey:ID, result:ID, and stats (counters and the latency histogram). Every
// step that must not be split is one Lua script, so Redis runs it whole:
// submit refuses when `capacity` jobs wait; a worker claims a job with a
// lease (now + --lease seconds) and renews it while it works; a job whose
// lease ran out (its worker died, kill -9 included) goes back to the front
// of the queue (after --max-attempts such stops it fails instead); a result
// is stored only by the worker that holds the job's current token, so a job
// completes exactly once.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "serve/jobs.h"
#include "serve/runner.h"

struct redisContext;

namespace tint {

struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string user;      // AUTH user (Redis 6 ACL); empty: the default user
  std::string password;  // AUTH password; empty: no AUTH
};
// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]; anything else is a one-line
// error. The password may instead come from $TINT_REDIS_PASSWORD (out of
// `ps`), used when the URL gives none.
Status ParseRedisUrl(const std::string& url, RedisAddress* address);
// The URL as messages and logs show it: credentials masked.
std::string RedisUrlForDisplay(const std::string& url);

// One connection, used by one thread at a time (a mutex), reconnected once
// when a command finds it broken.
class RedisConnection {
 public:
  static Status Open(const RedisAddress& address, std::unique_ptr<RedisConnection>* connection);
  ~RedisConnection();
  // Runs one command; *reply gets a string/integer reply as text, an array
  // as its elements joined by '\n' is not needed: see the typed helpers.
  Status Run(const std::vector<std::string>& args, std::string* text = nullptr,
             long long* integer = nullptr, std::vector<std::string>* array = nullptr,
             bool* nil = nullptr);

 private:
  explicit RedisConnection(const RedisAddress& address) : address_(address) {}
  Status Connect();
  RedisAddress address_;
  std::mutex mu_;
  redisContext* context_ = nullptr;
};

struct RedisQueueOptions {
  int capacity = 16;        // jobs waiting at most
  double result_ttl = 600;  // seconds a finished job is kept (Redis EXPIRE)
};

class RedisJobQueue : public JobQueue {
 public:
  static Status Open(const std::string& url, const RedisQueueOptions& options,
                     std::unique_ptr<RedisJobQueue>* queue);
  bool RefuseIfFull() override;
  Status Submit(JobRequest request, std::string* id, bool* full) override;
  bool Find(const std::string& id, JobStatus* status) override;
  bool Result(const std::string& id, std::string* png) override;
  bool Grey(const std::string& id, std::string* png) override;
  bool Input(const std::string& id, std::string* bytes) override;
  QueueStats Stats() override;
  Status Reachable() override;
  bool LiveMethods(const std::vector<std::string>& names, std::vector<std::string>* live) override;

 private:
  RedisJobQueue(std::unique_ptr<RedisConnection> redis, const RedisQueueOptions& options)
      : redis_(std::move(redis)), options_(options) {}
  std::unique_ptr<RedisConnection> redis_;
  RedisQueueOptions options_;
};

struct WorkerOptions {
  std::string queue_url;
  RunnerOptions runner;
  int threads = 1;     // jobs at once in this process
  double lease = 30;   // seconds a claimed job is this worker's without a renewal
  double poll = 0.05;  // seconds between looks at an empty queue
  int max_jobs = 0;    // stop after this many (0: run until SIGINT/SIGTERM)
  // A job whose workers stopped this many times mid-job fails instead of
  // going back to the queue (a photo that crashes every worker).
  int max_attempts = 3;
  bool Check(std::string* error) const;
};

// `tint worker`: loads the methods once, then claims, colours and completes
// jobs until SIGINT/SIGTERM (running jobs are finished first). Prints one
// line per job finished ("done ID" / "failed ID: why") on stdout.
Status RunRedisWorker(const WorkerOptions& options);

}  // namespace tint
