#include "serve/front.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace tint {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHeadBytes = 16 * 1024;
constexpr int kMaxHeaderLines = 100;
constexpr double kLingerSeconds = 2;      // reading and dropping after the answer
constexpr double kUpstreamSeconds = 600;  // the HTTP library's answer, a safety net
constexpr int kRetryAfter = 2;
constexpr double kStopGraceSeconds = 5;  // answers under way at Stop

Clock::time_point After(double seconds) {
  return Clock::now() + std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
  }
  return "Error";
}

std::string ErrorAnswer(int status, const std::string& message, bool retry) {
  const std::string body = nlohmann::json{{"error", message}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string answer =
      "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n";
  if (retry) answer += "Retry-After: " + std::to_string(kRetryAfter) + "\r\n";
  return answer + "\r\n" + body;
}

std::string AddressOf(const sockaddr_storage& a) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(a).sin_addr, text, sizeof text);
  } else if (a.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(a).sin6_addr, text, sizeof text);
  }
  return text;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// What the head says, and the head to forward.
struct Head {
  int status = 0;  // 0: fine; else the refusal
  std::string error, reason;
  uint64_t body_bytes = 0;
  bool expect_continue = false;
  bool keep_alive = false;  // the client may send another request after this one
  std::string forward;
};

Head ParseHead(const std::string& text) {
  Head h;
  auto refuse = [&h](int status, const std::string& error, const std::string& reason) {
    h.status = status;
    h.error = error;
    h.reason = reason;
    return h;
  };
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t end = text.find("\r\n", at);
    if (end == std::string::npos || end == at) break;
    lines.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  if (lines.empty() || std::count(lines[0].begin(), lines[0].end(), ' ') != 2)
    return refuse(400, "malformed request line", "bad_request");
  if (static_cast<int>(lines.size()) - 1 > kMaxHeaderLines)
    return refuse(431, "over " + std::to_string(kMaxHeaderLines) + " header lines",
                  "header_too_large");
  h.forward = lines[0] + "\r\n";
  h.keep_alive = lines[0].size() >= 8 && lines[0].compare(lines[0].size() - 8, 8, "HTTP/1.1") == 0;
  bool has_length = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const size_t colon = line.find(':');
    if (line[0] == ' ' || line[0] == '\t' || colon == std::string::npos || colon == 0)
      return refuse(400, "malformed header line", "bad_request");
    const std::string name = Lower(Trim(line.substr(0, colon)));
    const std::string value = Trim(line.substr(colon + 1));
    if (name == "transfer-encoding")
      return refuse(411, "send the body with a Content-Length (chunked uploads are not accepted)",
                    "chunked");
    if (name == "content-encoding" && Lower(value) != "identity")
      return refuse(415, "compressed request bodies (Content-Encoding) are not accepted",
                    "encoded_body");
    if (name == "content-length") {
      const bool digits = !value.empty() && value.size() <= 18 &&
                          value.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) return refuse(400, "bad Content-Length", "bad_request");
      const uint64_t length = std::stoull(value);
      if (has_length && length != h.body_bytes)
        return refuse(400, "two different Content-Lengths", "bad_request");
      has_length = true;
      h.body_bytes = length;
    }
    if (name == "expect") {
      h.expect_continue = Lower(value) == "100-continue";
      continue;  // answered here
    }
    if (name == "connection" && Lower(value).find("close") != std::string::npos)
      h.keep_alive = false;
    if (name == "connection" || name == "keep-alive" || name == "proxy-connection") continue;
    h.forward += line + "\r\n";
  }
  h.forward += "Connection: close\r\n\r\n";
  return h;
}

// The library answers every request with `Connection: close` (each is one
// connection to it). For a client that keeps its connection, the answer's
// head (whole in `answer`, nothing of it sent yet) says keep-alive
// instead, when a Content-Length frames the answer: *length is the whole
// answer's size then. Else false (the client's connection closes after it).
bool KeepAliveHead(std::string* answer, uint64_t* length) {
  const size_t end = answer->find("\r\n\r\n");
  if (end == std::string::npos) return false;
  const std::string head = Lower(answer->substr(0, end + 2));
  const size_t declared = head.find("\r\ncontent-length:");
  const size_t close = head.find("\r\nconnection: close\r\n");
  if (declared == std::string::npos || close == std::string::npos) return false;
  const std::string keep = "Connection: keep-alive";
  answer->replace(close + 2, 17, keep);
  *length = end + 4 + keep.size() - 17 + std::strtoull(head.c_str() + declared + 17, nullptr, 10);
  return true;
}

}  // namespace

