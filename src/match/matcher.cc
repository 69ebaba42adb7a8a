#include "match/matcher.h"

#include <algorithm>
#include <numeric>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
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
      std::vector<std::pair<float, int>> best(k + 1);
      for (int ch = range.start; ch < range.end; ++ch) {
        const int begin = ch * kChunk, rows = std::min(kChunk, n - begin);
        // One product per chunk: (dim x N)^T * (dim x rows), column per query.
        sims.noalias() = db_ * q.middleRows(begin, rows).transpose();
        for (int i = 0; i < rows; ++i) {
          const float* s = sims.col(i).data();
          // The k best in one pass: a sorted list that almost every sample
          // leaves at the first comparison. Ties go to the lower index.
          int m = 0;
          for (int idx = 0; idx < size(); ++idx) {
            if (m == k && s[idx] <= best[k - 1].first) continue;
            int j = m < k ? m++ : k - 1;
            while (j > 0 && best[j - 1].first < s[idx]) {
              best[j] = best[j - 1];
              --j;
            }
            best[j] = {s[idx], idx};
          }
          for (int j = 0; j < k; ++j) {
            out->index[size_t(begin + i) * k + j] = best[j].second;
            out->similarity[size_t(begin + i) * k + j] = best[j].first;
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
  using Index = flann::NNIndex<flann::L2<float>>;

  FlannMatcher(const MatchOptions& options, const cv::Mat& database)
      : options_(options), db_(NormalizedRows(database)) {
    if (options.pca_dims > 0 && options.pca_dims < db_.cols()) {
      // Principal axes of the unit vectors: eigenvectors of their covariance,
      // largest eigenvalues first. Deterministic, so a loaded index meets the
      // same projection it was built with.
      mean_ = db_.colwise().mean();
      Eigen::MatrixXd centered = (db_.rowwise() - mean_).cast<double>();
      const Eigen::MatrixXd cov = centered.transpose() * centered / double(std::max<Eigen::Index>(1, db_.rows()));
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
      TINT_CHECK(eig.info() == Eigen::Success, "PCA of the database did not converge");
      const int d = options.pca_dims;
      axes_ = eig.eigenvectors().rightCols(d).rowwise().reverse().cast<float>();
      projected_ = Project(db_);
    }
    RowMatrix& points = Indexed();
    const flann::Matrix<float> data(points.data(), points.rows(), points.cols());
    if (options.kmeans_branching > 0) {
      index_ = std::make_unique<flann::KMeansIndex<flann::L2<float>>>(
          data, flann::KMeansIndexParams(options.kmeans_branching, 11, flann::FLANN_CENTERS_KMEANSPP));
    } else {
      index_ = std::make_unique<flann::KDTreeIndex<flann::L2<float>>>(data, flann::KDTreeIndexParams(options.flann_trees));
    }
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
    if (index_->size() != static_cast<size_t>(Indexed().rows()) ||
        index_->veclen() != static_cast<size_t>(Indexed().cols())) {
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
    const RowMatrix q = NormalizedRows(queries);
    const bool reduced = axes_.size() > 0;
    const RowMatrix qp = reduced ? Project(q) : RowMatrix();
    const RowMatrix& search = reduced ? qp : q;
    const int n = q.rows(), k = std::min<int>(options_.k, db_.rows());
    // Candidates fetched: k, or more to re-rank on the full vectors.
    const int fetch = reduced ? std::min<int>(std::max(k, options_.rerank), db_.rows()) : k;
    out->k = k;
    out->index.assign(size_t(n) * k, -1);
    out->similarity.assign(size_t(n) * k, 0.0f);
    constexpr int kChunk = 1024;
    const int chunks = (n + kChunk - 1) / kChunk;
    // The index is read-only during search, so chunks run in parallel.
    cv::parallel_for_(cv::Range(0, chunks), [&](const cv::Range& range) {
      flann::SearchParams params(options_.flann_checks);
      params.cores = 1;
      std::vector<int> index(size_t(kChunk) * fetch);
      std::vector<float> dists(size_t(kChunk) * fetch);
      std::vector<std::pair<float, int>> ranked(fetch);
      for (int ch = range.start; ch < range.end; ++ch) {
        const int begin = ch * kChunk, rows = std::min(kChunk, n - begin);
        flann::Matrix<float> qm(const_cast<float*>(search.data()) + size_t(begin) * search.cols(), rows, search.cols());
        flann::Matrix<int> im(index.data(), rows, fetch);
        flann::Matrix<float> dm(dists.data(), rows, fetch);
        index_->knnSearch(qm, im, dm, fetch, params);
        for (int i = 0; i < rows; ++i) {
          const size_t row = size_t(begin + i);
          // A zero query has no direction: cosine 0 to everything, as in exact.
          const bool zero = q.row(row).squaredNorm() == 0.0f;
          int m = 0;
          for (int j = 0; j < fetch; ++j) {
            const int idx = index[size_t(i) * fetch + j];
            if (idx < 0) continue;
            // Without PCA the L2 distance is exact: cos = 1 - d^2 / 2.
            const float sim = zero ? 0.0f
                              : reduced ? db_.row(idx).dot(q.row(row))
                                        : 1.0f - 0.5f * dists[size_t(i) * fetch + j];
            ranked[m++] = {sim, idx};
          }
          if (reduced) {
            std::sort(ranked.begin(), ranked.begin() + m, [](const auto& x, const auto& y) {
              return x.first > y.first || (x.first == y.first && x.second < y.second);
            });
          }
          for (int j = 0; j < std::min(m, k); ++j) {
            out->index[row * k + j] = ranked[j].second;
            out->similarity[row * k + j] = ranked[j].first;
          }
        }
      }
    });
  }
  int dimension() const override { return static_cast<int>(db_.cols()); }
  int size() const override { return static_cast<int>(db_.rows()); }

 private:
  RowMatrix Project(const RowMatrix& m) const { return (m.rowwise() - mean_) * axes_; }
  // The points the kd-trees are built on (and point into).
  RowMatrix& Indexed() { return axes_.size() > 0 ? projected_ : db_; }

  MatchOptions options_;
  RowMatrix db_;                  // unit vectors, for re-ranking
  Eigen::RowVectorXf mean_;       // PCA: mean of db_
  Eigen::MatrixXf axes_;          // PCA: dim x pca_dims, empty when off
  RowMatrix projected_;           // PCA: db_ projected, what the index is built on
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
  if (pca_dims < 0 || pca_dims > 1024) { *error = "pca_dims must be in 0..1024"; return false; }
  if (rerank < 0 || rerank > 256) { *error = "rerank must be in 0..256"; return false; }
  if (kmeans_branching != 0 && (kmeans_branching < 2 || kmeans_branching > 256)) {
    *error = "kmeans_branching must be 0 (kd-trees) or in 2..256";
    return false;
  }
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
