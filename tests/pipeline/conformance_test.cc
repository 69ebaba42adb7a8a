// Every registered method, through the registry: output size and
// type, L kept, the same result from two threads at once as from one, one-line
// errors on bad options, and every size from 1x1 to 8x8 and strips as thin as
// 2 px (one tiny photo used to segfault classic mode in SLIC and so
// kill a folder run). A method added to the registry is tested here with no
// change to this file; the toy method below shows how one is added.
#include <thread>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/color.h"
#include "core/image_io.h"
#include "guide/reference.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/registry.h"
#include "testing.h"

namespace tint {
namespace {

// The walk-through of docs/extending.md, "A method", in a test target only: a
// colorizer (here a constant sepia tone) and its registration.
class SepiaColorizer : public Colorizer {
 public:
  std::string name() const override { return "toy-sepia"; }
  Status Colorize(const cv::Mat& lightness, cv::Mat* ab, ColorizeDetails*) const override {
    *ab = cv::Mat(lightness.size(), CV_32FC2, cv::Scalar(6, 14));
    return Status::Ok();
  }
};
Status CreateSepia(const MethodSpec&, const ColorizerContext&,
                   std::unique_ptr<Colorizer>* colorizer) {
  *colorizer = std::make_unique<SepiaColorizer>();
  return Status::Ok();
}
const bool kToyRegistered =
    RegisterMethod({"toy-sepia", "a constant sepia tone (test only)", &CreateSepia}).ok();

std::vector<std::string> MethodNames() {
  std::vector<std::string> names;
  for (const MethodInfo& m : RegisteredMethods()) names.push_back(m.name);
  return names;
}

// One colorizer per method, made once for the whole suite. Never destroyed:
// cvflann's parameter maps need its own statics, which may be gone by the time
// a static map of ours would be destroyed (UBSan saw it in CI).
const Colorizer& Get(const std::string& method) {
  static auto* made = new std::map<std::string, std::unique_ptr<Colorizer>>();
  auto& c = (*made)[method];
  if (c) return *c;
  MethodSpec spec;
  spec.method = method;
  if (FindMethod(method)->options == &ClassicMethodOptions())
    spec.options = {{"calibration_step", 0}};  // quick to make
  ColorizerContext context;
  context.db_dir = testing::SourceDir() + "/patchdb";
  context.default_model = testing::SourceDir() + "/models/tint-hc/card.toml";
  const Status s = CreateColorizer(spec, context, &c);
  TINT_CHECK(s.ok() && c, s.message());
  return *c;
}

// What a guided method needs beside the photo: strokes for one
// that colours only from them (one red stroke in the top-left corner), a
// reference photo for one that colours only from it. Null for the others.
struct Guide {
  Hints hints;
  ReferenceGuide reference;
  PhotoGuide guide;
};
const PhotoGuide* GuideFor(const std::string& method, cv::Size size, Guide* g) {
  const MethodInfo& info = *FindMethod(method);
  if (info.colours_from_hints) {
    g->hints.mask = cv::Mat::zeros(size, CV_8U);
    g->hints.ab = cv::Mat::zeros(size, CV_32FC2);
    const cv::Rect stroke(0, 0, std::min(3, size.width), 1);
    g->hints.mask(stroke).setTo(255);
    g->hints.ab(stroke).setTo(cv::Scalar(40, 20));
    g->hints.count = stroke.area();
    g->guide.hints = &g->hints;
  } else if (info.colours_from_reference) {
    EXPECT_TRUE(ReadImage({}, testing::TestDataPath("street_small.png"), &g->reference.bgr).ok());
    g->guide.reference = &g->reference;
  } else {
    return nullptr;
  }
  return &g->guide;
}

Status ColorizeGuided(const Colorizer& c, const std::string& method, const cv::Mat& photo,
                      cv::Mat* bgr, ColorizeDetails* details = nullptr) {
  Guide g;
  return ColorizePhoto(c, PostOptions(), photo, bgr, details, GuideFor(method, photo.size(), &g));
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceTest, APhotoKeepsItsSizeAndLightness) {
  cv::Mat photo;
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("bridge_small.jpg"), &photo).ok());
  cv::Mat bgr;
  ColorizeDetails details;
  ASSERT_TRUE(ColorizeGuided(Get(GetParam()), GetParam(), photo, &bgr, &details).ok());
  EXPECT_EQ(bgr.size(), photo.size());
  EXPECT_EQ(bgr.type(), CV_8UC3);
  EXPECT_LE(cv::norm(ComputeLightness(photo), ComputeLightness(bgr), cv::NORM_INF), 1.5);
  if (FindMethod(GetParam())->explains_labels) EXPECT_EQ(details.labels.size(), photo.size());
}