bool FrontLimits::Check(std::string* error) const {
  auto seconds_ok = [](double s) { return s > 0 && s <= 24 * 3600; };
  if (!seconds_ok(header_timeout) || !seconds_ok(body_timeout) || !seconds_ok(idle_timeout)) {
    *error = "header-timeout and body-timeout must be over 0 and at most 86400 s";
    return false;
  }
  if (max_connections < 1 || max_connections > 100000 || max_connections_per_address < 1 ||
      max_connections_per_address > max_connections) {
    *error = "max-connections must be 1..100000 and max-connections-per-address 1..max-connections";
    return false;
  }
  return true;
}

struct Front::Loop {
  enum class Phase { kHead, kBody, kUpstream, kReply, kLinger };
  struct Conn {
    int fd = -1;
    int up = -1;
    Phase phase = Phase::kHead;
    std::string address;
    std::string in;
    size_t head_bytes = 0;
    uint64_t body_bytes = 0;
    uint64_t reserved = 0;  // counted in Loop::buffered
    std::string to_up;
    size_t up_sent = 0;
    std::string out;
    size_t out_sent = 0;
    bool client_eof = false;
    bool keep_alive = false;
    bool answer_head = false;   // the library's answer head is whole (and rewritten)
    uint64_t answer_bytes = 0;  // its whole size, when kept alive
    int served = 0;             // answers written on this connection
    bool counted = true;        // in per_address (until its answer is out)
    bool dead = false;
    Clock::time_point deadline;
  };

  Front* front;
  std::string upstream_path;
  int epoll_fd = -1;
  std::unordered_map<int, Conn*> by_fd;
  std::vector<std::unique_ptr<Conn>> conns;
  std::unordered_map<std::string, int> per_address;
  uint64_t buffered = 0;
  uint64_t max_buffered = 0;
  bool accept_paused = false;
  Clock::time_point accept_resume;

  const FrontLimits& limits() const { return front->limits_; }

