// Keyframe video: frames coloured from a keyframe, the temporal
// term, and the flicker metric.
#include "pipeline/sequence.h"
#include "guide/reference.h"
#include "pipeline/grayscale.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "eval/metric_table.h"
#include "eval/metrics.h"
#include "pipeline/welsh.h"

namespace tint {
namespace {

// A 96x64 clip: a smooth grey background (L about 50) and a bright square
// (L about 80) moving right by 3 px per frame.
cv::Mat Frame(int t) {
  cv::Mat bgr(64, 96, CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const bool square = x >= 20 + 3 * t && x < 44 + 3 * t && y >= 20 && y < 44;
      const uchar v = static_cast<uchar>(square ? 200 + (x + y) % 7 : 110 + x / 8 + y / 8);
      bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(v, v, v);
    }
  }
  return bgr;
}

// A stand-in for a reference method whose answer wobbles from call to call,
// as a per-frame colorizer's does: bright pixels red, the rest green, plus
// noise of its own on every call.
class WobblyColorizer : public Colorizer {
 public:
  std::string name() const override { return "wobbly"; }
  Status Colorize(const cv::Mat&, cv::Mat*, ColorizeDetails*) const override {
    return Status::Error("needs a reference");
  }
  Status ColorizeFromReference(const cv::Mat& l, const ReferenceGuide&, cv::Mat* ab,
                               ColorizeDetails*) const override {
    *ab = cv::Mat(l.size(), CV_32FC2);
    for (int y = 0; y < l.rows; ++y) {
      for (int x = 0; x < l.cols; ++x) {
        const cv::Vec2f base = l.at<float>(y, x) > 70 ? cv::Vec2f(50, 30) : cv::Vec2f(-30, 30);
        ab->at<cv::Vec2f>(y, x) = base + cv::Vec2f(static_cast<float>(rng_.gaussian(6)),
                                                   static_cast<float>(rng_.gaussian(6)));
      }
    }
    return Status::Ok();
  }

 private:
  mutable cv::RNG rng_{7};
};

double ClipFlicker(double temporal, double* a_in_square) {
  WobblyColorizer wobbly;
  SequenceOptions options;
  options.temporal = temporal;
  SequenceColorizer sequence(wobbly, Frame(0), options);
  cv::Mat previous_out_ab, previous_truth_ab;
  double flicker = 0;
  *a_in_square = 1e9;
  for (int t = 1; t <= 6; ++t) {
    const cv::Mat grey = Frame(t);
    cv::Mat out, l, out_ab, truth_ab;
    EXPECT_TRUE(sequence.Next(grey, &out).ok());
    EXPECT_LE(cv::norm(ComputeLightness(out), ComputeLightness(grey), cv::NORM_INF), 1.0);
    SplitLab(out, &l, &out_ab);
    truth_ab = cv::Mat::zeros(out_ab.size(), CV_32FC2);  // a still truth: every pixel counts
    if (t > 1) flicker += TemporalFlicker(previous_out_ab, out_ab, previous_truth_ab, truth_ab);
    previous_out_ab = out_ab;
    previous_truth_ab = truth_ab;
    // The square's leading columns (after the first frame, the first with a
    // previous one): just moved in, they must not keep the green of before.
    if (t > 1)
      *a_in_square = std::min(*a_in_square, cv::mean(out_ab(cv::Rect(41 + 3 * t, 22, 3, 20)))[0]);
  }
  return flicker / 5;
}

// The term smooths the per-frame wobble, and the colour follows the motion.
TEST(SequenceTest, TheTemporalTermLowersFlickerAndFollowsTheMotion) {
  double red_alone = 0, red_temporal = 0;
  const double alone = ClipFlicker(0.0, &red_alone);
  const double temporal = ClipFlicker(0.6, &red_temporal);
  EXPECT_GT(alone, 5.0);
  EXPECT_LT(temporal, 0.75 * alone) << alone;
  // Not dragged towards the background's green (a = -30) where the square moved in.
  EXPECT_GT(red_alone, 15.0);
  EXPECT_GT(red_temporal, 0.8 * red_alone);
}

TEST(SequenceTest, AFrameOfAnotherSizeAndBadOptionsAreRefused) {
  const auto welsh = CreateWelshColorizer(WelshOptions());
  SequenceColorizer sequence(*welsh, Frame(0), SequenceOptions());
  cv::Mat out;
  const Status s = sequence.Next(cv::Mat(10, 10, CV_8U, cv::Scalar(50)), &out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the frame is 10x10 but the keyframe is 96x64"), std::string::npos)
      << s.message();
  SequenceOptions bad;
  std::string error;
  bad.temporal = 1.0;
  EXPECT_FALSE(bad.Check(&error));
  bad.temporal = -0.1;
  EXPECT_FALSE(bad.Check(&error));
  // A method without a reference cannot colour a sequence.
  const auto grey = CreateGrayscaleColorizer();
  SequenceColorizer none(*grey, Frame(0), SequenceOptions());
  EXPECT_FALSE(none.Next(Frame(1), &out).ok());
}

TEST(FlickerTest, CountsChangeOnlyWhereTheTruthStaysStill) {
  cv::Mat truth0(4, 4, CV_32FC2, cv::Scalar(10, 10)), truth1 = truth0.clone();
  truth1(cv::Rect(0, 0, 2, 4)).setTo(cv::Scalar(40, 10));  // the left half changes in truth
  cv::Mat out0(4, 4, CV_32FC2, cv::Scalar(0, 0)), out1(4, 4, CV_32FC2, cv::Scalar(3, 4));
  EXPECT_DOUBLE_EQ(TemporalFlicker(out0, out1, truth0, truth1), 5.0);  // |(3, 4)| on the right half
  out1(cv::Rect(2, 0, 2, 4)).setTo(cv::Scalar(0, 0));
  EXPECT_DOUBLE_EQ(TemporalFlicker(out0, out1, truth0, truth1), 0.0);
  EXPECT_DOUBLE_EQ(TemporalFlicker(out0, out1, truth1, truth0 + cv::Scalar(50, 50)),
                   0.0);  // none still
  ASSERT_EQ(FramePairMetricTable().size(), 1u);
  EXPECT_EQ(FramePairMetricTable()[0].key, "flicker");
  EXPECT_DOUBLE_EQ(FramePairMetricTable()[0].compute({out0, out1, truth0, truth1}), 0.0);
}

}  // namespace
}  // namespace tint
