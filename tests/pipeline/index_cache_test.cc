#include "pipeline/classic/index_cache.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include <algorithm>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "patchdb/import.h"
#include "pipeline/classic/classic.h"
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
  // The cache holds the unit rows the matcher searches, bit for bit.
  EXPECT_EQ(cv::norm(loaded.database->vectors(), UnitRows(built.database->vectors()), cv::NORM_INF),
            0.0);
  EXPECT_EQ(loaded.database->sample_labels(), built.database->sample_labels());
  EXPECT_EQ(loaded.label_weights, built.label_weights);
  // The similarity quantiles (confidence) travel through the header exactly.
  ASSERT_EQ(built.similarity_quantiles.size(), 101u);
  EXPECT_TRUE(std::is_sorted(built.similarity_quantiles.begin(), built.similarity_quantiles.end()));
  EXPECT_EQ(loaded.similarity_quantiles, built.similarity_quantiles);
  // The loaded FLANN trees are the saved ones: same candidates as the builder's.
  Candidates a, b;
  const cv::Mat q = built.database->vectors().rowRange(0, 50);
  built.matcher->Match(q, &a);
  loaded.matcher->Match(q, &b);
  EXPECT_EQ(a.index, b.index);
}

// A change made while the index was built (db add racing db build): the
// cache is never saved for the new manifest with the old samples.
TEST(IndexCacheTest, AChangeDuringTheBuildIsNotSavedAsItsCache) {
  const std::string db = MakeDatabase();
  IndexedDatabase built;
  ASSERT_TRUE(BuildIndexedDatabase(Options(), db, &built).ok());
  AddPatchOptions o;
  o.image = fs::path(db).parent_path().string() + "/photo.png";
  o.label = "sky";
  o.rects = {cv::Rect(64, 64, 32, 32)};
  ASSERT_TRUE(AddPatches(o, db, nullptr).ok());
  const Status s = SaveIndexCache(Options(), db, built);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("changed during the build"), std::string::npos) << s.message();
  IndexedDatabase loaded;
  CacheState state;
  ASSERT_TRUE(LoadIndexCache(Options(), db, &loaded, &state).ok());
  EXPECT_EQ(state, CacheState::kMissing);
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

// A cache whose hash is right but whose kd-trees were tampered with (a
// crafted file, or a bug in a writer) is refused before cvflann reads them:
// cvflann trusts every byte and would index past the points.
TEST(IndexCacheTest, TamperedKdTreesWithAValidHashAreRefused) {
  const std::string db = MakeDatabase();
  IndexedDatabase built;
  ASSERT_TRUE(BuildIndexedDatabase(Options(), db, &built).ok());
  ASSERT_TRUE(SaveIndexCache(Options(), db, built).ok());
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(ReadFileBytes(IndexCachePath(db), &bytes).ok());
  const std::string file(bytes.begin(), bytes.end());
  const size_t magic = std::strlen(internal::IndexCacheMagic());
  const size_t eol = file.find('\n', magic);
  const std::string header = file.substr(magic, eol - magic);
  const size_t payload_start = eol + 1 + 33;
  const std::string payload = file.substr(payload_start);
  const size_t n = static_cast<size_t>(built.database->num_samples());
  const size_t dim = static_cast<size_t>(built.database->vectors().cols);
  // The blob: three shape words, the tree count, then the first tree's root.
  const size_t blob = n * dim * 4 + n * 8 + n * 8, count = blob + 24, root = count + 4;
  struct Case {
    size_t offset;
    int value;
    std::string fragment;
  };
  for (const Case& c : {Case{count, 5, "another number of kd-trees"},
                        Case{root, 1 << 20, "a kd-tree split out of range"},
                        Case{root, -1, "a kd-tree split out of range"}}) {
    std::string changed = payload;
    std::memcpy(&changed[c.offset], &c.value, sizeof(int));
    const std::string tampered =
        internal::IndexCacheMagic() +
        internal::IndexCacheHeaderAndHash(header.substr(0, header.find_last_not_of(' ') + 1),
                                          changed.data(), changed.size()) +
        changed;
    ASSERT_TRUE(WriteFileAtomic(IndexCachePath(db), tampered).ok());
    IndexedDatabase loaded;
    CacheState state;
    const Status s = LoadIndexCache(Options(), db, &loaded, &state);
    ASSERT_FALSE(s.ok()) << c.fragment;
    EXPECT_NE(s.message().find(c.fragment), std::string::npos) << s.message();
  }
}

