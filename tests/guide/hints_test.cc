#include "guide/hints.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/color.h"

namespace tint {
namespace {

// A 60x40 photo: a dark left half (L 30) and a bright right half (L 70), with
// a little texture (as noise would give) so that the window variances are not all zero.
cv::Mat TwoHalves() {
  cv::Mat l(40, 60, CV_32F);
  cv::RNG rng(7);
  for (int y = 0; y < l.rows; ++y) {
    for (int x = 0; x < l.cols; ++x)
      l.at<float>(y, x) = (x < 30 ? 30.f : 70.f) + static_cast<float>(rng.gaussian(0.5));
  }
  return l;
}

Hints MakeHints(cv::Size size, const std::vector<std::pair<cv::Rect, cv::Vec2f>>& strokes) {
  Hints h;
  h.mask = cv::Mat::zeros(size, CV_8U);
  h.ab = cv::Mat::zeros(size, CV_32FC2);
  for (const auto& [rect, ab] : strokes) {
    h.mask(rect).setTo(255);
    h.ab(rect).setTo(cv::Scalar(ab[0], ab[1]));
    h.count += rect.area();
  }
  return h;
}

cv::Vec2f MeanAb(const cv::Mat& ab, cv::Rect where) {
  const cv::Scalar m = cv::mean(ab(where));
  return {static_cast<float>(m[0]), static_cast<float>(m[1])};
}

class HintWeightsTest : public ::testing::TestWithParam<HintWeights> {};

TEST_P(HintWeightsTest, LevinPropagationStopsAtAnEdgeOfShade) {
  const cv::Mat l = TwoHalves();
  const cv::Vec2f red(50, 30), blue(10, -45);
  const Hints hints =
      MakeHints(l.size(), {{cv::Rect(5, 18, 6, 3), red}, {cv::Rect(48, 5, 3, 6), blue}});
  cv::Mat ab = cv::Mat::zeros(l.size(), CV_32FC2);
  HintOptions options;
  options.weights = GetParam();
  ASSERT_TRUE(PropagateHints(l, hints, options, &ab).ok());
  // Each half takes its own stroke's colour, far from the stroke too; little
  // leaks across the edge (the strokes are 76 apart).
  const cv::Vec2f left = MeanAb(ab, cv::Rect(0, 0, 28, 40)),
                  right = MeanAb(ab, cv::Rect(32, 0, 28, 40));
  EXPECT_LT(cv::norm(left - red), 8.0) << left;
  EXPECT_LT(cv::norm(right - blue), 10.0) << right;
  EXPECT_LT(cv::norm(ab.at<cv::Vec2f>(39, 0) - red), 10.0);
  // Pixels under a stroke keep it exactly.
  EXPECT_EQ(ab.at<cv::Vec2f>(19, 7), red);
  EXPECT_EQ(ab.at<cv::Vec2f>(7, 49), blue);
}

INSTANTIATE_TEST_SUITE_P(BothWeightings, HintWeightsTest,
                         ::testing::Values(HintWeights::kLevin, HintWeights::kSymmetric),
                         [](const auto& info) { return std::string(HintWeightsName(info.param)); });

// The variance scale of pixel (x, y) as Levin et al.'s code takes it (see
// SolveCorrection): 0.6 x the variance of Y (0..1) in the 3x3 window, at
// least enough for the closest neighbour to keep a weight of 0.01, and 2e-6.
double Sigma2(const cv::Mat& l, int x, int y) {
  std::vector<double> v;
  const double centre = l.at<float>(y, x) / 100.0;
  double closest = 1e30;
  for (int dy = -1; dy <= 1; ++dy) {
    for (int dx = -1; dx <= 1; ++dx) {
      const int xx = x + dx, yy = y + dy;
      if (xx < 0 || yy < 0 || xx >= l.cols || yy >= l.rows) continue;
      v.push_back(l.at<float>(yy, xx) / 100.0);
      if (dx != 0 || dy != 0) closest = std::min(closest, std::pow(v.back() - centre, 2));
    }
  }
  double mean = 0, mean2 = 0;
  for (double t : v) mean += t / v.size(), mean2 += t * t / v.size();
  return std::max({0.6 * std::max(0.0, mean2 - mean * mean), -closest / std::log(0.01), 2e-6});
}

// Each weighting's solution satisfies its own equation at every pixel off
// the strokes, D(r) = sum_s w_rs D(s) / sum_s w_rs over the 4 neighbours
// (plus the screening floor):
// Levin's row-normalised w_rs = exp(-d^2 / sigma_r^2), or their symmetric
// geometric mean. The two differ on a textured photo.
TEST(HintsTest, EachWeightingSolvesItsOwnEquations) {
  cv::Mat l(24, 32, CV_32F);
  cv::RNG rng(3);
  for (int y = 0; y < l.rows; ++y) {
    for (int x = 0; x < l.cols; ++x)
      l.at<float>(y, x) = (x + y < 28 ? 35.f : 60.f) + static_cast<float>(rng.uniform(0.0, 8.0));
  }
  const Hints hints = MakeHints(l.size(), {{cv::Rect(2, 3, 3, 2), cv::Vec2f(40, 20)},
                                           {cv::Rect(25, 18, 2, 3), cv::Vec2f(-10, -40)}});
  cv::Mat solved[2];
  for (HintWeights weights : {HintWeights::kLevin, HintWeights::kSymmetric}) {
    HintOptions options;
    options.weights = weights;
    cv::Mat& ab = solved[weights == HintWeights::kLevin ? 0 : 1];
    ab = cv::Mat::zeros(l.size(), CV_32FC2);
    ASSERT_TRUE(PropagateHints(l, hints, options, &ab).ok());
    double worst = 0;
    for (int y = 0; y < l.rows; ++y) {
      for (int x = 0; x < l.cols; ++x) {
        if (hints.mask.at<uchar>(y, x) != 0) continue;
        const double sr = Sigma2(l, x, y);
        double sum = 0;
        cv::Vec2d mean(0, 0);
        for (const cv::Point step :
             {cv::Point(1, 0), cv::Point(-1, 0), cv::Point(0, 1), cv::Point(0, -1)}) {
          const cv::Point s(x + step.x, y + step.y);
          if (s.x < 0 || s.y < 0 || s.x >= l.cols || s.y >= l.rows) continue;
          const double d2 = std::pow((l.at<float>(s) - l.at<float>(y, x)) / 100.0, 2);
          const double w = weights == HintWeights::kLevin
                               ? std::exp(-d2 / sr)
                               : std::exp(-0.5 * d2 * (1 / sr + 1 / Sigma2(l, s.x, s.y)));
          sum += w;
          mean += w * cv::Vec2d(ab.at<cv::Vec2f>(s));
        }
        // With reach 0, PropagateHints still screens by 1e-9 (its floor).
        worst = std::max(worst, cv::norm(cv::Vec2d(ab.at<cv::Vec2f>(y, x)) - mean / (sum + 1e-9)));
      }
    }
    EXPECT_LT(worst, 0.01) << HintWeightsName(weights);
  }
  EXPECT_GT(cv::norm(solved[0], solved[1], cv::NORM_INF), 1.0);
}

TEST(HintsTest, WeightsHaveOneNameEach) {
  for (HintWeights weights : {HintWeights::kLevin, HintWeights::kSymmetric}) {
    HintWeights parsed =
        weights == HintWeights::kLevin ? HintWeights::kSymmetric : HintWeights::kLevin;
    ASSERT_TRUE(ParseHintWeights(HintWeightsName(weights), &parsed));
    EXPECT_EQ(parsed, weights);
  }
  HintWeights parsed;
  EXPECT_FALSE(ParseHintWeights("geometric", &parsed));
  EXPECT_EQ(HintOptions().weights, HintWeights::kLevin);
}

// A photo larger than the working size is solved smaller and resized back:
// the halves still take their strokes' colours, and the strokes are exact.
TEST(HintsTest, ALargerPhotoIsSolvedAtTheWorkingSize) {
  cv::Mat l;
  cv::resize(TwoHalves(), l, cv::Size(240, 160), 0, 0, cv::INTER_NEAREST);
  const cv::Vec2f red(50, 30), blue(10, -45);
  const Hints hints =
      MakeHints(l.size(), {{cv::Rect(20, 72, 24, 3), red}, {cv::Rect(192, 20, 3, 24), blue}});
  HintOptions options;
  options.working_pixels = 2400;  // 60x40
  cv::Mat ab = cv::Mat::zeros(l.size(), CV_32FC2);
  ASSERT_TRUE(PropagateHints(l, hints, options, &ab).ok());
  EXPECT_LT(cv::norm(MeanAb(ab, cv::Rect(0, 0, 110, 160)) - red), 8.0);
  EXPECT_LT(cv::norm(MeanAb(ab, cv::Rect(130, 0, 110, 160)) - blue), 10.0);
  EXPECT_EQ(ab.at<cv::Vec2f>(73, 30), red);
  options.working_pixels = 10;
  std::string error;
  EXPECT_FALSE(options.Check(&error));
}

TEST(HintsTest, OneStrokeOnAnEvenPhotoColoursAllOfIt) {
  const cv::Mat l(30, 30, CV_32F, cv::Scalar(50));
  const cv::Vec2f green(-40, 35);
  const Hints hints = MakeHints(l.size(), {{cv::Rect(2, 2, 2, 2), green}});
  cv::Mat ab = cv::Mat::zeros(l.size(), CV_32FC2);
  ASSERT_TRUE(PropagateHints(l, hints, HintOptions(), &ab).ok());
  double worst = 0;
  for (int y = 0; y < ab.rows; ++y) {
    for (int x = 0; x < ab.cols; ++x)
      worst = std::max(worst, cv::norm(ab.at<cv::Vec2f>(y, x) - green));
  }
  EXPECT_LT(worst, 0.01);
}

// Over an automatic colour, a stroke's correction fades with the reach: near
// the stroke the pixel takes the stroke's colour, far away the automatic one.
TEST(HintsTest, ReachLimitsHowFarACorrectionCarries) {
  const cv::Mat l(20, 200, CV_32F, cv::Scalar(50));
  const cv::Vec2f automatic(-20, 20), stroke(40, 10);
  const Hints hints = MakeHints(l.size(), {{cv::Rect(0, 0, 3, 20), stroke}});
  for (double reach : {5.0, 40.0}) {
    cv::Mat ab(l.size(), CV_32FC2, cv::Scalar(automatic[0], automatic[1]));
    HintOptions options;
    options.reach = reach;
    ASSERT_TRUE(PropagateHints(l, hints, options, &ab).ok());
    const double near = cv::norm(ab.at<cv::Vec2f>(10, 3) - stroke);
    const double far = cv::norm(ab.at<cv::Vec2f>(10, 199) - automatic);
    EXPECT_LT(near, 15.0) << reach;
    EXPECT_LT(far, reach < 10 ? 0.01 : 5.0) << reach;
    // Monotone along the row: no overshoot.
    for (int x = 4; x < 199; ++x) {
      EXPECT_LE(ab.at<cv::Vec2f>(10, x + 1)[0], ab.at<cv::Vec2f>(10, x)[0] + 1e-4) << x;
    }
    // On an even shade the correction fades as exp(-distance / reach).
    const double expected = automatic[0] + (stroke[0] - automatic[0]) * std::exp(-18.0 / reach);
    EXPECT_NEAR(ab.at<cv::Vec2f>(10, 20)[0], expected, 3.0) << reach;
  }
}

TEST(HintsTest, ReadsStrokesByAlphaOrByColour) {
  const cv::Size size(32, 24);
  // With alpha: a grey stroke (asks for grey) and a red one.
  cv::Mat bgra(size, CV_8UC4, cv::Scalar(128, 128, 128, 0));
  bgra(cv::Rect(2, 2, 4, 2)).setTo(cv::Scalar(90, 90, 90, 255));
  bgra(cv::Rect(20, 10, 3, 3)).setTo(cv::Scalar(30, 30, 220, 200));
  Hints hints;
  ASSERT_TRUE(ReadHints(bgra, size, "h.png", &hints).ok());
  EXPECT_EQ(hints.count, 8 + 9);
  EXPECT_LT(cv::norm(hints.ab.at<cv::Vec2f>(3, 3)), 0.5);
  EXPECT_GT(hints.ab.at<cv::Vec2f>(11, 21)[0], 40.0f);  // red: a > 0
  // Without alpha: the grey photo with a blue scribble on it.
  cv::Mat bgr(size, CV_8UC3, cv::Scalar(100, 100, 100));
  bgr(cv::Rect(10, 5, 5, 1)).setTo(cv::Scalar(200, 60, 30));
  ASSERT_TRUE(ReadHints(bgr, size, "h.png", &hints).ok());
  EXPECT_EQ(hints.count, 5);
  EXPECT_LT(hints.ab.at<cv::Vec2f>(5, 12)[1], -30.0f);  // blue: b < 0
  EXPECT_EQ(hints.mask.at<uchar>(0, 0), 0);
}

TEST(HintsTest, BadHintsAreOneLineErrors) {
  Hints hints;
  const cv::Mat grey(24, 32, CV_8UC3, cv::Scalar(100, 100, 100));
  Status s = ReadHints(grey, cv::Size(32, 24), "h.png", &hints);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no stroke"), std::string::npos) << s.message();
  s = ReadHints(grey, cv::Size(33, 24), "h.png", &hints);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("32x24 but the photo is 33x24"), std::string::npos) << s.message();
  const cv::Mat transparent(24, 32, CV_8UC4, cv::Scalar(0, 0, 255, 0));
  EXPECT_FALSE(ReadHints(transparent, cv::Size(32, 24), "h.png", &hints).ok());
  for (const Status& e : {s}) EXPECT_EQ(e.message().find('\n'), std::string::npos);
  HintOptions bad;
  bad.reach = -1;
  std::string error;
  EXPECT_FALSE(bad.Check(&error));
  cv::Mat ab = cv::Mat::zeros(24, 32, CV_32FC2);
  Hints one = MakeHints(cv::Size(32, 24), {{cv::Rect(0, 0, 1, 1), cv::Vec2f(1, 1)}});
  EXPECT_FALSE(PropagateHints(cv::Mat(24, 32, CV_32F, cv::Scalar(50)), one, bad, &ab).ok());
}

}  // namespace
}  // namespace tint
