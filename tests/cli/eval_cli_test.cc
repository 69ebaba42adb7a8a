// `tint eval` on the project's own photos: the methods table (with the
// rebalanced AuC and the CNN mode) and the BSDS-layout region benchmark.
#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "cli/run_tint.h"
#include "core/file_util.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using testing::RunResult;
using testing::RunTint;

TEST(EvalCliTest, ReportsEveryMethodBesideTheBaseline) {
  const std::string dir = testing::ScratchDir();
  const RunResult r =
      RunTint("eval --images " + testing::SourceDir() + "/tests/data --methods classic,cnn --csv " + dir + "/rows.csv",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("AuC-rb"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("grayscale"), std::string::npos);
  EXPECT_NE(r.out.find("classic"), std::string::npos);
  EXPECT_NE(r.out.find("cnn:tint-hypercolumn-s"), std::string::npos);
  std::vector<uint8_t> csv;
  ASSERT_TRUE(ReadFileBytes(dir + "/rows.csv", &csv).ok());
  const std::string text(csv.begin(), csv.end());
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 2 * 3);  // header + 2 photos x 3 methods
}

// A BSDS-shaped folder with one photo and two "human" segmentations drawn
// by hand: the run prints the ODS/OIS row; a photo without segmentations is
// reported on one line, counted, and the run goes on (exit 1).
TEST(EvalCliTest, RegionBenchmarkOnABsdsLayout) {
  const std::string dir = testing::ScratchDir();
  const fs::path root = fs::path(dir) / "bsds";
  fs::create_directories(root / "images" / "test");
  fs::create_directories(root / "segmentations" / "test");
  cv::Mat photo = cv::imread(testing::TestDataPath("bridge_small.jpg"), cv::IMREAD_COLOR);
  ASSERT_FALSE(photo.empty());
  ASSERT_TRUE(cv::imwrite((root / "images" / "test" / "1.jpg").string(), photo));
  cv::Mat halves(photo.size(), CV_16U, cv::Scalar(1));
  halves.rowRange(photo.rows / 2, photo.rows).setTo(2);
  cv::Mat quarters = halves.clone();
  quarters.colRange(photo.cols / 2, photo.cols) += 2;
  ASSERT_TRUE(cv::imwrite((root / "segmentations" / "test" / "1_1.png").string(), halves));
  ASSERT_TRUE(cv::imwrite((root / "segmentations" / "test" / "1_2.png").string(), quarters));

  RunResult r = RunTint("eval --bsds-regions " + root.string() + " --split test --segment-counts 2,4,8 --csv " +
                            dir + "/regions.csv",
                        dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tint normalized cuts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Cov ODS"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir + "/regions.csv"));

  ASSERT_TRUE(cv::imwrite((root / "images" / "test" / "2.jpg").string(), photo));  // no segmentations
  r = RunTint("eval --bsds-regions " + root.string() + " --split test --segment-counts 2,4", dir);
  EXPECT_EQ(r.exit_code, 1);
  // One error line (the progress line also goes to stderr).
  size_t errors = 0;
  for (size_t at = r.err.find("error:"); at != std::string::npos; at = r.err.find("error:", at + 1)) ++errors;
  EXPECT_EQ(errors, 1u) << r.err;
  EXPECT_NE(r.err.find("no human segmentations 2_"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 photos of test"), std::string::npos) << r.out;

  r = RunTint("eval --bsds-regions " + root.string() + " --split train", dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  r = RunTint("eval --bsds-regions " + root.string() + " --split test --segment-counts 0", dir);
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace tint
