#include "serve/redis_queue.h"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "serve/signals.h"

namespace tint {
namespace {

const std::string kPrefix = "tint:";

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Num(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", v);
  return text;
}

// KEYS: waiting, job, image, grey, stats. ARGV: capacity, id, ttl, then the
// job hash's fields and values (the guides' bytes among them, as fields
// 'hints' and 'reference', dropped when the job finishes), then the image
// and grey bytes.
const char* kSubmitScript = R"lua(
local e = wrongtype(KEYS[1], 'list', KEYS[2], 'hash', KEYS[5], 'hash')
if e then return redis.error_reply(e) end
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[1]) then
  redis.call('HINCRBY', KEYS[5], 'rejected_total', 1)
  return 0
end
local n = #ARGV
local fields = {}
for i = 4, n - 2 do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SET', KEYS[3], ARGV[n - 1])
redis.call('SET', KEYS[4], ARGV[n])
redis.call('LPUSH', KEYS[1], ARGV[2])
redis.call('HINCRBY', KEYS[5], 'submitted_total', 1)
return 1
)lua";

// KEYS: waiting, running. ARGV: prefix, token, lease deadline, worker, now.
// Returns the id claimed, or nil when nothing waits.
const char* kClaimScript = R"lua(
local e = wrongtype(KEYS[1], 'list', KEYS[2], 'list', ARGV[1] .. 'quarantine', 'set')
if e then return redis.error_reply(e) end
local id = redis.call('RPOP', KEYS[1])
if not id then return false end
local key = ARGV[1] .. 'job:' .. id
local kind = redis.call('TYPE', key).ok
if kind == 'none' then return false end
if kind ~= 'hash' then  -- not tint's: set aside, never claimed
  redis.call('SADD', ARGV[1] .. 'quarantine', id)
  return false
end
redis.call('LPUSH', KEYS[2], id)
redis.call('HSET', key, 'state', 'running', 'stage', 'starting', 'token', ARGV[2],
           'lease', ARGV[3], 'worker', ARGV[4], 'started', ARGV[5])
redis.call('HINCRBY', key, 'attempts', 1)
return id
)lua";

// KEYS: job. ARGV: token, lease deadline, stage ('' keeps it), progress.
// Renews the lease and records progress, if the job is still the caller's.
const char* kRenewScript = R"lua(
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'lease', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'stage', ARGV[3], 'progress', ARGV[4]) end
return 1
)lua";

// KEYS: job, result, image, grey, running, stats, finished. ARGV: token, id,
// state, error, finished, seconds json, result bytes, ttl, latency bucket
// field, latency, 'free-first' (see below) or ''. Stores the result only if the job is still the
// caller's, and notes when it expires in the sorted set `finished` (for tint_jobs_expired_total).
// Returns 1, 0 when another worker has the job, -1 when its record is gone (Redis flushed, or
// restarted without persistence).
const char* kCompleteScript = R"lua(
local e = wrongtype(KEYS[1], 'hash', KEYS[5], 'list', KEYS[6], 'hash', KEYS[7], 'zset')
if e then return redis.error_reply(e) end
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
-- A failure recorded because Redis is full: free the upload first. DEL may
-- run out of memory, and a script that has written may write on, so the
-- small failure record then fits (a result is never stored this way).
if ARGV[11] == 'free-first' and ARGV[3] == 'failed' then redis.call('DEL', KEYS[3]) end
local ttl = tonumber(ARGV[8])
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'stage', ARGV[3], 'error', ARGV[4],
           'finished', ARGV[5], 'seconds', ARGV[6], 'token', '', 'lease', 0)
if ARGV[3] == 'done' then
  redis.call('HSET', KEYS[1], 'progress', 1)
  redis.call('SET', KEYS[2], ARGV[7], 'EX', ttl)
end
redis.call('HINCRBY', KEYS[1], 'completions', 1)
redis.call('HDEL', KEYS[1], 'hints', 'reference')
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[4], ttl)
redis.call('EXPIRE', KEYS[3], ttl)  -- the upload, kept for re-runs (JobQueue::Input)
redis.call('LREM', KEYS[5], 0, ARGV[2])
redis.call('HINCRBY', KEYS[6], ARGV[3] .. '_total', 1)
redis.call('HINCRBY', KEYS[6], ARGV[9], 1)
redis.call('HINCRBYFLOAT', KEYS[6], 'latency_sum', ARGV[10])
redis.call('ZADD', KEYS[7], tonumber(ARGV[5]) + ttl, ARGV[2])
return 1
)lua";

