#include "pipeline/classic/index_cache.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "core/locate.h"
#include "match/backends.h"
#include "patchdb/journal.h"
#include "patchdb/lock.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "transfer/transfer.h"

namespace tint {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Format 3: magic line, header line (JSON, padded with spaces so that the
// payload starts at a multiple of 64 bytes), hash line, payload. The hash
// line is the XXH3-128 of the header line and the payload together, so no
// byte of the file (labels and label weights included) can change unnoticed.
// The file is mapped, not read: the vectors (unit rows, as the matcher
// searches them) and the kd-trees' points are used where they lie.
constexpr char kMagic[] = "TINTCACHE3\n";
// 4: the header holds the similarity quantiles (same layout as 3, so the
// magic stays; the key changes, so a format-3 cache is stale).
constexpr int kFormat = 4;
constexpr size_t kPayloadAlign = 64;
constexpr size_t kHashHexDigits = 32;

// Every setting the samples, the index and the calibration depend on, as
// the option table marks them: a knob added there is in the key at once.
// Deep vectors also depend on the network and on which patches' source
// photos were at hand (features/deep.h).
std::string KeyOf(const ClassicOptions& o, const std::string& manifest_sha256,
                  const Manifest& manifest) {
  std::ostringstream os;
  os << "format=" << kFormat << ";manifest=" << manifest_sha256 << ";" << ClassicCacheKey(o);
  if (o.features.kind == FeatureKind::kDeep) {
    std::string network_hash;
    if (!Sha256OfFile(DefaultDeepFeatures(), &network_hash).ok()) network_hash = "missing";
    int found = 0;
    for (const PatchRecord& r : manifest.patches)
      found += !PatchSourcePath(r, DefaultDataRoot()).empty();
    os << ";deep_network=" << network_hash << ";deep_sources=" << found << "/"
       << manifest.patches.size();
  }
  return os.str();
}

template <typename T>
void Append(std::vector<uint8_t>* out, const T* data, size_t count) {
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + count * sizeof(T));
}

}  // namespace

const char* ToString(CacheState state) {
  switch (state) {
    case CacheState::kMissing:
      return "missing";
    case CacheState::kStale:
      return "stale";
    case CacheState::kValid:
      return "valid";
  }
  return "?";
}

std::string IndexCachePath(const std::string& db_dir, FeatureKind kind) {
  return (fs::path(db_dir) / (kind == FeatureKind::kDeep ? "index-deep.cache" : "index.cache"))
      .string();
}

Status IndexCacheKey(const ClassicOptions& o, const std::string& db_dir, std::string* key) {
  std::string manifest_hash;
  std::error_code ec;
  if (!fs::is_directory(db_dir, ec))
    return Status::Error(db_dir + ": patch database folder not found");
  Manifest manifest;
  TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &manifest, &manifest_hash));
  *key = KeyOf(o, manifest_hash, manifest);
  return Status::Ok();
}

std::vector<double> CalibrateLabels(const ClassicOptions& options, const PatchDatabase& db,
                                    std::vector<float>* similarity_quantiles) {
  if (similarity_quantiles != nullptr) similarity_quantiles->clear();
  if (options.calibration_step <= 0) return {};
  MatchOptions calibration = options.match;
  calibration.k = std::max(calibration.k, 16);
  // Always FLANN, whatever the matcher: the calibration is part of the index
  // cache, which every matcher shares (the option's help says so).
  calibration.backend = "flann";
  return ComputeLabelCalibration(db, *CreateMatcher(calibration, db.vectors()),
                                 options.calibration_step, similarity_quantiles);
}

Status ReadIndexCacheKey(const std::string& db_dir, FeatureKind kind, std::string* key) {
  const std::string path = IndexCachePath(db_dir, kind);
  std::vector<uint8_t> bytes;
  uint64_t size = 0;
  if (!ReadFilePrefix(path, 1 << 20, kDefaultMaxFileBytes, &bytes, &size).ok())
    return Status::Error(path + ": no index cache");
  const size_t magic = std::strlen(kMagic);
  if (bytes.size() < magic || std::memcmp(bytes.data(), kMagic, magic) != 0) {
    return Status::Error(path + ": not a tint index cache of this version");
  }
  const auto eol = std::find(bytes.begin() + magic, bytes.end(), uint8_t('\n'));
  try {
    *key = json::parse(bytes.begin() + magic, eol).at("key").get<std::string>();
  } catch (const json::exception&) {
    return Status::Error(path + ": corrupt index cache header");
  }
  return Status::Ok();
}

