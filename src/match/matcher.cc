#include "match/matcher.h"

#include "match/backends.h"
#include "match/unit_rows.h"

namespace tint {

cv::Mat UnitRows(const cv::Mat& vectors) {
  const match_internal::RowMatrix unit = match_internal::NormalizedRows(vectors);
  cv::Mat out(static_cast<int>(unit.rows()), static_cast<int>(unit.cols()), CV_32F);
  Eigen::Map<match_internal::RowMatrix>(out.ptr<float>(), unit.rows(), unit.cols()) = unit;
  return out;
}

bool MatchOptions::Check(std::string* error) const {
  if (FindMatcherBackend(backend) == nullptr) {
    *error = "no matcher '" + backend + "' (built: " + MatcherBackendNames() + ")";
    return false;
  }
  if (k < 1 || k > 64) {
    *error = "k must be in 1..64";
    return false;
  }
  if (flann_trees < 1 || flann_trees > 32) {
    *error = "flann_trees must be in 1..32";
    return false;
  }
  if (flann_checks < 1) {
    *error = "flann_checks must be positive";
    return false;
  }
  if (pca_dims < 0 || pca_dims > 1024) {
    *error = "pca_dims must be in 0..1024";
    return false;
  }
  if (rerank < 0 || rerank > 256) {
    *error = "rerank must be in 0..256";
    return false;
  }
  if (kmeans_branching != 0 && (kmeans_branching < 8 || kmeans_branching > 256)) {
    *error = "kmeans_branching must be 0 (kd-trees) or in 8..256";
    return false;
  }
  if (hnsw_m < 2 || hnsw_m > 256 || hnsw_ef_construction < 1 || hnsw_ef < 1) {
    *error = "hnsw_m must be in 2..256, hnsw_ef_construction and hnsw_ef positive";
    return false;
  }
  if (faiss_nlist < 1 || faiss_nlist > 1'000'000 || faiss_nprobe < 1) {
    *error = "faiss_nlist must be in 1..1000000 and faiss_nprobe positive";
    return false;
  }
  return true;
}
std::unique_ptr<Matcher> CreateMatcher(const MatchOptions& options, const cv::Mat& database) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(!database.empty(), "empty database");
  return FindMatcherBackend(options.backend)->create(options, database);
}

Status CreateMatcherFromIndex(const MatchOptions& options, const cv::Mat& database,
                              const uint8_t* blob, size_t blob_size,
                              std::unique_ptr<Matcher>* matcher,
                              std::shared_ptr<const void> owner) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  const MatcherBackend* backend = FindMatcherBackend(options.backend);
  TINT_CHECK(backend->load != nullptr,
             "the " << options.backend << " matcher has no index to load");
  return backend->load(options, database, blob, blob_size, std::move(owner), matcher);
}

}  // namespace tint