// KEYS: running, waiting, stats. ARGV: prefix, now, max attempts. Jobs
// whose lease ran out go back to the front of the queue; one whose workers
// stopped `max attempts` times (a photo that crashes them, say) fails. A
// record that is not tint's (not a hash, or running with a lease that is no
// number) is taken off the running list and its id put in the set
// PREFIX..'quarantine', so one foreign key never stops the queue.
const char* kReapScript = R"lua(
local e = wrongtype(KEYS[1], 'list', KEYS[2], 'list', KEYS[3], 'hash',
                  ARGV[1] .. 'quarantine', 'set', ARGV[1] .. 'finished', 'zset')
if e then return redis.error_reply(e) end
local function num(v) if type(v) == 'string' then return tonumber(v) end return nil end
local n, bad = 0, 0
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. 'job:' .. id
  local kind = redis.call('TYPE', key).ok
  local state = kind == 'hash' and redis.call('HGET', key, 'state') or nil
  local lease = kind == 'hash' and num(redis.call('HGET', key, 'lease')) or nil
  if kind == 'none' then
    redis.call('LREM', KEYS[1], 0, id)
  elseif kind ~= 'hash' or (state == 'running' and lease == nil) then
    redis.call('LREM', KEYS[1], 0, id)
    redis.call('SADD', ARGV[1] .. 'quarantine', id)
    bad = bad + 1
  elseif state == 'running' and lease < tonumber(ARGV[2]) then
    redis.call('LREM', KEYS[1], 0, id)
    local attempts = num(redis.call('HGET', key, 'attempts')) or 0
    if attempts >= tonumber(ARGV[3]) then
      local ttl = math.max(1, math.floor(num(redis.call('HGET', key, 'ttl')) or 600))
      redis.call('HSET', key, 'state', 'failed', 'stage', 'failed', 'token', '', 'lease', 0,
                 'finished', ARGV[2], 'error', 'its worker stopped ' .. attempts ..
                 ' time(s) while colouring it (killed or crashed); not tried again')
      redis.call('HDEL', key, 'hints', 'reference')
      redis.call('EXPIRE', key, ttl)
      redis.call('EXPIRE', ARGV[1] .. 'grey:' .. id, ttl)
      redis.call('EXPIRE', ARGV[1] .. 'image:' .. id, ttl)
      redis.call('HINCRBY', KEYS[3], 'failed_total', 1)
      redis.call('ZADD', ARGV[1] .. 'finished', tonumber(ARGV[2]) + ttl, id)
    else
      redis.call('HSET', key, 'state', 'queued', 'stage', 'requeued', 'progress', 0,
                 'token', '', 'lease', 0)
      redis.call('RPUSH', KEYS[2], id)
      n = n + 1
    end
  end
end
if n > 0 then redis.call('HINCRBY', KEYS[3], 'requeued_total', n) end
if bad > 0 then redis.call('HINCRBY', KEYS[3], 'quarantined_total', bad) end
return n
)lua";

// Put before every script: each checks the types of the keys it will
// write before its first write, so that a foreign key fails it whole (a
// script that fails half-way keeps its earlier writes: a job queued, yet a
// 503 to its client). Redis refuses a script whole when it is out of
// memory (noeviction), so memory cannot split one either.
const char* kTypeCheck = R"lua(
local function wrongtype(...)
  local kv = {...}
  for i = 1, #kv, 2 do
    local kind = redis.call('TYPE', kv[i]).ok
    if kind ~= 'none' and kind ~= kv[i + 1] then
      return 'the Redis key ' .. kv[i] .. ' is a ' .. kind .. ', not a ' .. kv[i + 1] ..
             " (not tint's: move it away)"
    end
  end
  return nil
end
)lua";

std::vector<std::string> Eval(const char* script, std::vector<std::string> keys,
                              const std::vector<std::string>& args) {
  std::vector<std::string> command = {"EVAL", std::string(kTypeCheck) + script,
                                      std::to_string(keys.size())};
  for (std::string& k : keys) command.push_back(std::move(k));
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

std::string LatencyField(double latency) {
  return "latency_" + std::to_string(LatencyBucket(latency));
}

}  // namespace

std::string RedisUrlForDisplay(const std::string& url) {
  const std::string scheme = "redis://";
  const size_t at = url.rfind('@');
  if (at == std::string::npos || url.compare(0, scheme.size(), scheme) != 0) return url;
  return scheme + "***@" + url.substr(at + 1);
}

