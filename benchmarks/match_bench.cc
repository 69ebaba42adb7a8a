// Stage 5: cosine matching of neighborhood vectors against the patch
// database, exact (brute force) and FLANN, over database sizes 1k..1M, k and
// the FLANN settings. Speed is never reported alone: every FLANN run also
// reports, against exact matching of the same queries on the same database,
//   label_agreement  share of queries whose best candidate has the label of
//                    the exact best candidate,
//   top1_identity    share whose best candidate is the exact best sample,
//   recall_at_k      share of the exact top k found in FLANN's top k.
//
// Database vectors are real: the shipped patch database sampled at every
// pixel (stride 1, about 760k default vectors), and the same patches
// mirrored left-right (a permutation of each window's columns; the mean and
// sd stay), 1.5M in all. A size is a seeded random subset of that pool.
// Queries are default vectors at useful pixels of samples/bridge.jpg.
#include "common.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <random>

#include "binarize/otsu.h"
#include "core/color.h"
#include "features/neighborhood.h"
#include "match/matcher.h"
#include "patchdb/database.h"
#include "pipeline/classic/classic.h"

namespace tint::bench {
namespace {

constexpr uint32_t kSeed = 20260101;

struct Pool {
  cv::Mat vectors;          // CV_32F
  std::vector<int> labels;  // per row
};

const Pool& VectorPool() {
  static const Pool pool = [] {
    Pool p;
    NeighborhoodOptions features;
    PatchSamplingOptions sampling;
    sampling.stride = 1;
    std::unique_ptr<PatchDatabase> db;
    const Status s = PatchDatabase::Load(SourcePath("patchdb"), features, sampling, &db);
    if (!s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      std::exit(2);
    }
    const int w = features.window, n = db->num_samples();
    cv::Mat mirrored = db->vectors().clone();
    for (int r = 0; r < n; ++r) {
      const float* src = db->vectors().ptr<float>(r);
      float* dst = mirrored.ptr<float>(r);
      for (int dy = 0; dy < w; ++dy)
        for (int dx = 0; dx < w; ++dx) dst[dy * w + dx] = src[dy * w + (w - 1 - dx)];
    }
    cv::vconcat(db->vectors(), mirrored, p.vectors);
    p.labels = db->sample_labels();
    p.labels.insert(p.labels.end(), db->sample_labels().begin(), db->sample_labels().end());
    return p;
  }();
  return pool;
}

// A seeded subset of `size` pool rows (the whole pool when larger).
struct Database {
  cv::Mat vectors;
  std::vector<int> labels;
};

const Database& DatabaseOfSize(int size) {
  static std::map<int, Database> cache;
  auto it = cache.find(size);
  if (it != cache.end()) return it->second;
  const Pool& pool = VectorPool();
  std::vector<int> rows(pool.vectors.rows);
  std::iota(rows.begin(), rows.end(), 0);
  std::mt19937 rng(kSeed);
  std::shuffle(rows.begin(), rows.end(), rng);
  rows.resize(std::min<size_t>(rows.size(), size_t(size)));
  std::sort(rows.begin(), rows.end());
  Database db;
  db.vectors.create(static_cast<int>(rows.size()), pool.vectors.cols, CV_32F);
  for (size_t i = 0; i < rows.size(); ++i) {
    pool.vectors.row(rows[i]).copyTo(db.vectors.row(static_cast<int>(i)));
    db.labels.push_back(pool.labels[rows[i]]);
  }
  return cache.emplace(size, std::move(db)).first->second;
}

const cv::Mat& Queries() {
  static const cv::Mat queries = [] {
    const cv::Mat lightness = ComputeLightness(SamplePhoto());
    Binarization bin;
    BinarizeOtsu(OtsuOptions(), lightness, &bin);
    std::vector<cv::Point> points = QueryPoints(bin.useful, 2);
    std::mt19937 rng(kSeed);
    std::shuffle(points.begin(), points.end(), rng);
    points.resize(std::min<size_t>(points.size(), Quick() ? 128 : 2048));
    cv::Mat v;
    ComputeNeighborhoodVectors(NeighborhoodOptions(), lightness, points, &v);
    return v;
  }();
  return queries;
}

constexpr int kMaxK = 8;

// Exact top kMaxK of every query at a database size, computed once.
const Candidates& ExactTruth(int size) {
  static std::map<int, Candidates> cache;
  auto it = cache.find(size);
  if (it != cache.end()) return it->second;
  MatchOptions o;
  o.backend = "exact";
  o.k = kMaxK;
  Candidates c;
  CreateMatcher(o, DatabaseOfSize(size).vectors)->Match(Queries(), &c);
  return cache.emplace(size, std::move(c)).first->second;
}

// The FLANN trees of a (size, trees, pca_dims) setting, built once and
// loaded for each k, checks and rerank setting.
const std::vector<uint8_t>& FlannIndex(int size, const MatchOptions& options) {
  static std::map<std::tuple<int, int, int, int>, std::vector<uint8_t>> cache;
  const auto key =
      std::make_tuple(size, options.flann_trees, options.pca_dims, options.kmeans_branching);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::vector<uint8_t> blob;
  CreateMatcher(options, DatabaseOfSize(size).vectors)->SaveIndex(&blob);
  return cache.emplace(key, std::move(blob)).first->second;
}

void SetQueryCounters(benchmark::State& state, int size) {
  state.counters["queries/s"] =
      benchmark::Counter(double(Queries().rows), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["db_size"] = size;
}

void BM_ExactMatch(benchmark::State& state, int size, int k) {
  MatchOptions o;
  o.backend = "exact";
  o.k = k;
  const auto matcher = CreateMatcher(o, DatabaseOfSize(size).vectors);
  Candidates c;
  for (auto _ : state) {
    matcher->Match(Queries(), &c);
    benchmark::DoNotOptimize(c.index.data());
  }
  SetQueryCounters(state, matcher->size());
}

void BM_FlannMatch(benchmark::State& state, int size, MatchOptions o) {
  const Database& db = DatabaseOfSize(size);
  const Candidates& truth = ExactTruth(size);
  std::unique_ptr<Matcher> matcher;
  const Status s = CreateMatcherFromIndex(o, db.vectors, FlannIndex(size, o), &matcher);
  if (!s.ok()) return Skip(state, s.message());
  Candidates c;
  for (auto _ : state) {
    matcher->Match(Queries(), &c);
    benchmark::DoNotOptimize(c.index.data());
  }
  SetQueryCounters(state, matcher->size());
  const int n = c.num_queries(), kk = c.k;
  int same_label = 0, same_sample = 0, found = 0;
  for (int i = 0; i < n; ++i) {
    const int best = c.index[size_t(i) * kk], exact = truth.index[size_t(i) * truth.k];
    same_label += best >= 0 && db.labels[best] == db.labels[exact];
    same_sample += best == exact;
    for (int j = 0; j < kk; ++j) {
      const int e = truth.index[size_t(i) * truth.k + j];
      found +=
          std::count(c.index.begin() + size_t(i) * kk, c.index.begin() + size_t(i + 1) * kk, e) > 0;
    }
  }
  state.counters["label_agreement"] = double(same_label) / n;
  state.counters["top1_identity"] = double(same_sample) / n;
  state.counters["recall_at_k"] = double(found) / (double(n) * kk);
}

void BM_FlannBuild(benchmark::State& state, int size, MatchOptions o) {
  const Database& db = DatabaseOfSize(size);
  for (auto _ : state) benchmark::DoNotOptimize(CreateMatcher(o, db.vectors).get());
  state.counters["db_size"] = db.vectors.rows;
  state.counters["vectors/s"] =
      benchmark::Counter(double(db.vectors.rows), benchmark::Counter::kIsIterationInvariantRate);
}

std::string Name(const std::string& base, int size, const MatchOptions& o) {
  std::string name = base + "/db:" + std::to_string(size);
  if (base != "BM_FlannBuild") name += "/k:" + std::to_string(o.k);
  if (base == "BM_ExactMatch") return name;
  name += o.kmeans_branching > 0 ? "/kmeans:" + std::to_string(o.kmeans_branching)
                                 : "/trees:" + std::to_string(o.flann_trees);
  if (base != "BM_FlannBuild") name += "/checks:" + std::to_string(o.flann_checks);
  name += "/pca:" + std::to_string(o.pca_dims);
  if (base != "BM_FlannBuild" && o.pca_dims > 0) name += "/rerank:" + std::to_string(o.rerank);
  return name;
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint;
  using namespace tint::bench;
  return Main(argc, argv, [] {
    const MatchOptions defaults;
    auto flann = [](int size, MatchOptions o) {
      Configure(benchmark::RegisterBenchmark(Name("BM_FlannMatch", size, o).c_str(), BM_FlannMatch,
                                             size, o));
    };
    for (int size : Sweep<int>({1000, 10000, 100000, 1000000}, {1000, 4000})) {
      for (int k : Sweep<int>({1, 4, 8}, {4})) {
        MatchOptions o = defaults;
        o.k = k;
        Configure(benchmark::RegisterBenchmark(Name("BM_ExactMatch", size, o).c_str(),
                                               BM_ExactMatch, size, k));
        flann(size, o);
      }
      // The accuracy-speed trade-off at the pipeline's k: trees x checks in
      // the full dimension, then PCA dimensions x re-ranked candidates.
      for (int trees : Sweep<int>({1, 4, 8}, {1})) {
        for (int checks : Sweep<int>({8, 16, 32, 64, 128}, {8})) {
          MatchOptions o = defaults;
          o.flann_trees = trees;
          o.flann_checks = checks;
          o.pca_dims = 0;
          if (o.flann_trees != defaults.flann_trees || o.flann_checks != defaults.flann_checks ||
              o.pca_dims != defaults.pca_dims)
            flann(size, o);
        }
      }
      for (int pca : Sweep<int>({8, 16, 24}, {8})) {
        for (int checks : Sweep<int>({16, 32, 64}, {16})) {
          for (int rerank : Sweep<int>({8, 32}, {8})) {
            MatchOptions o = defaults;
            o.pca_dims = pca;
            o.flann_checks = checks;
            o.rerank = rerank;
            if (o.pca_dims != defaults.pca_dims || o.flann_checks != defaults.flann_checks ||
                o.rerank != defaults.rerank)
              flann(size, o);
          }
        }
      }
      // FLANN builds k-means trees on one core; at 1M vectors a build takes
      // over 7 minutes, so they are measured up to 100k.
      for (int branching : Sweep<int>({16, 32, 64}, {16})) {
        if (size > 100000) break;
        for (int checks : Sweep<int>({32, 64, 128, 256, 512}, {32})) {
          MatchOptions o = defaults;
          o.kmeans_branching = branching;
          o.flann_checks = checks;
          o.pca_dims = 0;
          flann(size, o);
        }
      }
      for (int trees : Sweep<int>({1, 4, 8}, {1})) {
        MatchOptions o = defaults;
        o.flann_trees = trees;
        Configure(benchmark::RegisterBenchmark(Name("BM_FlannBuild", size, o).c_str(),
                                               BM_FlannBuild, size, o));
      }
    }
  });
}