Status BuildIndexedDatabase(const ClassicOptions& options, const std::string& db_dir,
                            IndexedDatabase* out) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  TINT_RETURN_IF_ERROR(
      PatchDatabase::Load(db_dir, options.features, options.sampling, &out->database));
  out->matcher = CreateMatcher(options.match, out->database->vectors());
  out->label_weights = CalibrateLabels(options, *out->database, &out->similarity_quantiles);
  return Status::Ok();
}

Status SaveIndexCache(const ClassicOptions& options, const std::string& db_dir,
                      const IndexedDatabase& indexed) {
  const PatchDatabase& db = *indexed.database;
  // Keyed to the manifest the samples were computed from, not to the one on
  // disk now: a change made during the build must not pass for it.
  TINT_CHECK(!db.manifest_sha256().empty(), "SaveIndexCache needs a database read from disk");
  const std::string key = KeyOf(options, db.manifest_sha256(), db.manifest());
  std::vector<uint8_t> index_blob;
  if (FindMatcherBackend(options.match.backend)->load != nullptr) {
    TINT_CHECK(indexed.matcher->SaveIndex(&index_blob),
               "the " << options.match.backend << " matcher did not serialize");
  }
  // The unit rows the matcher searches: loaded, they are used in place.
  const cv::Mat vectors = UnitRows(db.vectors());
  const cv::Mat chroma = db.chroma().isContinuous() ? db.chroma() : db.chroma().clone();
  std::vector<uint8_t> payload;
  Append(&payload, vectors.ptr<float>(), vectors.total());
  Append(&payload, chroma.ptr<float>(), chroma.total());
  Append(&payload, db.sample_labels().data(), db.sample_labels().size());
  Append(&payload, db.sample_patch().data(), db.sample_patch().size());
  Append(&payload, index_blob.data(), index_blob.size());
  const json header = {{"key", key},
                       {"samples", vectors.rows},
                       {"dimension", vectors.cols},
                       {"labels", db.label_names()},
                       {"label_weights", indexed.label_weights},
                       {"similarity_quantiles", indexed.similarity_quantiles},
                       {"index_bytes", index_blob.size()},
                       {"payload_bytes", payload.size()}};
  std::string bytes =
      kMagic + internal::IndexCacheHeaderAndHash(header.dump(), payload.data(), payload.size());
  bytes.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  std::unique_ptr<DatabaseLock> lock;
  TINT_RETURN_IF_ERROR(DatabaseLock::Acquire(db_dir, &lock));
  Manifest manifest;
  std::string manifest_now;
  TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &manifest, &manifest_now));
  TINT_RETURN_IF_ERROR(RecoverInterruptedChange(db_dir, manifest));
  // The manifest may have changed while we built: check the key again.
  if (KeyOf(options, manifest_now, manifest) != key)
    return Status::Error(ManifestPath(db_dir) + " changed during the build; run it again");
  return WriteFileAtomic(IndexCachePath(db_dir, options.features.kind), bytes);
}

