// The embedded job queue: a bounded queue in this process and `workers`
// threads that colour from it. Finished jobs (result and status) are kept in
// memory for `result_ttl` seconds after they finish, then forgotten.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "serve/jobs.h"
#include "serve/runner.h"

namespace tint {

struct LocalQueueOptions {
  int workers = 1;          // colorizing threads
  int capacity = 16;        // jobs waiting (not yet running) at most
  double result_ttl = 600;  // seconds a finished job is kept
  // Finished jobs' bytes held at most (result PNG, preview grey and the
  // uploaded photo kept for re-runs), MB: over it the oldest finished jobs
  // are forgotten early (as if expired), so a flood of jobs cannot fill
  // memory.
  double max_result_mb = 512;
  // Decoded pixels (and uploaded bytes) of the jobs waiting and running,
  // MB, at most: a job that
  // would go over it is refused with 429 like a full queue (17 uploads of a
  // 144 KB 16-bit 4000x4000 PNG held 2.6 GB before).
  double max_queue_mb = 1024;
  bool Check(std::string* error) const;
};

class LocalJobQueue : public JobQueue {
 public:
  // `runner` must outlive the queue.
  LocalJobQueue(const JobRunner* runner, const LocalQueueOptions& options);
  ~LocalJobQueue() override;  // finishes running jobs, drops waiting ones

  bool RefuseIfFull() override;
  Status Submit(JobRequest request, std::string* id, bool* full) override;
  bool Find(const std::string& id, JobStatus* status) override;
  bool Result(const std::string& id, std::string* png) override;
  bool Grey(const std::string& id, std::string* png) override;
  bool Input(const std::string& id, std::string* bytes) override;
  QueueStats Stats() override;

  // Graceful stop: new jobs are refused ("shutting down"), waiting and
  // running ones go on. Idle() once each job queued or running at
  // BeginDrain has failed or had its result fetched.
  void BeginDrain();
  bool Idle();
  // Stops what is left: running jobs at their method's next check
  // (ColorizeDetails::should_stop), waiting ones dropped. Returns how many
  // jobs were unfinished.
  int Abandon();

 private:
  struct Job;
  void WorkerLoop(int index);
  void ExpireLocked();
  void ForgetLocked(const std::string& id);
  std::shared_ptr<Job> FindLocked(const std::string& id);

  const JobRunner* runner_;
  LocalQueueOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool draining_ = false;
  std::atomic<bool> abandon_{false};
  int running_ = 0;
  std::unordered_set<std::string> drain_ids_;  // jobs the drain waits for
  std::deque<std::shared_ptr<Job>> waiting_;
  std::unordered_map<std::string, std::shared_ptr<Job>> jobs_;
  QueueStats totals_;                 // the *_total counters and the latency histogram
  std::deque<std::string> finished_;  // ids of finished jobs, oldest first
  size_t result_bytes_ = 0;           // finished jobs' result, grey and input bytes
  size_t pixel_bytes_ = 0;            // waiting and running jobs' decoded images and input bytes
  std::vector<std::thread> threads_;
};

}  // namespace tint
