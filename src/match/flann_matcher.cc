// The FLANN matcher: OpenCV's FLANN (cvflann) randomized kd-trees (Muja &
// Lowe, FLANN 1.9) or a hierarchical k-means tree over the unit vectors. For
// unit vectors |q - x|^2 = 2 - 2 cos(q, x), so the L2 order is the cosine
// order and similarity = 1 - d^2 / 2. Optionally in the first pca_dims
// principal components, re-ranked on the full vectors. Its trees can be saved
// (the index cache holds them) and loaded again, checked node by node and
// then read in the background.
#include "match/matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <numeric>
#include <string>
#include <vector>

#include <stdio_ext.h>

#include <Eigen/Eigenvalues>
#include <opencv2/core/utility.hpp>
#include <opencv2/flann.hpp>

#include "match/unit_rows.h"

namespace tint {
namespace {

using namespace match_internal;

// cvflann's kd-tree blob (saveIndex): the tree count (int), then each tree's
// nodes in pre-order, each node its raw struct, mirrored here
// (cvflann::KDTreeIndex::Node: int divfeat, float divval, two child
// pointers). The pointers are addresses of the saving process; cvflann's
// loadIndex only tests them for NULL, to know which children follow.
struct KdTreeNodeBytes {
  int divfeat;
  float divval;
  void* child1;
  void* child2;
};

// The one walk of that layout, for writing (CanonicalizeKdTreeBlob) and for
// reading (CheckKdTreeBlob): calls visit(tree, node, offset, why) for every
// node in order (offset into `blob`, which starts at the tree count) and
// after_tree(tree, why) after each tree. False, with *why, when a visit
// refuses, the bytes end inside a node, a tree is deeper than max_depth, or
// bytes follow the last tree. Iterative, so a deep tree cannot exhaust the
// stack here.
template <typename Visit, typename AfterTree>
bool WalkKdTrees(const uint8_t* blob, size_t size, int max_depth, Visit visit, AfterTree after_tree,
                 std::string* why) {
  int trees = 0;
  if (size < sizeof(trees)) return *why = "no kd-tree count", false;
  std::memcpy(&trees, blob, sizeof(trees));
  size_t pos = sizeof(trees);
  std::vector<int> pending;  // depths of the subtrees still to read, next last
  for (int t = 0; t < trees; ++t) {
    pending.assign(1, 0);
    while (!pending.empty()) {
      const int depth = pending.back();
      pending.pop_back();
      if (depth > max_depth)
        return *why = "a kd-tree deeper than " + std::to_string(max_depth), false;
      if (pos + sizeof(KdTreeNodeBytes) > size) return *why = "kd-tree cut short", false;
      KdTreeNodeBytes node;
      std::memcpy(&node, blob + pos, sizeof(node));
      if (!visit(t, node, pos, why)) return false;
      pos += sizeof(node);
      // Both children are one level down, so their order here is moot.
      if (node.child1 != nullptr) pending.push_back(depth + 1);
      if (node.child2 != nullptr) pending.push_back(depth + 1);
    }
    if (!after_tree(t, why)) return false;
  }
  if (pos != size) return *why = "bytes after the last kd-tree", false;
  return true;
}

// The pointers differ in every process, and a leaf's divval is never set by
// the build (it holds whatever the memory pool held, and is never read).
// This rewrites the pointers as 0 or 1 and leaf divvals as 0, so that the
// same trees always give the same bytes. The walk must end exactly at the
// blob's end, so a change of cvflann's layout is caught (false) rather than
// written.
bool CanonicalizeKdTreeBlob(std::vector<uint8_t>* blob, size_t begin) {
  if (begin > blob->size()) return false;
  uint8_t* const trees = blob->data() + begin;
  std::string why;
  return WalkKdTrees(
      trees, blob->size() - begin, 100000,
      [&](int, KdTreeNodeBytes node, size_t offset, std::string*) {
        const bool has1 = node.child1 != nullptr, has2 = node.child2 != nullptr;
        if (!has1 && !has2) node.divval = 0.0f;
        node.child1 = reinterpret_cast<void*>(uintptr_t{has1});
        node.child2 = reinterpret_cast<void*>(uintptr_t{has2});
        uint8_t* at = trees + offset;
        std::memset(at, 0, sizeof(node));  // padding bytes too
        std::memcpy(at + offsetof(KdTreeNodeBytes, divfeat), &node.divfeat, sizeof(node.divfeat));
        std::memcpy(at + offsetof(KdTreeNodeBytes, divval), &node.divval, sizeof(node.divval));
        std::memcpy(at + offsetof(KdTreeNodeBytes, child1), &node.child1, sizeof(node.child1));
        std::memcpy(at + offsetof(KdTreeNodeBytes, child2), &node.child2, sizeof(node.child2));
        return true;
      },
      [](int, std::string*) { return true; }, &why);
}

// Checks a kd-tree blob (after the shape words) before cvflann's loadIndex
// reads it, since that trusts every byte: the tree count must be the
// options', every node must have no child or two (as the build makes them),
// an inner node must split a real dimension at a finite value, a leaf must
// name a real point, every point must be a leaf of every tree exactly once
// (else a search can end with fewer than k results, which cvflann asserts
// against), no tree may be deeper than 4096 (the load and the search
// recurse), and the walk must end exactly at the blob's end.
bool CheckKdTreeBlob(const uint8_t* blob, size_t size, int trees, int rows, int cols,
                     std::string* why) {
  int count = 0;
  if (size >= sizeof(count)) std::memcpy(&count, blob, sizeof(count));
  if (size >= sizeof(count) && count != trees) return *why = "another number of kd-trees", false;
  std::vector<int> leaf_tree(static_cast<size_t>(rows),
                             -1);  // the last tree each point was a leaf of
  return WalkKdTrees(
      blob, size, 4096,
      [&](int tree, const KdTreeNodeBytes& node, size_t, std::string* why) {
        const bool has1 = node.child1 != nullptr, has2 = node.child2 != nullptr;
        if (has1 != has2) return *why = "a kd-tree node with one child", false;
        if (has1) {
          if (node.divfeat < 0 || node.divfeat >= cols || !std::isfinite(node.divval))
            return *why = "a kd-tree split out of range", false;
          return true;
        }
        if (node.divfeat < 0 || node.divfeat >= rows)
          return *why = "a kd-tree leaf out of range", false;
        int& seen_in = leaf_tree[static_cast<size_t>(node.divfeat)];
        if (seen_in == tree) return *why = "a point twice in one kd-tree", false;
        seen_in = tree;
        return true;
      },
      [&](int tree, std::string* why) {
        // Distinct leaves, all in range: there are `rows` exactly when each
        // point is one.
        if (std::count(leaf_tree.begin(), leaf_tree.end(), tree) != rows)
          return *why = "a kd-tree without every point", false;
        return true;
      },
      why);
}

class FlannMatcher : public Matcher {
 public:
  using Index = cvflann::NNIndex<cvflann::L2<float>>;

