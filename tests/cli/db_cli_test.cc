// `tint db` end to end on a scratch database made from the test images.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "cli/run_tint.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using testing::RunResult;
using testing::RunTint;

class DbCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    db_ = dir_ + "/db";
    fs::create_directories(db_);
    image_ = testing::TestDataPath("street_small.png");  // 160x120, CamVid val
  }
  RunResult Db(const std::string& args) { return RunTint("db --db " + db_ + " " + args, dir_); }
  void ExpectOneLineFailure(const RunResult& r, const std::string& fragment) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.ErrLines(), 1) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  }
  void AddSome() {
    ASSERT_EQ(
        Db("add --label sky --image " + image_ + " --rect 0,0,40,24 --rect 60,0,40,24").exit_code,
        0);
    ASSERT_EQ(Db("add --label earth --image " + image_ + " --rect 40,90,40,28").exit_code, 0);
  }
  std::string dir_, db_, image_;
};

// sky: 2 patches of 40x24 (17 x 9 samples each on the default grid: 306),
// earth: 2 of 40x28 (17 x 11: 374): no label stands out. A whole-photo
// grass patch (77 x 57 = 4389 samples, as tint db stats counts them) is
// 11.7x the median label's (374): a warning.
TEST_F(DbCliTest, AddWarnsWhenOneLabelOutweighsTheOthers) {
  AddSome();
  RunResult r = Db("add --label earth --image " + image_ + " --rect 0,40,40,28");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  r = Db("add --label grass --image " + image_ + " --rect 0,0,160,120");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: label 'grass' has 4389 samples, 11.7x the median label's (374)"),
            std::string::npos)
      << r.err;
}

// db preview draws what db add would take and adds nothing; it refuses
// what add refuses and never writes over its image.
TEST_F(DbCliTest, PreviewDrawsTheRectanglesAndAddsNothing) {
  const std::string out = dir_ + "/preview.png";
  RunResult r = Db("preview --label water --image " + image_ +
                   " --rect 10,60,40,30 --rect 100,20,50,40 -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 rectangle(s)"), std::string::npos) << r.out;
  const cv::Mat picture = cv::imread(out, cv::IMREAD_COLOR);
  const cv::Mat photo = cv::imread(image_, cv::IMREAD_COLOR);
  ASSERT_EQ(picture.size(), photo.size());
  // The outline's colour on the first rectangle's left edge; the middle of
  // the second is the photo's own.
  const cv::Vec3b edge = picture.at<cv::Vec3b>(75, 10);
  EXPECT_EQ(edge, cv::Vec3b(0, 230, 255));
  EXPECT_EQ(picture.at<cv::Vec3b>(40, 125), photo.at<cv::Vec3b>(40, 125));
  EXPECT_FALSE(fs::exists(db_ + "/manifest.json"));  // nothing added
  ExpectOneLineFailure(
      Db("preview --label water --image " + image_ + " --rect 150,0,40,30 -o " + dir_ + "/p2.png"),
      "lies outside the 160x120 image");
  ExpectOneLineFailure(
      Db("preview --label water --image " + image_ + " --rect 0,0,4,4 -o " + dir_ + "/p3.png"),
      "at least 8x8");
  ExpectOneLineFailure(
      Db("preview --label water --image " + image_ + " --rect 0,0,40,30 -o " + image_),
      "would overwrite the image");
}

