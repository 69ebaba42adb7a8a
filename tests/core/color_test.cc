#include "core/color.h"
#include "core/status.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "testing.h"

namespace tint {
namespace {

TEST(ColorTest, GreyImageHasZeroChroma) {
  cv::Mat grey(4, 4, CV_8U, cv::Scalar(128));
  cv::Mat l, ab;
  SplitLab(grey, &l, &ab);
  EXPECT_NEAR(cv::norm(ab, cv::NORM_INF), 0.0, 1e-3);
  // sRGB 128/255 -> Y = 0.2159 -> L = 116 * Y^(1/3) - 16 = 53.585
  EXPECT_NEAR(l.at<float>(0, 0), 53.585, 0.05);
}

TEST(ColorTest, DepthsAndAlphaGiveTheSameLightness) {
  cv::Mat bgr8(3, 3, CV_8UC3, cv::Scalar(30, 140, 200));
  cv::Mat bgr16, bgra;
  bgr8.convertTo(bgr16, CV_16U, 257.0);
  cv::cvtColor(bgr8, bgra, cv::COLOR_BGR2BGRA);
  const cv::Mat l8 = ComputeLightness(bgr8);
  EXPECT_LT(cv::norm(l8, ComputeLightness(bgr16), cv::NORM_INF), 1e-3);
  EXPECT_LT(cv::norm(l8, ComputeLightness(bgra), cv::NORM_INF), 1e-3);
}

TEST(ColorTest, YuvOfGreyHasNoChroma) {
  cv::Mat grey(2, 2, CV_8U, cv::Scalar(200));
  cv::Mat y, u, v;
  ComputeYuv(grey, &y, &u, &v);
  EXPECT_NEAR(y.at<float>(0, 0), 200.0 / 255.0, 1e-4);
  EXPECT_NEAR(cv::norm(u, cv::NORM_INF), 0.0, 1e-4);
  EXPECT_NEAR(cv::norm(v, cv::NORM_INF), 0.0, 1e-4);
}

// The output's L equals the input's within 8-bit rounding, even for chroma
// far outside the sRGB gamut.
TEST(ColorTest, JoinLabKeepsLightnessForAnyChroma) {
  cv::Mat l(64, 64, CV_32F), ab(64, 64, CV_32FC2);
  cv::randu(l, 0.0, 100.0);
  cv::randu(ab, -128.0, 127.0);
  const cv::Mat out = JoinLab(l, ab);
  ASSERT_EQ(out.type(), CV_8UC3);
  EXPECT_LT(cv::norm(ComputeLightness(out), l, cv::NORM_INF), 1.0);
}

TEST(ColorTest, JoinLabRoundTripsInGamutColours) {
  cv::Mat bgr(16, 16, CV_8UC3);
  cv::randu(bgr, 0, 256);
  cv::Mat l, ab;
  SplitLab(bgr, &l, &ab);
  const cv::Mat back = JoinLab(l, ab);
  EXPECT_LE(cv::norm(back, bgr, cv::NORM_INF), 1.0);
}

// tint computes Lab by the formulas (OpenCV's tables cost 60 ms of
// every start). It must give the CIE values for known colours, and agree with
// OpenCV's COLOR_BGR2Lab (same matrix and white) up to OpenCV's own
// interpolation error of the sRGB and cube-root curves (up to 0.19 in L).
TEST(ColorTest, LabIsTheCieFormula) {
  struct Known {
    cv::Vec3b bgr;
    float l, a, b;
  };
  for (const Known& k :
       {Known{{0, 0, 255}, 53.24f, 80.09f, 67.20f}, Known{{0, 255, 0}, 87.73f, -86.18f, 83.18f},
        Known{{255, 0, 0}, 32.30f, 79.19f, -107.86f}, Known{{128, 128, 128}, 53.59f, 0.0f, 0.0f},
        Known{{255, 255, 255}, 100.0f, 0.0f, 0.0f}}) {
    cv::Mat l, ab;
    SplitLab(cv::Mat(1, 1, CV_8UC3, cv::Scalar(k.bgr[0], k.bgr[1], k.bgr[2])), &l, &ab);
    EXPECT_NEAR(l.at<float>(0, 0), k.l, 0.02) << k.bgr;
    EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[0], k.a, 0.05) << k.bgr;
    EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[1], k.b, 0.05) << k.bgr;
  }
}

