#include "pipeline/colorizer.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "core/image_io.h"
#include "pipeline/classic/classic.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/explain.h"
#include "pipeline/grayscale.h"
#include "testing.h"

namespace tint {
namespace {

// Smooth bright blue "sky" and textured darker green "vegetation" patches.
std::unique_ptr<PatchDatabase> SyntheticDatabase(const NeighborhoodOptions& f) {
  std::vector<cv::Mat> patches;
  std::vector<std::string> labels;
  cv::RNG rng(testing::kSeed);
  for (int i = 0; i < 6; ++i) {
    cv::Mat sky(24, 24, CV_8UC3, cv::Scalar(235, 185, 130 + 5 * i));
    patches.push_back(sky);
    labels.push_back("sky");
    cv::Mat noise(24, 24, CV_8UC3);
    rng.fill(noise, cv::RNG::UNIFORM, 0, 60);
    cv::Mat veg = cv::Mat(24, 24, CV_8UC3, cv::Scalar(40, 110 + 4 * i, 50)) + noise;
    patches.push_back(veg);
    labels.push_back("vegetation");
  }
  return PatchDatabase::FromPatches(f, {}, patches, labels);
}

// Top: smooth bright; bottom: textured darker.
cv::Mat SyntheticPhoto() {
  cv::Mat grey(80, 100, CV_8U, cv::Scalar(200));
  cv::Mat noise(40, 100, CV_8U);
  cv::RNG rng(testing::kSeed + 1);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 60);
  grey(cv::Rect(0, 40, 100, 40)).setTo(80);
  grey(cv::Rect(0, 40, 100, 40)) += noise;
  return grey;
}

class ClassicTest : public ::testing::TestWithParam<std::string> {
 protected:
  ClassicOptions Options() const {
    ClassicOptions o;
    o.match.backend = GetParam();
    o.otsu.max_dark_lightness = 5;
    return o;
  }
};

TEST_P(ClassicTest, LabelsSkyAndVegetationAndKeepsLightness) {
  // Every grid point matched: the synthetic vegetation's noise matches the
  // database's weakly, so few of its pixels have a calibrated similarity
  // above 0, and the sequential vote's 32 of them may hold none (its
  // segment's confidence, and so its chroma, would then be 0).
  ClassicOptions o = Options();
  o.vote_confidence = 0;
  const auto colorizer = CreateClassicColorizer(o, SyntheticDatabase(o.features));
  const cv::Mat photo = SyntheticPhoto();
  cv::Mat out;
  ColorizeDetails d;
  ASSERT_TRUE(ColorizePhoto(*colorizer, PostOptions(), photo, &out, &d).ok());
  ASSERT_EQ(out.size(), photo.size());
  const int sky = 0, veg = 1;
  ASSERT_EQ(d.label_names[sky], "sky");
  int sky_ok = 0, veg_ok = 0;
  for (int r = 0; r < 80; ++r)
    for (int c = 0; c < 100; ++c)
      (r < 40 ? sky_ok : veg_ok) += d.labels.at<int>(r, c) == (r < 40 ? sky : veg);
  EXPECT_GE(sky_ok, 40 * 100 * 95 / 100);
  EXPECT_GE(veg_ok, 40 * 100 * 95 / 100);
  cv::Mat l, ab;
  SplitLab(out, &l, &ab);
  EXPECT_LT(ab.at<cv::Vec2f>(10, 50)[1], -5.0f);  // sky is bluish (b < 0)
  // Vegetation is greenish (a < 0); the noisy texture matches it less
  // surely than the smooth top matches sky, so confidence keeps part of it.
  EXPECT_LT(ab.at<cv::Vec2f>(70, 50)[0], -3.0f);
  // L preservation: the output's L equals the input's within 8-bit rounding.
  EXPECT_LT(cv::norm(l, ComputeLightness(photo), cv::NORM_INF), 1.0);
}

// should_stop (the service's job time limit) stops the method at its first
// check with StoppedStatus; asked after each stage and block, not only once.
TEST_P(ClassicTest, StopsWhenTold) {
  const ClassicOptions o = Options();
  const auto colorizer = CreateClassicColorizer(o, SyntheticDatabase(o.features));
  const cv::Mat lightness = ComputeLightness(SyntheticPhoto());
  for (const int stop_at : {1, 2, 3}) {
    int asked = 0;
    ColorizeDetails d;
    d.should_stop = [&asked, stop_at] { return ++asked >= stop_at; };
    cv::Mat ab;
    const Status s = colorizer->Colorize(lightness, &ab, &d);
    EXPECT_FALSE(s.ok()) << stop_at;
    EXPECT_EQ(s.message(), StoppedStatus().message());
    EXPECT_EQ(asked, stop_at);
  }
}

// A real photo (tests/data) with the bundled database: the output keeps L
// and is not grey.
TEST_P(ClassicTest, RealPhotoWithBundledDatabase) {
  cv::Mat photo;
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("bridge_small.jpg"), &photo).ok());
  std::unique_ptr<Colorizer> colorizer;
  // A sparser sampling of the database keeps this test quick under the
  // sanitizers (the exact matcher is brute force).
  ClassicOptions o = Options();
  o.sampling.stride = 6;
  o.calibration_step = 64;
  const Status s = CreateClassicColorizer(o, testing::SourceDir() + "/patchdb", &colorizer);
  ASSERT_TRUE(s.ok()) << s.message();
  cv::Mat out;
  ASSERT_TRUE(ColorizePhoto(*colorizer, PostOptions(), photo, &out).ok());
  cv::Mat l, ab;
  SplitLab(out, &l, &ab);
  EXPECT_LT(cv::norm(l, ComputeLightness(photo), cv::NORM_INF), 1.0);
  EXPECT_GT(cv::norm(ab, cv::NORM_L2) / std::sqrt(double(ab.total())), 2.0);
}

