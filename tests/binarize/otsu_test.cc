#include "binarize/otsu.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {

// Worked by hand: bins {0: 2, 4: 1, 8: 1}, N = 4, mu_T = 3.
//   k in 0..3: omega = 1/2, mu = 0   -> sigma_B^2 = (3/2)^2 / (1/4)      = 9
//   k in 4..7: omega = 3/4, mu = 1   -> sigma_B^2 = (5/4)^2 / (3/16)     = 8.33
// so the first maximum is k = 0 (class 0 = bin 0 only).
TEST(OtsuTest, HandComputedThreeLevelHistogram) {
  std::vector<double> h(9, 0.0);
  h[0] = 2;
  h[4] = 1;
  h[8] = 1;
  EXPECT_EQ(OtsuThresholdIndex(h), 0);
}

// Bins {1: 3, 2: 1, 6: 2, 7: 4}, N = 10, mu_T = 4.9. Splitting after bin 2
// (omega = 0.4, mu = 0.5) gives (1.96 - 0.5)^2 / 0.24 = 8.8817, larger than
// after bin 1 (omega 0.3, mu 0.3: 1.4161/0.21 = 6.743) or bin 6 (omega 0.6,
// mu 1.7: 1.3456/0.24 = 5.607).
TEST(OtsuTest, HandComputedFourBinHistogram) {
  std::vector<double> h(8, 0.0);
  h[1] = 3;
  h[2] = 1;
  h[6] = 2;
  h[7] = 4;
  EXPECT_EQ(OtsuThresholdIndex(h), 2);
}

TEST(OtsuTest, FlatHistogramHasNoThreshold) {
  std::vector<double> h(16, 0.0);
  h[5] = 10;
  EXPECT_EQ(OtsuThresholdIndex(h), -1);
}

TEST(OtsuTest, TwoLevelImageSplitsBetweenTheLevels) {
  cv::Mat l(20, 20, CV_32F, cv::Scalar(20.0f));
  l(cv::Rect(0, 0, 20, 8)).setTo(80.0f);
  OtsuOptions options;
  options.max_dark_lightness = 100.0;
  Binarization b;
  BinarizeOtsu(options, l, &b);
  EXPECT_GT(b.otsu_threshold, 20.0);
  EXPECT_LE(b.otsu_threshold, 80.0);
  EXPECT_EQ(cv::countNonZero(b.useful), 8 * 20);
}

TEST(OtsuTest, DarkThresholdIsCapped) {
  cv::Mat l(10, 10, CV_32F, cv::Scalar(40.0f));
  l(cv::Rect(0, 0, 10, 5)).setTo(90.0f);
  OtsuOptions options;
  options.max_dark_lightness = 25.0;
  Binarization b;
  BinarizeOtsu(options, l, &b);
  EXPECT_GT(b.otsu_threshold, 40.0);
  EXPECT_DOUBLE_EQ(b.dark_threshold, 25.0);
  EXPECT_EQ(cv::countNonZero(b.useful), 100);  // nothing is very dark
}

TEST(OtsuTest, InvalidOptionsAreReported) {
  OtsuOptions o;
  std::string error;
  o.num_bins = 1;
  EXPECT_FALSE(o.Check(&error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace tint
