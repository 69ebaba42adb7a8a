// The service's jobs: what a client submits, what it can ask about one, and
// the queue behind them. The embedded queue (LocalJobQueue, jobs.cc) runs
// jobs on threads of this process; RedisJobQueue (redis_queue.h) hands them
// to `tint worker` processes on any number of machines. The HTTP server only
// sees this interface.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

enum class JobState { kQueued, kRunning, kDone, kFailed };
const char* JobStateName(JobState state);
bool ParseJobState(const std::string& text, JobState* state);

// A photo to colour. `image` holds the uploaded file's bytes, `decoded` the
// picture when the server already decoded it (with the CLI's checks) before
// accepting the job; a queue that hands jobs to other processes sends the
// bytes, and they decode them again.
struct JobRequest {
  std::string method;
  std::string post = "none";  // post-step: none or auto
  std::vector<uint8_t> image;
  cv::Mat decoded;
  // Colour strokes over the photo, as the CLI's --hints takes them: an image
  // file of the photo's size whose pixels of alpha >= 128 (or, without
  // alpha, of visible chroma) are strokes; empty: none. They correct the
  // method's output (guide/hints.h), each carrying hint_reach pixels of even
  // shade (--hint-reach; 0: no limit).
  std::vector<uint8_t> hints;
  double hint_reach = 0;
  // A colour photo to take the colours from (the CLI's --reference), for a
  // method that takes one; empty: none.
  std::vector<uint8_t> reference;
};

// What a client may know about one job.
struct JobStatus {
  std::string id, method, stage, error;
  JobState state = JobState::kQueued;
  double progress = 0;  // 0..1
  int width = 0, height = 0;
  double submitted = 0;     // Unix seconds
  double wait_seconds = 0;  // queued until started (so far, while queued)
  double run_seconds = 0;   // started until finished (so far, while running)
  std::map<std::string, double> stage_seconds;
  std::string worker;  // which process ran it
};

// The latency histogram's upper bounds, seconds (Prometheus buckets), and
// the bucket a latency falls in (LatencyBuckets().size(): +Inf).
const std::vector<double>& LatencyBuckets();
size_t LatencyBucket(double seconds);

struct QueueStats {
  int64_t queued = 0, running = 0, done = 0, failed = 0;  // jobs held now, by state
  int64_t submitted_total = 0, rejected_total = 0, expired_total = 0, requeued_total = 0;
  // Whole-job latency (submit to finish) of finished jobs: per bucket of
  // LatencyBuckets() (not cumulative) plus one for +Inf, the sum and count.
  std::vector<int64_t> latency_counts;
  double latency_sum = 0;
  int64_t latency_count = 0;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;
  // True (and counted as a refusal) when `capacity` jobs already wait: the
  // cheap early answer, asked before an upload is decoded.
  virtual bool RefuseIfFull() = 0;
  // Accepts the job and sets *id, or sets *full when `capacity` jobs are
  // already waiting (checked again, atomically; the job is dropped); other
  // failures are errors. `request.decoded` must hold the decoded photo.
  virtual Status Submit(JobRequest request, std::string* id, bool* full) = 0;
  // False for an unknown or expired id.
  virtual bool Find(const std::string& id, JobStatus* status) = 0;
  // The result PNG of a finished job; false when unknown, expired or not done.
  virtual bool Result(const std::string& id, std::string* png) = 0;
  // The photo's grey (8-bit PNG, at most 1024 px across) for the preloader.
  virtual bool Grey(const std::string& id, std::string* png) = 0;
  // The photo the job was given, as uploaded: kept for the job's lifetime
  // (until its result expires), so that a re-run of the same photo (new
  // strokes, another method) names the job (the API's `from`) instead of
  // uploading it again. False when unknown or expired.
  virtual bool Input(const std::string& id, std::string* bytes) = 0;
  virtual QueueStats Stats() = 0;
  // Whether the queue's store answers (Redis: PING); a failed lookup is
  // "unknown job" only when it does.
  virtual Status Reachable() { return Status::Ok(); }
  // Of `names`, those some live worker serves now, when the queue's workers
  // are other processes that say what they serve (Redis) and some is live;
  // false when not known (the queue's workers are this process's own and
  // serve every method it loaded, or no worker has said anything yet: a job
  // then waits for one).
  virtual bool LiveMethods(const std::vector<std::string>& /*names*/,
                           std::vector<std::string>* /*live*/) {
    return false;
  }
};

// A job's id: 128 random bits (OpenSSL), 32 lower-case hex digits, so ids
// cannot be guessed; IsJobId checks that form before any lookup.
std::string NewJobId();
bool IsJobId(const std::string& text);

// Encodes `image` as PNG bytes.
std::string EncodePng(const cv::Mat& image);

// The grey a preloader shows: the photo's lightness as 8-bit, at most
// `max_side` px across.
cv::Mat PreviewGrey(const cv::Mat& image, int max_side = 1024);

}  // namespace tint
