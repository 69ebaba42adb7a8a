#include "serve/http_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <thread>

#include <openssl/crypto.h>
#include <nlohmann/json.hpp>

#include "guide/hints.h"
#include "serve/web_assets.h"

// Last: its <resolv.h> defines a macro `_res` that Eigen headers use as a name.
#include <httplib.h>

namespace tint {
namespace {

using nlohmann::json;

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Bytes that are not UTF-8 (echoed from a request) become U+FFFD instead
  // of an exception and a 500.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, json{{"error", message}});
}

json StatusJson(const JobStatus& s) {
  json stages = json::object();
  for (const auto& [stage, seconds] : s.stage_seconds) stages[stage] = seconds;
  json j = {{"id", s.id},
            {"state", JobStateName(s.state)},
            {"progress", s.progress},
            {"stage", s.stage},
            {"method", s.method},
            {"width", s.width},
            {"height", s.height},
            {"submitted", s.submitted},
            {"timings", {{"wait", s.wait_seconds}, {"run", s.run_seconds}, {"stages", stages}}},
            {"worker", s.worker},
            {"grey", "/api/jobs/" + s.id + "/grey.png"}};
  if (s.state == JobState::kDone) j["result"] = "/api/jobs/" + s.id + "/result.png";
  if (s.state == JobState::kFailed) j["error"] = s.error;
  return j;
}

std::string FormValue(const httplib::Request& req, const std::string& key,
                      const std::string& fallback) {
  if (req.has_file(key)) return req.get_file_value(key).content;
  if (req.has_param(key)) return req.get_param_value(key);
  return fallback;
}

}  // namespace

