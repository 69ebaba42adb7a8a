#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "patchdb/database.h"
#include "patchdb/import.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

struct Scratch {
  std::string db, image;
};

Scratch Make() {
  Scratch s;
  const std::string dir = testing::ScratchDir();
  s.db = dir + "/db";
  fs::create_directories(s.db);
  s.image = dir + "/photo.png";
  cv::Mat img(60, 80, CV_8UC3, cv::Scalar(200, 150, 100));
  cv::imwrite(s.image, img);
  return s;
}

TEST(AddPatchesTest, AddsCropsThatLoad) {
  const Scratch s = Make();
  AddPatchOptions o;
  o.label = "sky";
  o.image = s.image;
  o.rects = {cv::Rect(0, 0, 20, 20), cv::Rect(40, 30, 24, 24)};
  std::vector<std::string> ids;
  ASSERT_TRUE(AddPatches(o, s.db, &ids).ok());
  EXPECT_EQ(ids.size(), 2u);
  Manifest m;
  ASSERT_TRUE(LoadManifest(s.db, &m).ok());
  ASSERT_EQ(m.patches.size(), 2u);
  EXPECT_EQ(m.patches[1].region, cv::Rect(40, 30, 24, 24));
  EXPECT_EQ(m.patches[1].image_size, cv::Size(80, 60));
  std::unique_ptr<PatchDatabase> db;
  EXPECT_TRUE(PatchDatabase::Load(s.db, {}, {}, &db).ok());
  // The same region again is refused and the manifest is unchanged.
  EXPECT_FALSE(AddPatches(o, s.db, nullptr).ok());
  ASSERT_TRUE(LoadManifest(s.db, &m).ok());
  EXPECT_EQ(m.patches.size(), 2u);
}

TEST(AddPatchesTest, RefusesBadArguments) {
  const Scratch s = Make();
  AddPatchOptions o;
  o.label = "sky";
  o.image = s.image;
  o.rects = {cv::Rect(70, 50, 20, 20)};  // outside the 80x60 image
  Status st = AddPatches(o, s.db, nullptr);
  EXPECT_NE(st.message().find("outside"), std::string::npos) << st.message();
  o.rects = {cv::Rect(0, 0, 20, 20)};
  o.label = "Sky!";
  EXPECT_NE(AddPatches(o, s.db, nullptr).message().find("lower-case"), std::string::npos);
  o.label = "sky";
  o.split = "test";
  EXPECT_NE(AddPatches(o, s.db, nullptr).message().find("test split"), std::string::npos);
  o.split = "train";
  o.image = "/data/bsds500/images/test/1.jpg";
  EXPECT_NE(AddPatches(o, s.db, nullptr).message().find("test split"), std::string::npos);
  o.image = s.image + ".missing";
  EXPECT_NE(AddPatches(o, s.db, nullptr).message().find("no such file"), std::string::npos);
  EXPECT_FALSE(fs::exists(s.db + "/manifest.json"));  // nothing was written
}

TEST(ImportCamVidTest, RefusesTheTestSplit) {
  CamVidImportOptions o;
  o.root = "/nonexistent";
  o.split = "test";
  ImportSummary summary;
  const Status s = ImportCamVid(o, testing::ScratchDir(), &summary);
  EXPECT_NE(s.message().find("test split"), std::string::npos) << s.message();
}

// With the shared data: a small CamVid import gives all four labels.
TEST(ImportCamVidTest, ImportsFourLabelsFromTrain) {
  TINT_REQUIRE_SHARED_DATA(root);
  CamVidImportOptions o;
  o.root = root + "/camvid";
  o.max_images = 6;
  ImportSummary summary;
  const std::string db = testing::ScratchDir();
  ASSERT_TRUE(ImportCamVid(o, db, &summary).ok());
  EXPECT_EQ(summary.images_read, 6);
  for (const char* label : {"sky", "building", "earth", "vegetation"})
    EXPECT_GT(summary.patches_per_label[label], 0) << label;
}

}  // namespace
}  // namespace tint
