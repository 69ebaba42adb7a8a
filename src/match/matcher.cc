#include "match/matcher.h"

#include <algorithm>
#include <numeric>

#include <Eigen/Core>
#include <cstdio>

#include <flann/flann.hpp>
#include <opencv2/core/utility.hpp>

#include "core/status.h"

namespace tint {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows scaled to unit length; zero rows stay zero (similarity 0 to all).
RowMatrix NormalizedRows(const cv::Mat& m) {
  TINT_CHECK(m.type() == CV_32F && m.cols > 0, "vectors must be CV_32F with at least one column");
  RowMatrix out(m.rows, m.cols);
  for (int r = 0; r < m.rows; ++r) {
    const Eigen::Map<const Eigen::RowVectorXf> row(m.ptr<float>(r), m.cols);
    const float norm = row.norm();
    out.row(r) = norm > 1e-12f ? (row / norm).eval() : Eigen::RowVectorXf::Zero(m.cols);
  }
  return out;
}

class ExactMatcher : public Matcher {
 public:
  ExactMatcher(const MatchOptions& options, const cv::Mat& database)
      : k_(options.k), db_(NormalizedRows(database)) {}

  void Match(const cv::Mat& queries, Candidates* out) const override {
    TINT_CHECK(queries.cols == dimension(), "query dimension " << queries.cols << " != " << dimension());
    const RowMatrix q = NormalizedRows(queries);
    const int n = q.rows(), k = std::min<int>(k_, db_.rows());
    out->k = k;
    out->index.assign(size_t(n) * k, -1);
    out->similarity.assign(size_t(n) * k, 0.0f);
    constexpr int kChunk = 64;
    const int chunks = (n + kChunk - 1) / kChunk;
    cv::parallel_for_(cv::Range(0, chunks), [&](const cv::Range& range) {
      Eigen::MatrixXf sims;
      std::vector<int> order(db_.rows());
      for (int ch = range.start; ch < range.end; ++ch) {
        const int begin = ch * kChunk, rows = std::min(kChunk, n - begin);
        // One product per chunk: (dim x N)^T * (dim x rows), column per query.
        sims.noalias() = db_ * q.middleRows(begin, rows).transpose();
        for (int i = 0; i < rows; ++i) {
          const float* s = sims.col(i).data();
          std::iota(order.begin(), order.end(), 0);
          std::partial_sort(order.begin(), order.begin() + k, order.end(),
                            [s](int a, int b) { return s[a] > s[b] || (s[a] == s[b] && a < b); });
          for (int j = 0; j < k; ++j) {
            out->index[size_t(begin + i) * k + j] = order[j];
            out->similarity[size_t(begin + i) * k + j] = s[order[j]];
          }
        }
      }
    });
  }
  int dimension() const override { return static_cast<int>(db_.cols()); }
  int size() const override { return static_cast<int>(db_.rows()); }

 private:
  int k_;
  RowMatrix db_;
};

class FlannMatcher : public Matcher {
 public:
  using Index = flann::KDTreeIndex<flann::L2<float>>;

  FlannMatcher(const MatchOptions& options, const cv::Mat& database)
      : options_(options), db_(NormalizedRows(database)) {
    index_ = std::make_unique<Index>(flann::Matrix<float>(db_.data(), db_.rows(), db_.cols()),
                                     flann::KDTreeIndexParams(options.flann_trees));
  }

  void Build() { index_->buildIndex(); }

  Status Load(const std::vector<uint8_t>& blob) {
    if (blob.empty()) return Status::Error("empty FLANN index");
    FILE* f = fmemopen(const_cast<uint8_t*>(blob.data()), blob.size(), "rb");
    if (f == nullptr) return Status::Error("cannot read the FLANN index from memory");
    try {
      index_->loadIndex(f);
    } catch (const std::exception& e) {
      std::fclose(f);
      return Status::Error(std::string("FLANN index does not load (") + e.what() + ")");
    }
    std::fclose(f);
    if (index_->size() != static_cast<size_t>(db_.rows()) || index_->veclen() != static_cast<size_t>(db_.cols())) {
      return Status::Error("FLANN index was built for another database (" + std::to_string(index_->size()) + " x " +
                           std::to_string(index_->veclen()) + ")");
    }
    return Status::Ok();
  }