namespace {

// The 413 answer, from the headers or from httplib's own limit.
std::string UploadLimitText(double max_upload_mb) {
  char text[96];
  std::snprintf(text, sizeof text, "upload over the limit of %g MB", max_upload_mb);
  return text;
}

bool IsLoopbackName(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

// The name part of a Host header or an Origin's authority: "[::1]:8080" ->
// "[::1]", "example.org:80" -> "example.org", lower case.
std::string HostName(std::string authority) {
  std::transform(authority.begin(), authority.end(), authority.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (!authority.empty() && authority[0] == '[')
    return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

}  // namespace

bool HttpOptions::HostAllowed(const std::string& host_header) const {
  const std::string name = HostName(host_header);
  if (name.empty()) return false;
  if (allowed_hosts.empty()) return !IsLoopbackName(host) || IsLoopbackName(name);
  for (const std::string& allowed : allowed_hosts)
    if (HostName(allowed) == name) return true;
  return false;
}

bool HttpOptions::Check(std::string* error) const {
  if (port < 0 || port > 65535) {
    *error = "port must be 0..65535, not " + std::to_string(port);
    return false;
  }
  if (threads < 1 || threads > 1024) {
    *error = "threads must be 1..1024";
    return false;
  }
  if (!(max_upload_mb > 0 && max_upload_mb <= 1024)) {
    *error = "max-upload-mb must be over 0 and at most 1024";
    return false;
  }
  return front.Check(error);
}

HttpService::HttpService(JobQueue* queue, std::vector<ServedMethod> methods, ImageReadOptions read,
                         const HttpOptions& options)
    : queue_(queue),
      methods_(std::move(methods)),
      read_(read),
      options_(options),
      server_(new httplib::Server) {
  max_body_bytes_ = static_cast<uint64_t>(options_.max_upload_mb * 1024 * 1024);
  FrontLimits limits = options_.front;
  limits.max_body_bytes = max_body_bytes_;
  limits.body_too_large_message = UploadLimitText(options_.max_upload_mb);
  front_ = std::make_unique<Front>(
      limits, [this](int status, const std::string&) { CountResponse(status); });
  Routes();
}

HttpService::~HttpService() {
  Stop();
  RemoveSocketDir();
}

void HttpService::CountResponse(int status) {
  std::lock_guard<std::mutex> lock(counts_mu_);
  ++responses_[status];
}

void HttpService::SendMissingJob(httplib::Response& res, const std::string& message) {
  Status reachable = queue_->Reachable();
  if (!reachable.ok())
    return SendError(res, 503, "the job store cannot be reached: " + reachable.message());
  SendError(res, 404, message);
}

void HttpService::Routes() {
  httplib::Server& svr = *server_;
  const int threads = options_.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_payload_max_length(static_cast<size_t>(max_body_bytes_));
  // The front door hands over whole requests, so these only bound the
  // library's own socket.
  svr.set_read_timeout(10);
  svr.set_write_timeout(10);
  svr.set_address_family(AF_UNIX);
  // Checks on what a request says, before any handler: Host and Origin,
  // the token and the ranges asked for. (The body's length, framing,
  // encoding and deadlines are the front door's.)
  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return RefuseRequest(req, res) ? httplib::Server::HandlerResponse::Handled
                                   : httplib::Server::HandlerResponse::Unhandled;
  });

  svr.set_logger(
      [this](const httplib::Request&, const httplib::Response& res) { CountResponse(res.status); });
  svr.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = std::string("internal error: ") + e.what();
        } catch (...) {
        }
        SendError(res, 500, what);
      });
  // Statuses httplib sets itself (404 no route, 413 body over the limit,
  // 400 malformed request) get the API's JSON body too.
  svr.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      SendError(res, 413, UploadLimitText(options_.max_upload_mb));
    } else if (res.status == 404) {
      SendError(res, 404, "no such page");
    } else {
      SendError(res, res.status, "request refused (HTTP " + std::to_string(res.status) + ")");
    }
  });

  auto asset = [](const httplib::Request& req, httplib::Response& res) {
    const WebAsset* a = FindWebAsset(req.path);
    if (a == nullptr) return SendError(res, 404, "no such page");
    res.set_content(reinterpret_cast<const char*>(a->data), a->size, a->content_type);
    res.set_header("Cache-Control", "no-cache");
  };
  svr.Get("/", asset);
  svr.Get("/index.html", asset);
  svr.Get("/app.js", asset);
  svr.Get("/style.css", asset);

  svr.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    Status reachable = queue_->Reachable();
    if (!reachable.ok()) {
      return SendJson(res, 503, {{"status", "unavailable"}, {"error", reachable.message()}});
    }
    const QueueStats stats = queue_->Stats();
    SendJson(res, 200,
             {{"status", "ok"},
              {"methods", methods_.size()},
              {"queued", stats.queued},
              {"running", stats.running}});
  });

  svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(Metrics(), "text/plain; version=0.0.4");
  });

  svr.Get("/api/methods", [this](const httplib::Request&, httplib::Response& res) {
    json list = json::array();
    for (const ServedMethod& m : Offered()) {
      list.push_back({{"name", m.name},
                      {"summary", m.summary},
                      {"typical_seconds", m.typical_seconds},
                      {"takes_reference", m.takes_reference}});
    }
    SendJson(res, 200,
             {{"methods", list},
              {"typical_pixels", 481 * 321},
              {"max_pixels", read_.max_pixels},
              {"max_upload_mb", options_.max_upload_mb}});
  });

  svr.Post("/api/jobs",
           [this](const httplib::Request& req, httplib::Response& res) { SubmitJob(req, res); });

  const std::string job_path = "/api/jobs/([0-9a-f]{32})";
  // ?wait=S (0..30) long-polls: the answer comes when the job's progress
  // passes ?after=P (default: its progress now), its state changes or it
  // finishes, or after S seconds; a page then learns of each step without
  // polling. At most half the threads wait at once; past that, and while
  // stopping, the answer is at once.
  svr.Get(job_path, [this](const httplib::Request& req, httplib::Response& res) {
    AnswerJobStatus(req, res);
  });
  svr.Get(job_path + "/result.png", [this](const httplib::Request& req, httplib::Response& res) {
    std::string png;
    if (queue_->Result(req.matches[1], &png)) {
      res.set_content(png, "image/png");
      res.set_header("Content-Disposition", "attachment; filename=\"tint-colour.png\"");
      return;
    }
    JobStatus status;
    if (!queue_->Find(req.matches[1], &status)) return SendMissingJob(res);
    if (status.state == JobState::kFailed)
      return SendError(res, 409, "job failed: " + status.error);
    SendError(res, 409, std::string("job is ") + JobStateName(status.state) + ", not done yet");
  });
  svr.Get(job_path + "/grey.png", [this](const httplib::Request& req, httplib::Response& res) {
    std::string png;
    if (!queue_->Grey(req.matches[1], &png)) return SendMissingJob(res);
    res.set_content(png, "image/png");
  });
}

