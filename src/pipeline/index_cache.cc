#include "pipeline/index_cache.h"

#include <cstring>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "patchdb/edit.h"
#include "patchdb/lock.h"
#include "pipeline/colorizer.h"
#include "transfer/transfer.h"

namespace tint {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Format 2: magic line, header line (JSON), hash line, payload. The hash line
// is the SHA-256 of the header line and the payload together, so no byte of
// the file (labels and label weights included) can change unnoticed.
constexpr char kMagic[] = "TINTCACHE2\n";
constexpr int kFormat = 2;

template <typename T>
void Append(std::vector<uint8_t>* out, const T* data, size_t count) {
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + count * sizeof(T));
}

}  // namespace

const char* ToString(CacheState state) {
  switch (state) {
    case CacheState::kMissing: return "missing";
    case CacheState::kStale: return "stale";
    case CacheState::kValid: return "valid";
  }
  return "?";
}

std::string IndexCachePath(const std::string& db_dir) { return (fs::path(db_dir) / "index.cache").string(); }

Status IndexCacheKey(const ClassicOptions& o, const std::string& db_dir, std::string* key) {
  std::string manifest_hash;
  std::error_code ec;
  if (!fs::is_directory(db_dir, ec)) return Status::Error(db_dir + ": patch database folder not found");
  TINT_RETURN_IF_ERROR(Sha256OfFile(ManifestPath(db_dir), &manifest_hash));
  std::ostringstream os;
  os << "format=" << kFormat << ";manifest=" << manifest_hash << ";window=" << o.features.window
     << ";vector=" << ToString(o.features.normalization) << ";stats=" << o.features.append_statistics
     << ";stats_weight=" << o.features.statistics_weight << ";position_weight=" << o.features.position_weight
     << ";stride=" << o.sampling.stride << ";flann_trees=" << o.match.flann_trees
     << ";calibration_step=" << o.calibration_step << ";calibration_checks=" << o.match.flann_checks;
  // Index settings added later are named only when set, so that caches
  // built before them stay valid.
  if (o.match.pca_dims > 0) os << ";pca_dims=" << o.match.pca_dims;
  if (o.match.kmeans_branching > 0) os << ";kmeans_branching=" << o.match.kmeans_branching;
  *key = os.str();
  return Status::Ok();
}

std::vector<double> CalibrateLabels(const ClassicOptions& options, const PatchDatabase& db) {
  if (options.calibration_step <= 0) return {};
  MatchOptions calibration = options.match;
  calibration.k = std::max(calibration.k, 16);
  calibration.type = MatcherType::kFlann;
  return ComputeLabelCalibration(db, *CreateMatcher(calibration, db.vectors()), options.calibration_step);
}

Status ReadIndexCacheKey(const std::string& db_dir, std::string* key) {
  const std::string path = IndexCachePath(db_dir);
  std::vector<uint8_t> bytes;
  uint64_t size = 0;
  if (!ReadFilePrefix(path, 1 << 20, kDefaultMaxFileBytes, &bytes, &size).ok()) return Status::Error(path + ": no index cache");
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

Status BuildIndexedDatabase(const ClassicOptions& options, const std::string& db_dir, IndexedDatabase* out) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  TINT_RETURN_IF_ERROR(PatchDatabase::Load(db_dir, options.features, options.sampling, &out->database));
  out->matcher = CreateMatcher(options.match, out->database->vectors());
  out->label_weights = CalibrateLabels(options, *out->database);
  return Status::Ok();
}

Status SaveIndexCache(const ClassicOptions& options, const std::string& db_dir, const IndexedDatabase& indexed) {
  std::string key;
  TINT_RETURN_IF_ERROR(IndexCacheKey(options, db_dir, &key));
  const PatchDatabase& db = *indexed.database;
  std::vector<uint8_t> index_blob;
  if (options.match.type == MatcherType::kFlann) {
    TINT_CHECK(indexed.matcher->SaveIndex(&index_blob), "FLANN matcher did not serialize");
  }
  const cv::Mat vectors = db.vectors().isContinuous() ? db.vectors() : db.vectors().clone();
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
                       {"index_bytes", index_blob.size()},
                       {"payload_bytes", payload.size()}};
  const std::string header_line = header.dump() + "\n";
  Sha256Hasher hasher;
  hasher.Update(header_line.data(), header_line.size());
  hasher.Update(payload.data(), payload.size());
  std::string bytes = kMagic + header_line + hasher.FinishHex() + "\n";
  bytes.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  std::unique_ptr<DatabaseLock> lock;
  TINT_RETURN_IF_ERROR(DatabaseLock::Acquire(db_dir, &lock));
  Manifest manifest;
  TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &manifest));
  RemoveOrphans(db_dir, manifest);  // what a killed change left behind
  // The manifest may have changed while we built: check the key again.
  std::string key_now;
  TINT_RETURN_IF_ERROR(IndexCacheKey(options, db_dir, &key_now));
  if (key_now != key) return Status::Error(ManifestPath(db_dir) + " changed during the build; run it again");
  return WriteFileAtomic(IndexCachePath(db_dir), bytes);
}

