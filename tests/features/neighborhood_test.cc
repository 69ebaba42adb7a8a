#include "features/neighborhood.h"

#include <cmath>

#include "core/status.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {

cv::Mat Ramp() {
  cv::Mat l(6, 7, CV_32F);
  for (int r = 0; r < l.rows; ++r)
    for (int c = 0; c < l.cols; ++c) l.at<float>(r, c) = float(10 * r + c);
  return l;
}

TEST(NeighborhoodTest, RawVectorIsTheWindow) {
  NeighborhoodOptions o;
  o.window = 3;
  o.normalization = VectorNormalization::kRaw;
  o.append_statistics = false;
  cv::Mat v;
  ComputeNeighborhoodVectors(o, Ramp(), {cv::Point(2, 3)}, &v);
  ASSERT_EQ(v.cols, 9);
  const float expected[9] = {21, 22, 23, 31, 32, 33, 41, 42, 43};
  for (int k = 0; k < 9; ++k) EXPECT_FLOAT_EQ(v.at<float>(0, k), expected[k] / 100.0f);
}

TEST(NeighborhoodTest, BorderIsMirrored) {
  NeighborhoodOptions o;
  o.window = 3;
  o.normalization = VectorNormalization::kRaw;
  o.append_statistics = false;
  cv::Mat v;
  ComputeNeighborhoodVectors(o, Ramp(), {cv::Point(0, 0)}, &v);
  // BORDER_REFLECT_101 around (0, 0): rows 1,0,1 and columns 1,0,1.
  const float expected[9] = {11, 10, 11, 1, 0, 1, 11, 10, 11};
  for (int k = 0; k < 9; ++k) EXPECT_FLOAT_EQ(v.at<float>(0, k), expected[k] / 100.0f);
}

TEST(NeighborhoodTest, ZeroMeanAndStatistics) {
  NeighborhoodOptions o;
  o.window = 3;
  o.normalization = VectorNormalization::kZeroMean;
  o.append_statistics = true;
  o.statistics_weight = 1.0;
  cv::Mat v;
  ComputeNeighborhoodVectors(o, Ramp(), {cv::Point(2, 3)}, &v);
  ASSERT_EQ(v.cols, 11);
  double sum = 0;
  for (int k = 0; k < 9; ++k) sum += v.at<float>(0, k);
  EXPECT_NEAR(sum, 0.0, 1e-5);
  // Mean 32; values 21..43 in the pattern above: variance = (100*2/3 + 2/3) = 67.33.
  EXPECT_NEAR(v.at<float>(0, 9), 32.0 * 3.0 / 100.0, 1e-4);  // scaled by sqrt(9) / 100
  EXPECT_NEAR(v.at<float>(0, 10), std::sqrt(202.0 / 3.0) * 3.0 / 100.0, 1e-4);
}

TEST(NeighborhoodTest, UnitNormHasUnitLengthAndFlatWindowsAreZero) {
  NeighborhoodOptions o;
  o.window = 5;
  o.normalization = VectorNormalization::kUnitNorm;
  o.append_statistics = false;
  cv::Mat v;
  ComputeNeighborhoodVectors(o, Ramp(), {cv::Point(3, 3)}, &v);
  EXPECT_NEAR(cv::norm(v.row(0)), 1.0, 1e-5);
  cv::Mat flat(9, 9, CV_32F, cv::Scalar(50.0f));
  ComputeNeighborhoodVectors(o, flat, {cv::Point(4, 4)}, &v);
  EXPECT_EQ(cv::norm(v.row(0)), 0.0);
}

TEST(NeighborhoodTest, MaskSelectsPixelsInRowMajorOrder) {
  NeighborhoodOptions o;
  cv::Mat mask = cv::Mat::zeros(6, 7, CV_8U);
  mask.at<uint8_t>(4, 1) = 255;
  mask.at<uint8_t>(1, 5) = 255;
  cv::Mat v;
  std::vector<cv::Point> points;
  ComputeNeighborhoodVectors(o, Ramp(), mask, &v, &points);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0], cv::Point(5, 1));
  EXPECT_EQ(points[1], cv::Point(1, 4));
  EXPECT_EQ(v.rows, 2);
  EXPECT_EQ(v.cols, o.Dimension());
}

TEST(NeighborhoodTest, EvenWindowIsRejected) {
  NeighborhoodOptions o;
  o.window = 4;
  std::string error;
  EXPECT_FALSE(o.Check(&error));
  cv::Mat v;
  EXPECT_THROW(ComputeNeighborhoodVectors(o, Ramp(), {cv::Point(0, 0)}, &v), CheckError);
}

}  // namespace
}  // namespace tint
