// classic --reference: the pipeline over a database made from a
// reference photo, and swatches that restrict matches region to region.
#include <gtest/gtest.h>

#include "core/color.h"
#include "guide/reference.h"
#include "pipeline/registry.h"
#include "testing.h"

namespace tint {
namespace {

// Left half a smooth colour, right half another with stripes, 120x80.
cv::Mat Photo(cv::Scalar left, cv::Scalar right) {
  cv::Mat bgr(80, 120, CV_8UC3, left);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 60; x < bgr.cols; ++x) {
      const double k = (x / 2) % 2 == 0 ? 1.3 : 0.7;
      bgr.at<cv::Vec3b>(y, x) =
          cv::Vec3b(cv::saturate_cast<uchar>(right[0] * k), cv::saturate_cast<uchar>(right[1] * k),
                    cv::saturate_cast<uchar>(right[2] * k));
    }
  }
  return bgr;
}

const Colorizer& Classic() {
  static std::unique_ptr<Colorizer> c = [] {
    MethodSpec spec;
    spec.options = {{"calibration_step", 0}};
    ColorizerContext context;
    context.db_dir = testing::SourceDir() + "/patchdb";
    std::unique_ptr<Colorizer> made;
    const Status s = CreateColorizer(spec, context, &made);
    TINT_CHECK(s.ok(), s.message());
    return made;
  }();
  return *c;
}

double MeanA(const cv::Mat& ab, cv::Rect r) { return cv::mean(ab(r))[0]; }

TEST(ClassicReferenceTest, ColoursFromTheReferenceAndSwatchesPairRegions) {
  ReferenceGuide reference;
  reference.bgr = Photo(cv::Scalar(50, 50, 170), cv::Scalar(170, 120, 60));  // red | blue stripes
  const cv::Mat l = ComputeLightness(Photo(cv::Scalar(95, 95, 95), cv::Scalar(120, 120, 120)));
  cv::Mat ab;
  ASSERT_TRUE(Classic().ColorizeFromReference(l, reference, &ab, nullptr).ok());
  const cv::Rect smooth(8, 8, 40, 64), stripes(72, 8, 40, 64);
  const cv::Scalar own_smooth = cv::mean(ab(smooth)), own_stripes = cv::mean(ab(stripes));
  EXPECT_GT(own_smooth[0], 10.0);    // smooth <- smooth red (a > 0)
  EXPECT_LT(own_stripes[1], -10.0);  // stripes <- blue stripes (b < 0)
  // The striped half of the photo paired with the reference's red half.
  Swatch swatch;
  ASSERT_TRUE(ParseSwatch("64,4,52,72:4,4,52,72", &swatch).ok());
  reference.swatches = {swatch};
  cv::Mat swatched;
  ASSERT_TRUE(Classic().ColorizeFromReference(l, reference, &swatched, nullptr).ok());
  const cv::Scalar now_stripes = cv::mean(swatched(stripes));
  EXPECT_GT(now_stripes[0], own_stripes[0] + 10.0);  // red now
  EXPECT_GT(now_stripes[1], -5.0);                   // not blue
  // A swatch outside the reference: one line.
  reference.swatches[0].reference = cv::Rect(100, 0, 40, 40);
  const Status s = Classic().ColorizeFromReference(l, reference, &swatched, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("inside the reference"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tint