Status LoadIndexCache(const ClassicOptions& options, const std::string& db_dir, IndexedDatabase* out, CacheState* state) {
  const std::string path = IndexCachePath(db_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    *state = CacheState::kMissing;
    return Status::Ok();
  }
  std::string key;
  TINT_RETURN_IF_ERROR(IndexCacheKey(options, db_dir, &key));
  std::vector<uint8_t> bytes;
  TINT_RETURN_IF_ERROR(ReadFileBytes(path, &bytes));
  const size_t magic = std::strlen(kMagic);
  auto corrupt = [&](const std::string& why) { return Status::Error(path + ": corrupt index cache (" + why + "); run tint db build"); };
  if (bytes.size() < magic || std::memcmp(bytes.data(), kMagic, magic) != 0) {
    // Another format version is stale, not corrupt: tint never reads it.
    if (bytes.size() >= 9 && std::memcmp(bytes.data(), kMagic, 9) == 0) {
      *state = CacheState::kStale;
      return Status::Ok();
    }
    return corrupt("not a tint index cache");
  }
  const auto eol = std::find(bytes.begin() + magic, bytes.end(), uint8_t('\n'));
  if (eol == bytes.end()) return corrupt("no header");
  json header;
  try {
    header = json::parse(bytes.begin() + magic, eol);
  } catch (const json::exception&) {
    return corrupt("bad header");
  }
  if (!header.is_object() || !header.contains("key") || !header["key"].is_string() || header["key"] != key) {
    *state = CacheState::kStale;
    return Status::Ok();
  }
  const size_t header_start = magic, hash_start = static_cast<size_t>(eol - bytes.begin()) + 1;
  if (bytes.size() < hash_start + 65 || bytes[hash_start + 64] != '\n') return corrupt("no content hash");
  const size_t start = hash_start + 65;
  {
    Sha256Hasher hasher;
    hasher.Update(bytes.data() + header_start, hash_start - header_start);
    hasher.Update(bytes.data() + start, bytes.size() - start);
    if (hasher.FinishHex() != std::string(bytes.begin() + hash_start, bytes.begin() + hash_start + 64)) {
      return corrupt("content hash does not match");
    }
  }
  std::vector<uint8_t> index_blob;
  try {
    const int n = header.at("samples"), dim = header.at("dimension");
    const size_t index_bytes = header.at("index_bytes"), payload_bytes = header.at("payload_bytes");
    if (n <= 0 || dim <= 0 || bytes.size() - start != payload_bytes ||
        payload_bytes != size_t(n) * dim * 4 + size_t(n) * 2 * 4 + size_t(n) * 4 * 2 + index_bytes) {
      return corrupt("truncated or wrong size");
    }
    const uint8_t* p = bytes.data() + start;
    cv::Mat vectors(n, dim, CV_32F), chroma(n, 2, CV_32F);
    std::memcpy(vectors.data, p, size_t(n) * dim * 4);
    p += size_t(n) * dim * 4;
    std::memcpy(chroma.data, p, size_t(n) * 2 * 4);
    p += size_t(n) * 2 * 4;
    std::vector<int> labels(n), patches(n);
    std::memcpy(labels.data(), p, size_t(n) * 4);
    p += size_t(n) * 4;
    std::memcpy(patches.data(), p, size_t(n) * 4);
    p += size_t(n) * 4;
    index_blob.assign(p, p + index_bytes);
    Manifest manifest;
    TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &manifest));
    // The cache stands for the computation, never for the patch files: each
    // must still be there with the content the manifest (and so the cache's
    // key) records, as when the index is built from them.
    TINT_RETURN_IF_ERROR(CheckPatchFiles(db_dir, manifest));
    std::vector<std::string> names = header.at("labels").get<std::vector<std::string>>();
    for (int l : labels) {
      if (l < 0 || l >= static_cast<int>(names.size())) return corrupt("label id out of range");
    }
    out->label_weights = header.at("label_weights").get<std::vector<double>>();
    out->database = PatchDatabase::FromSamples(std::move(manifest), std::move(names), vectors, chroma,
                                               std::move(labels), std::move(patches));
  } catch (const json::exception&) {
    return corrupt("bad header");
  }
  if (options.match.type == MatcherType::kFlann) {
    const Status s = CreateMatcherFromIndex(options.match, out->database->vectors(), index_blob, &out->matcher);
    if (!s.ok()) return corrupt(s.message());
  } else {
    out->matcher = CreateMatcher(options.match, out->database->vectors());
  }
  *state = CacheState::kValid;
  return Status::Ok();
}

Status OpenIndexedDatabase(const ClassicOptions& options, const std::string& db_dir, CachePolicy policy,
                           IndexedDatabase* out, CacheState* state) {
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