  FlannMatcher(const MatchOptions& options, const cv::Mat& database)
      : options_(options), store_(database), db_(store_.matrix()) {
    if (options.pca_dims > 0 && options.pca_dims < db_.cols()) {
      // Principal axes of the unit vectors: eigenvectors of their covariance,
      // largest eigenvalues first. Deterministic, so a loaded index meets the
      // same projection it was built with.
      mean_ = db_.colwise().mean();
      Eigen::MatrixXd centered = (db_.rowwise() - mean_).cast<double>();
      const Eigen::MatrixXd cov =
          centered.transpose() * centered / double(std::max<Eigen::Index>(1, db_.rows()));
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
      TINT_CHECK(eig.info() == Eigen::Success, "PCA of the database did not converge");
      const int d = options.pca_dims;
      axes_ = eig.eigenvectors().rightCols(d).rowwise().reverse().cast<float>();
      projected_ = Project(db_);
    }
    // cvflann never writes its dataset (the memory may be a read-only map).
    const cvflann::Matrix<float> data(const_cast<float*>(IndexedData()), IndexedRows(),
                                      IndexedCols());
    if (options.kmeans_branching > 0) {
      index_ = std::make_unique<cvflann::KMeansIndex<cvflann::L2<float>>>(
          data, cvflann::KMeansIndexParams(options.kmeans_branching, 11,
                                           cvflann::FLANN_CENTERS_KMEANSPP));
    } else {
      index_ = std::make_unique<cvflann::KDTreeIndex<cvflann::L2<float>>>(
          data, cvflann::KDTreeIndexParams(options.flann_trees));
    }
  }

  // Every random choice of the build draws from this thread's cv::theRNG():
  // seeded here, and the caller's generator is put back afterwards.
  void Build() {
    cv::RNG& rng = cv::theRNG();
    const cv::RNG saved = rng;
    rng = cv::RNG(options_.seed);
    index_->buildIndex();
    rng = saved;
  }

  Status Load(const uint8_t* blob, size_t blob_size, std::shared_ptr<const void> owner) {
    // The blob opens with the shape it was built on: cvflann's own format
    // does not record it, and a tree over other data would index past it.
    uint64_t shape[3];
    if (blob_size <= sizeof(shape)) return Status::Error("empty FLANN index");
    std::memcpy(shape, blob, sizeof(shape));
    if (shape[0] != kIndexMagic || shape[1] != static_cast<uint64_t>(IndexedRows()) ||
        shape[2] != static_cast<uint64_t>(IndexedCols())) {
      return Status::Error("FLANN index was built for another database or by another FLANN");
    }
    const uint8_t* trees = blob + sizeof(shape);
    const size_t trees_size = blob_size - sizeof(shape);
    std::string why;
    if (options_.kmeans_branching == 0 && !CheckKdTreeBlob(trees, trees_size, options_.flann_trees,
                                                           IndexedRows(), IndexedCols(), &why)) {
      return Status::Error("FLANN index is damaged (" + why + ")");
    }
    auto read = [this, trees, trees_size]() -> Status {
      FILE* f = fmemopen(const_cast<uint8_t*>(trees), trees_size, "rb");
      if (f == nullptr) return Status::Error("cannot read the FLANN index from memory");
      // cvflann reads node by node (millions of freads): this stream is
      // ours alone, so stdio's per-call locking is skipped.
      __fsetlocking(f, FSETLOCKING_BYCALLER);
      try {
        index_->loadIndex(f);
      } catch (const std::exception& e) {
        std::fclose(f);
        return Status::Error(std::string("FLANN index does not load (") + e.what() + ")");
      }
      std::fclose(f);
      return Status::Ok();
    };
    if (owner == nullptr) return read();
    // The checked trees load in the background, the blob kept alive by its
    // owner: the pipeline's first stages (Otsu, normalized cuts) need no
    // index, so a process's start does not wait for cvflann's node-by-node
    // read. Every use of the index waits for it (WaitForIndex).
    loading_ =
        std::async(std::launch::async, [read, owner = std::move(owner)] { return read(); }).share();
    return Status::Ok();
  }

