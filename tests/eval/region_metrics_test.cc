#include "eval/region_metrics.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tint {
namespace {

cv::Mat Labels(int rows, int cols, std::initializer_list<int> v) {
  cv::Mat m(rows, cols, CV_32S);
  std::copy(v.begin(), v.end(), m.ptr<int>());
  return m;
}

TEST(RegionMetrics, IdenticalSegmentationsArePerfect) {
  cv::Mat a = Labels(2, 3, {1, 1, 2, 3, 3, 2});
  cv::Mat relabelled = Labels(2, 3, {7, 7, 5, 9, 9, 5});  // same partition, other ids
  RegionScores s = CompareRegions(a, {relabelled});
  EXPECT_DOUBLE_EQ(s.Covering(), 1.0);
  EXPECT_DOUBLE_EQ(s.pri, 1.0);
  EXPECT_NEAR(s.voi, 0.0, 1e-12);
}

// 2x2, machine one region, human two halves of 2 pixels.
// Covering: each half overlaps the whole by 2/4, so (2 * 0.5 + 2 * 0.5) / 4 = 0.5.
// Rand index: 1 - (16/2 + 8/2 - 8) / 6 = 1/3. VI: H(human) = 1 bit, the rest 0.
TEST(RegionMetrics, HandComputedUndersegmentation) {
  RegionScores s = CompareRegions(Labels(2, 2, {1, 1, 1, 1}), {Labels(2, 2, {1, 1, 2, 2})});
  EXPECT_DOUBLE_EQ(s.Covering(), 0.5);
  EXPECT_NEAR(s.pri, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.voi, 1.0, 1e-12);
}

// Against two humans (one identical, one the halves) the covering pools the
// sums ((4 + 2) / 8) and PRI and VI average.
TEST(RegionMetrics, SeveralHumansPoolAndAverage) {
  cv::Mat whole = Labels(2, 2, {1, 1, 1, 1});
  RegionScores s = CompareRegions(whole, {whole, Labels(2, 2, {1, 1, 2, 2})});
  EXPECT_DOUBLE_EQ(s.covering_sum, 6.0);
  EXPECT_DOUBLE_EQ(s.covering_pixels, 8.0);
  EXPECT_NEAR(s.pri, (1.0 + 1.0 / 3.0) / 2, 1e-12);
  EXPECT_NEAR(s.voi, 0.5, 1e-12);
}

// Oversegmentation into single pixels: covering of each half is 1/2 again,
// Rand index 1 - (4/2 + 8/2 - 4) / 6 = 2/3, VI = H(machine) - I = 2 - 1 = 1.
TEST(RegionMetrics, HandComputedOversegmentation) {
  RegionScores s = CompareRegions(Labels(2, 2, {1, 2, 3, 4}), {Labels(2, 2, {1, 1, 2, 2})});
  EXPECT_DOUBLE_EQ(s.Covering(), 0.5);
  EXPECT_NEAR(s.pri, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.voi, 1.0, 1e-12);
}

// Two images, two parameters. Image 0 is best at p0, image 1 at p1.
TEST(RegionMetrics, OdsTakesOneParameterOisEachImagesBest) {
  auto score = [](double cov, double pri, double voi) {
    RegionScores r;
    r.covering_sum = cov * 100;
    r.covering_pixels = 100;
    r.pri = pri;
    r.voi = voi;
    return r;
  };
  std::vector<std::vector<RegionScores>> scores = {
      {score(0.8, 0.9, 1.0), score(0.5, 0.7, 2.0)},
      {score(0.4, 0.6, 2.5), score(0.6, 0.8, 1.5)},
  };
  RegionSummary s = SummarizeRegions(scores);
  EXPECT_NEAR(s.covering_ods, 0.6, 1e-12);  // p0: (0.8 + 0.4) / 2 beats p1: 0.55
  EXPECT_EQ(s.covering_best, 0);
  EXPECT_NEAR(s.covering_ois, 0.7, 1e-12);  // (0.8 + 0.6) / 2
  EXPECT_NEAR(s.pri_ods, 0.75, 1e-12);      // both p give 0.75; the first is kept
  EXPECT_NEAR(s.pri_ois, 0.85, 1e-12);
  EXPECT_NEAR(s.voi_ods, 1.75, 1e-12);  // p0: 1.75, p1: 1.75
  EXPECT_NEAR(s.voi_ois, 1.25, 1e-12);
}

}  // namespace
}  // namespace tint