namespace {

// Jobs and results are keys: a Redis that evicts any key when full loses
// accepted jobs (16 of 40 were 404 within their TTL under allkeys-lru).
// A server whose CONFIG command is disabled is taken as it is.
Status CheckEvictionPolicy(RedisConnection* redis, const std::string& who) {
  std::vector<std::string> reply;
  if (!redis->Run({"CONFIG", "GET", "maxmemory-policy"}, nullptr, nullptr, &reply).ok() ||
      reply.size() != 2)
    return Status::Ok();
  const std::string& policy = reply[1];
  if (policy.rfind("allkeys-", 0) == 0) {
    return Status::Error("Redis evicts any key when full (maxmemory-policy " + policy +
                         "): queued jobs would vanish; set maxmemory-policy noeviction");
  }
  if (policy.rfind("volatile-", 0) == 0) {
    std::fprintf(stderr,
                 "tint %s: warning: Redis evicts keys with a TTL when full (maxmemory-policy "
                 "%s): results may vanish before --result-ttl; noeviction is safer\n",
                 who.c_str(), policy.c_str());
  }
  return Status::Ok();
}

}  // namespace

Status ParseRedisUrl(const std::string& url, RedisAddress* address) {
  static const std::string kUrlForm =
      "queue URL must be redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], not '";
  const std::string scheme = "redis://";
  const size_t at = url.rfind('@');
  const std::string shown = RedisUrlForDisplay(url);  // never the password
  if (url.compare(0, scheme.size(), scheme) != 0) {
    return Status::Error(kUrlForm + shown + "'");
  }
  std::string rest = url.substr(scheme.size());
  if (at != std::string::npos) {
    const std::string credentials = rest.substr(0, at - scheme.size());
    rest = rest.substr(at - scheme.size() + 1);
    const size_t colon = credentials.find(':');
    if (colon == std::string::npos) return Status::Error(kUrlForm + shown + "'");
    address->user = credentials.substr(0, colon);
    address->password = credentials.substr(colon + 1);
  }
  if (address->password.empty()) {
    const char* env = std::getenv("TINT_REDIS_PASSWORD");
    if (env != nullptr) address->password = env;
  }
  const size_t slash = rest.find('/');
  std::string db;
  if (slash != std::string::npos) {
    db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  const size_t colon = rest.rfind(':');
  address->host = rest.substr(0, colon);
  try {
    if (colon != std::string::npos) {
      size_t used = 0;
      address->port = std::stoi(rest.substr(colon + 1), &used);
      if (used != rest.size() - colon - 1) throw std::invalid_argument("port");
    }
    if (!db.empty()) {
      size_t used = 0;
      address->db = std::stoi(db, &used);
      if (used != db.size()) throw std::invalid_argument("db");
    }
  } catch (const std::exception&) {
    return Status::Error(kUrlForm + shown + "'");
  }
  if (address->host.empty() || address->port < 1 || address->port > 65535 || address->db < 0) {
    return Status::Error(kUrlForm + shown + "'");
  }
  return Status::Ok();
}

Status RedisConnection::Open(const RedisAddress& address,
                             std::unique_ptr<RedisConnection>* connection) {
  std::unique_ptr<RedisConnection> c(new RedisConnection(address));
  TINT_RETURN_IF_ERROR(c->Connect());
  *connection = std::move(c);
  return Status::Ok();
}

RedisConnection::~RedisConnection() {
  if (context_ != nullptr) redisFree(context_);
}

Status RedisConnection::Connect() {
  if (context_ != nullptr) redisFree(context_);
  timeval timeout = {5, 0};
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, timeout);
  const std::string where = "redis://" + address_.host + ":" + std::to_string(address_.port);
  if (context_ == nullptr || context_->err != 0) {
    const std::string why = context_ != nullptr ? context_->errstr : "out of memory";
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
    return Status::Error("cannot reach Redis at " + where + ": " + why);
  }
  redisSetTimeout(context_, timeout);
  if (!address_.password.empty()) {
    redisReply* r = static_cast<redisReply*>(
        address_.user.empty()
            ? redisCommand(context_, "AUTH %b", address_.password.data(), address_.password.size())
            : redisCommand(context_, "AUTH %b %b", address_.user.data(), address_.user.size(),
                           address_.password.data(), address_.password.size()));
    const bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    const std::string why = r != nullptr && r->type == REDIS_REPLY_ERROR ? r->str : "no answer";
    if (r != nullptr) freeReplyObject(r);
    if (!ok) {
      redisFree(context_);
      context_ = nullptr;
      return Status::Error("Redis at " + where + " refused the login: " + why);
    }
  }
  {
    // A server that wants a password says NOAUTH to everything: say so now,
    // not as a retry loop later.
    redisReply* r = static_cast<redisReply*>(redisCommand(context_, "PING"));
    const std::string error = r != nullptr && r->type == REDIS_REPLY_ERROR ? r->str : "";
    if (r != nullptr) freeReplyObject(r);
    if (error.rfind("NOAUTH", 0) == 0) {
      redisFree(context_);
      context_ = nullptr;
      return Status::Error("Redis at " + where +
                           " needs a password: give redis://:PASSWORD@HOST or set "
                           "TINT_REDIS_PASSWORD");
    }
  }
  if (address_.db != 0) {
    redisReply* r = static_cast<redisReply*>(redisCommand(context_, "SELECT %d", address_.db));
    const bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    if (r != nullptr) freeReplyObject(r);
    if (!ok)
      return Status::Error("Redis at " + where + " refused database " +
                           std::to_string(address_.db));
  }
  return Status::Ok();
}

