#include "guide/reference.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "features/neighborhood.h"
#include "patchdb/database.h"

namespace tint {
namespace {

// A BGR photo: the left half a smooth colour, the right half another colour
// with a strong texture (stripes), lightness as given.
cv::Mat Photo(cv::Size size, cv::Scalar left, cv::Scalar right) {
  cv::Mat bgr(size, CV_8UC3, left);
  for (int y = 0; y < size.height; ++y) {
    for (int x = size.width / 2; x < size.width; ++x) {
      const double k = (x / 2) % 2 == 0 ? 1.25 : 0.75;
      bgr.at<cv::Vec3b>(y, x) =
          cv::Vec3b(cv::saturate_cast<uchar>(right[0] * k), cv::saturate_cast<uchar>(right[1] * k),
                    cv::saturate_cast<uchar>(right[2] * k));
    }
  }
  return bgr;
}

cv::Vec2f MeanAb(const cv::Mat& ab, cv::Rect r) {
  const cv::Scalar m = cv::mean(ab(r));
  return {static_cast<float>(m[0]), static_cast<float>(m[1])};
}

// Smooth pixels take the reference's smooth colour and textured ones its
// textured colour, although the photo is brighter than the reference (the
// luminance remapping) and of another size.
TEST(WelshTest, MatchesByLightnessAndTextureAfterRemapping) {
  ReferenceGuide ref;
  ref.bgr = Photo({80, 60}, cv::Scalar(40, 40, 140), cv::Scalar(160, 110, 60));  // red | blue
  const cv::Mat grey = Photo({64, 48}, cv::Scalar(90, 90, 90), cv::Scalar(140, 140, 140));
  const cv::Mat l = ComputeLightness(grey);
  cv::Mat ab;
  ASSERT_TRUE(WelshTransfer(l, ref, WelshOptions(), &ab).ok());
  ASSERT_EQ(ab.size(), l.size());
  const cv::Vec2f left = MeanAb(ab, {4, 4, 20, 40}), right = MeanAb(ab, {40, 4, 20, 40});
  EXPECT_GT(left[0], 20.0f) << left;     // red: a > 0
  EXPECT_LT(right[1], -10.0f) << right;  // blue: b < 0
  cv::Mat again;
  ASSERT_TRUE(WelshTransfer(l, ref, WelshOptions(), &again).ok());
  EXPECT_EQ(cv::norm(ab, again, cv::NORM_INF), 0.0);  // seeded jitter
}

// With a swatch, the target rectangle takes colour from the reference
// rectangle only, and the rest of the photo from the coloured swatch.
TEST(WelshTest, SwatchesRestrictMatchesRegionToRegion) {
  ReferenceGuide ref;
  ref.bgr = Photo({80, 60}, cv::Scalar(40, 40, 140), cv::Scalar(160, 110, 60));
  const cv::Mat l =
      ComputeLightness(Photo({64, 48}, cv::Scalar(90, 90, 90), cv::Scalar(140, 140, 140)));
  Swatch swatch;
  ASSERT_TRUE(ParseSwatch("36,4,20,40:0,0,30,60", &swatch).ok());  // textured <- smooth red
  ref.swatches = {swatch};
  cv::Mat ab;
  ASSERT_TRUE(WelshTransfer(l, ref, WelshOptions(), &ab).ok());
  EXPECT_GT(MeanAb(ab, {36, 4, 20, 40})[0], 20.0f);  // red, not the blue it matched without
  EXPECT_GT(MeanAb(ab, {4, 4, 20, 40})[0], 20.0f);   // the rest: from the red swatch
}

TEST(WelshTest, BadSwatchesAreOneLineErrors) {
  Swatch s;
  for (const char* bad : {"", "1,2,3,4", "1,2,3,4:5,6,7", "1,2,3,4:5,6,7,8,9", "a,2,3,4:5,6,7,8",
                          "1;2,3,4:5,6,7,8", "1,2,3,4:5,6,7,8x"}) {
    const Status status = ParseSwatch(bad, &s);
    EXPECT_FALSE(status.ok()) << bad;
    EXPECT_NE(status.message().find("TX,TY,TW,TH:RX,RY,RW,RH"), std::string::npos);
  }
  ASSERT_TRUE(ParseSwatch("0,0,10,10:5,5,20,20", &s).ok());
  EXPECT_EQ(s.target, cv::Rect(0, 0, 10, 10));
  EXPECT_EQ(s.reference, cv::Rect(5, 5, 20, 20));
  ReferenceGuide ref;
  ref.bgr = cv::Mat(30, 30, CV_8UC3, cv::Scalar(10, 100, 200));
  ref.swatches = {s};
  EXPECT_TRUE(CheckSwatches(ref, {40, 40}).ok());
  Status status = CheckSwatches(ref, {8, 40});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("inside the photo (8x40)"), std::string::npos)
      << status.message();
  ref.swatches[0].reference = cv::Rect(20, 20, 20, 20);
  status = CheckSwatches(ref, {40, 40});
  EXPECT_NE(status.message().find("inside the reference (30x30)"), std::string::npos);
  ref.swatches[0].reference = cv::Rect(0, 0, 4, 20);
  EXPECT_FALSE(CheckSwatches(ref, {40, 40}).ok());  // under 5x5
}

// The database classic mode makes from a reference: one label per region.
TEST(ReferenceDatabaseTest, SamplesAreLabelledByTheirRegion) {
  const cv::Mat bgr = Photo({40, 30}, cv::Scalar(40, 40, 140), cv::Scalar(160, 110, 60));
  cv::Mat regions(bgr.size(), CV_32S, cv::Scalar(0));
  regions.colRange(20, 40).setTo(1);
  NeighborhoodOptions features;
  PatchSamplingOptions sampling;
  const auto db =
      PatchDatabase::FromLabelledPhoto(features, sampling, bgr, regions, {"region-1", "region-2"});
  ASSERT_GT(db->num_samples(), 0);
  EXPECT_EQ(db->label_names(), (std::vector<std::string>{"region-1", "region-2"}));
  int left = 0, right = 0;
  for (int i = 0; i < db->num_samples(); ++i) {
    const int label = db->sample_labels()[i];
    (label == 0 ? left : right)++;
    // The red region's samples carry red chroma (a > 0), the blue one's blue (b < 0).
    if (label == 0) EXPECT_GT(db->chroma().at<float>(i, 0), 10.0f);
  }
  EXPECT_GT(left, 0);
  EXPECT_GT(right, 0);
}

}  // namespace
}  // namespace tint
