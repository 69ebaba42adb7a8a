#include "pipeline/index_cache.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "patchdb/import.h"
#include "pipeline/colorizer.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

// A small database: textured patches of three labels from one synthetic photo.
std::string MakeDatabase() {
  const std::string dir = testing::ScratchDir();
  const std::string db = dir + "/db", image = dir + "/photo.png";
  fs::create_directories(db);
  cv::Mat img(96, 96, CV_8UC3);
  cv::RNG rng(testing::kSeed);
  rng.fill(img, cv::RNG::UNIFORM, 0, 255);
  cv::imwrite(image, img);
  const std::vector<std::string> labels = {"sky", "grass", "earth"};
  for (int l = 0; l < 3; ++l) {
    AddPatchOptions o;
    o.image = image;
    o.label = labels[l];
    o.rects = {cv::Rect(0, 32 * l, 32, 32), cv::Rect(40, 32 * l, 32, 32)};
    EXPECT_TRUE(AddPatches(o, db, nullptr).ok());
  }
  return db;
}

ClassicOptions Options() {
  ClassicOptions o;
  o.calibration_step = 4;
  return o;
}

TEST(IndexCacheTest, MissingThenValidAfterBuild) {
  const std::string db = MakeDatabase();
  IndexedDatabase loaded;
  CacheState state;
  ASSERT_TRUE(LoadIndexCache(Options(), db, &loaded, &state).ok());
  EXPECT_EQ(state, CacheState::kMissing);
  IndexedDatabase built;
  ASSERT_TRUE(BuildIndexedDatabase(Options(), db, &built).ok());
  ASSERT_TRUE(SaveIndexCache(Options(), db, built).ok());
  ASSERT_TRUE(LoadIndexCache(Options(), db, &loaded, &state).ok());
  ASSERT_EQ(state, CacheState::kValid);
  EXPECT_EQ(loaded.database->num_samples(), built.database->num_samples());
  EXPECT_EQ(cv::norm(loaded.database->vectors(), built.database->vectors(), cv::NORM_INF), 0.0);
  EXPECT_EQ(loaded.database->sample_labels(), built.database->sample_labels());
  EXPECT_EQ(loaded.label_weights, built.label_weights);
  // The loaded FLANN trees are the saved ones: same candidates as the builder's.
  Candidates a, b;
  const cv::Mat q = built.database->vectors().rowRange(0, 50);
  built.matcher->Match(q, &a);
  loaded.matcher->Match(q, &b);
  EXPECT_EQ(a.index, b.index);
}

TEST(IndexCacheTest, ChangedManifestOrSettingsMakeItStale) {
  const std::string db = MakeDatabase();
  IndexedDatabase built, loaded;
  ASSERT_TRUE(BuildIndexedDatabase(Options(), db, &built).ok());
  ASSERT_TRUE(SaveIndexCache(Options(), db, built).ok());
  CacheState state;
  ClassicOptions other = Options();
  other.features.window = 5;
  ASSERT_TRUE(LoadIndexCache(other, db, &loaded, &state).ok());
  EXPECT_EQ(state, CacheState::kStale);
  // Adding a patch changes the manifest.
  AddPatchOptions o;
  o.image = fs::path(db).parent_path().string() + "/photo.png";
  o.label = "sky";
  o.rects = {cv::Rect(60, 60, 32, 32)};
  ASSERT_TRUE(AddPatches(o, db, nullptr).ok());
  ASSERT_TRUE(LoadIndexCache(Options(), db, &loaded, &state).ok());
  EXPECT_EQ(state, CacheState::kStale);
  // A colorizer refuses a stale cache when asked to, and rebuilds otherwise.
  std::unique_ptr<Colorizer> c;
  const Status s = CreateClassicColorizer(Options(), db, &c, CachePolicy::kRequireValid, &state);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("stale"), std::string::npos) << s.message();
  ASSERT_TRUE(CreateClassicColorizer(Options(), db, &c, CachePolicy::kRebuildIfStale, &state).ok());
  EXPECT_EQ(state, CacheState::kStale);
}

TEST(IndexCacheTest, CorruptCacheIsAClearError) {
  const std::string db = MakeDatabase();
  IndexedDatabase built, loaded;
  ASSERT_TRUE(BuildIndexedDatabase(Options(), db, &built).ok());
  ASSERT_TRUE(SaveIndexCache(Options(), db, built).ok());
  const std::string path = IndexCachePath(db);
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 100);
  CacheState state;
  Status s = LoadIndexCache(Options(), db, &loaded, &state);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("corrupt index cache"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("index.cache"), std::string::npos);
  std::ofstream(path) << "garbage";
  s = LoadIndexCache(Options(), db, &loaded, &state);
  EXPECT_NE(s.message().find("not a tint index cache"), std::string::npos) << s.message();
  // A cache of another format version is stale, never read.
  std::ofstream(path) << "TINTCACHE9\n{}";
  ASSERT_TRUE(LoadIndexCache(Options(), db, &loaded, &state).ok());
  EXPECT_EQ(state, CacheState::kStale);
}

}  // namespace
}  // namespace tint
