// `tint serve`'s HTTP side (cpp-httplib): the page and the JSON API over a
// JobQueue. Routes:
//   GET  /                      the page (web/, embedded at build time)
//   GET  /api/methods           [{name, summary}]
//   POST /api/jobs              multipart: image (file), method, post -> 202 {id, status, ...}
//   GET  /api/jobs/ID           state, progress 0..1, stage, timings
//                               (?wait=S&after=P: long-poll for the next step)
//   GET  /api/jobs/ID/grey.png  the photo's grey, for the preloader
//   GET  /api/jobs/ID/result.png
//   GET  /healthz, GET /metrics (Prometheus text)
// Errors are JSON {"error": "one line"}: 400 bad form, 404 unknown or expired
// job, 409 result not ready, 413 upload or image too large, 415 not an image,
// 429 queue full (with Retry-After), 503 the job store (Redis) cannot be
// reached, 500 never on purpose.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/image_io.h"
#include "serve/front.h"
#include "serve/jobs.h"
#include "serve/runner.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace tint {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;            // 0: any free port (Bind says which)
  int threads = 32;           // requests answered at once (complete ones: see Front)
  double max_upload_mb = 20;  // request body limit
  // Deadlines and connection caps of the front door (src/serve/front.h);
  // its max_body_bytes comes from max_upload_mb.
  FrontLimits front;
  int retry_after = 2;  // seconds, on 429
  // Host names a request may name in its Host header (and a POST's Origin
  // must be one of). Empty: the names of a loopback --host (localhost,
  // 127.0.0.1, [::1]) when it is one, else any (with a warning at start).
  std::vector<std::string> allowed_hosts;
  // When set, job submissions (POST) and /metrics need the header
  // `Authorization: Bearer TOKEN` (else 401). Reading a job or its result
  // needs its 128-bit id, which only the submitter was given.
  std::string token;
  bool Check(std::string* error) const;
  // Whether `host_header` (a Host header: name[:port]) is allowed.
  bool HostAllowed(const std::string& host_header) const;
};

class HttpService {
 public:
  // `queue` must outlive the service. `methods` are those the queue's
  // workers serve; `read` the upload checks (the CLI's).
  HttpService(JobQueue* queue, std::vector<ServedMethod> methods, ImageReadOptions read,
              const HttpOptions& options);
  ~HttpService();

  // Binds the public socket and the library's private one; *port is the
  // port bound.
  Status Bind(int* port);
  // Serves until Stop (from another thread or a signal handler's thread).
  Status Serve();
  void Stop();

 private:
  void Routes();
  // True when the request is refused (and *res holds the refusal).
  bool RefuseRequest(const httplib::Request& req, httplib::Response& res);
  void SubmitJob(const httplib::Request& req, httplib::Response& res);
  bool ReadJobForm(const httplib::Request& req, httplib::Response& res, JobRequest* job);
  void AnswerJobStatus(const httplib::Request& req, httplib::Response& res);
  void RemoveSocketDir();
  void CountResponse(int status);
  // 404 saying `message`, or 503 when the queue's store cannot be reached.
  void SendMissingJob(httplib::Response& res,
                      const std::string& message = "no such job (unknown, or its result expired)");
  std::string Metrics();
  // The methods offered now: all of methods_, or, when the queue's workers
  // say what they serve (Redis), those some live worker serves; asked of
  // the queue at most once a second (`fresh`: now).
  std::vector<ServedMethod> Offered(bool fresh = false);

  JobQueue* queue_;
  std::vector<ServedMethod> methods_;
  ImageReadOptions read_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Front> front_;
  std::string socket_dir_;  // private (0700) folder of the library's Unix socket
  std::atomic<bool> stopping_{false};
  uint64_t max_body_bytes_ = 0;     // --max-upload-mb in bytes, for the door and httplib
  std::atomic<int> long_polls_{0};  // GET /api/jobs/ID?wait= waiting now
  std::mutex counts_mu_;
  std::map<int, int64_t> responses_;  // by status code
  std::mutex offered_mu_;
  std::vector<ServedMethod> offered_;
  double offered_at_ = -1;  // steady seconds of offered_'s last refresh
};

}  // namespace tint
