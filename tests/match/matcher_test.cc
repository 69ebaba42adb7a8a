#include "match/matcher.h"
#include "match/backends.h"

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

#include "core/status.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {

cv::Mat RandomVectors(int n, int dim, uint64_t seed) {
  cv::Mat m(n, dim, CV_32F);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::NORMAL, 0.0, 1.0);
  return m;
}

class MatcherTest : public ::testing::TestWithParam<std::string> {
 protected:
  MatchOptions Options() const {
    MatchOptions o;
    o.backend = GetParam();
    o.k = 3;
    o.faiss_nlist = 8;  // IVF: 8 lists of the small test sets, all probed
    return o;
  }
};

// A query equal to a database row (up to scale) finds it with similarity 1,
// and the reported similarities are the true cosines in descending order.
TEST_P(MatcherTest, FindsScaledCopiesWithTrueCosines) {
  const cv::Mat db = RandomVectors(500, 12, testing::kSeed);
  cv::Mat queries = db.rowRange(100, 110) * 3.5;
  const auto matcher = CreateMatcher(Options(), db);
  Candidates c;
  matcher->Match(queries, &c);
  ASSERT_EQ(c.num_queries(), 10);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(c.index[i * 3], 100 + i);
    EXPECT_NEAR(c.similarity[i * 3], 1.0, 1e-5);
    for (int j = 0; j < 3; ++j) {
      const int idx = c.index[i * 3 + j];
      const double cosine =
          queries.row(i).dot(db.row(idx)) / (cv::norm(queries.row(i)) * cv::norm(db.row(idx)));
      EXPECT_NEAR(c.similarity[i * 3 + j], cosine, 1e-4);
      if (j > 0) EXPECT_LE(c.similarity[i * 3 + j], c.similarity[i * 3 + j - 1] + 1e-6);
    }
  }
}

TEST_P(MatcherTest, ZeroQueryHasZeroSimilarity) {
  const cv::Mat db = RandomVectors(50, 4, 7);
  Candidates c;
  CreateMatcher(Options(), db)->Match(cv::Mat::zeros(1, 4, CV_32F), &c);
  for (int j = 0; j < c.k; ++j) EXPECT_NEAR(c.similarity[j], 0.0, 1e-6);
}

TEST_P(MatcherTest, WrongDimensionIsAProgrammerError) {
  Candidates c;
  EXPECT_THROW(CreateMatcher(Options(), RandomVectors(20, 4, 1))->Match(RandomVectors(2, 5, 2), &c),
               CheckError);
}

// Every backend of the table, so a new one is tested by its table line.
std::vector<std::string> BackendNames() {
  std::vector<std::string> names;
  for (const MatcherBackend& b : MatcherBackends()) names.push_back(b.name);
  return names;
}

