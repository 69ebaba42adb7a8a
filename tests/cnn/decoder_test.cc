#include "cnn/decoder.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tint {
namespace {

// One pixel, two bins: centres (10, 0) and (0, 20).
cv::Mat Centres() { return (cv::Mat_<float>(2, 2) << 10, 0, 0, 20); }

cv::Mat Blob(int channels, int h, int w, std::initializer_list<float> values) {
  int shape[] = {1, channels, h, w};
  cv::Mat m(4, shape, CV_32F);
  std::copy(values.begin(), values.end(), m.ptr<float>());
  return m;
}

TEST(DecodeBins, HandComputedAnnealedMeanFromLogits) {
  // Logits (0, ln 3): at T = 1 the softmax is (1/4, 3/4), so ab = (2.5, 15).
  cv::Mat logits = Blob(2, 1, 1, {0.f, static_cast<float>(std::log(3.0))});
  cv::Mat ab;
  ASSERT_TRUE(DecodeBins(logits, Centres(), 1.0, true, &ab).ok());
  ASSERT_EQ(ab.type(), CV_32FC2);
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[0], 2.5, 1e-5);
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[1], 15.0, 1e-5);
  // T = 0.5 squares the odds: (1, 9) / 10, so ab = (1, 18).
  ASSERT_TRUE(DecodeBins(logits, Centres(), 0.5, true, &ab).ok());
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[0], 1.0, 1e-5);
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[1], 18.0, 1e-5);
}

TEST(DecodeBins, ProbabilitiesGiveTheSameAnswerAsTheirLogits) {
  cv::Mat probs = Blob(2, 1, 1, {0.25f, 0.75f});
  cv::Mat ab;
  ASSERT_TRUE(DecodeBins(probs, Centres(), 0.5, false, &ab).ok());
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[0], 1.0, 1e-5);
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[1], 18.0, 1e-5);
  // A zero-probability bin never contributes; all-zero gives grey.
  cv::Mat zeros = Blob(2, 1, 1, {0.f, 0.f});
  ASSERT_TRUE(DecodeBins(zeros, Centres(), 0.38, false, &ab).ok());
  EXPECT_EQ(ab.at<cv::Vec2f>(0, 0), cv::Vec2f(0, 0));
}

TEST(DecodeBins, LayoutIsChannelMajorPerPixel) {
  // 1x2 pixels: the first votes bin 0, the second bin 1, strongly.
  cv::Mat logits = Blob(2, 1, 2, {50.f, 0.f, 0.f, 50.f});
  cv::Mat ab;
  ASSERT_TRUE(DecodeBins(logits, Centres(), 0.38, true, &ab).ok());
  ASSERT_EQ(ab.size(), cv::Size(2, 1));
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[0], 10.0, 1e-4);
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 1)[1], 20.0, 1e-4);
  // Huge logits do not overflow.
  cv::Mat huge = Blob(2, 1, 1, {1e30f, 0.f});
  ASSERT_TRUE(DecodeBins(huge, Centres(), 0.01, true, &ab).ok());
  EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[0], 10.0, 1e-4);
}

TEST(DecodeBins, RejectsMismatchedShapes) {
  cv::Mat three = Blob(3, 1, 1, {0.f, 0.f, 0.f});
  cv::Mat ab;
  Status s = DecodeBins(three, Centres(), 0.38, true, &ab);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("3 channels"), std::string::npos) << s.message();
  cv::Mat flat(2, 2, CV_32F, cv::Scalar(0));
  EXPECT_FALSE(DecodeBins(flat, Centres(), 0.38, true, &ab).ok());
  EXPECT_FALSE(DecodeBins(Blob(2, 1, 1, {0.f, 0.f}), Centres(), 0.0, true, &ab).ok());
}

TEST(DecodeAb, ScalesAndSplitsPlanes) {
  cv::Mat blob = Blob(2, 1, 2, {1.f, 2.f, 3.f, 4.f});
  cv::Mat ab;
  ASSERT_TRUE(DecodeAb(blob, 10.0, &ab).ok());
  EXPECT_EQ(ab.at<cv::Vec2f>(0, 0), cv::Vec2f(10, 30));
  EXPECT_EQ(ab.at<cv::Vec2f>(0, 1), cv::Vec2f(20, 40));
  EXPECT_FALSE(DecodeAb(Blob(3, 1, 1, {0.f, 0.f, 0.f}), 1.0, &ab).ok());
}

}  // namespace
}  // namespace tint