// A photo larger than proxy_pixels is segmented and matched on a proxy: the
// chroma comes back at full size and keeps the proxy's labels (sky on top,
// vegetation below), L is the photo's, the details stay at the proxy's size
// and the explanation pictures are still drawn at the photo's size.
// Through a proxy, the photo is joined strip by strip without a full-size
// ab: the same bytes as joining Colorize's full-size ab.
TEST_P(ClassicTest, JoiningStripByStripEqualsJoiningTheWholeChroma) {
  ClassicOptions o = Options();
  o.proxy_pixels = 10'000;
  const auto colorizer = CreateClassicColorizer(o, SyntheticDatabase(o.features));
  cv::Mat photo;
  cv::resize(SyntheticPhoto(), photo, cv::Size(), 3, 3, cv::INTER_NEAREST);  // 240x300
  const cv::Mat lightness = ComputeLightness(photo);
  cv::Mat ab, joined;
  ASSERT_TRUE(colorizer->Colorize(lightness, &ab, nullptr).ok());
  ASSERT_TRUE(colorizer->ColorizeJoined(lightness, &joined, nullptr).ok());
  ASSERT_EQ(joined.size(), photo.size());
  EXPECT_EQ(cv::norm(joined, JoinLab(lightness, ab), cv::NORM_INF), 0.0);
}