Status RedisConnection::Run(const std::vector<std::string>& args, std::string* text,
                            long long* integer, std::vector<std::string>* array, bool* nil) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  redisReply* reply = nullptr;
  for (int attempt = 0; attempt < 2 && reply == nullptr; ++attempt) {
    if (context_ == nullptr || context_->err != 0) TINT_RETURN_IF_ERROR(Connect());
    reply = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  }
  if (reply == nullptr) {
    return Status::Error(std::string("Redis: ") +
                         (context_ != nullptr ? context_->errstr : "no connection"));
  }
  Status status;
  if (nil != nullptr) *nil = reply->type == REDIS_REPLY_NIL;
  switch (reply->type) {
    case REDIS_REPLY_ERROR:
      status = Status::Error(std::string("Redis: ") + std::string(reply->str, reply->len));
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      if (text != nullptr) text->assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      if (integer != nullptr) *integer = reply->integer;
      break;
    case REDIS_REPLY_ARRAY:
      if (array != nullptr) {
        array->clear();
        for (size_t i = 0; i < reply->elements; ++i) {
          const redisReply* e = reply->element[i];
          array->push_back(e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS
                               ? std::string(e->str, e->len)
                           : e->type == REDIS_REPLY_INTEGER ? std::to_string(e->integer)
                                                            : std::string());
        }
      }
      break;
    default:
      break;
  }
  freeReplyObject(reply);
  return status;
}

// ---- The server's side ------------------------------------------------------

Status RedisJobQueue::Open(const std::string& url, const RedisQueueOptions& options,
                           std::unique_ptr<RedisJobQueue>* queue) {
  RedisAddress address;
  TINT_RETURN_IF_ERROR(ParseRedisUrl(url, &address));
  std::unique_ptr<RedisConnection> redis;
  TINT_RETURN_IF_ERROR(RedisConnection::Open(address, &redis));
  std::string pong;
  TINT_RETURN_IF_ERROR(redis->Run({"PING"}, &pong));
  TINT_RETURN_IF_ERROR(CheckEvictionPolicy(redis.get(), "serve"));
  queue->reset(new RedisJobQueue(std::move(redis), options));
  return Status::Ok();
}

bool RedisJobQueue::RefuseIfFull() {
  long long waiting = 0;
  // Unreachable: not refused here; Submit then says why (503).
  if (!redis_->Run({"LLEN", kPrefix + "waiting"}, nullptr, &waiting).ok()) return false;
  if (waiting < options_.capacity) return false;
  redis_->Run({"HINCRBY", kPrefix + "stats", "rejected_total", "1"});
  return true;
}

Status RedisJobQueue::Submit(JobRequest request, std::string* id, bool* full) {
  *full = false;
  cv::Mat image = request.decoded;
  if (image.empty()) return Status::Error("the server decodes uploads before they are queued");
  *id = NewJobId();
  const std::string grey = EncodePng(PreviewGrey(image));
  std::vector<std::string> args = {std::to_string(options_.capacity), *id,
                                   Num(options_.result_ttl)};
  const std::vector<std::string> fields = {
      "state",      "queued",
      "stage",      "queued",
      "progress",   "0",
      "method",     request.method,
      "post",       request.post,
      "width",      std::to_string(image.cols),
      "height",     std::to_string(image.rows),
      "submitted",  Num(UnixNow()),
      "ttl",        Num(options_.result_ttl),
      "hint_reach", Num(request.hint_reach),
      "hints",      std::string(request.hints.begin(), request.hints.end()),
      "reference",  std::string(request.reference.begin(), request.reference.end())};
  args.insert(args.end(), fields.begin(), fields.end());
  args.emplace_back(request.image.begin(), request.image.end());
  args.push_back(grey);
  long long accepted = 0;
  TINT_RETURN_IF_ERROR(
      redis_->Run(Eval(kSubmitScript,
                       {kPrefix + "waiting", kPrefix + "job:" + *id, kPrefix + "image:" + *id,
                        kPrefix + "grey:" + *id, kPrefix + "stats"},
                       args),
                  nullptr, &accepted));
  if (accepted == 0) {
    *full = true;
    id->clear();
  }
  return Status::Ok();
}

