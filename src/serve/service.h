// `tint serve` and `tint worker` as functions: what the CLI binds flags to.
#pragma once

#include <string>

#include "core/status.h"
#include "serve/http_server.h"
#include "serve/local_queue.h"
#include "serve/runner.h"

namespace tint {

struct ServeOptions {
  RunnerOptions runner;     // methods, database, model, upload checks
  LocalQueueOptions queue;  // workers, capacity, result TTL
  HttpOptions http;         // host, port, upload limit
  // Empty: the embedded queue. redis://HOST:PORT: jobs go through Redis to
  // `tint worker` processes and this process colours nothing.
  std::string queue_url;
  // On SIGINT/SIGTERM the embedded queue takes no new job and finishes the
  // queued and running ones for at most this many seconds, answering polls
  // meanwhile; then what is left is stopped and counted. A second signal
  // exits at once.
  double drain_timeout = 30;
  // A file whose first line is the access token (HttpOptions::token); kept
  // in a file so that it stays out of `ps`. Empty: no token.
  std::string token_file;
};

// Loads the methods, binds, prints "listening on http://HOST:PORT" on stdout
// and serves until SIGINT or SIGTERM; then finishes running jobs and returns.
Status RunService(const ServeOptions& options);

}  // namespace tint
