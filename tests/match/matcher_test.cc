#include "match/matcher.h"

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

class MatcherTest : public ::testing::TestWithParam<MatcherType> {
 protected:
  MatchOptions Options() const {
    MatchOptions o;
    o.type = GetParam();
    o.k = 3;
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
      const double cosine = queries.row(i).dot(db.row(idx)) / (cv::norm(queries.row(i)) * cv::norm(db.row(idx)));
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
  EXPECT_THROW(CreateMatcher(Options(), RandomVectors(20, 4, 1))->Match(RandomVectors(2, 5, 2), &c), CheckError);
}

INSTANTIATE_TEST_SUITE_P(Matchers, MatcherTest, ::testing::Values(MatcherType::kExact, MatcherType::kFlann),
                         [](const ::testing::TestParamInfo<MatcherType>& info) { return std::string(ToString(info.param)); });

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
  exact_options.type = MatcherType::kExact;
  flann_options.type = MatcherType::kFlann;
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

}  // namespace
}  // namespace tint
