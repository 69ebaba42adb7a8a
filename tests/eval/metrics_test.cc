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
