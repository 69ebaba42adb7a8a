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
};

// Loads the methods, binds, prints "listening on http://HOST:PORT" on stdout
// and serves until SIGINT or SIGTERM; then finishes running jobs and returns.
Status RunService(const ServeOptions& options);

}  // namespace tint