TEST_P(ConformanceTest, TwoThreadsAtOnceGiveWhatOneGives) {
  cv::Mat a, b;
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("bridge_small.jpg"), &a).ok());
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("street_small.png"), &b).ok());
  const Colorizer& c = Get(GetParam());
  cv::Mat alone_a, alone_b, together_a, together_b;
  const std::string& m = GetParam();
  ASSERT_TRUE(ColorizeGuided(c, m, a, &alone_a).ok());
  ASSERT_TRUE(ColorizeGuided(c, m, b, &alone_b).ok());
  Status sa, sb;
  std::thread ta([&] { sa = ColorizeGuided(c, m, a, &together_a); });
  std::thread tb([&] { sb = ColorizeGuided(c, m, b, &together_b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(cv::norm(alone_a, together_a, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(alone_b, together_b, cv::NORM_INF), 0.0);
}

// A method that takes a reference photo colours from it when given one (the
// same result from two threads), and one that does not refuses it in one line.
TEST_P(ConformanceTest, AReferencePhotoIsUsedOrRefused) {
  const MethodInfo& info = *FindMethod(GetParam());
  cv::Mat photo;
  ReferenceGuide reference;
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("bridge_small.jpg"), &photo).ok());
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("street_small.png"), &reference.bgr).ok());
  PhotoGuide guide;
  guide.reference = &reference;
  Guide strokes;
  if (info.colours_from_hints) guide.hints = GuideFor(GetParam(), photo.size(), &strokes)->hints;
  cv::Mat bgr, again;
  const Status s = ColorizePhoto(Get(GetParam()), PostOptions(), photo, &bgr, nullptr, &guide);
  if (!info.takes_reference) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
    EXPECT_NE(s.message().find("takes no reference"), std::string::npos) << s.message();
    return;
  }
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(bgr.size(), photo.size());
  EXPECT_LE(cv::norm(ComputeLightness(photo), ComputeLightness(bgr), cv::NORM_INF), 1.5);
  Status t;
  std::thread other(
      [&] { t = ColorizePhoto(Get(GetParam()), PostOptions(), photo, &again, nullptr, &guide); });
  other.join();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(cv::norm(bgr, again, cv::NORM_INF), 0.0);
}

TEST_P(ConformanceTest, BadOptionsGiveOneLine) {
  const MethodInfo& info = *FindMethod(GetParam());
  ColorizerContext context;
  context.db_dir = testing::SourceDir() + "/patchdb";
  MethodSpec spec;
  spec.method = GetParam();
  const bool classic = info.options == &ClassicMethodOptions();
  spec.options = classic ? nlohmann::json{{"window", 8}} : nlohmann::json{{"anything", 1}};
  std::unique_ptr<Colorizer> c;
  Status s = CreateColorizer(spec, context, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  // Classic: a bad value; a method with another table: a name it lacks;
  // one without options: any name.
  const std::string expected = classic                   ? "window must be"
                               : info.options != nullptr ? "unknown option 'anything'"
                                                         : "takes no options";
  EXPECT_NE(s.message().find(expected), std::string::npos) << s.message();
  spec.options = nlohmann::json::object();
  spec.model = info.takes_model ? "/no/such/card.toml" : "card.toml";
  s = CreateColorizer(spec, context, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST_P(ConformanceTest, EveryTinySizeGivesAResultOfThatSize) {
  const Colorizer& colorizer = Get(GetParam());
  std::vector<cv::Size> sizes;
  for (int h = 1; h <= 8; ++h) {
    for (int w = 1; w <= 8; ++w) sizes.emplace_back(w, h);
  }
  // Strips 2500 times longer than thin: every downscaling in the methods
  // (the normalized-cuts grid, the network's input) rounds their short side
  // below one pixel. Longer ones test nothing more; under the sanitizers the
  // exact seed presets took 9 minutes on strips of 20000 x 2.
  for (cv::Size s : {cv::Size(300, 6), cv::Size(6, 300), cv::Size(5000, 2), cv::Size(2, 5000),
                     cv::Size(1, 5000), cv::Size(4000, 1), cv::Size(13, 9), cv::Size(25, 7)}) {
    sizes.push_back(s);
  }
  cv::RNG rng(testing::kSeed);
  for (const cv::Size& size : sizes) {
    SCOPED_TRACE(std::to_string(size.width) + "x" + std::to_string(size.height));
    cv::Mat grey(size, CV_8U);
    rng.fill(grey, cv::RNG::UNIFORM, 0, 256);
    cv::Mat bgr;
    const Status s = ColorizeGuided(colorizer, GetParam(), grey, &bgr);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(bgr.size(), size);
    ASSERT_EQ(bgr.type(), CV_8UC3);
    EXPECT_LE(cv::norm(ComputeLightness(grey), ComputeLightness(bgr), cv::NORM_INF), 1.5);
  }
}

INSTANTIATE_TEST_SUITE_P(Registered, ConformanceTest, ::testing::ValuesIn(MethodNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(RegistryTest, TheToyMethodIsRegisteredOnceAndUnknownNamesAreRefused) {
  EXPECT_TRUE(kToyRegistered);
  EXPECT_FALSE(RegisterMethod({"toy-sepia", "again", &CreateSepia}).ok());
  std::unique_ptr<Colorizer> c;
  MethodSpec spec;
  spec.method = "nosuch";
  const Status s = CreateColorizer(spec, ColorizerContext(), &c);
  EXPECT_NE(s.message().find(
                "unknown method 'nosuch' (registered: grayscale, classic, classic-exact, cnn"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace tint
