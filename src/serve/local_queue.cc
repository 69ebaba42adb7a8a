#include "serve/local_queue.h"

#include <chrono>

namespace tint {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct LocalJobQueue::Job {
  JobStatus status;
  JobRequest request;
  cv::Mat image;      // decoded once, at submit
  std::string input;  // the upload's bytes, kept for re-runs (JobQueue::Input)
  std::string grey, result;
  Clock::time_point submitted, started, finished;
  // What the job holds against each budget: waiting and running
  // (pixel_bytes_, --queue-mb), then finished (result_bytes_,
  // --max-result-mb). Added and taken off by the same function each.
  size_t QueuedBytes() const { return image.total() * image.elemSize() + input.size(); }
  size_t FinishedBytes() const { return result.size() + grey.size() + input.size(); }
};

bool LocalQueueOptions::Check(std::string* error) const {
  if (workers < 1 || workers > 256) {
    *error = "workers must be 1..256, not " + std::to_string(workers);
    return false;
  }
  if (capacity < 1 || capacity > 100000) {
    *error = "queue must be 1..100000, not " + std::to_string(capacity);
    return false;
  }
  if (!(result_ttl > 0 && result_ttl <= 7 * 24 * 3600)) {
    *error = "result-ttl must be over 0 and at most a week (604800 s)";
    return false;
  }
  if (!(max_queue_mb > 0 && max_queue_mb <= 1024 * 1024)) {
    *error = "queue-mb must be over 0 and at most 1048576";
    return false;
  }
  if (!(max_result_mb > 0 && max_result_mb <= 1024 * 1024)) {
    *error = "max-result-mb must be over 0 and at most 1048576";
    return false;
  }
  return true;
}

LocalJobQueue::LocalJobQueue(const JobRunner* runner, const LocalQueueOptions& options)
    : runner_(runner), options_(options) {
  totals_.latency_counts.assign(LatencyBuckets().size() + 1, 0);
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { WorkerLoop(i); });
}

LocalJobQueue::~LocalJobQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void LocalJobQueue::BeginDrain() {
  std::lock_guard<std::mutex> lock(mu_);
  draining_ = true;
  for (const auto& [id, job] : jobs_) {
    if (job->status.state == JobState::kQueued || job->status.state == JobState::kRunning)
      drain_ids_.insert(id);
  }
}

bool LocalJobQueue::Idle() {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.empty() && running_ == 0 && drain_ids_.empty();
}

int LocalJobQueue::Abandon() {
  std::lock_guard<std::mutex> lock(mu_);
  abandon_ = true;
  const int left = static_cast<int>(waiting_.size()) + running_;
  waiting_.clear();
  return left;
}

bool LocalJobQueue::RefuseIfFull() {
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(waiting_.size()) < options_.capacity) return false;
  ++totals_.rejected_total;
  return true;
}

Status LocalJobQueue::Submit(JobRequest request, std::string* id, bool* full) {
  *full = false;
  if (request.decoded.empty())
    return Status::Error("the server decodes uploads before they are queued");
  auto job = std::make_shared<Job>();
  job->request = std::move(request);
  job->image = job->request.decoded;
  job->request.decoded.release();
  // The decoded image is what the job needs; the bytes are kept once, for
  // re-runs of the same photo.
  job->input.assign(job->request.image.begin(), job->request.image.end());
  job->request.image = {};
  job->grey = EncodePng(PreviewGrey(job->image));
  job->status.id = NewJobId();
  job->status.method = job->request.method;
  job->status.stage = "queued";
  job->status.width = job->image.cols;
  job->status.height = job->image.rows;
  job->status.submitted = UnixNow();
  job->submitted = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (draining_) return Status::Error("the server is shutting down; try another or later");
    ExpireLocked();
    const size_t bytes = job->QueuedBytes();
    const double budget = options_.max_queue_mb * 1024 * 1024;
    if (static_cast<int>(waiting_.size()) >= options_.capacity ||
        static_cast<double>(pixel_bytes_ + bytes) > budget) {
      ++totals_.rejected_total;
      *full = true;
      return Status::Ok();
    }
    pixel_bytes_ += bytes;
    jobs_[job->status.id] = job;
    waiting_.push_back(job);
    ++totals_.submitted_total;
  }
  *id = job->status.id;
  wake_.notify_one();
  return Status::Ok();
}