bool RedisJobQueue::Find(const std::string& id, JobStatus* status) {
  // The status fields by name: the hash also holds the job's guides
  // (strokes, a reference photo), which a status poll must not fetch.
  static const std::vector<std::string> kFields = {"state",     "method",   "stage",    "error",
                                                   "worker",    "progress", "width",    "height",
                                                   "submitted", "started",  "finished", "seconds"};
  std::vector<std::string> args = {"HMGET", kPrefix + "job:" + id};
  args.insert(args.end(), kFields.begin(), kFields.end());
  std::vector<std::string> values;
  if (!redis_->Run(args, nullptr, nullptr, &values).ok() || values.size() != kFields.size()) {
    return false;
  }
  std::map<std::string, std::string> f;
  for (size_t i = 0; i < kFields.size(); ++i) f[kFields[i]] = values[i];
  auto number = [&f](const char* key) {
    auto it = f.find(key);
    return it == f.end() || it->second.empty() ? 0.0 : std::atof(it->second.c_str());
  };
  *status = JobStatus();
  status->id = id;
  if (!ParseJobState(f["state"], &status->state)) return false;
  status->method = f["method"];
  status->stage = f["stage"];
  status->error = f["error"];
  status->worker = f["worker"];
  status->progress = number("progress");
  status->width = static_cast<int>(number("width"));
  status->height = static_cast<int>(number("height"));
  status->submitted = number("submitted");
  const double started = number("started"), finished = number("finished"), now = UnixNow();
  switch (status->state) {
    case JobState::kQueued:
      status->wait_seconds = now - status->submitted;
      break;
    case JobState::kRunning:
      status->wait_seconds = started - status->submitted;
      status->run_seconds = now - started;
      break;
    default:
      status->wait_seconds = started - status->submitted;
      status->run_seconds = finished - started;
  }
  if (!f["seconds"].empty()) {
    const nlohmann::json seconds = nlohmann::json::parse(f["seconds"], nullptr, false);
    if (seconds.is_object()) {
      for (const auto& [stage, s] : seconds.items())
        if (s.is_number()) status->stage_seconds[stage] = s.get<double>();
    }
  }
  return true;
}

bool RedisJobQueue::Result(const std::string& id, std::string* png) {
  bool nil = true;
  return redis_->Run({"GET", kPrefix + "result:" + id}, png, nullptr, nullptr, &nil).ok() && !nil;
}

bool RedisJobQueue::Grey(const std::string& id, std::string* png) {
  bool nil = true;
  return redis_->Run({"GET", kPrefix + "grey:" + id}, png, nullptr, nullptr, &nil).ok() && !nil;
}

bool RedisJobQueue::Input(const std::string& id, std::string* bytes) {
  bool nil = true;
  return redis_->Run({"GET", kPrefix + "image:" + id}, bytes, nullptr, nullptr, &nil).ok() && !nil;
}

Status RedisJobQueue::Reachable() {
  std::string pong;
  return redis_->Run({"PING"}, &pong);
}

// A method is live while some worker's word for it (Worker::Advertise) has
// not lapsed. With some worker live, the others are not offered (a job for
// them would wait for a worker that is not there).
bool RedisJobQueue::LiveMethods(const std::vector<std::string>& names,
                                std::vector<std::string>* live) {
  live->clear();
  const std::string now = Num(UnixNow());
  for (const std::string& name : names) {
    long long count = 0;
    // Redis unreachable: not known (the submit itself then answers 503).
    if (!redis_->Run({"ZCOUNT", kPrefix + "served:" + name, now, "+inf"}, nullptr, &count).ok())
      return false;
    if (count > 0) live->push_back(name);
  }
  // No worker's word at all (none started yet, all restarting, Redis
  // emptied): not known either; jobs wait in the queue for one, as before.
  return !live->empty();
}

// KEYS: finished, stats. ARGV: now. Counts the finished jobs whose TTL has
// passed into expired_total (Redis drops their keys by itself).
static const char* const kExpireScript = R"lua(
local e = wrongtype(KEYS[1], 'zset', KEYS[2], 'hash')
if e then return redis.error_reply(e) end
local n = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if n > 0 then redis.call('HINCRBY', KEYS[2], 'expired_total', n) end
return n
)lua";