// Checks on what a request says, before any handler: Host and Origin, the
// token and the ranges asked for.
bool HttpService::RefuseRequest(const httplib::Request& req, httplib::Response& res) {
  // The front door has read the request whole, so a refusal leaves the
  // client's connection as any answer does (the door keeps it alive when
  // the client asked to).
  auto refuse = [&res](int status, const std::string& message) {
    SendError(res, status, message);
    return true;
  };
  // DNS rebinding: a loopback service answers only to its own names.
  if (!options_.HostAllowed(req.get_header_value("Host")))
    return refuse(421, "this server does not answer to the host '" + req.get_header_value("Host") +
                           "' (see tint serve --allow-host)");
  // A cross-site form POST: a state-changing request from a browser must
  // come from a page of this server (its Origin names an allowed host).
  if (req.method != "GET" && req.method != "HEAD" && req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    const size_t scheme = origin.find("://");
    const std::string authority = scheme == std::string::npos ? "" : origin.substr(scheme + 3);
    if (HostName(authority) != HostName(req.get_header_value("Host")))
      return refuse(403, "cross-origin request from '" + origin + "' refused");
  }
  if (!options_.token.empty() && (req.method == "POST" || req.path == "/metrics")) {
    const std::string expected = "Bearer " + options_.token;
    const std::string given = req.get_header_value("Authorization");
    if (given.size() != expected.size() ||
        CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
      res.set_header("WWW-Authenticate", "Bearer");
      return refuse(401, "this service needs its access token (Authorization: Bearer ...)");
    }
  }
  if (req.ranges.size() > 1) {
    // httplib would answer every range, even of this refusal (2,000
    // ranges of a 278 KB result made 750 MB). The Request it passes is
    // its own non-const local, so dropping the ranges here is defined.
    const_cast<httplib::Request&>(req).ranges.clear();
    return refuse(416, "one byte range per request at most");
  }
  return false;
}

namespace {

// The names of `methods` that `pick` keeps, comma-separated.
template <typename Pick>
std::string JoinNames(const std::vector<ServedMethod>& methods, Pick pick) {
  std::string names;
  for (const ServedMethod& m : methods)
    if (pick(m)) names += (names.empty() ? "" : ", ") + m.name;
  return names;
}

}  // namespace