TEST_F(DbCliTest, AddListStatsBuildVerifySheetRemove) {
  AddSome();
  RunResult r = Db("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("user-street_small-sky-60-0"), std::string::npos) << r.out;
  r = Db("stats");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 patches"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("index cache: missing"), std::string::npos) << r.out;
  r = Db("build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Db("verify");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("index cache valid"), std::string::npos) << r.out;
  r = Db("stats");
  EXPECT_NE(r.out.find("index cache built with: format=4;manifest="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(";window=7;"), std::string::npos) << r.out;
  r = Db("sheet --label sky -o " + dir_ + "/sky.png");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(cv::imread(dir_ + "/sky.png").empty());
  // A change makes the cache stale: verify says so, colorize can refuse it.
  r = Db("remove user-street_small-sky-0-0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectOneLineFailure(Db("verify"), "stale");
  r = RunTint("colorize " + image_ + " -o " + dir_ + "/o.png --db " + db_ + " --require-cache",
              dir_);
  ExpectOneLineFailure(r, "tint db build");
  r = RunTint("colorize " + image_ + " -o " + dir_ + "/o.png --db " + db_ + " -v", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("built in memory"), std::string::npos) << r.err;
}

TEST_F(DbCliTest, GenericLabelMapImport) {
  cv::Mat map(120, 160, CV_8U, cv::Scalar(0));
  map(cv::Rect(0, 70, 160, 50)).setTo(3);
  cv::imwrite(dir_ + "/map.png", map);
  const RunResult r = Db("import --labels " + dir_ + "/map.png --image " + image_ +
                         " --classes 0=sky,3=earth --patch-size 24 --max-clipped 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("earth 1"), std::string::npos) << r.out;
}

TEST_F(DbCliTest, AddFromAMask) {
  cv::Mat mask = cv::Mat::zeros(120, 160, CV_8U);
  mask(cv::Rect(0, 0, 100, 40)).setTo(255);
  cv::imwrite(dir_ + "/mask.png", mask);
  RunResult r =
      Db("add --label sky --image " + image_ + " --mask " + dir_ + "/mask.png --patch-size 24");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 100x40 holds four non-overlapping 24x24 tiles side by side.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;
  cv::imwrite(dir_ + "/empty.png", cv::Mat::zeros(120, 160, CV_8U));
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --mask " + dir_ + "/empty.png"),
                       "the mask is empty");
  cv::Mat thin = cv::Mat::zeros(120, 160, CV_8U);
  thin(cv::Rect(0, 0, 160, 4)).setTo(255);
  cv::imwrite(dir_ + "/thin.png", thin);
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --mask " + dir_ + "/thin.png"),
                       "no 32x32 tile fits");
  ExpectOneLineFailure(Db("add --label sky --image " + image_), "--rect");
}

TEST_F(DbCliTest, BadArgumentsGiveOneLine) {
  AddSome();
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --rect 150,100,40,40"),
                       "outside");
  ExpectOneLineFailure(Db("add --label 'Sky!' --image " + image_ + " --rect 0,0,20,20"),
                       "lower-case");
  ExpectOneLineFailure(Db("add --label sky --image " + dir_ + "/none.png --rect 0,0,20,20"),
                       "no such file");
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --rect 1,2,3"), "x,y,w,h");
  ExpectOneLineFailure(Db("add --label sky --image /data/camvid/test/a.png --rect 0,0,20,20"),
                       "test split");
  ExpectOneLineFailure(Db("import --camvid /data/camvid --split test"), "test split");
  ExpectOneLineFailure(Db("remove no-such-patch"), "no-such-patch");
  ExpectOneLineFailure(Db("sheet --label lava -o " + dir_ + "/lava.png"), "lava");
  ExpectOneLineFailure(Db("frobnicate"), "see --help");
}

TEST_F(DbCliTest, BrokenDatabasesAreNamed) {
  AddSome();
  // A patch file changed behind the manifest's back.
  for (const auto& e : fs::recursive_directory_iterator(db_ + "/patches")) {
    if (e.path().string().find("earth") != std::string::npos && e.is_regular_file()) {
      cv::imwrite(e.path().string(), cv::Mat(28, 40, CV_8UC3, cv::Scalar(1, 2, 3)));
    }
  }
  ExpectOneLineFailure(Db("verify"), "content hash does not match");
  // A truncated manifest.
  const std::string manifest = db_ + "/manifest.json";
  const auto size = fs::file_size(manifest);
  fs::resize_file(manifest, size / 2);
  ExpectOneLineFailure(Db("verify"), "manifest.json");
  ExpectOneLineFailure(Db("stats"), "manifest.json");
  // A missing database folder.
  ExpectOneLineFailure(RunTint("db --db " + dir_ + "/nodb list", dir_), "not found");
}

}  // namespace
}  // namespace tint
