// The indexed patch database: samples, the matcher's search structure and
// the label calibration, built from the patch files or loaded from the cache
// file DIR/index.cache that `tint db build` writes.
//
// The cache is keyed by the SHA-256 of manifest.json and every setting the
// samples, the index and the calibration depend on. A cache whose key does
// not match is stale: it is never used; the caller rebuilds in memory (and
// says so) or refuses.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "match/matcher.h"
#include "patchdb/database.h"
#include "pipeline/cache_policy.h"

namespace tint {

struct ClassicOptions;

struct IndexedDatabase {
  std::unique_ptr<PatchDatabase> database;
  std::unique_ptr<Matcher> matcher;
  std::vector<double> label_weights;  // empty when calibration is off
  // The database's own best-match similarities, 101 quantiles (see
  // ComputeLabelCalibration); empty when calibration is off.
  std::vector<float> similarity_quantiles;
};

// One cache file per kind of neighbourhood vector, so that a database keeps
// both: index.cache (shades) and index-deep.cache.
std::string IndexCachePath(const std::string& db_dir, FeatureKind kind = FeatureKind::kShades);

// The key text of a database folder under given options; fails only when
// the manifest cannot be read.
Status IndexCacheKey(const ClassicOptions& options, const std::string& db_dir, std::string* key);

// Label vote weights for a database (see ComputeLabelCalibration), always
// measured with a FLANN matcher that has room (k >= 16) to skip candidates
// from a sample's own patch; empty when options.calibration_step is 0.
// With similarity_quantiles, also the quantiles of its own best similarities.
std::vector<double> CalibrateLabels(const ClassicOptions& options, const PatchDatabase& db,
                                    std::vector<float>* similarity_quantiles = nullptr);

// The key a cache file was built with (its settings, for `tint db stats`).
Status ReadIndexCacheKey(const std::string& db_dir, FeatureKind kind, std::string* key);

// Builds everything from the patch files (checking every hash).
Status BuildIndexedDatabase(const ClassicOptions& options, const std::string& db_dir,
                            IndexedDatabase* out);

// Writes DIR/index.cache atomically, under the database lock.
Status SaveIndexCache(const ClassicOptions& options, const std::string& db_dir,
                      const IndexedDatabase& indexed);

// Loads the cache when its key matches; *state says which case held. A
// missing or stale cache is not an error (state says so); a cache that
// cannot be read is.
Status LoadIndexCache(const ClassicOptions& options, const std::string& db_dir,
                      IndexedDatabase* out, CacheState* state);

// The database a colorizer uses: from a valid cache, else per policy.
// *state tells what was found, so the caller can say it rebuilt.
Status OpenIndexedDatabase(const ClassicOptions& options, const std::string& db_dir,
                           CachePolicy policy, IndexedDatabase* out, CacheState* state);

namespace internal {

// The parts of a cache file, checked: everything but the FLANN index blob
// (CreateMatcherFromIndex checks that). vectors, chroma and index_blob are
// views of the parsed bytes, which must outlive them.
struct ParsedIndexCache {
  bool stale = false;  // another format version or another key: not read
  std::vector<std::string> label_names;
  std::vector<double> label_weights;
  std::vector<float> similarity_quantiles;
  cv::Mat vectors, chroma;
  std::vector<int> sample_labels, sample_patch;
  const uint8_t* index_blob = nullptr;
  size_t index_bytes = 0;
};

// The first line of a cache file of this format version.
const char* IndexCacheMagic();

// Parses cache bytes without touching any file (the cache fuzzer's entry):
// the magic, the header, the content hash over header and payload, every
// size against the payload, label and patch ids against `num_patches`.
Status ParseIndexCache(const uint8_t* data, size_t size, const std::string& key, size_t num_patches,
                       ParsedIndexCache* out);
inline Status ParseIndexCache(const std::vector<uint8_t>& bytes, const std::string& key,
                              size_t num_patches, ParsedIndexCache* out) {
  return ParseIndexCache(bytes.data(), bytes.size(), key, num_patches, out);
}

// The header line of a cache, padded as the writer pads it, and the hash
// line over it and `payload`: what a test or the fuzzer needs to make a
// well-formed cache file (magic + header + hash + payload).
std::string IndexCacheHeaderAndHash(const std::string& header_json, const void* payload,
                                    size_t payload_size);

}  // namespace internal

}  // namespace tint