TEST(ColorTest, LabAgreesWithOpenCv) {
  cv::Mat bytes(64, 64, CV_8UC3);
  cv::RNG rng(7);
  rng.fill(bytes, cv::RNG::UNIFORM, 0, 256);
  bytes.at<cv::Vec3b>(0, 0) = cv::Vec3b(0, 0, 0);  // the dark (linear) branch
  bytes.at<cv::Vec3b>(0, 1) = cv::Vec3b(3, 2, 1);
  for (const cv::Mat& image : {bytes, ToFloatBgr(bytes)}) {
    cv::Mat l, ab, reference;
    SplitLab(image, &l, &ab);
    cv::cvtColor(ToFloatBgr(image), reference, cv::COLOR_BGR2Lab);
    cv::Mat planes[3];
    cv::split(reference, planes);
    cv::Mat ref_ab;
    cv::merge(&planes[1], 2, ref_ab);
    EXPECT_LT(cv::norm(l, planes[0], cv::NORM_INF), 0.2);
    EXPECT_LT(cv::norm(ab, ref_ab, cv::NORM_INF), 0.5);
    EXPECT_EQ(cv::norm(ComputeLightness(image), l, cv::NORM_INF), 0.0);
  }
}

TEST(ColorTest, EmptyImageIsAProgrammerError) { EXPECT_THROW(ToFloatBgr(cv::Mat()), CheckError); }

TEST(ColorTest, StripsGiveTheWholeImageAnswer) {
  // 1500 x 1500 px spans two strips of ComputeLightness and JoinLab.
  cv::Mat bgr(1500, 1500, CV_8UC3);
  cv::RNG rng(::tint::testing::kSeed);
  rng.fill(bgr, cv::RNG::UNIFORM, 0, 256);
  cv::Mat l, ab;
  SplitLab(bgr, &l, &ab);
  EXPECT_EQ(cv::norm(ComputeLightness(bgr), l, cv::NORM_INF), 0.0);
  cv::Mat whole;
  JoinLabFloat(l, ab).convertTo(whole, CV_8UC3, 255.0);
  EXPECT_EQ(cv::norm(JoinLab(l, ab), whole, cv::NORM_INF), 0.0);
}

TEST(ColorTest, UvToAbRebuildsAColourFromItsLumaAndUV) {
  // A colour's (U, V) with the grey of the same Y' is the colour again, so
  // its Lab chroma comes back.
  for (const cv::Scalar bgr : {cv::Scalar(200, 140, 60), cv::Scalar(60, 170, 90),
                               cv::Scalar(90, 120, 220), cv::Scalar(128, 128, 128)}) {
    const cv::Mat colour(1, 1, CV_8UC3, bgr);
    cv::Mat y, u, v;
    ComputeYuv(colour, &y, &u, &v);
    const cv::Mat grey(1, 1, CV_32FC3, cv::Scalar::all(y.at<float>(0, 0)));
    const cv::Mat lightness = ComputeLightness(grey);
    EXPECT_NEAR(GreyLuma(lightness).at<float>(0, 0), 100.0f * y.at<float>(0, 0), 0.05f);
    cv::Mat uv;
    cv::merge(std::vector<cv::Mat>{u, v}, uv);
    const cv::Mat ab = UvToAb(GreyLuma(lightness), uv);
    cv::Mat l_true, ab_true;
    SplitLab(colour, &l_true, &ab_true);
    EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[0], ab_true.at<cv::Vec2f>(0, 0)[0], 0.5f) << bgr;
    EXPECT_NEAR(ab.at<cv::Vec2f>(0, 0)[1], ab_true.at<cv::Vec2f>(0, 0)[1], 0.5f) << bgr;
  }
  // The same (U, V) on a darker grey is a different Lab chroma: Y'UV and Lab
  // transfer differ.
  const cv::Mat uv(1, 1, CV_32FC2, cv::Scalar(0.1, -0.1));
  const cv::Vec2f bright =
      UvToAb(GreyLuma(cv::Mat(1, 1, CV_32F, cv::Scalar(80))), uv).at<cv::Vec2f>(0, 0);
  const cv::Vec2f dark =
      UvToAb(GreyLuma(cv::Mat(1, 1, CV_32F, cv::Scalar(30))), uv).at<cv::Vec2f>(0, 0);
  EXPECT_GT(std::abs(bright[1] - dark[1]), 2.0f);
}

}  // namespace
}  // namespace tint