TEST(MatcherBackendsTest, NamesAreUniqueAndEachHasAFactory) {
  const std::vector<std::string> names = BackendNames();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const MatcherBackend& b : MatcherBackends()) {
    EXPECT_NE(b.create, nullptr) << b.name;
    EXPECT_FALSE(b.summary.empty()) << b.name;
  }
  ASSERT_NE(FindMatcherBackend("flann"), nullptr);
  ASSERT_NE(FindMatcherBackend("exact"), nullptr);
  EXPECT_NE(FindMatcherBackend("flann")->load, nullptr);  // the index cache keeps its trees
  MatchOptions o;
  o.backend = "annoy";
  std::string error;
  EXPECT_FALSE(o.Check(&error));
  EXPECT_NE(error.find("no matcher 'annoy' (built: flann, exact"), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(Matchers, MatcherTest, ::testing::ValuesIn(BackendNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// FLANN agrees with exact matching on a known set: clustered data where the
// label of the nearest sample is what matters.
TEST(FlannAgreementTest, TopOneAgreesWithExact) {
  const int clusters = 40, per = 100, dim = 27;
  const cv::Mat centres = RandomVectors(clusters, dim, 11);
  cv::Mat db(clusters * per, dim, CV_32F);
  cv::RNG rng(testing::kSeed);
  for (int i = 0; i < db.rows; ++i) {
    cv::Mat noise(1, dim, CV_32F);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, 0.3);
    db.row(i) = centres.row(i / per) + noise;
  }
  cv::Mat queries(1000, dim, CV_32F);
  for (int i = 0; i < queries.rows; ++i) {
    cv::Mat noise(1, dim, CV_32F);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, 0.3);
    queries.row(i) = centres.row(i % clusters) + noise;
  }
  MatchOptions exact_options, flann_options;
  exact_options.backend = "exact";
  flann_options.backend = "flann";
  flann_options.flann_checks = 128;
  exact_options.k = flann_options.k = 1;
  Candidates exact, flann;
  CreateMatcher(exact_options, db)->Match(queries, &exact);
  CreateMatcher(flann_options, db)->Match(queries, &flann);
  int same_cluster = 0, same_sample = 0;
  double sim_loss = 0;
  for (int i = 0; i < queries.rows; ++i) {
    same_cluster += exact.index[i] / per == flann.index[i] / per;
    same_sample += exact.index[i] == flann.index[i];
    sim_loss += exact.similarity[i] - flann.similarity[i];
    EXPECT_GE(exact.similarity[i], flann.similarity[i] - 1e-5);  // exact is never beaten
  }
  EXPECT_GE(same_cluster, 990);
  EXPECT_GE(same_sample, 500);
  EXPECT_LT(sim_loss / queries.rows, 0.01);
}

// hnswlib's graph: close to exact on a random set, and the same candidates
// from two builds with one seed (the build is sequential and seeded).
TEST(HnswTest, NearExactAndRepeatable) {
  if (FindMatcherBackend("hnsw") == nullptr) GTEST_SKIP() << "built without hnswlib";
  const cv::Mat db = RandomVectors(3000, 16, testing::kSeed), queries = RandomVectors(300, 16, 9);
  MatchOptions exact_options, hnsw_options;
  exact_options.backend = "exact";
  hnsw_options.backend = "hnsw";
  hnsw_options.hnsw_ef = 128;
  exact_options.k = hnsw_options.k = 4;
  Candidates exact, a, b;
  CreateMatcher(exact_options, db)->Match(queries, &exact);
  CreateMatcher(hnsw_options, db)->Match(queries, &a);
  CreateMatcher(hnsw_options, db)->Match(queries, &b);
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.similarity, b.similarity);
  int same = 0;
  for (int i = 0; i < queries.rows; ++i) {
    same += exact.index[i * 4] == a.index[i * 4];
    for (int j = 0; j < 4; ++j) {
      // Reported similarities are true cosines, best first.
      const int idx = a.index[i * 4 + j];
      ASSERT_GE(idx, 0);
      const double cosine =
          queries.row(i).dot(db.row(idx)) / cv::norm(queries.row(i)) / cv::norm(db.row(idx));
      EXPECT_NEAR(a.similarity[i * 4 + j], cosine, 1e-4);
      if (j > 0) EXPECT_LE(a.similarity[i * 4 + j], a.similarity[i * 4 + j - 1]);
    }
  }
  EXPECT_GE(same, 285);  // >= 95% top-1 identity at ef 128
  MatchOptions bad = hnsw_options;
  bad.hnsw_m = 1;
  std::string error;
  EXPECT_FALSE(bad.Check(&error));
}