// A job's form: its fields, method, post-step, guides and photo (uploaded,
// or an earlier job's), checked without decoding anything. False when
// refused (the answer is sent).
bool HttpService::ReadJobForm(const httplib::Request& req, httplib::Response& res,
                              JobRequest* job_out) {
  JobRequest& job = *job_out;
  auto refuse = [&res](int status, const std::string& message) {
    SendError(res, status, message);
    return false;
  };
  static const std::vector<std::string> kFields = {"image", "from",       "method",   "post",
                                                   "hints", "hint_reach", "reference"};
  if (!req.is_multipart_form_data() || req.has_file("image") == req.has_file("from")) {
    return refuse(400,
                  "send the photo as multipart/form-data field 'image', or name a job whose "
                  "photo to colour again in field 'from' (one of the two)");
  }
  for (const auto& [name, item] : req.files) {
    if (std::find(kFields.begin(), kFields.end(), name) == kFields.end()) {
      std::string fields;
      for (const std::string& f : kFields) fields += (fields.empty() ? "" : ", ") + f;
      return refuse(400, "unknown form field '" + name + "' (fields: " + fields + ")");
    }
  }
  std::vector<ServedMethod> offered = Offered();
  // No method named: classic, the tool's own, when served; else the first.
  std::string fallback = offered.empty() ? "" : offered.front().name;
  for (const ServedMethod& m : offered)
    if (m.name == "classic") fallback = m.name;
  job.method = FormValue(req, "method", fallback);
  job.post = FormValue(req, "post", "none");
  bool known = false, live = false;
  for (const ServedMethod& m : methods_) known = known || m.name == job.method;
  for (const ServedMethod& m : offered) live = live || m.name == job.method;
  if (known && !live) {  // a worker may have started within the last second
    offered = Offered(true);
    for (const ServedMethod& m : offered) live = live || m.name == job.method;
  }
  if (!live) {
    const std::string names = JoinNames(offered, [](const ServedMethod&) { return true; });
    return refuse(400, (known ? "no worker serves method '" : "unknown method '") + job.method +
                           (known ? "' now" : "'") + " (served: " + names + ")");
  }
  if (job.post != "none" && job.post != "auto") {
    return refuse(400, "post must be none or auto");
  }
  if (req.has_file("reference")) {
    bool takes = false;
    for (const ServedMethod& m : offered)
      if (m.name == job.method) takes = m.takes_reference;
    if (!takes) {
      const std::string which =
          JoinNames(offered, [](const ServedMethod& m) { return m.takes_reference; });
      return refuse(400, "method '" + job.method + "' takes no reference photo (those that do: " +
                             (which.empty() ? "none served" : which) + ")");
    }
    const std::string& photo = req.get_file_value("reference").content;
    if (photo.empty()) return refuse(400, "field 'reference': the photo is empty");
    job.reference.assign(photo.begin(), photo.end());
  }
  if (req.has_file("hints")) {
    const std::string& drawn = req.get_file_value("hints").content;
    if (drawn.empty()) return refuse(400, "hints: the strokes image is empty");
    job.hints.assign(drawn.begin(), drawn.end());
  }
  if (req.has_file("hint_reach")) {
    if (job.hints.empty()) return refuse(400, "hint_reach needs strokes (field 'hints')");
    const std::string text = FormValue(req, "hint_reach", "");
    char* end = nullptr;
    HintOptions hint_options;  // its Check holds the range
    hint_options.reach = job.hint_reach = std::strtod(text.c_str(), &end);
    std::string error;
    if (text.empty() || end != text.c_str() + text.size() || !hint_options.Check(&error)) {
      return refuse(400, "hint_reach must be a number of pixels in 0..1000000 (0: no limit)");
    }
  }
  if (req.has_file("from")) {
    // The photo of an earlier job, which the queue keeps for the job's
    // lifetime: a re-run with strokes or another method uploads nothing.
    const std::string from = FormValue(req, "from", "");
    if (!IsJobId(from)) return refuse(400, "from must be a job id (32 hex digits)");
    std::string bytes;
    if (!queue_->Input(from, &bytes)) {
      SendMissingJob(res, "no job '" + from +
                              "' to take the photo from (unknown, or expired: upload the photo "
                              "again)");
      return false;
    }
    job.image.assign(bytes.begin(), bytes.end());
  } else {
    const std::string& content = req.get_file_value("image").content;
    if (content.empty()) return refuse(415, "the upload is empty, not an image");
    job.image.assign(content.begin(), content.end());
  }
  return true;
}