QueueStats RedisJobQueue::Stats() {
  QueueStats stats;
  stats.latency_counts.assign(LatencyBuckets().size() + 1, 0);
  redis_->Run(Eval(kExpireScript, {kPrefix + "finished", kPrefix + "stats"}, {Num(UnixNow())}));
  long long n = 0;
  if (redis_->Run({"LLEN", kPrefix + "waiting"}, nullptr, &n).ok()) stats.queued = n;
  if (redis_->Run({"LLEN", kPrefix + "running"}, nullptr, &n).ok()) stats.running = n;
  std::vector<std::string> pairs;
  if (!redis_->Run({"HGETALL", kPrefix + "stats"}, nullptr, nullptr, &pairs).ok()) return stats;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    const std::string& key = pairs[i];
    const double value = std::atof(pairs[i + 1].c_str());
    if (key == "submitted_total") stats.submitted_total = value;
    if (key == "rejected_total") stats.rejected_total = value;
    if (key == "requeued_total") stats.requeued_total = value;
    if (key == "expired_total") stats.expired_total = value;
    // Finished jobs: totals (Redis forgets each after the TTL on its own).
    if (key == "done_total") stats.done = value;
    if (key == "failed_total") stats.failed = value;
    if (key == "latency_sum") stats.latency_sum = value;
    if (key.rfind("latency_", 0) == 0 && key != "latency_sum") {
      const size_t bucket = std::atoi(key.c_str() + 8);
      if (bucket < stats.latency_counts.size()) stats.latency_counts[bucket] = value;
    }
  }
  for (int64_t c : stats.latency_counts) stats.latency_count += c;
  return stats;
}

// ---- The worker's side ------------------------------------------------------

// How long a worker's word that it serves a method holds (it renews it
// every second).
constexpr double kAdvertiseSeconds = 5.0;

bool WorkerOptions::Check(std::string* error) const {
  if (threads < 1 || threads > 256) {
    *error = "threads must be 1..256";
    return false;
  }
  if (!(lease >= 0.5 && lease <= 3600)) {
    *error = "lease must be 0.5..3600 s";
    return false;
  }
  if (!(poll > 0 && poll <= 10)) {
    *error = "poll must be over 0 and at most 10 s";
    return false;
  }
  if (max_attempts < 1 || max_attempts > 1000) {
    *error = "max-attempts must be 1..1000";
    return false;
  }
  if (max_jobs < 0) {
    *error = "max-jobs must be 0 or more";
    return false;
  }
  return true;
}

namespace {

class Worker {
 public:
  Worker(const WorkerOptions& options, const JobRunner* runner, const RedisAddress& address)
      : options_(options), runner_(runner), address_(address) {
    char host[256] = "worker";
    gethostname(host, sizeof host - 1);
    name_ = std::string(host) + ":" + std::to_string(getpid());
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }

  // This worker's word for each of its methods (see Advertise), once: also
  // before it says it takes jobs, so that the server offers them at once.
  Status AdvertiseOnce(RedisConnection* redis) {
    const double now = UnixNow();
    for (const ServedMethod& m : runner_->methods()) {
      const std::string key = kPrefix + "served:" + m.name;
      TINT_RETURN_IF_ERROR(redis->Run({"ZADD", key, Num(now + kAdvertiseSeconds), name_}));
      TINT_RETURN_IF_ERROR(redis->Run({"ZREMRANGEBYSCORE", key, "-inf", Num(now)}));
    }
    return Status::Ok();
  }

  Status Run() {
    std::thread advertiser([this] { Advertise(); });
    std::vector<std::thread> threads;
    std::vector<Status> results(options_.threads);
    for (int i = 0; i < options_.threads; ++i) {
      threads.emplace_back([this, i, &results] { results[i] = Loop(); });
    }
    for (std::thread& t : threads) t.join();
    Stop();  // also when max_jobs ended the loops
    advertiser.join();
    for (const Status& s : results) TINT_RETURN_IF_ERROR(s);
    return Status::Ok();
  }

 private:
  // Says which methods this worker serves, every second while it runs, in
  // one sorted set per method (tint:served:METHOD, member: this worker,
  // score: when the word lapses, kAdvertiseSeconds ahead), so that the
  // server offers and accepts only methods some live worker serves; a
  // killed worker's word lapses by itself. Gone from the sets on a stop.
  void Advertise() {
    std::unique_ptr<RedisConnection> redis;
    while (!Stopping()) {
      if (redis == nullptr && !RedisConnection::Open(address_, &redis).ok()) redis.reset();
      // On a failure the connection is opened afresh next time (Redis
      // restarted, say).
      if (redis != nullptr && !AdvertiseOnce(redis.get()).ok()) redis.reset();
      Sleep(1.0);
    }
    if (redis == nullptr && !RedisConnection::Open(address_, &redis).ok()) return;
    for (const ServedMethod& m : runner_->methods())
      redis->Run({"ZREM", kPrefix + "served:" + m.name, name_});
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_ || (options_.max_jobs > 0 && finished_ >= options_.max_jobs);
  }

