// FAISS (Johnson, Douze & Jegou, "Billion-scale similarity search with
// GPUs", 2019; Debian's libfaiss-dev, CPU build) as matchers, for comparison
// with FLANN and hnswlib. Three of its indexes, all with the inner-product
// metric over the unit vectors (so a score is the cosine):
//  - faiss-flat: IndexFlatIP, brute force (BLAS): exact;
//  - faiss-ivf:  IndexIVFFlat, a k-means coarse quantizer with faiss_nlist
//    lists (trained with the seed), faiss_nprobe lists searched per query;
//  - faiss-hnsw: IndexHNSWFlat, FAISS's own HNSW graph (hnsw_m links,
//    hnsw_ef_construction, hnsw_ef), levels drawn from the seed.
// Every build is repeatable: IVF's k-means draws from the seed and assigns
// in a fixed order; the HNSW graph is built on one thread (FAISS's parallel
// insertion would depend on thread timing). Built when the matcher is made,
// not cached.
#include "match/matcher.h"

#include <cmath>

#include <algorithm>
#include <vector>

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/utils/random.h>
#include <omp.h>

#include "core/status.h"

namespace tint {
namespace {

class FaissMatcher : public Matcher {
 public:
  enum class Kind { kFlat, kIvf, kHnsw };

  FaissMatcher(Kind kind, const MatchOptions& options, const cv::Mat& database)
      : k_(options.k), rows_(database.rows), cols_(database.cols) {
    const cv::Mat unit = UnitRows(database);  // continuous, CV_32F
    const auto n = static_cast<faiss::Index::idx_t>(unit.rows);
    const auto* x = unit.ptr<float>();
    switch (kind) {
      case Kind::kFlat:
        index_ = std::make_unique<faiss::IndexFlatIP>(cols_);
        index_->add(n, x);
        break;
      case Kind::kIvf: {
        quantizer_ = std::make_unique<faiss::IndexFlatIP>(cols_);
        // FAISS's k-means wants at least 39 points per centre (it warns
        // below that): fewer lists for a small database. And at most 4 sqrt(N)
        // lists (the low end of FAISS's guideline 4..16 sqrt(N)): training
        // costs N x lists, so --faiss-nlist 1000000 on the shipped database
        // (198511 samples) trained past 240 s at N/39 = 5090 lists; 4 sqrt(N)
        // = 1782 bounds it at under twice the default's time.
        const int by_sqrt = static_cast<int>(4.0 * std::sqrt(static_cast<double>(rows_)));
        const int lists = std::max(1, std::min({options.faiss_nlist, rows_ / 39, by_sqrt}));
        auto ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer_.get(), cols_, lists,
                                                         faiss::METRIC_INNER_PRODUCT);
        // k-means on at most 64 points per list, from the seed.
        ivf->cp.seed = static_cast<int>(options.seed & 0x7fffffff);
        ivf->cp.max_points_per_centroid = 64;
        ivf->cp.verbose = false;
        ivf->train(n, x);
        ivf->add(n, x);
        ivf->nprobe = static_cast<size_t>(std::min(options.faiss_nprobe, lists));
        index_ = std::move(ivf);
        break;
      }
      case Kind::kHnsw: {
        auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(cols_, options.hnsw_m,
                                                           faiss::METRIC_INNER_PRODUCT);
        hnsw->hnsw.efConstruction = options.hnsw_ef_construction;
        hnsw->hnsw.efSearch = std::max(options.hnsw_ef, options.k);
        hnsw->hnsw.rng = faiss::RandomGenerator(static_cast<int64_t>(options.seed));
        // One thread: the same graph from every build.
        const int threads = omp_get_max_threads();
        omp_set_num_threads(1);
        hnsw->add(n, x);
        omp_set_num_threads(threads);
        index_ = std::move(hnsw);
        break;
      }
    }
  }

  void Match(const cv::Mat& queries, Candidates* out) const override {
    TINT_CHECK(queries.cols == dimension(),
               "query dimension " << queries.cols << " != " << dimension());
    const cv::Mat q = UnitRows(queries);
    const int n = q.rows, k = std::min(k_, size());
    std::vector<float> scores(size_t(n) * k);
    std::vector<faiss::Index::idx_t> labels(size_t(n) * k);
    // Best first; -1 where an IVF probe found fewer than k. Each query's
    // result does not depend on how FAISS splits queries over threads.
    if (n > 0) index_->search(n, q.ptr<float>(), k, scores.data(), labels.data());
    out->k = k;
    out->index.resize(labels.size());
    out->similarity.resize(scores.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      out->index[i] = static_cast<int>(labels[i]);
      out->similarity[i] = labels[i] < 0 ? 0.0f : std::min(1.0f, std::max(-1.0f, scores[i]));
    }
  }
  int dimension() const override { return cols_; }
  int size() const override { return rows_; }

 private:
  int k_, rows_, cols_;
  std::unique_ptr<faiss::IndexFlatIP> quantizer_;  // IVF's coarse quantizer (outlives index_)
  std::unique_ptr<faiss::Index> index_;
};

}  // namespace

std::unique_ptr<Matcher> CreateFaissFlatMatcher(const MatchOptions& options,
                                                const cv::Mat& database) {
  return std::make_unique<FaissMatcher>(FaissMatcher::Kind::kFlat, options, database);
}

std::unique_ptr<Matcher> CreateFaissIvfMatcher(const MatchOptions& options,
                                               const cv::Mat& database) {
  return std::make_unique<FaissMatcher>(FaissMatcher::Kind::kIvf, options, database);
}

std::unique_ptr<Matcher> CreateFaissHnswMatcher(const MatchOptions& options,
                                                const cv::Mat& database) {
  return std::make_unique<FaissMatcher>(FaissMatcher::Kind::kHnsw, options, database);
}

}  // namespace tint