// POST /api/jobs: the form checked (fields, method, type, size, the
// queue's room) before the photo is decoded and queued.
void HttpService::SubmitJob(const httplib::Request& req, httplib::Response& res) {
  JobRequest job;
  if (!ReadJobForm(req, res, &job)) return;
  int width = 0, height = 0;
  if (!PeekImageSize(job.image, &width, &height)) {
    return SendError(res, 415, "not an image tint reads (PNG, JPEG, BMP, PNM, TIFF or WebP)");
  }
  if (static_cast<int64_t>(width) * height > read_.max_pixels) {
    return SendError(res, 413,
                     "image of " + std::to_string(width) + "x" + std::to_string(height) +
                         " px is over the limit of " + std::to_string(read_.max_pixels) +
                         " pixels");
  }
  auto queue_full = [this, &res] {
    res.set_header("Retry-After", std::to_string(options_.retry_after));
    SendError(res, 429, "the queue is full; try again in a few seconds");
  };
  if (queue_->RefuseIfFull()) return queue_full();  // before the costly decoding
  Status decoded = DecodeImage(read_, "upload", job.image, &job.decoded);
  if (!decoded.ok()) return SendError(res, 415, decoded.message());
  if (!job.reference.empty()) {
    ReferenceGuide reference;
    Status s = DecodeReference(read_, job.reference, &reference);
    if (!s.ok()) return SendError(res, 400, s.message());
  }
  if (!job.hints.empty()) {
    // Checked as the worker will read them, so that bad strokes are this
    // answer's 400 rather than a failed job.
    cv::Mat drawn;
    Hints strokes;
    Status s = DecodeImage(read_, "field 'hints'", job.hints, &drawn);
    if (s.ok()) s = ReadHints(drawn, job.decoded.size(), "field 'hints'", &strokes);
    if (!s.ok()) return SendError(res, 400, s.message());
  }
  std::string id;
  bool full = false;
  Status s = queue_->Submit(std::move(job), &id, &full);
  if (!s.ok()) return SendError(res, 503, s.message());
  if (full) return queue_full();
  JobStatus status;
  if (!queue_->Find(id, &status)) {
    status.id = id;
    status.state = JobState::kQueued;
  }
  res.set_header("Location", "/api/jobs/" + id);
  SendJson(res, 202, StatusJson(status));
}

// GET /api/jobs/ID, with ?wait=S to long-poll (see Routes).
void HttpService::AnswerJobStatus(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  JobStatus status;
  if (!queue_->Find(id, &status)) return SendMissingJob(res);
  auto number = [&req](const char* key, double lo, double hi, double fallback, double* out) {
    if (!req.has_param(key)) {
      *out = fallback;
      return true;
    }
    const std::string text = req.get_param_value(key);
    char* end = nullptr;
    *out = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size() && *out >= lo && *out <= hi;
  };
  double wait = 0, after = 0;
  if (!number("wait", 0, 30, 0, &wait))
    return SendError(res, 400, "wait must be a number of seconds, 0..30");
  if (!number("after", -1, 1, status.progress, &after))
    return SendError(res, 400, "after must be a progress, -1..1");
  // Every request that asks to wait holds a slot, counted once and given
  // back on every path out; only the first `most` of them wait.
  struct Slot {
    std::atomic<int>& count;
    const int before;  // slots held before this one
    explicit Slot(std::atomic<int>& c) : count(c), before(c.fetch_add(1)) {}
    ~Slot() { --count; }
  };
  std::optional<Slot> slot;
  if (wait > 0) slot.emplace(long_polls_);
  const int most = std::max(1, options_.threads / 2);
  if (slot && slot->before < most) {
    const JobState state = status.state;
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait);
    while (!stopping_ && status.state == state && status.progress <= after &&
           status.state != JobState::kDone && status.state != JobState::kFailed &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      if (!queue_->Find(id, &status)) return SendMissingJob(res);
    }
  }
  SendJson(res, 200, StatusJson(status));
}

std::vector<ServedMethod> HttpService::Offered(bool fresh) {
  const double now =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  std::lock_guard<std::mutex> lock(offered_mu_);
  if (!fresh && offered_at_ >= 0 && now - offered_at_ < 1.0) return offered_;
  std::vector<std::string> names, live;
  for (const ServedMethod& m : methods_) names.push_back(m.name);
  if (!queue_->LiveMethods(names, &live)) {
    offered_ = methods_;
  } else {
    offered_.clear();
    for (const ServedMethod& m : methods_)
      if (std::find(live.begin(), live.end(), m.name) != live.end()) offered_.push_back(m);
  }
  offered_at_ = now;
  return offered_;
}

