// The service's front door: one epoll thread that owns the public socket,
// reads each request's head and body whole, under deadlines and limits, and
// only then hands the complete request to the HTTP library (cpp-httplib, on a
// Unix socket in a private folder) and relays its answer back.
//
// Why: httplib gives a connection a thread from the first byte, and its read
// timeout restarts at every byte, so 32 clients that each send a header line
// every few seconds held every thread and the service stopped answering. Here
// a slow or idle client costs a few kilobytes in the epoll set, never a
// thread; the thread pool only ever sees requests that are already here.
//
// Limits, each answered with a one-line JSON error and the connection closed:
//   head not complete within header_timeout        408
//   body not complete within body_timeout          408
//   head over 16 KB or over 100 header lines        431
//   Content-Length over max_body_bytes             413 (before the body is read)
//   Transfer-Encoding (chunked)                    411
//   Content-Encoding other than identity           415
//   two different Content-Lengths, no length       400
//   more than max_connections_per_address connections from one address, or more than
//   max_connections in all                         503 with Retry-After
// Every request is its own connection to the library (`Connection: close`
// there); a client's HTTP/1.1 connection is kept between requests (the
// answer's head says keep-alive when its Content-Length frames it), and an
// idle one is closed after header_timeout. `Expect: 100-continue` is
// answered here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"

namespace tint {

struct FrontLimits {
  double header_timeout = 10;  // s, the whole request head
  double body_timeout = 120;   // s, the whole body, from the end of the head
  double idle_timeout = 30;    // s without progress writing the answer
  int max_connections = 512;
  int max_connections_per_address = 64;
  uint64_t max_body_bytes = 20u << 20;
  std::string body_too_large_message = "upload over the limit";
  bool Check(std::string* error) const;
};

class Front {
 public:
  // `limits` are ones FrontLimits::Check accepted (HttpOptions::Check checks
  // them with the rest of the service's options, once). `on_refusal(status,
  // reason)` is called (on the front's thread) for every request refused
  // here; reasons are short snake_case words.
  Front(const FrontLimits& limits, std::function<void(int, const std::string&)> on_refusal);
  ~Front();
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // Binds host:port (port 0: any free port; *port is the one bound).
  Status Bind(const std::string& host, int port, int* bound_port);
  // Serves until Stop, forwarding complete requests to the Unix socket
  // `upstream_path`.
  Status Serve(const std::string& upstream_path);
  // Stops accepting and closes every idle connection and every one whose
  // request is still arriving; the answers under way are written (for at
  // most 5 s), then Serve closes the rest and returns.
  void Stop();

  // Refusals so far, by reason.
  std::map<std::string, int64_t> Refusals() const;

 private:
  struct Loop;
  FrontLimits limits_;
  std::function<void(int, const std::string&)> on_refusal_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  mutable std::mutex refusals_mu_;
  std::map<std::string, int64_t> refusals_;
};

}  // namespace tint
