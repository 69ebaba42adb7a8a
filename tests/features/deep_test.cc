#include "features/deep.h"

#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "cnn/npy.h"
#include "features/neighborhood.h"
#include "testing.h"

namespace tint {
namespace {

std::string Network() { return testing::SourceDir() + "/models/tint-deep/features.onnx"; }

TEST(DeepFeaturesTest, AMissingNetworkIsOneLineAndCanBeRetried) {
  const Status s = LoadDeepFeatures(testing::ScratchDir() + "/none.onnx");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_NE(s.message().find("deep features"), std::string::npos) << s.message();
  ASSERT_TRUE(LoadDeepFeatures(Network()).ok());
}

// The exporter's check pair (experiments/cnn/export_deep_features.py): the
// map tint computes equals torch's output for the same L.
TEST(DeepFeaturesTest, TheMapMatchesTheExportersCheck) {
  ASSERT_TRUE(LoadDeepFeatures(Network()).ok());
  cv::Mat input, expected;
  const std::string check = testing::SourceDir() + "/models/tint-deep/check/";
  ASSERT_TRUE(ReadNpy(check + "input.npy", &input).ok());
  ASSERT_TRUE(ReadNpy(check + "features.npy", &expected).ok());
  ASSERT_EQ(input.dims, 4);
  const cv::Mat l(input.size[2], input.size[3], CV_32F, input.ptr<float>());
  const DeepMap map = ComputeDeepMap(l);
  ASSERT_EQ(map.rows, expected.size[2]);
  ASSERT_EQ(map.cols, expected.size[3]);
  const cv::Mat want(kDeepDimension * map.rows, map.cols, CV_32F, expected.ptr<float>());
  EXPECT_LT(cv::norm(map.planes, want, cv::NORM_INF), 1e-3);
  EXPECT_DOUBLE_EQ(map.scale, 0.25);
}

TEST(DeepFeaturesTest, VectorsAreUnitAndACropReadsItsSourcesMap) {
  ASSERT_TRUE(LoadDeepFeatures(Network()).ok());
  cv::Mat photo(96, 128, CV_32F);
  cv::randu(photo, 0, 100);
  cv::GaussianBlur(photo, photo, cv::Size(9, 9), 3);
  NeighborhoodOptions o;
  o.kind = FeatureKind::kDeep;
  EXPECT_EQ(o.Dimension(), kDeepDimension);
  std::vector<cv::Point> points = {{40, 30}, {70, 50}};
  cv::Mat whole;
  ComputeNeighborhoodVectors(o, photo, points, &whole);
  ASSERT_EQ(whole.cols, kDeepDimension);
  for (int i = 0; i < whole.rows; ++i) EXPECT_NEAR(cv::norm(whole.row(i)), 1.0, 1e-5);
  // A 48x40 crop at (32, 24): with its source's map it reads the same
  // vectors as the photo at the same places; alone, other ones.
  const cv::Mat crop = photo(cv::Rect(32, 24, 48, 40)).clone();
  PositionFrame frame;
  frame.offset_x = 32;
  frame.offset_y = 24;
  frame.source_deep = std::make_shared<const DeepMap>(ComputeDeepMap(photo));
  cv::Mat in_source, alone;
  ComputeNeighborhoodVectors(o, crop, {{8, 6}, {38, 26}}, &in_source, frame);
  ComputeNeighborhoodVectors(o, crop, {{8, 6}, {38, 26}}, &alone);
  EXPECT_LT(cv::norm(in_source, whole, cv::NORM_INF), 1e-6);
  EXPECT_GT(cv::norm(alone, whole, cv::NORM_INF), 1e-3);
  // Repeatable to the byte.
  cv::Mat again;
  ComputeNeighborhoodVectors(o, photo, points, &again);
  EXPECT_EQ(cv::norm(again, whole, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace tint