  ~FlannMatcher() override {
    if (loading_.valid()) loading_.wait();
  }

  bool SaveIndex(std::vector<uint8_t>* blob) const override {
    WaitForIndex();
    char* buffer = nullptr;
    size_t size = 0;
    FILE* f = open_memstream(&buffer, &size);
    if (f == nullptr) return false;
    index_->saveIndex(f);
    std::fclose(f);
    const uint64_t shape[3] = {kIndexMagic, static_cast<uint64_t>(IndexedRows()),
                               static_cast<uint64_t>(IndexedCols())};
    const auto* head = reinterpret_cast<const uint8_t*>(shape);
    blob->assign(head, head + sizeof(shape));
    blob->insert(blob->end(), buffer, buffer + size);
    std::free(buffer);
    // The k-means tree's blob holds addresses too; only kd-trees (the
    // default) are made byte-repeatable here: see CanonicalizeKdTreeBlob.
    return options_.kmeans_branching > 0 || CanonicalizeKdTreeBlob(blob, sizeof(shape));
  }

  void Match(const cv::Mat& queries, Candidates* out) const override {
    TINT_CHECK(queries.cols == dimension(),
               "query dimension " << queries.cols << " != " << dimension());
    const RowMatrix q = NormalizedRows(queries);
    WaitForIndex();
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
      const cvflann::SearchParams params(options_.flann_checks);
      std::vector<int> index(size_t(kChunk) * fetch);
      std::vector<float> dists(size_t(kChunk) * fetch);
      std::vector<std::pair<float, int>> ranked(fetch);
      for (int ch = range.start; ch < range.end; ++ch) {
        const int begin = ch * kChunk, rows = std::min(kChunk, n - begin);
        const cvflann::Matrix<float> qm(
            const_cast<float*>(search.data()) + size_t(begin) * search.cols(), rows, search.cols());
        cvflann::Matrix<int> im(index.data(), rows, fetch);
        cvflann::Matrix<float> dm(dists.data(), rows, fetch);
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
            const float sim = zero      ? 0.0f
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
  // The checks before a load rule out the blobs cvflann cannot read, so a
  // failure here is tint's error, not the user's.
  void WaitForIndex() const {
    if (!loading_.valid()) return;
    const std::shared_future<Status> loading = loading_;  // a copy per caller
    const Status& s = loading.get();
    TINT_CHECK(s.ok(), s.message());
  }

  template <typename M>
  RowMatrix Project(const M& m) const {
    return (m.rowwise() - mean_) * axes_;
  }
  // The points the kd-trees are built on (and point into).
  bool Reduced() const { return axes_.size() > 0; }
  const float* IndexedData() const { return Reduced() ? projected_.data() : db_.data(); }
  int IndexedRows() const { return static_cast<int>(db_.rows()); }
  int IndexedCols() const { return static_cast<int>(Reduced() ? projected_.cols() : db_.cols()); }

  // "cvflann1" (little-endian): an index blob of OpenCV's FLANN.
  static constexpr uint64_t kIndexMagic = 0x316e6e616c667663ull;

  MatchOptions options_;
  UnitRowStore store_;
  RowMap db_;                // unit vectors (store_), for re-ranking
  Eigen::RowVectorXf mean_;  // PCA: mean of db_
  Eigen::MatrixXf axes_;     // PCA: dim x pca_dims, empty when off
  RowMatrix projected_;      // PCA: db_ projected, what the index is built on
  std::unique_ptr<Index> index_;
  std::shared_future<Status> loading_;  // Load's background read; invalid when built
};

}  // namespace

std::unique_ptr<Matcher> CreateFlannMatcher(const MatchOptions& options, const cv::Mat& database) {
  auto flann = std::make_unique<FlannMatcher>(options, database);
  flann->Build();
  return flann;
}

Status LoadFlannMatcher(const MatchOptions& options, const cv::Mat& database, const uint8_t* blob,
                        size_t blob_size, std::shared_ptr<const void> owner,
                        std::unique_ptr<Matcher>* matcher) {
  auto flann = std::make_unique<FlannMatcher>(options, database);
  TINT_RETURN_IF_ERROR(flann->Load(blob, blob_size, std::move(owner)));
  *matcher = std::move(flann);
  return Status::Ok();
}

}  // namespace tint
