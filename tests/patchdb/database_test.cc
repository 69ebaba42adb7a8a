#include "patchdb/database.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/color.h"
#include "core/file_util.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

// A two-patch database written to a scratch folder.
std::string MakeDatabase() {
  const std::string dir = testing::ScratchDir();
  fs::create_directories(fs::path(dir) / "patches" / "sky");
  fs::create_directories(fs::path(dir) / "patches" / "grass");
  Manifest m;
  const std::vector<std::pair<std::string, cv::Scalar>> patches = {{"sky", {230, 180, 120}},
                                                                   {"grass", {40, 160, 60}}};
  for (const auto& [label, colour] : patches) {
    cv::Mat img(16, 16, CV_8UC3, colour);
    std::vector<uint8_t> png;
    cv::imencode(".png", img, png);
    PatchRecord r;
    r.id = label + "-1";
    r.label = label;
    r.file = "patches/" + label + "/" + r.id + ".png";
    r.dataset = "synthetic";
    r.split = "train";
    r.image = "none";
    r.region = cv::Rect(0, 0, 16, 16);
    r.licence = "test";
    r.sha256 = Sha256Hex(png.data(), png.size());
    EXPECT_TRUE(WriteFileAtomic((fs::path(dir) / r.file).string(), png.data(), png.size()).ok());
    m.patches.push_back(r);
  }
  EXPECT_TRUE(SaveManifest(dir, m).ok());
  return dir;
}

TEST(PatchDatabaseTest, LoadsSamplesWithLabelsAndChroma) {
  const std::string dir = MakeDatabase();
  NeighborhoodOptions f;
  f.window = 5;
  PatchSamplingOptions s;
  s.stride = 2;
  std::unique_ptr<PatchDatabase> db;
  ASSERT_TRUE(PatchDatabase::Load(dir, f, s, &db).ok());
  // Window 5 in a 16x16 patch: centres 2..13 every 2 px -> 6 x 6 per patch.
  EXPECT_EQ(db->num_samples(), 2 * 36);
  EXPECT_EQ(db->vectors().cols, f.Dimension());
  EXPECT_EQ(db->label_names(), (std::vector<std::string>{"sky", "grass"}));
  // Sky samples are blue (b < 0), grass samples green (a < 0).
  for (int i = 0; i < db->num_samples(); ++i) {
    if (db->sample_labels()[i] == db->LabelId("sky"))
      EXPECT_LT(db->chroma().at<float>(i, 1), -10.0f);
    if (db->sample_labels()[i] == db->LabelId("grass"))
      EXPECT_LT(db->chroma().at<float>(i, 0), -10.0f);
  }
}

TEST(PatchDatabaseTest, YuvSamplesCarryUVAndTheSeedLabelSetDropsNewLabels) {
  const std::string dir = MakeDatabase();
  NeighborhoodOptions f;
  f.window = 5;
  PatchSamplingOptions s;
  s.color_space = ColorSpace::kYuv;
  std::unique_ptr<PatchDatabase> db;
  ASSERT_TRUE(PatchDatabase::Load(dir, f, s, &db).ok());
  ASSERT_EQ(db->num_samples(), 2 * 36);
  // The sky patch is BGR (230, 180, 120): U = 0.492 (B - Y') > 0, V = 0.877 (R - Y') < 0,
  // in 0..1 units, not Lab's tens.
  cv::Mat y, u, v;
  ComputeYuv(cv::Mat(1, 1, CV_8UC3, cv::Scalar(230, 180, 120)), &y, &u, &v);
  for (int i = 0; i < db->num_samples(); ++i) {
    if (db->sample_labels()[i] != db->LabelId("sky")) continue;
    EXPECT_NEAR(db->chroma().at<float>(i, 0), u.at<float>(0, 0), 1e-4);
    EXPECT_NEAR(db->chroma().at<float>(i, 1), v.at<float>(0, 0), 1e-4);
  }
  EXPECT_GT(u.at<float>(0, 0), 0.1f);
  EXPECT_LT(v.at<float>(0, 0), -0.1f);

  EXPECT_TRUE(LabelInSet(LabelSet::kSeed, "vegetation"));
  EXPECT_FALSE(LabelInSet(LabelSet::kSeed, "skin"));
  EXPECT_TRUE(LabelInSet(LabelSet::kAll, "skin"));
  // Both labels here are the seed's: nothing is dropped.
  s.labels = LabelSet::kSeed;
  ASSERT_TRUE(PatchDatabase::Load(dir, f, s, &db).ok());
  EXPECT_EQ(db->num_samples(), 2 * 36);
}

TEST(PatchDatabaseTest, SeedLabelSetGivesNoSamplesForLaterLabels) {
  const std::string dir = testing::ScratchDir();
  std::vector<cv::Mat> patches = {cv::Mat(16, 16, CV_8UC3, cv::Scalar(230, 180, 120)),
                                  cv::Mat(16, 16, CV_8UC3, cv::Scalar(120, 150, 210))};
  NeighborhoodOptions f;
  f.window = 5;
  PatchSamplingOptions s;
  s.labels = LabelSet::kSeed;
  auto db = PatchDatabase::FromPatches(f, s, patches, {"sky", "skin"});
  EXPECT_EQ(db->num_samples(), 36);
  for (int label : db->sample_labels()) EXPECT_EQ(label, db->LabelId("sky"));
}

TEST(PatchDatabaseTest, ChangedPatchFailsItsHash) {
  const std::string dir = MakeDatabase();
  cv::imwrite((fs::path(dir) / "patches" / "sky" / "sky-1.png").string(),
              cv::Mat(16, 16, CV_8UC3, cv::Scalar(0, 0, 0)));
  std::unique_ptr<PatchDatabase> db;
  const Status s = PatchDatabase::Load(dir, {}, {}, &db);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("content hash does not match"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("sky-1.png"), std::string::npos);
}

TEST(PatchDatabaseTest, MissingPatchFileIsNamed) {
  const std::string dir = MakeDatabase();
  fs::remove(fs::path(dir) / "patches" / "grass" / "grass-1.png");
  std::unique_ptr<PatchDatabase> db;
  const Status s = PatchDatabase::Load(dir, {}, {}, &db);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("grass-1"), std::string::npos) << s.message();
}

TEST(PatchDatabaseTest, MissingOrCorruptManifest) {
  std::unique_ptr<PatchDatabase> db;
  EXPECT_NE(PatchDatabase::Load("/nonexistent-tint-db", {}, {}, &db).message().find("not found"),
            std::string::npos);
  const std::string dir = MakeDatabase();
  std::ofstream(fs::path(dir) / "manifest.json") << "{\"format\": \"tint-patchdb\", \"vers";
  const Status s = PatchDatabase::Load(dir, {}, {}, &db);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("manifest.json"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tint
