// The metric table: scoring, the summary, the CSV and the report
// iterate it, so a metric added to it (here a toy one, in a test target only,
// as docs/extending.md "A metric" walks through) reaches all of them.
#include "eval/metric_table.h"

#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/file_util.h"
#include "eval/experiment.h"
#include "pipeline/grayscale.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

// The walk-through: one entry (key, header, digits, direction, description,
// function) and this test.
const bool kToyRegistered =
    RegisterMetric({"toy_mean_b", "mean b", 2, true, "mean b of the output (test only)",
                    [](const PhotoScoreInput& in) { return cv::mean(in.out_ab)[1]; }})
        .ok();

TEST(MetricTableTest, KeysAreUniqueAndEveryEntryIsComplete) {
  std::set<std::string> keys;
  for (const MetricInfo& m : MetricTable()) {
    EXPECT_TRUE(keys.insert(m.key).second) << m.key;
    EXPECT_FALSE(m.header.empty()) << m.key;
    EXPECT_TRUE(m.compute) << m.key;
    EXPECT_GE(m.digits, 0);
  }
  for (const char* k : {"auc", "auc_rebalanced", "ab_rmse", "psnr", "ssim", "colorfulness",
                        "max_l_diff", "seconds"}) {
    EXPECT_NE(FindMetric(k), nullptr) << k;
  }
  EXPECT_EQ(FindMetric("acu"), nullptr);  // a misspelled key is not a metric
  EXPECT_TRUE(kToyRegistered);
  EXPECT_FALSE(
      RegisterMetric({"auc", "again", 2, true, "", [](const PhotoScoreInput&) { return 0.0; }})
          .ok());
}

TEST(MetricTableTest, IdenticalImagesScoreAtTheirBest) {
  cv::Mat truth8(8, 8, CV_8UC3, cv::Scalar(40, 120, 200));
  PhotoScoreInput in;
  in.out8 = in.truth8 = truth8;
  cv::Mat lab;
  truth8.convertTo(lab, CV_32F, 1.0 / 255);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  std::vector<cv::Mat> ch;
  cv::split(lab, ch);
  in.out_l = in.truth_l = ch[0];
  cv::merge(std::vector<cv::Mat>{ch[1], ch[2]}, in.out_ab);
  in.truth_ab = in.out_ab;
  AbPrior prior;
  prior.Add(in.truth_ab);
  in.prior = &prior;
  EXPECT_DOUBLE_EQ(FindMetric("auc")->compute(in), 100.0);
  EXPECT_DOUBLE_EQ(FindMetric("psnr")->compute(in), 99.0);  // infinite, reported as 99
  EXPECT_DOUBLE_EQ(FindMetric("ab_rmse")->compute(in), 0.0);
}

TEST(MetricTableTest, AnAddedMetricReachesTheResultsTheSummaryAndTheCsv) {
  const std::string out = testing::ScratchDir();
  ExperimentConfig config;
  config.name = "toy";
  DatasetSpec d;
  d.name = "data";
  d.kind = "folder";
  d.path = testing::SourceDir() + "/tests/data";
  ASSERT_TRUE(ResolveDataset("test", &d).ok());
  config.datasets.push_back(d);
  const std::unique_ptr<Colorizer> grey = CreateGrayscaleColorizer();
  RunOptions options;
  options.out_dir = out;
  options.progress = false;
  RunCounts counts;
  ASSERT_TRUE(RunExperiment(config, {grey.get()}, {"grayscale"}, options, &counts).ok());
  nlohmann::json summary;
  const Status s =
      SummarizeExperiment(config, {"grayscale"}, out, {}, nlohmann::json::object(), &summary);
  ASSERT_TRUE(s.ok()) << s.message();
  const auto& mean = summary["datasets"][0]["methods"][0]["mean"];
  ASSERT_TRUE(mean.contains("toy_mean_b"));
  EXPECT_NEAR(mean["toy_mean_b"].get<double>(), 0.0, 0.1);  // grayscale: b = 0 up to 8-bit rounding
  bool listed = false;
  for (const auto& m : summary["metrics"])
    listed |= m["key"] == "toy_mean_b" && m["header"] == "mean b";
  EXPECT_TRUE(listed);
  std::vector<uint8_t> csv;
  ASSERT_TRUE(ReadFileBytes(out + "/per_photo.csv", &csv).ok());
  EXPECT_NE(std::string(csv.begin(), csv.end()).find(",toy_mean_b,"), std::string::npos);
}

}  // namespace
}  // namespace tint