  void Sleep(double seconds) {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
  }

  // Until stopped. A Redis error (a restart, the network) is said on
  // stderr and tried again in 2 s: a job claimed meanwhile comes back to
  // the queue when its lease runs out.
  // Each thread has two connections: one for its steps, one for the
  // heartbeat of the job it colours.
  Status Loop() {
    std::unique_ptr<RedisConnection> redis, beat;
    TINT_RETURN_IF_ERROR(RedisConnection::Open(address_, &redis));
    TINT_RETURN_IF_ERROR(RedisConnection::Open(address_, &beat));
    double last_reap = 0;
    while (!Stopping()) {
      Status s = Step(redis.get(), beat.get(), &last_reap);
      if (!s.ok()) {
        std::fprintf(stderr, "tint worker: %s; trying again in 2 s\n", s.message().c_str());
        Sleep(2);
      }
    }
    return Status::Ok();
  }

  // Reaps expired leases (about once a second), then claims and colours one
  // job, or waits `poll` when none waits.
  Status Step(RedisConnection* redis, RedisConnection* beat, double* last_reap) {
    const double now = UnixNow();
    if (now - *last_reap > std::min(1.0, options_.lease / 2)) {
      long long requeued = 0;
      TINT_RETURN_IF_ERROR(redis->Run(
          Eval(kReapScript, {kPrefix + "running", kPrefix + "waiting", kPrefix + "stats"},
               {kPrefix, Num(now), std::to_string(options_.max_attempts)}),
          nullptr, &requeued));
      if (requeued > 0) {
        std::lock_guard<std::mutex> lock(mu_);
        std::printf("requeued %lld job(s) whose lease ran out\n", requeued);
        std::fflush(stdout);
      }
      *last_reap = now;
    }
    const std::string token = NewJobId();
    std::string id;
    bool nil = true;
    TINT_RETURN_IF_ERROR(
        redis->Run(Eval(kClaimScript, {kPrefix + "waiting", kPrefix + "running"},
                        {kPrefix, token, Num(now + options_.lease), name_, Num(now)}),
                   &id, nullptr, nullptr, &nil));
    if (nil || id.empty()) {
      Sleep(options_.poll);
      return Status::Ok();
    }
    return Process(redis, beat, id, token);
  }

