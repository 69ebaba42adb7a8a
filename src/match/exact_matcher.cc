// The exact matcher: vectors normalized to unit length, similarities from
// one matrix product per chunk of queries (Eigen), top k by one pass.
#include "match/matcher.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <opencv2/core/utility.hpp>

#include "match/unit_rows.h"

namespace tint {
namespace {

using namespace match_internal;

class ExactMatcher : public Matcher {
 public:
  ExactMatcher(const MatchOptions& options, const cv::Mat& database)
      : k_(options.k), store_(database), db_(store_.matrix()) {}

  void Match(const cv::Mat& queries, Candidates* out) const override {
    TINT_CHECK(queries.cols == dimension(),
               "query dimension " << queries.cols << " != " << dimension());
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
  UnitRowStore store_;
  RowMap db_;
};

}  // namespace

std::unique_ptr<Matcher> CreateExactMatcher(const MatchOptions& options, const cv::Mat& database) {
  return std::make_unique<ExactMatcher>(options, database);
}

}  // namespace tint
