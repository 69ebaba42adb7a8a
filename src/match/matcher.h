// Cosine-similarity matching of neighborhood vectors against the patch
// database. Every backend (exact, FLANN, hnswlib, FAISS's flat, IVF and
// HNSW: match/backends.h, one file each) implements Matcher over the unit
// vectors and is chosen by name in MatchOptions::backend.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

struct MatchOptions {
  // A name of MatcherBackends() (match/backends.h).
  std::string backend = "flann";
  // Candidates returned per query (k), 1..64.
  int k = 4;
  // FLANN: number of randomized kd-trees, 1..32.
  int flann_trees = 4;
  // FLANN: leaves visited per query; more is slower and closer to exact.
  int flann_checks = 32;
  // FLANN: search in the first `pca_dims` principal components of the unit
  // vectors (0 = all dimensions), fetch `rerank` candidates (at least k),
  // and re-rank them by their exact cosine similarity on the full vectors.
  // Neighborhood vectors are smooth, so a few components hold most of their
  // variance, and kd-trees lose their edge in high dimensions: see
  // benchmarks/match_bench for the accuracy each setting costs.
  int pca_dims = 0;
  int rerank = 0;
  // FLANN: the index, randomized kd-trees (flann_trees of them) or a
  // hierarchical k-means tree with this branching factor (0 = kd-trees).
  int kmeans_branching = 0;
  // FLANN: seed of every random choice of the index build (the kd-trees'
  // shuffles and split choices, k-means++ centres). The index is OpenCV's
  // FLANN (cvflann), whose choices all draw from cv::theRNG(): the build sets
  // it from this seed (and puts the caller's state back), so the same data
  // and seed give the same index in any process. Part of the cache key.
  uint64_t seed = 2016;
  // HNSW (hnswlib and FAISS's): links per node (M), build beam width,
  // search beam width (at least k is used).
  int hnsw_m = 16;
  int hnsw_ef_construction = 100;
  int hnsw_ef = 64;
  // FAISS IVF: inverted lists (k-means centres) and lists probed per query.
  int faiss_nlist = 1024;
  int faiss_nprobe = 16;

  // The backend is built and every value in range.
  bool Check(std::string* error) const;
};

// Best-first candidates of n queries: entry (i, j) at i * k + j.
struct Candidates {
  int k = 0;
  std::vector<int> index;         // database sample index
  std::vector<float> similarity;  // cosine similarity in [-1, 1]
  int num_queries() const { return k == 0 ? 0 : static_cast<int>(index.size()) / k; }
};

class Matcher {
 public:
  virtual ~Matcher() = default;
  // queries: CV_32F, n x dim (any norm; normalized inside).
  virtual void Match(const cv::Mat& queries, Candidates* candidates) const = 0;
  virtual int dimension() const = 0;
  virtual int size() const = 0;
  // The search structure as bytes (FLANN: the kd-trees), so that it can be
  // cached and loaded again; false for matchers without one (exact).
  virtual bool SaveIndex(std::vector<uint8_t>* /*blob*/) const { return false; }
};

// The rows of `vectors` (CV_32F) scaled to unit length, zero rows kept zero:
// the points every matcher searches. The index cache stores these.
cv::Mat UnitRows(const cv::Mat& vectors);

// database: CV_32F, N x dim. Rows that are already unit vectors (UnitRows)
// are used in place, without a copy: such a matrix must then outlive the
// matcher unless it owns its data (a cv::Mat over a mapped file does not).
// Any other database is copied and normalized.
std::unique_ptr<Matcher> CreateMatcher(const MatchOptions& options, const cv::Mat& database);

// A matcher whose index is loaded from SaveIndex's bytes instead of being
// built (a backend with a `load`: FLANN): fast, and repeatable. Fails on
// bytes that do not fit the database or the options: FLANN's kd-trees are
// checked node by node (structure, depth, every index in range) before
// cvflann reads them, so no bytes can make it index past the data. With an
// `owner` that keeps the blob's memory alive, the loader may read it in the
// background after the checks (FLANN's trees: the caller goes on while they
// load, and the first search waits); without one, it is read before the
// call returns.
Status CreateMatcherFromIndex(const MatchOptions& options, const cv::Mat& database,
                              const uint8_t* blob, size_t blob_size,
                              std::unique_ptr<Matcher>* matcher,
                              std::shared_ptr<const void> owner = nullptr);
inline Status CreateMatcherFromIndex(const MatchOptions& options, const cv::Mat& database,
                                     const std::vector<uint8_t>& blob,
                                     std::unique_ptr<Matcher>* matcher) {
  return CreateMatcherFromIndex(options, database, blob.data(), blob.size(), matcher);
}

}  // namespace tint