// A cache file made by hand: magic, header, the hash over header and
// payload, payload (two samples of dimension 3, labels 0/1, patches 0/3).
std::vector<uint8_t> HandMadeCache(const std::string& header_fields, bool fix_hash = true) {
  std::string payload;
  const float vectors[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, chroma[4] = {1, 2, 3, 4};
  const int labels[2] = {0, 1}, patches[2] = {0, 3};
  payload.append(reinterpret_cast<const char*>(vectors), sizeof vectors);
  payload.append(reinterpret_cast<const char*>(chroma), sizeof chroma);
  payload.append(reinterpret_cast<const char*>(labels), sizeof labels);
  payload.append(reinterpret_cast<const char*>(patches), sizeof patches);
  std::string head = internal::IndexCacheHeaderAndHash("{\"key\":\"k\"," + header_fields + "}",
                                                       payload.data(), payload.size());
  if (!fix_hash) head.replace(head.size() - 33, 32, std::string(32, '0'));
  const std::string file = internal::IndexCacheMagic() + head + payload;
  return std::vector<uint8_t>(file.begin(), file.end());
}

const std::string kFields =
    R"("samples":2,"dimension":3,"labels":["sky","grass"],"label_weights":[1.0,0.5],"index_bytes":0,"payload_bytes":56)";

// Every header value is checked against the payload before it is used (issue
// 11): the parser is also fuzzed (fuzz/index_cache_fuzzer.cc).
TEST(IndexCacheParseTest, HeaderValuesCannotReachPastThePayload) {
  internal::ParsedIndexCache parsed;
  const std::vector<uint8_t> good = HandMadeCache(kFields);
  ASSERT_TRUE(internal::ParseIndexCache(good, "k", 4, &parsed).ok());
  EXPECT_FALSE(parsed.stale);
  ASSERT_EQ(parsed.vectors.rows, 2);
  // A view of the bytes, not a copy: the payload starts 64-byte aligned.
  EXPECT_EQ((parsed.vectors.data - good.data()) % 64, 0);
  EXPECT_EQ(parsed.vectors.at<float>(1, 2), 0.6f);
  EXPECT_EQ(parsed.sample_patch, (std::vector<int>{0, 3}));
  EXPECT_TRUE(internal::ParseIndexCache(HandMadeCache(kFields), "other", 4, &parsed).ok());
  EXPECT_TRUE(parsed.stale);
  struct Case {
    std::string from, to, fragment;
  };
  for (const Case& c :
       std::vector<Case>{{"\"samples\":2", "\"samples\":4294967298", "wrong size"},
                         {"\"samples\":2", "\"samples\":-2", "wrong size"},
                         {"\"dimension\":3", "\"dimension\":1073741824", "wrong size"},
                         {"\"index_bytes\":0", "\"index_bytes\":-56", "wrong size"},
                         {"\"payload_bytes\":56", "\"payload_bytes\":55", "wrong size"},
                         {"[1.0,0.5]", "[1.0]", "one label weight per label"},
                         {"[\"sky\",\"grass\"],\"label_weights\":[1.0,0.5]",
                          "[\"sky\"],\"label_weights\":[1.0]", "label id out of range"},
                         {"[\"sky\",\"grass\"]", "[\"sky\",7]", "bad header"},
                         {"\"index_bytes\"", "\"similarity_quantiles\":[0.5,0.4],\"index_bytes\"",
                          "bad similarity quantiles"},
                         {"\"index_bytes\"", "\"similarity_quantiles\":7,\"index_bytes\"",
                          "bad similarity quantiles"}}) {
    std::string fields = kFields;
    fields.replace(fields.find(c.from), c.from.size(), c.to);
    const Status s = internal::ParseIndexCache(HandMadeCache(fields), "k", 4, &parsed);
    ASSERT_FALSE(s.ok()) << c.to;
    EXPECT_NE(s.message().find(c.fragment), std::string::npos) << c.to << ": " << s.message();
  }
  // A patch id beyond the manifest, and a hash that does not match.
  Status s = internal::ParseIndexCache(HandMadeCache(kFields), "k", 3, &parsed);
  EXPECT_NE(s.message().find("patch index out of range"), std::string::npos) << s.message();
  s = internal::ParseIndexCache(HandMadeCache(kFields, false), "k", 4, &parsed);
  EXPECT_NE(s.message().find("content hash does not match"), std::string::npos) << s.message();
  // A payload moved off its alignment (one byte cut from the padding).
  std::vector<uint8_t> shifted = HandMadeCache(kFields);
  const size_t pad = std::string(shifted.begin(), shifted.end()).find(" \n");
  ASSERT_NE(pad, std::string::npos);
  shifted.erase(shifted.begin() + static_cast<long>(pad));
  s = internal::ParseIndexCache(shifted, "k", 4, &parsed);
  EXPECT_NE(s.message().find("payload not aligned"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tint