// FAISS: the flat index is exact (the exact matcher's candidates); IVF
// with a few lists probed and FAISS's HNSW are close to it; two builds with
// one seed give the same candidates (seeded k-means, one-thread graph).
TEST(FaissTest, FlatIsExactOthersNearExactAndRepeatable) {
  if (FindMatcherBackend("faiss-flat") == nullptr) GTEST_SKIP() << "built without FAISS";
  const cv::Mat db = RandomVectors(4000, 16, testing::kSeed), queries = RandomVectors(300, 16, 9);
  MatchOptions exact;
  exact.backend = "exact";
  exact.k = 4;
  Candidates truth;
  CreateMatcher(exact, db)->Match(queries, &truth);
  MatchOptions flat = exact, ivf = exact, hnsw = exact;
  flat.backend = "faiss-flat";
  ivf.backend = "faiss-ivf";
  ivf.faiss_nlist = 64;
  ivf.faiss_nprobe = 16;
  hnsw.backend = "faiss-hnsw";
  hnsw.hnsw_ef = 128;
  Candidates c;
  CreateMatcher(flat, db)->Match(queries, &c);
  ASSERT_EQ(c.k, 4);
  for (size_t i = 0; i < truth.index.size(); ++i) {
    EXPECT_EQ(c.index[i], truth.index[i]) << "entry " << i;
    EXPECT_NEAR(c.similarity[i], truth.similarity[i], 1e-5);
  }
  for (const MatchOptions& o : {ivf, hnsw}) {
    Candidates a, b;
    CreateMatcher(o, db)->Match(queries, &a);
    CreateMatcher(o, db)->Match(queries, &b);
    EXPECT_EQ(a.index, b.index) << o.backend;
    EXPECT_EQ(a.similarity, b.similarity) << o.backend;
    int same = 0;
    for (int i = 0; i < queries.rows; ++i) {
      same += a.index[i * 4] == truth.index[i * 4];
      for (int j = 0; j < 4; ++j) {
        const int idx = a.index[i * 4 + j];
        if (idx < 0) continue;  // IVF: fewer than k in the probed lists
        const double cosine =
            queries.row(i).dot(db.row(idx)) / cv::norm(queries.row(i)) / cv::norm(db.row(idx));
        EXPECT_NEAR(a.similarity[i * 4 + j], cosine, 1e-4);
        EXPECT_LE(a.similarity[i * 4 + j], truth.similarity[i * 4 + j] + 1e-5);
      }
    }
    EXPECT_GE(same, 270) << o.backend;  // >= 90% top-1 identity
  }
  MatchOptions bad = ivf;
  bad.faiss_nlist = 0;
  std::string error;
  EXPECT_FALSE(bad.Check(&error));
  bad = ivf;
  bad.faiss_nprobe = 0;
  EXPECT_FALSE(bad.Check(&error));
}

// With every sample reachable (checks and rerank >= N), the PCA search with
// re-ranking and the k-means tree return exactly the exact matcher's top k:
// re-ranking uses the full vectors, so fewer dimensions cost recall, never
// correctness of the reported similarities.
TEST(FlannVariantsTest, ExhaustiveSettingsEqualExact) {
  const cv::Mat db = RandomVectors(200, 16, testing::kSeed);
  const cv::Mat queries = RandomVectors(50, 16, 99);
  MatchOptions exact;
  exact.backend = "exact";
  exact.k = 5;
  Candidates truth;
  CreateMatcher(exact, db)->Match(queries, &truth);
  MatchOptions pca = exact, kmeans = exact;
  pca.backend = kmeans.backend = "flann";
  pca.pca_dims = 4;
  pca.rerank = 200;
  pca.flann_checks = kmeans.flann_checks = 100000;
  kmeans.kmeans_branching = 8;
  for (const MatchOptions& o : {pca, kmeans}) {
    Candidates c;
    CreateMatcher(o, db)->Match(queries, &c);
    ASSERT_EQ(c.k, 5);
    for (size_t i = 0; i < truth.index.size(); ++i) {
      EXPECT_EQ(c.index[i], truth.index[i])
          << "entry " << i << (o.pca_dims > 0 ? " (pca)" : " (kmeans)");
      EXPECT_NEAR(c.similarity[i], truth.similarity[i], 1e-5);
    }
  }
}

// Few dimensions without re-ranking room find worse matches than the full
// search: the setting is a real trade-off, which bench_match measures.
TEST(FlannVariantsTest, PcaWithoutRerankLosesAccuracyButStaysValid) {
  const cv::Mat db = RandomVectors(2000, 24, testing::kSeed);
  const cv::Mat queries = RandomVectors(200, 24, 5);
  MatchOptions exact, pca;
  exact.backend = "exact";
  exact.k = pca.k = 1;
  pca.pca_dims = 2;
  pca.flann_checks = 8;
  Candidates truth, c;
  CreateMatcher(exact, db)->Match(queries, &truth);
  CreateMatcher(pca, db)->Match(queries, &c);
  int same = 0;
  for (int i = 0; i < queries.rows; ++i) {
    same += c.index[i] == truth.index[i];
    ASSERT_GE(c.index[i], 0);
    // The reported similarity is the true cosine of the returned sample.
    const float expected =
        static_cast<float>(db.row(c.index[i]).dot(queries.row(i)) /
                           (cv::norm(db.row(c.index[i])) * cv::norm(queries.row(i))));
    EXPECT_NEAR(c.similarity[i], expected, 1e-4);
    EXPECT_LE(c.similarity[i], truth.similarity[i] + 1e-5);
  }
  EXPECT_LT(same, queries.rows / 2);
}

