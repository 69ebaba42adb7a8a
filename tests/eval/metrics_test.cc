#include "eval/metrics.h"

#include <cmath>

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {

TEST(AucTest, IdenticalChromaGivesOneHundred) {
  cv::Mat ab(10, 10, CV_32FC2);
  cv::randu(ab, -50.0, 50.0);
  std::vector<double> curve;
  EXPECT_DOUBLE_EQ(AbAuc(ab, ab, &curve), 100.0);
  ASSERT_EQ(curve.size(), 151u);
  EXPECT_DOUBLE_EQ(curve[0], 1.0);
}

// A constant error of 10.5 (a 6.3 / b 8.4 offset): f(t) = 0 for t <= 10 and
// 1 for t >= 11. Trapezoids: 0.5 on [10, 11] and 139 on [11, 150], so
// AuC = 100 * 139.5 / 150 = 93.
TEST(AucTest, KnownOffsetGivesKnownArea) {
  cv::Mat truth(8, 8, CV_32FC2, cv::Scalar(0, 0)), pred(8, 8, CV_32FC2, cv::Scalar(6.3, 8.4));
  std::vector<double> curve;
  EXPECT_NEAR(AbAuc(pred, truth, &curve), 93.0, 1e-9);
  EXPECT_DOUBLE_EQ(curve[10], 0.0);
  EXPECT_DOUBLE_EQ(curve[11], 1.0);
}

// Half the pixels exact, half off by more than 150: AuC = 50.
TEST(AucTest, FarErrorsCountAsMisses) {
  cv::Mat truth(4, 4, CV_32FC2, cv::Scalar(0, 0)), pred = truth.clone();
  pred.rowRange(0, 2).setTo(cv::Scalar(120, 120));
  EXPECT_NEAR(AbAuc(pred, truth), 50.0, 1e-9);
}

// Three pixels of a grey (bin p = 3/4), one blue (p = 1/4) that the
// prediction misses by exactly 30. Plain: f = 3/4 below 30, so
// AuC = 100 * (29 * 0.75 + 0.875 + 120) / 150 = 95.0833. Rebalanced: weights
// 4/3 and 4 make the two colours count equally, f = 1/2 below 30, so
// AuC = 100 * (29 * 0.5 + 0.75 + 120) / 150 = 90.1667.
TEST(AucTest, RebalancedWeightsRareColoursUp) {
  cv::Mat truth(1, 4, CV_32FC2, cv::Scalar(0, 0));
  truth.at<cv::Vec2f>(0, 3) = cv::Vec2f(0, -40);
  cv::Mat pred = truth.clone();
  pred.at<cv::Vec2f>(0, 3) = cv::Vec2f(0, -10);
  AbPrior prior;
  prior.Add(truth);
  EXPECT_EQ(prior.BinsSeen(), 2);
  EXPECT_DOUBLE_EQ(prior.Probability(AbPrior::Bin(0, -40)), 0.25);
  EXPECT_NEAR(AbAuc(pred, truth), 100.0 * (29 * 0.75 + 0.875 + 120) / 150, 1e-9);
  EXPECT_NEAR(RebalancedAbAuc(pred, truth, prior), 100.0 * (29 * 0.5 + 0.75 + 120) / 150, 1e-9);
  EXPECT_DOUBLE_EQ(RebalancedAbAuc(truth, truth, prior), 100.0);
}

TEST(AucTest, PriorBinsFollowTheTenUnitGrid) {
  EXPECT_EQ(AbPrior::Bin(0, 0), AbPrior::Bin(4.9f, -4.9f));
  EXPECT_NE(AbPrior::Bin(0, 0), AbPrior::Bin(5.1f, 0));
  EXPECT_EQ(AbPrior::Bin(500, 500), AbPrior::Bin(110, 110));  // beyond the range: edge cell
  EXPECT_EQ(AbPrior::Bin(-110, -110), 0);
}

TEST(SsimTest, IdenticalIsOneAndNoiseLowersIt) {
  cv::Mat a(32, 32, CV_8UC3);
  cv::randu(a, 0, 255);
  EXPECT_NEAR(Ssim8(a, a), 1.0, 1e-9);
  cv::Mat b = a.clone();
  cv::Mat noise(a.size(), CV_8UC3);
  cv::randu(noise, 0, 60);
  b += noise;
  const double s = Ssim8(a, b);
  EXPECT_LT(s, 0.99);
  EXPECT_GT(s, 0.0);
}

// Grey has none; one flat pure red has only the mean term:
// rg = 255, yb = 127.5, M = 0.3 * sqrt(255^2 + 127.5^2) = 85.53.
TEST(ColorfulnessTest, HandComputedCases) {
  EXPECT_DOUBLE_EQ(Colorfulness(cv::Mat(4, 4, CV_8UC3, cv::Scalar(90, 90, 90))), 0.0);
  EXPECT_NEAR(Colorfulness(cv::Mat(4, 4, CV_8UC3, cv::Scalar(0, 0, 255))),
              0.3 * std::hypot(255.0, 127.5), 1e-9);
  // Half red, half green: rg = +-255 (sd 255, mean 0); yb = 127.5 on both (sd 0).
  cv::Mat split(2, 2, CV_8UC3, cv::Scalar(0, 0, 255));
  split.row(1).setTo(cv::Scalar(0, 255, 0));
  EXPECT_NEAR(Colorfulness(split), 255.0 + 0.3 * 127.5, 1e-9);
}

// CamVid classes 0 sky, 1 building, 2 pole (not scored), 3 road and 4
// pavement (earth), 5 tree (vegetation); a missing or unscored prediction
// counts as "other" (the last column).
TEST(CamVidConfusionTest, HandCountedPixels) {
  const cv::Mat annot = (cv::Mat_<uint8_t>(1, 6) << 0, 1, 2, 3, 4, 5);
  const cv::Mat labels = (cv::Mat_<int>(1, 6) << 0, 0, 1, -1, 2, 1);
  std::vector<std::vector<double>> confusion;
  AccumulateCamVidConfusion(annot, labels, {"sky", "grass", "building"}, &confusion);
  ASSERT_EQ(confusion.size(), 4u);
  ASSERT_EQ(confusion[0].size(), 5u);
  EXPECT_EQ(confusion[0][0], 1);  // sky -> sky
  EXPECT_EQ(confusion[1][0], 1);  // building -> sky
  EXPECT_EQ(confusion[2][4], 1);  // road -> none
  EXPECT_EQ(confusion[2][1], 1);  // pavement -> building
  EXPECT_EQ(confusion[3][4], 1);  // tree -> grass, not a scored label
  double total = 0;
  for (const auto& row : confusion)
    for (double v : row) total += v;
  EXPECT_EQ(total, 5);  // the pole is not scored
}

TEST(RmseTest, ConstantOffset) {
  cv::Mat truth(3, 3, CV_32FC2, cv::Scalar(1, 1)), pred(3, 3, CV_32FC2, cv::Scalar(4, 5));
  EXPECT_NEAR(AbRmse(pred, truth), 5.0, 1e-6);
}

TEST(PsnrTest, IdenticalIsInfiniteAndKnownErrorIsKnown) {
  cv::Mat a(4, 4, CV_8UC3, cv::Scalar(10, 20, 30));
  EXPECT_TRUE(std::isinf(Psnr8(a, a)));
  cv::Mat b = a + cv::Scalar(5, 5, 5);  // MSE 25
  EXPECT_NEAR(Psnr8(a, b), 10.0 * std::log10(255.0 * 255.0 / 25.0), 1e-9);
}

}  // namespace
}  // namespace tint