TEST_P(ClassicTest, LargePhotoIsColouredThroughAProxy) {
  ClassicOptions o = Options();
  o.proxy_pixels = 10'000;
  const auto colorizer = CreateClassicColorizer(o, SyntheticDatabase(o.features));
  cv::Mat photo;
  cv::resize(SyntheticPhoto(), photo, cv::Size(), 2, 2, cv::INTER_NEAREST);  // 160x200
  cv::Mat out;
  ColorizeDetails d;
  ASSERT_TRUE(ColorizePhoto(*colorizer, PostOptions(), photo, &out, &d).ok());
  ASSERT_EQ(out.size(), photo.size());
  ASSERT_FALSE(d.labels.empty());
  EXPECT_LE(d.labels.total(), 10'000u);
  EXPECT_LT(d.labels.cols, photo.cols);
  EXPECT_EQ(d.labels.size(), d.segments.size());
  EXPECT_GT(d.seconds.count("upsample"), 0u);
  cv::Mat l, ab;
  SplitLab(out, &l, &ab);
  EXPECT_LT(cv::norm(l, ComputeLightness(photo), cv::NORM_INF), 1.0);
  EXPECT_LT(ab.at<cv::Vec2f>(20, 100)[1], -5.0f);   // sky: bluish
  EXPECT_LT(ab.at<cv::Vec2f>(140, 100)[0], -3.0f);  // vegetation: greenish
  const cv::Mat labels = FieldAtSize(d.labels, photo.size());
  int agree = 0;
  for (int r = 0; r < photo.rows; ++r)
    for (int c = 0; c < photo.cols; ++c) agree += labels.at<int>(r, c) == (r < 80 ? 0 : 1);
  EXPECT_GE(agree, static_cast<int>(photo.total() * 90 / 100));
  const cv::Mat explained = ExplainLabels(photo, d);
  EXPECT_EQ(explained.cols, photo.cols);
  EXPECT_GE(explained.rows, photo.rows);
  EXPECT_EQ(ExplainConfidence(photo, d).cols, photo.cols);
}

// A proxy at least as large as the photo changes nothing, to the byte.
TEST_P(ClassicTest, ProxyLargerThanThePhotoChangesNothing) {
  ClassicOptions o = Options();
  const cv::Mat photo = SyntheticPhoto();
  cv::Mat outs[2];
  int i = 0;
  for (const int proxy : {0, static_cast<int>(photo.total())}) {
    o.proxy_pixels = proxy;
    const auto colorizer = CreateClassicColorizer(o, SyntheticDatabase(o.features));
    ASSERT_TRUE(ColorizePhoto(*colorizer, PostOptions(), photo, &outs[i++]).ok());
  }
  EXPECT_EQ(cv::norm(outs[0], outs[1], cv::NORM_INF), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Matchers, ClassicTest, ::testing::Values("exact", "flann"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(GrayscaleTest, PredictsZeroChroma) {
  cv::Mat l(5, 5, CV_32F, cv::Scalar(50)), ab;
  ASSERT_TRUE(CreateGrayscaleColorizer()->Colorize(l, &ab, nullptr).ok());
  EXPECT_EQ(cv::norm(ab, cv::NORM_INF), 0.0);
}

TEST(ClassicOptionsTest, MissingDatabaseIsAnError) {
  std::unique_ptr<Colorizer> c;
  const Status s = CreateClassicColorizer(ClassicOptions(), "/nonexistent-tint-db", &c);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(c, nullptr);
}

// With fallback = cnn, the segments that abstain take the CNN's colour and
// the others keep classic's; the explanation names them "none of mine".
TEST(ClassicAbstainTest, AbstainingSegmentsTakeTheFallbacksColour) {
  const cv::Mat photo = cv::imread(testing::TestDataPath("bridge_small.jpg"));
  ASSERT_FALSE(photo.empty());
  const cv::Mat lightness = ComputeLightness(photo);
  ColorizerContext context;
  context.db_dir = testing::SourceDir() + "/patchdb";
  context.default_model = testing::SourceDir() + "/models/tint-hc/card.toml";
  auto make = [&](const nlohmann::json& options, std::unique_ptr<Colorizer>* c) {
    MethodSpec spec;
    spec.options = options;
    return CreateColorizer(spec, context, c);
  };
  std::unique_ptr<Colorizer> grey_fallback, cnn_fallback, plain, cnn;
  const nlohmann::json abstain = {{"abstain_below", 0.6}, {"calibration_step", 64}};
  ASSERT_TRUE(make(abstain, &grey_fallback).ok());
  nlohmann::json with_cnn = abstain;
  with_cnn["fallback"] = "cnn";
  ASSERT_TRUE(make(with_cnn, &cnn_fallback).ok());
  ASSERT_TRUE(make({{"calibration_step", 64}}, &plain).ok());
  MethodSpec cnn_spec;
  cnn_spec.method = "cnn";
  ASSERT_TRUE(CreateColorizer(cnn_spec, context, &cnn).ok());
  cv::Mat ab_grey, ab_cnn, ab_plain, ab_net;
  ColorizeDetails d;
  ASSERT_TRUE(grey_fallback->Colorize(lightness, &ab_grey, &d).ok());
  ASSERT_TRUE(cnn_fallback->Colorize(lightness, &ab_cnn, nullptr).ok());
  ASSERT_TRUE(plain->Colorize(lightness, &ab_plain, nullptr).ok());
  ASSERT_TRUE(cnn->Colorize(lightness, &ab_net, nullptr).ok());
  ASSERT_EQ(d.label_names.back(), "none of mine");
  const cv::Mat none = d.labels == static_cast<int>(d.label_names.size()) - 1;
  const int abstained = cv::countNonZero(none);
  ASSERT_GT(abstained, 0);
  ASSERT_LT(abstained, lightness.rows * lightness.cols);  // some segments keep a label
  int from_network = 0, from_classic = 0;
  for (int r = 0; r < none.rows; ++r) {
    for (int c = 0; c < none.cols; ++c) {
      const cv::Vec2f got = ab_cnn.at<cv::Vec2f>(r, c);
      if (none.at<uint8_t>(r, c) != 0)
        from_network += got == ab_net.at<cv::Vec2f>(r, c);  // exactly the network's colour
      else
        from_classic += got == ab_grey.at<cv::Vec2f>(r, c);  // classic's, either fallback
    }
  }
  EXPECT_EQ(from_network, abstained);
  EXPECT_EQ(from_classic, none.rows * none.cols - abstained);
  EXPECT_GT(cv::norm(ab_plain, ab_grey, cv::NORM_L1), 0.0);
  std::unique_ptr<Colorizer> bad;
  EXPECT_EQ(make({{"abstain_below", 0.5}, {"calibration_step", 0}}, &bad).message(),
            "abstain_below needs the label calibration's similarities (calibration_step > 0)");
  EXPECT_EQ(make({{"fallback", "cnn"}}, &bad).message(),
            "fallback applies to segments that abstain: set abstain_below > 0");
}

}  // namespace
}  // namespace tint