namespace internal {

const char* IndexCacheMagic() { return kMagic; }

std::string IndexCacheHeaderAndHash(const std::string& header_json, const void* payload,
                                    size_t payload_size) {
  std::string header_line = header_json;
  const size_t prefix = std::strlen(kMagic) + header_line.size() + 1 + kHashHexDigits + 1;
  header_line.append((kPayloadAlign - prefix % kPayloadAlign) % kPayloadAlign, ' ');
  header_line += "\n";
  Xxh3Hasher hasher;
  hasher.Update(header_line.data(), header_line.size());
  hasher.Update(payload, payload_size);
  return header_line + hasher.FinishHex() + "\n";
}

Status ParseIndexCache(const uint8_t* data, size_t size, const std::string& key, size_t num_patches,
                       ParsedIndexCache* out) {
  const size_t magic = std::strlen(kMagic);
  const uint8_t* const end = data + size;
  auto corrupt = [](const std::string& why) {
    return Status::Error("corrupt index cache (" + why + ")");
  };
  out->stale = false;
  if (size < magic || std::memcmp(data, kMagic, magic) != 0) {
    // Another format version is stale, not corrupt: tint never reads it.
    if (size >= 9 && std::memcmp(data, kMagic, 9) == 0) {
      out->stale = true;
      return Status::Ok();
    }
    return corrupt("not a tint index cache");
  }
  const uint8_t* eol = std::find(data + magic, end, uint8_t('\n'));
  if (eol == end) return corrupt("no header");
  json header;
  try {
    header = json::parse(data + magic, eol);
  } catch (const json::exception&) {
    return corrupt("bad header");
  }
  if (!header.is_object() || !header.contains("key") || !header["key"].is_string() ||
      header["key"] != key) {
    out->stale = true;
    return Status::Ok();
  }
  const size_t header_start = magic, hash_start = static_cast<size_t>(eol - data) + 1;
  if (size < hash_start + kHashHexDigits + 1 || data[hash_start + kHashHexDigits] != '\n')
    return corrupt("no content hash");
  const size_t start = hash_start + kHashHexDigits + 1;
  if (start % kPayloadAlign != 0) return corrupt("payload not aligned");
  {
    Xxh3Hasher hasher;
    hasher.Update(data + header_start, hash_start - header_start);
    hasher.Update(data + start, size - start);
    if (hasher.FinishHex() != std::string(data + hash_start, data + hash_start + kHashHexDigits)) {
      return corrupt("content hash does not match");
    }
  }
  // Every count is checked against the payload's real size before it is used,
  // in 64 bits, so that no value of the header can make a copy run past it.
  auto count = [&](const char* name, uint64_t max, uint64_t* v) {
    if (!header.contains(name) || !header[name].is_number_unsigned() ||
        header[name].get<uint64_t>() > max) {
      return false;
    }
    *v = header[name].get<uint64_t>();
    return true;
  };
  uint64_t n = 0, dim = 0, index_bytes = 0, payload_bytes = 0;
  const uint64_t payload = size - start;
  if (!count("samples", 1u << 28, &n) || !count("dimension", 1u << 16, &dim) ||
      !count("index_bytes", payload, &index_bytes) ||
      !count("payload_bytes", payload, &payload_bytes) || n == 0 || dim == 0 ||
      payload_bytes != payload || payload != n * dim * 4 + n * 2 * 4 + n * 4 * 2 + index_bytes) {
    return corrupt("truncated or wrong size");
  }
  if (!header.contains("labels") || !header["labels"].is_array() ||
      !header.contains("label_weights") || !header["label_weights"].is_array()) {
    return corrupt("bad header");
  }
  out->label_names.clear();
  for (const json& l : header["labels"]) {
    if (!l.is_string()) return corrupt("bad header");
    out->label_names.push_back(l.get<std::string>());
  }
  out->label_weights.clear();
  for (const json& w : header["label_weights"]) {
    if (!w.is_number() || !std::isfinite(w.get<double>())) return corrupt("bad label weight");
    out->label_weights.push_back(w.get<double>());
  }
  if (!out->label_weights.empty() && out->label_weights.size() != out->label_names.size()) {
    return corrupt("one label weight per label expected");
  }
  // Optional: none, or 101 non-decreasing finite quantiles.
  out->similarity_quantiles.clear();
  if (header.contains("similarity_quantiles")) {
    const json& q = header["similarity_quantiles"];
    if (!q.is_array() || (!q.empty() && q.size() != 101))
      return corrupt("bad similarity quantiles");
    for (const json& v : q) {
      if (!v.is_number() || !std::isfinite(v.get<double>()))
        return corrupt("bad similarity quantiles");
      const float f = v.get<float>();
      if (!out->similarity_quantiles.empty() && f < out->similarity_quantiles.back())
        return corrupt("bad similarity quantiles");
      out->similarity_quantiles.push_back(f);
    }
  }
  const int rows = static_cast<int>(n), cols = static_cast<int>(dim);
  // Views of the payload, no copy: its start is 64-byte aligned (checked)
  // and every array's size a multiple of 4, so each float lies aligned.
  const uint8_t* p = data + start;
  if (reinterpret_cast<uintptr_t>(p) % alignof(float) != 0) return corrupt("payload not aligned");
  out->vectors = cv::Mat(rows, cols, CV_32F, const_cast<uint8_t*>(p));
  p += n * dim * 4;
  out->chroma = cv::Mat(rows, 2, CV_32F, const_cast<uint8_t*>(p));
  p += n * 2 * 4;
  // (A non-finite vector is made a zero row by the matcher.)
  if (!cv::checkRange(out->chroma)) return corrupt("chroma not finite");
  out->sample_labels.resize(n);
  out->sample_patch.resize(n);
  std::memcpy(out->sample_labels.data(), p, n * 4);
  p += n * 4;
  std::memcpy(out->sample_patch.data(), p, n * 4);
  p += n * 4;
  out->index_blob = p;
  out->index_bytes = static_cast<size_t>(index_bytes);
  for (int l : out->sample_labels) {
    if (l < 0 || l >= static_cast<int>(out->label_names.size()))
      return corrupt("label id out of range");
  }
  for (int k : out->sample_patch) {
    if (k < 0 || static_cast<size_t>(k) >= num_patches) return corrupt("patch index out of range");
  }
  return Status::Ok();
}

}  // namespace internal