  void Watch(int fd, uint32_t events, bool add) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
  }

  // The library's answer goes out once its head is whole (it may be
  // rewritten to keep the connection alive).
  static bool Sendable(const Conn* c) { return c->phase != Phase::kUpstream || c->answer_head; }

  void Arm(Conn* c) {
    if (c->dead) return;
    uint32_t events = 0;
    // A kept-alive client's next request waits in the socket while this
    // one is answered; otherwise what it sends then is read and dropped.
    const bool answering = c->phase == Phase::kUpstream || c->phase == Phase::kReply;
    if (!c->client_eof && !(answering && c->keep_alive)) events |= EPOLLIN;
    if (c->out_sent < c->out.size() && Sendable(c)) events |= EPOLLOUT;
    Watch(c->fd, events, false);
    if (c->up >= 0) Watch(c->up, EPOLLIN | (c->up_sent < c->to_up.size() ? EPOLLOUT : 0u), false);
  }

  void Count(int status, const std::string& reason) {
    {
      std::lock_guard<std::mutex> lock(front->refusals_mu_);
      ++front->refusals_[reason];
    }
    if (front->on_refusal_) front->on_refusal_(status, reason);
  }

  void CloseUpstream(Conn* c) {
    if (c->up < 0) return;
    by_fd.erase(c->up);
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->up, nullptr);
    close(c->up);
    c->up = -1;
  }

  void Uncount(Conn* c) {
    if (!c->counted) return;
    c->counted = false;
    auto it = per_address.find(c->address);
    if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
  }

  void Release(Conn* c) {
    buffered -= c->reserved;
    c->reserved = 0;
  }

  void Refuse(Conn* c, int status, const std::string& error, const std::string& reason,
              bool retry = false) {
    CloseUpstream(c);
    Release(c);
    c->in.clear();
    c->keep_alive = false;  // a refusal closes the connection
    c->out += ErrorAnswer(status, error, retry);
    c->phase = Phase::kReply;
    c->deadline = After(std::min(5.0, limits().idle_timeout));
    Count(status, reason);
  }

  void Accept() {
    for (;;) {
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      const int fd = accept4(front->listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: stop accepting for a moment instead of
          // spinning on a listening socket that stays readable.
          epoll_ctl(epoll_fd, EPOLL_CTL_DEL, front->listen_fd_, nullptr);
          accept_paused = true;
          accept_resume = After(0.1);
        }
        return;
      }
      const std::string address = AddressOf(peer);
      int& from_here = per_address[address];
      if (static_cast<int>(conns.size()) >= limits().max_connections ||
          from_here >= limits().max_connections_per_address) {
        const bool all = static_cast<int>(conns.size()) >= limits().max_connections;
        const std::string answer =
            ErrorAnswer(503,
                        all ? "the server holds its most connections; try again"
                            : "too many connections from " + address + " (at most " +
                                  std::to_string(limits().max_connections_per_address) + ")",
                        true);
        (void)!send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        close(fd);
        if (from_here == 0) per_address.erase(address);
        Count(503, all ? "connections" : "connections_per_address");
        continue;
      }
      ++from_here;
      int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      auto conn = std::make_unique<Conn>();
      conn->fd = fd;
      conn->address = address;
      conn->deadline = After(limits().header_timeout);
      by_fd[fd] = conn.get();
      Watch(fd, EPOLLIN, true);
      conns.push_back(std::move(conn));
    }
  }

  // Connects to the HTTP library's socket. A full backlog (EAGAIN) is
  // tried again at the next sweep, until the upstream deadline.
  void StartUpstream(Conn* c) {
    if (c->phase != Phase::kUpstream) {
      c->phase = Phase::kUpstream;
      c->deadline = After(kUpstreamSeconds);
    }
    const int up = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, upstream_path.c_str(), sizeof addr.sun_path - 1);
    if (up >= 0 && connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      c->up = up;
      by_fd[up] = c;
      Watch(up, EPOLLIN | EPOLLOUT, true);
      return;
    }
    const bool later = up >= 0 && (errno == EAGAIN || errno == EINPROGRESS);
    if (up >= 0) close(up);
    if (!later) Refuse(c, 503, "the server is not answering; try again", "no_upstream", true);
  }

  // The request so far: is its head, then its body, whole?
  void Progress(Conn* c) {
    if (c->phase == Phase::kHead) {
      const size_t end = c->in.find("\r\n\r\n");
      if (end == std::string::npos || end + 4 > kMaxHeadBytes) {
        if (c->in.size() > kMaxHeadBytes || end != std::string::npos)
          Refuse(c, 431, "request head over 16 KB", "header_too_large");
        return;
      }
      c->head_bytes = end + 4;
      Head head = ParseHead(c->in.substr(0, c->head_bytes));
      if (head.status != 0) return Refuse(c, head.status, head.error, head.reason);
      if (head.body_bytes > limits().max_body_bytes)
        return Refuse(c, 413, limits().body_too_large_message, "body_too_large");
      if (buffered + head.body_bytes > max_buffered)
        return Refuse(c, 503, "the server is receiving too many uploads; try again",
                      "uploads_in_flight", true);
      c->keep_alive = head.keep_alive;
      c->reserved = head.body_bytes;
      buffered += c->reserved;
      c->body_bytes = head.body_bytes;
      c->to_up = std::move(head.forward);
      c->phase = Phase::kBody;
      c->deadline = After(limits().body_timeout);
      if (head.expect_continue && head.body_bytes > 0) c->out += "HTTP/1.1 100 Continue\r\n\r\n";
    }
    if (c->phase == Phase::kBody && c->in.size() - c->head_bytes >= c->body_bytes) {
      c->to_up.append(c->in, c->head_bytes, c->body_bytes);
      // Bytes past the body are the next request's (pipelined), or dropped
      // when the connection closes after this one.
      c->in.erase(0, c->keep_alive ? c->head_bytes + c->body_bytes : c->in.size());
      StartUpstream(c);
    }
  }

  void OnClient(Conn* c, uint32_t events) {
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      char buf[65536];
      for (;;) {
        const ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
          if (c->phase == Phase::kHead || c->phase == Phase::kBody) {
            c->in.append(buf, static_cast<size_t>(n));
            const size_t want = c->phase == Phase::kHead
                                    ? kMaxHeadBytes + 1
                                    : c->head_bytes + static_cast<size_t>(c->body_bytes);
            if (c->in.size() >= want) break;  // enough to decide; the rest waits
          }
          continue;  // other phases: read and dropped
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0 && errno == EINTR) continue;
        // The client closed or failed: a request not yet whole is dropped;
        // an answer in flight is still written where the socket allows.
        if (n < 0 || c->phase == Phase::kHead || c->phase == Phase::kBody ||
            c->phase == Phase::kLinger) {
          c->dead = true;
          return;
        }
        c->client_eof = true;
        break;
      }
      if (c->phase == Phase::kHead || c->phase == Phase::kBody) Progress(c);
    }
    if (!c->dead) Flush(c);
  }

  void Flush(Conn* c) {
    if (!Sendable(c)) return;
    while (c->out_sent < c->out.size()) {
      const ssize_t n =
          send(c->fd, c->out.data() + c->out_sent, c->out.size() - c->out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c->out_sent += static_cast<size_t>(n);
        if (c->phase == Phase::kReply) c->deadline = After(limits().idle_timeout);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      c->dead = true;
      return;
    }
    if (c->phase == Phase::kReply && c->keep_alive) {
      // All said; the connection waits for its next request.
      std::string().swap(c->out);
      c->out_sent = 0;
      ++c->served;
      c->answer_head = false;
      c->answer_bytes = 0;
      c->head_bytes = 0;
      c->body_bytes = 0;
      c->phase = Phase::kHead;
      c->deadline = After(limits().header_timeout);
      if (!c->in.empty()) Progress(c);
      if (c->phase == Phase::kReply) Flush(c);  // a refusal of a pipelined request
      return;
    }
    if (c->phase == Phase::kReply) {
      // All said: close our side, and read what the client still sends for
      // a moment, so that the answer is not lost to a reset.
      shutdown(c->fd, SHUT_WR);
      Uncount(c);  // on its way out: no longer held against its address
      std::string().swap(c->out);
      c->out_sent = 0;
      c->phase = Phase::kLinger;
      c->deadline = After(kLingerSeconds);
      if (c->client_eof) c->dead = true;
    }
  }

  void OnUpstream(Conn* c, uint32_t events) {
    if (events & EPOLLOUT) {
      while (c->up_sent < c->to_up.size()) {
        const ssize_t n =
            send(c->up, c->to_up.data() + c->up_sent, c->to_up.size() - c->up_sent, MSG_NOSIGNAL);
        if (n > 0) {
          c->up_sent += static_cast<size_t>(n);
        } else if (n < 0 && errno == EINTR) {
          continue;
        } else {
          break;  // EAGAIN; a failure shows as EPOLLERR/HUP and a read of 0
        }
      }
      if (c->up_sent == c->to_up.size() && !c->to_up.empty()) {
        std::string().swap(c->to_up);
        c->up_sent = 0;
        Release(c);
      }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      char buf[65536];
      for (;;) {
        const ssize_t n = recv(c->up, buf, sizeof buf, 0);
        if (n > 0) {
          c->out.append(buf, static_cast<size_t>(n));
          if (!c->answer_head && c->out.find("\r\n\r\n") != std::string::npos) {
            c->answer_head = true;
            if (c->keep_alive) c->keep_alive = KeepAliveHead(&c->out, &c->answer_bytes);
          }
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0 && errno == EINTR) continue;
        // The answer is whole (the library closes after it: Connection: close).
        CloseUpstream(c);
        Release(c);
        // Kept alive only if the answer came as long as its head said.
        if (c->keep_alive && c->out.size() != c->answer_bytes) c->keep_alive = false;
        if (c->out.empty()) {
          Refuse(c, 502, "the server closed the connection without an answer", "no_answer");
        } else {
          c->phase = Phase::kReply;
          c->deadline = After(limits().idle_timeout);
        }
        break;
      }
      Flush(c);
    }
  }

  void Sweep() {
    const Clock::time_point now = Clock::now();
    for (auto& owned : conns) {
      Conn* c = owned.get();
      if (c->dead) continue;
      if (c->phase == Phase::kUpstream && c->up < 0 && c->deadline > now) {
        StartUpstream(c);
        Flush(c);
        if (!c->dead) Arm(c);
        continue;
      }
      if (c->deadline > now) continue;
      switch (c->phase) {
        case Phase::kHead:
        case Phase::kBody: {
          const bool head = c->phase == Phase::kHead;
          if (head && c->served > 0 && c->in.empty()) {  // an idle kept-alive connection
            c->dead = true;
            break;
          }
          const double seconds = head ? limits().header_timeout : limits().body_timeout;
          Refuse(c, 408,
                 std::string("the request ") + (head ? "head" : "body") +
                     " did not arrive within " + std::to_string(static_cast<int>(seconds)) + " s",
                 head ? "header_timeout" : "body_timeout");
          Flush(c);
          break;
        }
        case Phase::kUpstream:
          if (c->out.empty()) {
            Refuse(c, 504, "the server did not answer in time", "no_answer");
            Flush(c);
          } else {
            c->dead = true;
          }
          break;
        case Phase::kReply:
        case Phase::kLinger:
          c->dead = true;  // a client that does not read, or does not close
          break;
      }
      if (!c->dead) Arm(c);
    }
    if (accept_paused && now >= accept_resume) {
      accept_paused = false;
      Watch(front->listen_fd_, EPOLLIN, true);
    }
  }

  void Reap() {
    for (auto& owned : conns) {
      Conn* c = owned.get();
      if (!c->dead) continue;
      CloseUpstream(c);
      Release(c);
      by_fd.erase(c->fd);
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, nullptr);
      close(c->fd);
      Uncount(c);
      owned.reset();
    }
    conns.erase(std::remove(conns.begin(), conns.end(), nullptr), conns.end());
  }

  // After Stop: no new connections; those whose answer is under way (asked
  // of the library, being written, or lingering so that it is not lost to a
  // reset) finish; the rest close. True while any is under way.
  bool WindDown() {
    if (!accept_paused || accept_resume != Clock::time_point::max()) {
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, front->listen_fd_, nullptr);
      accept_paused = true;
      accept_resume = Clock::time_point::max();
    }
    bool busy = false;
    for (auto& owned : conns) {
      Conn* c = owned.get();
      if (c->dead) continue;
      const bool answering = c->phase == Phase::kUpstream || c->phase == Phase::kLinger ||
                             (c->phase == Phase::kReply && c->out_sent < c->out.size());
      if (answering) {
        busy = true;
      } else {
        c->dead = true;  // idle, or a request still arriving
      }
    }
    Reap();
    return busy;
  }

  void Run() {
    epoll_event events[128];
    Clock::time_point stop_by = Clock::time_point::max();
    while (true) {
      if (front->stopping_) {
        if (stop_by == Clock::time_point::max()) stop_by = After(kStopGraceSeconds);
        if (!WindDown() || Clock::now() >= stop_by) break;
      }
      const int n = epoll_wait(epoll_fd, events, 128, front->stopping_ ? 20 : 100);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == front->listen_fd_) {
          Accept();
          continue;
        }
        if (fd == front->wake_fd_) {
          uint64_t count = 0;
          (void)!read(fd, &count, sizeof count);  // level-triggered: drained, or it spins
          continue;
        }
        auto it = by_fd.find(fd);
        if (it == by_fd.end() || it->second->dead) continue;
        Conn* c = it->second;
        if (fd == c->fd) {
          OnClient(c, events[i].events);
        } else {
          OnUpstream(c, events[i].events);
        }
        Arm(c);
      }
      Sweep();
      Reap();
    }
    for (auto& owned : conns) owned->dead = true;
    Reap();
  }
};

