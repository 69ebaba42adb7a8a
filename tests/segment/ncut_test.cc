#include "segment/ncut.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "testing.h"

namespace tint {
namespace {

using SpMat = Eigen::SparseMatrix<double>;

SpMat FromEdges(int n, const std::vector<std::tuple<int, int, double>>& edges) {
  std::vector<Eigen::Triplet<double>> t;
  for (auto [i, j, w] : edges) {
    t.emplace_back(i, j, w);
    t.emplace_back(j, i, w);
  }
  SpMat m(n, n);
  m.setFromTriplets(t.begin(), t.end());
  return m;
}

// Path a-b (1), b-c (0.1), c-d (1). Cutting b|c: cut = 0.1,
// assoc(A) = 1 + 1.1 = 2.1 = assoc(B), Ncut = 0.2 / 2.1.
TEST(NCutValueTest, HandComputedPath) {
  const SpMat w = FromEdges(4, {{0, 1, 1.0}, {1, 2, 0.1}, {2, 3, 1.0}});
  EXPECT_NEAR(internal::NCutValue(w, {0, 0, 1, 1}), 0.2 / 2.1, 1e-12);
  // Cutting a|b: cut = 1, assoc(A) = d(a) = 1, assoc(B) = d(b) + d(c) + d(d) = 1.1 + 1.1 + 1 = 3.2.
  EXPECT_NEAR(internal::NCutValue(w, {0, 1, 1, 1}), 1.0 + 1.0 / 3.2, 1e-12);
}

// Two 30-node cliques joined by one weak edge split exactly at the bridge.
TEST(PartitionGraphTest, TwoCliquesJoinedWeakly) {
  std::vector<std::tuple<int, int, double>> e;
  for (int base : {0, 30})
    for (int i = 0; i < 30; ++i)
      for (int j = i + 1; j < 30; ++j) e.emplace_back(base + i, base + j, 1.0);
  e.emplace_back(5, 40, 0.01);
  NCutOptions o;
  o.max_segments = 2;
  std::vector<int> labels;
  NCutSummary summary;
  internal::PartitionGraph(o, FromEdges(60, e), &labels, &summary);
  ASSERT_EQ(summary.num_segments, 2);
  for (int i = 1; i < 30; ++i) EXPECT_EQ(labels[i], labels[0]);
  for (int i = 31; i < 60; ++i) EXPECT_EQ(labels[i], labels[30]);
  EXPECT_NE(labels[0], labels[30]);
  ASSERT_EQ(summary.cut_values.size(), 1u);
  EXPECT_LT(summary.cut_values[0], 0.01);
}

// A large graph exercises the sparse (Spectra) path: a 40x40 grid whose
// left and right halves are joined by weak edges.
TEST(PartitionGraphTest, LargeGridUsesSparseSolver) {
  const int side = 40;
  std::vector<std::tuple<int, int, double>> e;
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c) {
      const int i = r * side + c;
      if (c + 1 < side) e.emplace_back(i, i + 1, c + 1 == side / 2 ? 0.001 : 1.0);
      if (r + 1 < side) e.emplace_back(i, i + side, 1.0);
    }
  }
  NCutOptions o;
  o.max_segments = 2;
  std::vector<int> labels;
  internal::PartitionGraph(o, FromEdges(side * side, e), &labels, nullptr);
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c)
      EXPECT_EQ(labels[r * side + c], labels[c < side / 2 ? 0 : side - 1]);
  }
  EXPECT_NE(labels[0], labels[side - 1]);
}

class NCutImageTest : public ::testing::TestWithParam<NCutGraph> {};

// Two flat regions (with a little noise) give exactly two segments that
// follow the border.
TEST_P(NCutImageTest, TwoFlatRegionsGiveTwoSegments) {
  cv::Mat l(120, 160, CV_32F, cv::Scalar(25.0f));
  l(cv::Rect(70, 0, 90, 120)).setTo(75.0f);
  cv::Mat noise(l.size(), CV_32F);
  cv::RNG rng(testing::kSeed);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
  l += noise;
  NCutOptions o;
  o.graph = GetParam();
  cv::Mat labels;
  NCutSummary summary;
  SegmentNormalizedCuts(o, l, &labels, &summary);
  EXPECT_EQ(summary.num_segments, 2) << summary.BriefReport();
  ASSERT_EQ(labels.size(), l.size());
  // Away from the border (within one superpixel or grid cell of it) labels
  // are pure up to a budget of 0.1% of the pixels.
  const int left = labels.at<int>(60, 10), right = labels.at<int>(60, 150);
  EXPECT_NE(left, right);
  int wrong = 0;
  for (int r = 0; r < l.rows; ++r) {
    for (int c = 0; c < l.cols; ++c) {
      if (std::abs(c - 70) <= 8) continue;
      wrong += labels.at<int>(r, c) != (c < 70 ? left : right);
    }
  }
  EXPECT_LE(wrong, static_cast<int>(l.total() / 1000));
}

// A smooth ramp has no stable cut: one segment.
TEST_P(NCutImageTest, SmoothRampStaysWhole) {
  cv::Mat l(90, 120, CV_32F);
  for (int r = 0; r < l.rows; ++r)
    for (int c = 0; c < l.cols; ++c) l.at<float>(r, c) = 40.0f + 10.0f * c / l.cols;
  NCutOptions o;
  o.graph = GetParam();
  cv::Mat labels;
  NCutSummary summary;
  SegmentNormalizedCuts(o, l, &labels, &summary);
  EXPECT_EQ(summary.num_segments, 1) << summary.BriefReport();
}

INSTANTIATE_TEST_SUITE_P(Graphs, NCutImageTest,
                         ::testing::Values(NCutGraph::kPixelGrid, NCutGraph::kSuperpixels),
                         [](const ::testing::TestParamInfo<NCutGraph>& info) {
                           return info.param == NCutGraph::kPixelGrid ? "PixelGrid" : "Superpixels";
                         });

TEST(NCutOptionsTest, InvalidValuesAreReported) {
  NCutOptions o;
  std::string error;
  EXPECT_TRUE(o.Check(&error));
  o.radius = 0.5;
  EXPECT_FALSE(o.Check(&error));
  EXPECT_NE(error.find("radius"), std::string::npos);
  o = NCutOptions();
  o.slic_iterations = 0;
  EXPECT_FALSE(o.Check(&error));
  EXPECT_NE(error.find("slic_iterations"), std::string::npos);
}

// The SLIC iterations reach SLIC: on a textured photo-like image one
// iteration leaves other superpixels, hence another graph, than ten.
TEST(NCutOptionsTest, SlicIterationsChangeTheSuperpixels) {
  cv::Mat lightness(160, 240, CV_32F);
  cv::RNG rng(::tint::testing::kSeed);
  rng.fill(lightness, cv::RNG::UNIFORM, 0, 100);
  cv::GaussianBlur(lightness, lightness, cv::Size(0, 0), 6);
  cv::normalize(lightness, lightness, 0, 100, cv::NORM_MINMAX);
  NCutOptions o;
  NCutSummary ten, one;
  cv::Mat labels_ten, labels_one, again;
  SegmentNormalizedCuts(o, lightness, &labels_ten, &ten);
  SegmentNormalizedCuts(o, lightness, &again);
  EXPECT_EQ(cv::countNonZero(labels_ten != again), 0);  // repeatable
  o.slic_iterations = 1;
  SegmentNormalizedCuts(o, lightness, &labels_one, &one);
  EXPECT_TRUE(ten.num_edges != one.num_edges || cv::countNonZero(labels_ten != labels_one) > 0);
}

}  // namespace
}  // namespace tint
