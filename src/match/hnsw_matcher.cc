// The HNSW matcher: hnswlib's hierarchical navigable small-world graph
// (Malkov & Yashunin 2018) over the unit vectors with the inner-product
// distance 1 - cos, built point by point in database order from the seed (so
// the same data and seed give the same graph), searched with beam width ef.
// Built when the matcher is made (not cached); for comparisons.
#include "match/matcher.h"

#include <algorithm>

// Debian's hnswlib 0.6.2 prefetches one link past the end of each link
// list in its SSE code (an out-of-bounds read of 4 bytes that AddressSanitizer
// reports; later hnswlib releases guard it). Built without its hand-written
// SSE, hnswlib has no such prefetch; the compiler vectorizes its plain
// distance loops itself.
#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>
#include <opencv2/core/utility.hpp>

#include "match/unit_rows.h"

namespace tint {
namespace {

using namespace match_internal;

class HnswMatcher : public Matcher {
 public:
  HnswMatcher(const MatchOptions& options, const cv::Mat& database)
      : HnswMatcher(options, UnitRowStore(database).matrix()) {}

  void Match(const cv::Mat& queries, Candidates* out) const override {
    TINT_CHECK(queries.cols == dimension(),
               "query dimension " << queries.cols << " != " << dimension());
    const RowMatrix q = NormalizedRows(queries);
    const int n = static_cast<int>(q.rows()), k = std::min<int>(k_, size());
    out->k = k;
    out->index.assign(size_t(n) * k, -1);
    out->similarity.assign(size_t(n) * k, 0.0f);
    // searchKnn is const and thread-safe (its visited lists are pooled under
    // a lock); the beam width was set once, before any search.
    cv::parallel_for_(cv::Range(0, n), [&](const cv::Range& range) {
      for (int i = range.start; i < range.end; ++i) {
        auto found = index_.searchKnn(q.row(i).data(), static_cast<size_t>(k));
        // Worst first: fill from the back. Distance is 1 - cos.
        for (int j = static_cast<int>(found.size()) - 1; j >= 0; --j) {
          out->index[size_t(i) * k + j] = static_cast<int>(found.top().second);
          out->similarity[size_t(i) * k + j] = 1.0f - found.top().first;
          found.pop();
        }
      }
    });
  }
  int dimension() const override { return cols_; }
  int size() const override { return rows_; }

 private:
  // hnswlib keeps its own copy of every point: the unit rows are needed only
  // while the graph is built.
  HnswMatcher(const MatchOptions& options, const RowMap& unit)
      : k_(options.k),
        rows_(static_cast<int>(unit.rows())),
        cols_(static_cast<int>(unit.cols())),
        space_(static_cast<size_t>(cols_)),
        index_(&space_, static_cast<size_t>(rows_), static_cast<size_t>(options.hnsw_m),
               static_cast<size_t>(options.hnsw_ef_construction),
               static_cast<size_t>(options.seed)) {
    // One point at a time, in database order: hnswlib draws each point's
    // level from its seeded generator, so the graph repeats exactly (a
    // parallel build would not).
    for (Eigen::Index i = 0; i < unit.rows(); ++i)
      index_.addPoint(unit.row(i).data(), static_cast<hnswlib::labeltype>(i));
    // The search beam, set once, before any search.
    index_.setEf(static_cast<size_t>(std::max(options.hnsw_ef, options.k)));
  }

  int k_, rows_, cols_;
  hnswlib::InnerProductSpace space_;
  hnswlib::HierarchicalNSW<float> index_;
};

}  // namespace

std::unique_ptr<Matcher> CreateHnswMatcher(const MatchOptions& options, const cv::Mat& database) {
  return std::make_unique<HnswMatcher>(options, database);
}

}  // namespace tint