  Status Process(RedisConnection* redis, RedisConnection* beat, const std::string& id,
                 const std::string& token) {
    const std::string job_key = kPrefix + "job:" + id;
    std::vector<std::string> fields;
    TINT_RETURN_IF_ERROR(redis->Run({"HMGET", job_key, "method", "post", "submitted", "ttl",
                                     "hint_reach", "hints", "reference"},
                                    nullptr, nullptr, &fields));
    std::string bytes;
    bool nil = true;
    TINT_RETURN_IF_ERROR(
        redis->Run({"GET", kPrefix + "image:" + id}, &bytes, nullptr, nullptr, &nil));
    JobRequest request;
    request.method = fields.size() > 0 ? fields[0] : "";
    request.post = fields.size() > 1 && !fields[1].empty() ? fields[1] : "none";
    const double submitted = fields.size() > 2 ? std::atof(fields[2].c_str()) : UnixNow();
    const double ttl =
        std::max(1.0, fields.size() > 3 && !fields[3].empty() ? std::atof(fields[3].c_str()) : 600);
    request.image.assign(bytes.begin(), bytes.end());
    if (fields.size() > 6) {
      request.hint_reach = std::atof(fields[4].c_str());
      request.hints.assign(fields[5].begin(), fields[5].end());
      request.reference.assign(fields[6].begin(), fields[6].end());
    }

    // The lease is renewed by a heartbeat while the job runs, and progress
    // is written as stages begin (on `beat`, from the heartbeat's thread).
    std::mutex beat_mu;
    std::condition_variable beat_cv;
    bool done = false;
    std::string stage;
    double progress = 0;
    bool dirty = false;
    std::thread heartbeat([&] {
      std::unique_lock<std::mutex> lock(beat_mu);
      while (!done) {
        const std::string s = dirty ? stage : "";
        const double p = progress;
        dirty = false;
        lock.unlock();
        beat->Run(
            Eval(kRenewScript, {job_key}, {token, Num(UnixNow() + options_.lease), s, Num(p)}));
        lock.lock();
        beat_cv.wait_for(lock, std::chrono::duration<double>(std::min(0.2, options_.lease / 3)),
                         [&] { return done || dirty; });
      }
    });
    auto on_stage = [&](const std::string& s, double p) {
      std::lock_guard<std::mutex> lock(beat_mu);
      stage = s;
      progress = p;
      dirty = true;
      beat_cv.notify_all();
    };

    std::string png;
    std::map<std::string, double> seconds;
    Status s = nil ? Status::Error("the upload is gone (expired or removed)") : Status::Ok();
    cv::Mat image;
    if (s.ok()) s = runner_->Decode(request.image, &image);
    if (s.ok()) s = runner_->Run(request, image, on_stage, &png, &seconds);
    {
      std::lock_guard<std::mutex> lock(beat_mu);
      done = true;
      beat_cv.notify_all();
    }
    heartbeat.join();

    nlohmann::json timing = nlohmann::json::object();
    for (const auto& [k, v] : seconds) timing[k] = v;
    const double finished = UnixNow();
    long long stored = 0;
    auto complete = [&](const Status& outcome, const std::string& result, const std::string& mode) {
      return redis->Run(
          Eval(kCompleteScript,
               {job_key, kPrefix + "result:" + id, kPrefix + "image:" + id, kPrefix + "grey:" + id,
                kPrefix + "running", kPrefix + "stats", kPrefix + "finished"},
               {token, id, outcome.ok() ? "done" : "failed", outcome.ok() ? "" : outcome.message(),
                Num(finished), timing.dump(), result,
                std::to_string(static_cast<long long>(ttl + 0.5)),
                LatencyField(finished - submitted), Num(finished - submitted), mode}),
          nullptr, &stored);
    };
    Status kept = complete(s, png, "");
    if (!kept.ok() && s.ok() && redis->Run({"PING"}).ok()) {
      // Redis answers but would not take the result (full under
      // noeviction, say): the job fails saying why, instead of being
      // coloured again until "its worker stopped 3 times".
      s = Status::Error("the result (" + std::to_string(png.size()) +
                        " bytes) could not be stored: " + kept.message());
      kept = complete(s, "", "free-first");
    }
    TINT_RETURN_IF_ERROR(kept);
    std::lock_guard<std::mutex> lock(mu_);
    if (stored < 0) {
      std::printf(
          "dropped %s: its record is gone from Redis (flushed, or restarted without "
          "persistence)\n",
          id.c_str());
    } else if (stored == 0) {
      std::printf("dropped %s: its lease ran out and another worker has it\n", id.c_str());
    } else if (s.ok()) {
      std::printf("done %s\n", id.c_str());
    } else {
      std::printf("failed %s: %s\n", id.c_str(), s.message().c_str());
    }
    std::fflush(stdout);
    ++finished_;
    return Status::Ok();
  }

  WorkerOptions options_;
  const JobRunner* runner_;
  RedisAddress address_;
  std::string name_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int finished_ = 0;
};

}  // namespace

Status RunRedisWorker(const WorkerOptions& options) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  StopOnSignal on_signal;
  RedisAddress address;
  TINT_RETURN_IF_ERROR(ParseRedisUrl(options.queue_url, &address));
  std::unique_ptr<RedisConnection> probe;
  TINT_RETURN_IF_ERROR(RedisConnection::Open(address, &probe));
  TINT_RETURN_IF_ERROR(CheckEvictionPolicy(probe.get(), "worker"));
  std::unique_ptr<JobRunner> runner;
  TINT_RETURN_IF_ERROR(JobRunner::Load(options.runner, &runner));
  ShareCoresAmongJobs(options.threads);
  Worker worker(options, runner.get(), address);
  TINT_RETURN_IF_ERROR(worker.AdvertiseOnce(probe.get()));
  on_signal.Start([&worker] { worker.Stop(); }, "tint worker");
  std::string names;
  for (const ServedMethod& m : runner->methods()) names += (names.empty() ? "" : ", ") + m.name;
  std::printf("tint worker: taking jobs from %s (methods: %s; %d thread(s))\n",
              RedisUrlForDisplay(options.queue_url).c_str(), names.c_str(), options.threads);
  std::fflush(stdout);
  Status s = worker.Run();
  on_signal.Finish();
  std::printf("tint worker: stopped\n");
  std::fflush(stdout);
  return s;
}

}  // namespace tint
