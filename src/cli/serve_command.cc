// tint serve and tint worker: bind flags to ServeOptions and WorkerOptions
// (src/serve/service.h, src/serve/redis_queue.h).
#include "cli/commands.h"
#include "serve/redis_queue.h"
#include "serve/service.h"

namespace tint {
namespace {

// What serve and worker both load: the methods and the upload checks.
void AddRunnerOptions(CLI::App* app, RunnerOptions* runner) {
  runner->read.max_pixels = 16'000'000;
  app->add_option("--methods", runner->methods,
                  "Comma-separated methods to load (default: every method that needs no guide; "
                  "presets such as classic:seed only when named)")
      ->delimiter(',');
  internal::AddReadOptions(app, &runner->read);
  app->add_option("--db", runner->db_dir, "Patch database folder (default: the bundled one)");
  app->add_option("--model", runner->model, "The CNN's model card (default: the shipped one)");
  app->add_option("--data-root", runner->data_root, "Where card paths starting $data/ point");
  app->add_option("--job-timeout", runner->job_timeout,
                  "Seconds a job may colour for; past it the job fails saying so (0: no limit)")
      ->capture_default_str();
}

}  // namespace

int RunServe(int argc, char** argv) {
  const std::string cmd = "serve";
  CLI::App app(
      "Serve the Color tool: a page to upload a grey photo and get it in colour, and its JSON API "
      "(see docs/service.md).",
      "serve");
  ServeOptions options;
  app.add_option("--host", options.http.host, "Address to listen on (0.0.0.0: every interface)")
      ->capture_default_str();
  app.add_option("--port", options.http.port, "Port (0: any free port, printed at start)")
      ->capture_default_str();
  app.add_option("--token-file", options.token_file,
                 "File whose first line is an access token: submitting jobs and /metrics then "
                 "need 'Authorization: Bearer TOKEN' (the page asks for it once)");
  app.add_option("--allow-host", options.http.allowed_hosts,
                 "A host name requests may use (Host header, and a POST's Origin); repeatable. "
                 "Default: localhost, 127.0.0.1 and [::1] on a loopback --host, any otherwise");
  app.add_option("--workers", options.queue.workers, "Photos coloured at once")
      ->capture_default_str();
  app.add_option("--queue", options.queue.capacity,
                 "Jobs waiting at most; one more is refused with 429")
      ->capture_default_str();
  app.add_option("--max-upload-mb", options.http.max_upload_mb, "Largest upload (413 above it)")
      ->capture_default_str();
  app.add_option("--result-ttl", options.queue.result_ttl,
                 "Seconds a finished job's result is kept")
      ->capture_default_str();
  app.add_option("--drain-timeout", options.drain_timeout,
                 "On SIGINT/SIGTERM: seconds to finish queued and running jobs, taking no new "
                 "ones (a second signal stops at once)")
      ->capture_default_str();
  app.add_option(
         "--queue-mb", options.queue.max_queue_mb,
         "Decoded photos (and uploads) of queued and running jobs held at most, MB (429 over it)")
      ->capture_default_str();
  app.add_option("--max-result-mb", options.queue.max_result_mb,
                 "Finished jobs' results and kept uploads held at most, MB; over it the oldest are "
                 "forgotten early")
      ->capture_default_str();
  app.add_option("--threads", options.http.threads,
                 "Requests answered at once (each already received whole)")
      ->capture_default_str();
  app.add_option("--header-timeout", options.http.front.header_timeout,
                 "Seconds a client has to send its whole request head (408 past it)")
      ->capture_default_str();
  app.add_option("--body-timeout", options.http.front.body_timeout,
                 "Seconds a client has to send its whole request body (408 past it)")
      ->capture_default_str();
  app.add_option("--max-connections", options.http.front.max_connections,
                 "Open connections at most (503 past it)")
      ->capture_default_str();
  app.add_option("--max-connections-per-address", options.http.front.max_connections_per_address,
                 "Open connections from one client address at most (503 past it)")
      ->capture_default_str();
  app.add_option("--queue-url", options.queue_url,
                 "redis://HOST:PORT: send jobs through Redis to 'tint worker' processes");
  AddRunnerOptions(&app, &options.runner);
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;
  Status s = RunService(options);
  if (!s.ok()) return internal::Fail(cmd, s.message());
  return 0;
}

int RunWorker(int argc, char** argv) {
  const std::string cmd = "worker";
  CLI::App app(
      "Colour jobs from a Redis queue that 'tint serve --queue-url' fills; run any number, on any "
      "machines. A worker killed mid-job loses nothing: after its lease runs out the job goes to "
      "another.",
      "worker");
  WorkerOptions options;
  app.add_option("--queue-url", options.queue_url, "redis://HOST[:PORT][/DB]")->required();
  app.add_option("--threads", options.threads, "Jobs coloured at once in this process")
      ->capture_default_str();
  app.add_option("--lease", options.lease,
                 "Seconds a claimed job stays this worker's without a renewal (renewed while it "
                 "works)")
      ->capture_default_str();
  app.add_option("--max-jobs", options.max_jobs, "Stop after this many jobs (0: never)")
      ->capture_default_str();
  app.add_option("--max-attempts", options.max_attempts,
                 "A job whose workers stopped this many times mid-job fails, not requeued")
      ->capture_default_str();
  AddRunnerOptions(&app, &options.runner);
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;
  Status s = RunRedisWorker(options);
  if (!s.ok()) return internal::Fail(cmd, s.message());
  return 0;
}

}  // namespace tint