Status LoadIndexCache(const ClassicOptions& options, const std::string& db_dir,
                      IndexedDatabase* out, CacheState* state) {
  const std::string path = IndexCachePath(db_dir, options.features.kind);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    *state = CacheState::kMissing;
    return Status::Ok();
  }
  // The key from the same bytes the manifest is parsed from: one read.
  Manifest manifest;
  std::string manifest_hash;
  TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &manifest, &manifest_hash));
  const std::string key = KeyOf(options, manifest_hash, manifest);
  std::shared_ptr<const MappedFile> file;
  TINT_RETURN_IF_ERROR(MappedFile::Open(path, kDefaultMaxFileBytes, &file));
  internal::ParsedIndexCache parsed;
  Status s =
      internal::ParseIndexCache(file->data(), file->size(), key, manifest.patches.size(), &parsed);
  if (!s.ok()) return Status::Error(path + ": " + s.message() + "; run tint db build");
  if (parsed.stale) {
    *state = CacheState::kStale;
    return Status::Ok();
  }
  // The cache stands for the computation, never for the patch files: each
  // must still be there with the content the manifest (and so the cache's
  // key) records, as when the index is built from them.
  TINT_RETURN_IF_ERROR(CheckPatchFiles(db_dir, manifest));
  out->label_weights = std::move(parsed.label_weights);
  out->similarity_quantiles = std::move(parsed.similarity_quantiles);
  // The database's vectors are views of the mapping, which it keeps; the
  // matcher uses them in place and lives no longer than the database.
  out->database = PatchDatabase::FromSamples(
      std::move(manifest), std::move(parsed.label_names), parsed.vectors, parsed.chroma,
      std::move(parsed.sample_labels), std::move(parsed.sample_patch), file);
  if (FindMatcherBackend(options.match.backend)->load != nullptr) {
    s = CreateMatcherFromIndex(options.match, out->database->vectors(), parsed.index_blob,
                               parsed.index_bytes, &out->matcher, file);
    if (!s.ok())
      return Status::Error(path + ": corrupt index cache (" + s.message() + "); run tint db build");
  } else {
    out->matcher = CreateMatcher(options.match, out->database->vectors());
  }
  *state = CacheState::kValid;
  return Status::Ok();
}

Status OpenIndexedDatabase(const ClassicOptions& options, const std::string& db_dir,
                           CachePolicy policy, IndexedDatabase* out, CacheState* state) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  TINT_RETURN_IF_ERROR(LoadIndexCache(options, db_dir, out, state));
  if (*state == CacheState::kValid) return Status::Ok();
  if (policy == CachePolicy::kRequireValid) {
    return Status::Error(IndexCachePath(db_dir) + " is " + ToString(*state) +
                         " for these settings; run tint db build with them");
  }
  return BuildIndexedDatabase(options, db_dir, out);
}

}  // namespace tint
