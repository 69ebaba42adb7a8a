#include "eval/statistics.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace tint {
namespace {

TEST(PairedStatisticsTest, CasesWorkedByHand) {
  PairedOptions o;
  // Differences {0, 2}: resampled means are 0, 1 or 2 with chances 1/4,
  // 1/2, 1/4, so the 2.5% and 97.5% points are 0 and 2: not significant.
  PairedStats s = ComparePaired({5, 7}, {5, 5}, o);
  EXPECT_EQ(s.photos, 2);
  EXPECT_DOUBLE_EQ(s.mean_difference, 1.0);
  EXPECT_DOUBLE_EQ(s.low, 0.0);
  EXPECT_DOUBLE_EQ(s.high, 2.0);
  EXPECT_FALSE(s.significant);
  EXPECT_EQ(s.wins, 1);
  EXPECT_EQ(s.ties, 1);
  EXPECT_EQ(s.losses, 0);
  // Differences {1, 2, 3}: a mean of 1 (or 3) has chance 1/27 > 2.5%, so
  // the interval is [1, 3], which excludes 0; but 3 photos are too few to
  // call it significant.
  s = ComparePaired({1, 2, 3}, {0, 0, 0}, o);
  EXPECT_DOUBLE_EQ(s.low, 1.0);
  EXPECT_DOUBLE_EQ(s.high, 3.0);
  EXPECT_FALSE(s.significant);
  EXPECT_EQ(s.wins, 3);
  // Ten photos each better by 1: [1, 1], significant.
  s = ComparePaired(std::vector<double>(10, 1.0), std::vector<double>(10, 0.0), o);
  EXPECT_DOUBLE_EQ(s.low, 1.0);
  EXPECT_TRUE(s.significant);
  // Ten photos better by 0.001: the interval excludes 0 by less than the
  // digits shown, so it is no difference a reader could see.
  s = ComparePaired(std::vector<double>(10, 0.001), std::vector<double>(10, 0.0), o);
  EXPECT_EQ(s.ties, 10);
  EXPECT_FALSE(s.significant);
  // The same photos: all ties, an interval of [0, 0].
  s = ComparePaired({1, 2, 3}, {1, 2, 3}, o);
  EXPECT_EQ(s.ties, 3);
  EXPECT_DOUBLE_EQ(s.low, 0.0);
  EXPECT_DOUBLE_EQ(s.high, 0.0);
  EXPECT_FALSE(s.significant);
  // Lower is better (an error): a lower value wins.
  o.higher_is_better = false;
  s = ComparePaired({1, 4, 3}, {2, 2, 3.001}, o);
  EXPECT_EQ(s.wins, 1);
  EXPECT_EQ(s.losses, 1);
  EXPECT_EQ(s.ties, 1);  // |-0.001| < 0.005
}

TEST(PairedStatisticsTest, RepeatableAndCloseToTheNormalIntervalOnManyPhotos) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.5, 1.0);
  std::vector<double> a(400), b(400, 0.0);
  double sum = 0, sum2 = 0;
  for (double& v : a) {
    v = noise(rng);
    sum += v;
    sum2 += v * v;
  }
  const double mean = sum / a.size();
  const double sd = std::sqrt(sum2 / a.size() - mean * mean);
  const double half = 1.96 * sd / std::sqrt(static_cast<double>(a.size()));
  const PairedStats s = ComparePaired(a, b, PairedOptions());
  EXPECT_NEAR(s.low, mean - half, 0.1 * half);
  EXPECT_NEAR(s.high, mean + half, 0.1 * half);
  EXPECT_TRUE(s.significant);
  const PairedStats again = ComparePaired(a, b, PairedOptions());
  EXPECT_EQ(again.low, s.low);
  EXPECT_EQ(again.high, s.high);
  PairedOptions other;
  other.seed = 1;
  EXPECT_NE(ComparePaired(a, b, other).low, s.low);
}

}  // namespace
}  // namespace tint