std::string HttpService::Metrics() {
  const QueueStats s = queue_->Stats();
  std::ostringstream out;
  out << "# HELP tint_queue_length Jobs waiting to start.\n"
      << "# TYPE tint_queue_length gauge\n"
      << "tint_queue_length " << s.queued << "\n"
      << "# HELP tint_jobs Jobs held now, by state.\n"
      << "# TYPE tint_jobs gauge\n"
      << "tint_jobs{state=\"queued\"} " << s.queued << "\n"
      << "tint_jobs{state=\"running\"} " << s.running << "\n"
      << "tint_jobs{state=\"done\"} " << s.done << "\n"
      << "tint_jobs{state=\"failed\"} " << s.failed << "\n"
      << "# HELP tint_jobs_submitted_total Jobs accepted.\n"
      << "# TYPE tint_jobs_submitted_total counter\n"
      << "tint_jobs_submitted_total " << s.submitted_total << "\n"
      << "# HELP tint_jobs_rejected_total Jobs refused because the queue was full.\n"
      << "# TYPE tint_jobs_rejected_total counter\n"
      << "tint_jobs_rejected_total " << s.rejected_total << "\n"
      << "# HELP tint_jobs_expired_total Finished jobs forgotten after the result TTL.\n"
      << "# TYPE tint_jobs_expired_total counter\n"
      << "tint_jobs_expired_total " << s.expired_total << "\n"
      << "# HELP tint_jobs_requeued_total Jobs given to another worker after a lease ran out.\n"
      << "# TYPE tint_jobs_requeued_total counter\n"
      << "tint_jobs_requeued_total " << s.requeued_total << "\n"
      << "# HELP tint_job_latency_seconds Whole jobs, submitted to finished.\n"
      << "# TYPE tint_job_latency_seconds histogram\n";
  int64_t cumulative = 0;
  const auto& bounds = LatencyBuckets();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < s.latency_counts.size() ? s.latency_counts[i] : 0;
    out << "tint_job_latency_seconds_bucket{le=\"";
    if (i < bounds.size()) {
      out << bounds[i];
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << "\n";
  }
  out << "tint_job_latency_seconds_sum " << s.latency_sum << "\n"
      << "tint_job_latency_seconds_count " << s.latency_count << "\n"
      << "# HELP tint_http_responses_total HTTP responses, by status code.\n"
      << "# TYPE tint_http_responses_total counter\n";
  {
    std::lock_guard<std::mutex> lock(counts_mu_);
    for (const auto& [code, count] : responses_) {
      out << "tint_http_responses_total{code=\"" << code << "\"} " << count << "\n";
    }
  }
  out << "# HELP tint_http_refused_total Requests the front door refused, by reason.\n"
      << "# TYPE tint_http_refused_total counter\n";
  for (const auto& [reason, count] : front_->Refusals())
    out << "tint_http_refused_total{reason=\"" << reason << "\"} " << count << "\n";
  return out.str();
}

Status HttpService::Bind(int* port) {
  std::string error;
  if (!options_.Check(&error)) return Status::Error(error);
  TINT_RETURN_IF_ERROR(front_->Bind(options_.host, options_.port, port));
  // The library listens on a Unix socket in a folder only this user can
  // enter: nothing reaches it but the front door.
  const char* tmp = std::getenv("TMPDIR");
  std::string dir =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/tint-serve-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr)
    return Status::Error("cannot create a private folder in " + dir.substr(0, dir.rfind('/')));
  socket_dir_ = dir;
  if (!server_->bind_to_port(socket_dir_ + "/http.sock", 80))
    return Status::Error("cannot listen on " + socket_dir_ + "/http.sock");
  return Status::Ok();
}

Status HttpService::Serve() {
  bool listened = true;
  std::thread library([this, &listened] { listened = server_->listen_after_bind(); });
  // The library must be running before Stop can stop it.
  for (int i = 0; i < 500 && !server_->is_running() && listened; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  Status front = front_->Serve(socket_dir_ + "/http.sock");
  server_->stop();
  library.join();
  RemoveSocketDir();
  if (!front.ok()) return front;
  if (!listened) return Status::Error("the HTTP server stopped on an error");
  return Status::Ok();
}

void HttpService::Stop() {
  stopping_ = true;  // long-polls answer at once
  if (front_ != nullptr) front_->Stop();
}

void HttpService::RemoveSocketDir() {
  if (socket_dir_.empty()) return;
  unlink((socket_dir_ + "/http.sock").c_str());
  rmdir(socket_dir_.c_str());
  socket_dir_.clear();
}

}  // namespace tint