  bool SaveIndex(std::vector<uint8_t>* blob) const override {
    char* buffer = nullptr;
    size_t size = 0;
    FILE* f = open_memstream(&buffer, &size);
    if (f == nullptr) return false;
    index_->saveIndex(f);
    std::fclose(f);
    blob->assign(buffer, buffer + size);
    std::free(buffer);
    return true;
  }

  void Match(const cv::Mat& queries, Candidates* out) const override {
    TINT_CHECK(queries.cols == dimension(), "query dimension " << queries.cols << " != " << dimension());
    RowMatrix q = NormalizedRows(queries);
    const int n = q.rows(), k = std::min<int>(options_.k, db_.rows());
    out->k = k;
    out->index.assign(size_t(n) * k, -1);
    out->similarity.assign(size_t(n) * k, 0.0f);
    std::vector<float> dists(size_t(n) * k);
    constexpr int kChunk = 1024;
    const int chunks = (n + kChunk - 1) / kChunk;
    // The index is read-only during search, so chunks run in parallel.
    cv::parallel_for_(cv::Range(0, chunks), [&](const cv::Range& range) {
      flann::SearchParams params(options_.flann_checks);
      params.cores = 1;
      for (int ch = range.start; ch < range.end; ++ch) {
        const int begin = ch * kChunk, rows = std::min(kChunk, n - begin);
        flann::Matrix<float> qm(q.data() + size_t(begin) * q.cols(), rows, q.cols());
        flann::Matrix<int> im(out->index.data() + size_t(begin) * k, rows, k);
        flann::Matrix<float> dm(dists.data() + size_t(begin) * k, rows, k);
        index_->knnSearch(qm, im, dm, k, params);
      }
    });
    for (int i = 0; i < n; ++i) {
      // A zero query has no direction: cosine 0 to everything, as in exact.
      const bool zero = q.row(i).squaredNorm() == 0.0f;
      for (int j = 0; j < k; ++j) out->similarity[size_t(i) * k + j] = zero ? 0.0f : 1.0f - 0.5f * dists[size_t(i) * k + j];
    }
  }
  int dimension() const override { return static_cast<int>(db_.cols()); }
  int size() const override { return static_cast<int>(db_.rows()); }

 private:
  MatchOptions options_;
  RowMatrix db_;  // owns the data the index points into
  std::unique_ptr<Index> index_;
};

}  // namespace

const char* ToString(MatcherType t) { return t == MatcherType::kExact ? "exact" : "flann"; }

bool ParseMatcherType(const std::string& text, MatcherType* t) {
  if (text == "exact") *t = MatcherType::kExact;
  else if (text == "flann") *t = MatcherType::kFlann;
  else return false;
  return true;
}

bool MatchOptions::Check(std::string* error) const {
  if (k < 1 || k > 64) { *error = "k must be in 1..64"; return false; }
  if (flann_trees < 1 || flann_trees > 32) { *error = "flann_trees must be in 1..32"; return false; }
  if (flann_checks < 1) { *error = "flann_checks must be positive"; return false; }
  return true;
}

std::unique_ptr<Matcher> CreateMatcher(const MatchOptions& options, const cv::Mat& database) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(!database.empty(), "empty database");
  if (options.type == MatcherType::kExact) return std::make_unique<ExactMatcher>(options, database);
  auto flann = std::make_unique<FlannMatcher>(options, database);
  flann->Build();
  return flann;
}

Status CreateMatcherFromIndex(const MatchOptions& options, const cv::Mat& database, const std::vector<uint8_t>& blob,
                              std::unique_ptr<Matcher>* matcher) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(options.type == MatcherType::kFlann, "only the FLANN matcher has an index to load");
  auto flann = std::make_unique<FlannMatcher>(options, database);
  TINT_RETURN_IF_ERROR(flann->Load(blob));
  *matcher = std::move(flann);
  return Status::Ok();
}

}  // namespace tint
