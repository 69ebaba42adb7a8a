// Every colorizer on tiny and extreme-aspect images (issue 11, item 7): each
// size from 1x1 to 8x8 and strips as thin as 2 px must give a result of the
// input's size with its L kept, never a crash. One such photo used to
// segfault classic mode inside OpenCV's SLIC and so kill a whole folder run.
#include <filesystem>

#include <gtest/gtest.h>

#include "core/color.h"
#include "pipeline/colorizer.h"
#include "testing.h"

namespace tint {
namespace {

enum class Method { kGrayscale, kClassicFlann, kClassicExact, kClassicGrid, kCnn };

std::string MethodName(Method m) {
  switch (m) {
    case Method::kGrayscale: return "grayscale";
    case Method::kClassicFlann: return "classic_flann";
    case Method::kClassicExact: return "classic_exact";
    case Method::kClassicGrid: return "classic_grid";
    case Method::kCnn: return "cnn";
  }
  return "?";
}

// One colorizer per method, made once for the whole suite.
const Colorizer& Get(Method m) {
  static std::map<Method, std::unique_ptr<Colorizer>> made;
  auto& c = made[m];
  if (c) return *c;
  const std::string db = testing::SourceDir() + "/patchdb";
  ClassicOptions o;
  o.calibration_step = 0;  // quick to make; calibration plays no part here
  Status s;
  switch (m) {
    case Method::kGrayscale: c = CreateGrayscaleColorizer(); break;
    case Method::kClassicFlann: s = CreateClassicColorizer(o, db, &c); break;
    case Method::kClassicExact:
      o.match.type = MatcherType::kExact;
      s = CreateClassicColorizer(o, db, &c);
      break;
    case Method::kClassicGrid:
      o.ncut.graph = NCutGraph::kPixelGrid;
      s = CreateClassicColorizer(o, db, &c);
      break;
    case Method::kCnn: {
      ModelCardOptions card;
      s = CreateCnnColorizer(testing::SourceDir() + "/models/tint-hc/card.toml", card, &c);
      break;
    }
  }
  TINT_CHECK(s.ok() && c, s.message());
  return *c;
}

std::vector<cv::Size> Sizes() {
  std::vector<cv::Size> sizes;
  for (int h = 1; h <= 8; ++h) {
    for (int w = 1; w <= 8; ++w) sizes.emplace_back(w, h);
  }
  for (cv::Size s : {cv::Size(300, 6), cv::Size(6, 300), cv::Size(20000, 2), cv::Size(2, 20000), cv::Size(1, 5000),
                     cv::Size(4000, 1), cv::Size(13, 9), cv::Size(25, 7)}) {
    sizes.push_back(s);
  }
  return sizes;
}

class TinyImagesTest : public ::testing::TestWithParam<Method> {};

TEST_P(TinyImagesTest, EverySizeGivesAResultOfThatSizeWithLKept) {
  const Colorizer& colorizer = Get(GetParam());
  cv::RNG rng(testing::kSeed);
  for (const cv::Size& size : Sizes()) {
    SCOPED_TRACE(std::to_string(size.width) + "x" + std::to_string(size.height));
    cv::Mat grey(size, CV_8U);
    rng.fill(grey, cv::RNG::UNIFORM, 0, 256);
    cv::Mat bgr;
    ColorizeDetails details;
    const Status s = ColorizePhoto(colorizer, PostOptions(), grey, &bgr, &details);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(bgr.size(), size);
    ASSERT_EQ(bgr.type(), CV_8UC3);
    const cv::Mat l_in = ComputeLightness(grey), l_out = ComputeLightness(bgr);
    EXPECT_LE(cv::norm(l_in, l_out, cv::NORM_INF), 1.5);
  }
}

INSTANTIATE_TEST_SUITE_P(AllMethods, TinyImagesTest,
                         ::testing::Values(Method::kGrayscale, Method::kClassicFlann, Method::kClassicExact,
                                           Method::kClassicGrid, Method::kCnn),
                         [](const ::testing::TestParamInfo<Method>& info) { return MethodName(info.param); });

}  // namespace
}  // namespace tint