// A saved PCA index loads back (the projection is recomputed) and answers
// exactly as the built one.
TEST(FlannVariantsTest, SavedPcaIndexAnswersTheSame) {
  const cv::Mat db = RandomVectors(500, 20, testing::kSeed);
  const cv::Mat queries = RandomVectors(40, 20, 3);
  MatchOptions o;
  o.pca_dims = 6;
  o.rerank = 16;
  const auto built = CreateMatcher(o, db);
  std::vector<uint8_t> blob;
  ASSERT_TRUE(built->SaveIndex(&blob));
  std::unique_ptr<Matcher> loaded;
  ASSERT_TRUE(CreateMatcherFromIndex(o, db, blob, &loaded).ok());
  Candidates a, b;
  built->Match(queries, &a);
  loaded->Match(queries, &b);
  EXPECT_EQ(a.index, b.index);
  // The index of another dimension count does not load.
  MatchOptions other = o;
  other.pca_dims = 5;
  std::unique_ptr<Matcher> wrong;
  EXPECT_FALSE(CreateMatcherFromIndex(other, db, blob, &wrong).ok());
}

// A loaded kd-tree index: with an owner of its bytes, the trees are read in
// the background, and threads that match at once right after the load all
// wait for them and answer as the built index; a matcher dropped before it
// is used waits for its read. Without an owner the bytes are read before the
// load returns, so they may go at once.
TEST(FlannVariantsTest, LoadedIndexAnswersFromManyThreadsAtOnce) {
  const cv::Mat db = RandomVectors(20000, 24, testing::kSeed);
  const cv::Mat queries = RandomVectors(300, 24, 5);
  MatchOptions o;
  const auto built = CreateMatcher(o, db);
  auto blob = std::make_shared<std::vector<uint8_t>>();
  ASSERT_TRUE(built->SaveIndex(blob.get()));
  Candidates truth;
  built->Match(queries, &truth);
  {
    std::unique_ptr<Matcher> dropped;
    ASSERT_TRUE(CreateMatcherFromIndex(o, db, blob->data(), blob->size(), &dropped, blob).ok());
  }
  std::unique_ptr<Matcher> loaded, read_at_once;
  ASSERT_TRUE(CreateMatcherFromIndex(o, db, blob->data(), blob->size(), &loaded, blob).ok());
  {
    const std::vector<uint8_t> copy = *blob;
    ASSERT_TRUE(CreateMatcherFromIndex(o, db, copy, &read_at_once).ok());
  }
  const std::vector<uint8_t> saved = *blob;
  blob.reset();  // the loading matcher keeps its own reference
  std::vector<Candidates> got(4);
  std::vector<std::thread> threads;
  for (Candidates& c : got) threads.emplace_back([&] { loaded->Match(queries, &c); });
  for (std::thread& t : threads) t.join();
  for (const Candidates& c : got) {
    EXPECT_EQ(c.index, truth.index);
    EXPECT_EQ(c.similarity, truth.similarity);
  }
  Candidates once;
  read_at_once->Match(queries, &once);
  EXPECT_EQ(once.index, truth.index);
  std::vector<uint8_t> again;
  ASSERT_TRUE(loaded->SaveIndex(&again));
  EXPECT_EQ(again, saved);
}

TEST(FlannVariantsTest, BadSettingsAreRejected) {
  std::string error;
  MatchOptions o;
  o.pca_dims = -1;
  EXPECT_FALSE(o.Check(&error));
  o = MatchOptions();
  o.rerank = 1000;
  EXPECT_FALSE(o.Check(&error));
  o = MatchOptions();
  o.kmeans_branching = 1;
  EXPECT_FALSE(o.Check(&error));
  EXPECT_NE(error.find("kmeans_branching"), std::string::npos);
  o.kmeans_branching = 2;  // degenerates into a stack overflow
  EXPECT_FALSE(o.Check(&error));
}

}  // namespace
}  // namespace tint