void LocalJobQueue::WorkerLoop(int index) {
  const std::string worker = "local-" + std::to_string(index);
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      job = waiting_.front();
      waiting_.pop_front();
      job->status.state = JobState::kRunning;
      job->status.stage = "starting";
      job->status.worker = worker;
      job->started = Clock::now();
      ++running_;
    }
    auto on_stage = [this, &job](const std::string& stage, double done) {
      std::lock_guard<std::mutex> lock(mu_);
      job->status.stage = stage;
      job->status.progress = std::max(job->status.progress, done);
    };
    std::string png;
    std::map<std::string, double> seconds;
    Status s = runner_->Run(job->request, job->image, on_stage, &png, &seconds,
                            [this] { return abandon_.load(); });
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    job->finished = Clock::now();
    pixel_bytes_ -= job->QueuedBytes();
    job->image.release();
    job->status.stage_seconds = seconds;
    if (s.ok()) {
      job->result = std::move(png);
      job->status.state = JobState::kDone;
      job->status.stage = "done";
      job->status.progress = 1;
    } else {
      job->status.state = JobState::kFailed;
      drain_ids_.erase(job->status.id);
      job->status.stage = "failed";
      job->status.error = s.message();
    }
    finished_.push_back(job->status.id);
    result_bytes_ += job->FinishedBytes();
    while (result_bytes_ > options_.max_result_mb * 1024 * 1024 && finished_.size() > 1) {
      ++totals_.expired_total;
      ForgetLocked(finished_.front());
    }
    const double latency = Seconds(job->submitted, job->finished);
    ++totals_.latency_counts[LatencyBucket(latency)];
    totals_.latency_sum += latency;
    ++totals_.latency_count;
  }
}

void LocalJobQueue::ForgetLocked(const std::string& id) {
  auto it = jobs_.find(id);
  if (it != jobs_.end()) {
    result_bytes_ -= it->second->FinishedBytes();
    jobs_.erase(it);
  }
  if (!finished_.empty() && finished_.front() == id) finished_.pop_front();
}

// Finished jobs expire in the order they finished: only the front is looked at.
void LocalJobQueue::ExpireLocked() {
  const Clock::time_point now = Clock::now();
  while (!finished_.empty()) {
    auto it = jobs_.find(finished_.front());
    if (it != jobs_.end() && Seconds(it->second->finished, now) <= options_.result_ttl) break;
    if (it != jobs_.end()) ++totals_.expired_total;
    ForgetLocked(finished_.front());
  }
}

std::shared_ptr<LocalJobQueue::Job> LocalJobQueue::FindLocked(const std::string& id) {
  ExpireLocked();
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : it->second;
}

bool LocalJobQueue::Find(const std::string& id, JobStatus* status) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Job> job = FindLocked(id);
  if (job == nullptr) return false;
  *status = job->status;
  const Clock::time_point now = Clock::now();
  switch (job->status.state) {
    case JobState::kQueued:
      status->wait_seconds = Seconds(job->submitted, now);
      break;
    case JobState::kRunning:
      status->wait_seconds = Seconds(job->submitted, job->started);
      status->run_seconds = Seconds(job->started, now);
      break;
    default:
      status->wait_seconds = Seconds(job->submitted, job->started);
      status->run_seconds = Seconds(job->started, job->finished);
  }
  return true;
}

bool LocalJobQueue::Result(const std::string& id, std::string* png) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Job> job = FindLocked(id);
  if (job == nullptr || job->status.state != JobState::kDone) return false;
  *png = job->result;
  drain_ids_.erase(id);  // fetched: the drain need not wait for it
  return true;
}

bool LocalJobQueue::Grey(const std::string& id, std::string* png) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Job> job = FindLocked(id);
  if (job == nullptr) return false;
  *png = job->grey;
  return true;
}

bool LocalJobQueue::Input(const std::string& id, std::string* bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Job> job = FindLocked(id);
  if (job == nullptr) return false;
  *bytes = job->input;
  return true;
}

QueueStats LocalJobQueue::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  QueueStats stats = totals_;
  for (const auto& [id, job] : jobs_) {
    switch (job->status.state) {
      case JobState::kQueued:
        ++stats.queued;
        break;
      case JobState::kRunning:
        ++stats.running;
        break;
      case JobState::kDone:
        ++stats.done;
        break;
      case JobState::kFailed:
        ++stats.failed;
        break;
    }
  }
  return stats;
}

}  // namespace tint