Front::Front(const FrontLimits& limits, std::function<void(int, const std::string&)> on_refusal)
    : limits_(limits),
      on_refusal_(std::move(on_refusal)),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Front::~Front() {
  if (listen_fd_ >= 0) close(listen_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status Front::Bind(const std::string& host, int port, int* bound_port) {
  // Two descriptors per connection being answered: lift the soft limit.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 65536);
    setrlimit(RLIMIT_NOFILE, &files);
  }
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
    return Status::Error("cannot bind " + where + " (not an address of this machine)");
  const int fd = socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        found->ai_protocol);
  int yes = 1;
  // SO_REUSEADDR only: with SO_REUSEPORT a second server on a busy port
  // would bind too, and the kernel would split the connections.
  const bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
                  bind(fd, found->ai_addr, found->ai_addrlen) == 0 && listen(fd, 511) == 0;
  freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) close(fd);
    return Status::Error("cannot bind " + where + " (in use, or not an address of this machine)");
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  *bound_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                                  : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  listen_fd_ = fd;
  return Status::Ok();
}

Status Front::Serve(const std::string& upstream_path) {
  if (listen_fd_ < 0) return Status::Error("the front door is not bound");
  if (wake_fd_ < 0) return Status::Error("cannot create an eventfd");
  Loop loop;
  loop.front = this;
  loop.upstream_path = upstream_path;
  loop.max_buffered = std::max<uint64_t>(limits_.max_body_bytes * 8, 64u << 20);
  loop.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (loop.epoll_fd < 0) return Status::Error("cannot create an epoll set");
  loop.Watch(listen_fd_, EPOLLIN, true);
  loop.Watch(wake_fd_, EPOLLIN, true);
  loop.Run();
  close(loop.epoll_fd);
  close(listen_fd_);
  listen_fd_ = -1;
  return Status::Ok();
}

void Front::Stop() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
}

std::map<std::string, int64_t> Front::Refusals() const {
  std::lock_guard<std::mutex> lock(refusals_mu_);
  return refusals_;
}

}  // namespace tint
