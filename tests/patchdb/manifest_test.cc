#include "patchdb/manifest.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {

PatchRecord Record(const std::string& id, const std::string& label) {
  PatchRecord r;
  r.id = id;
  r.label = label;
  r.file = "patches/" + label + "/" + id + ".png";
  r.dataset = "camvid";
  r.split = "train";
  r.image = "train/a.png";
  r.region = cv::Rect(1, 2, 32, 32);
  r.licence = "CC BY-NC 4.0";
  r.sha256 = std::string(64, 'a');
  return r;
}

TEST(ManifestTest, RoundTrip) {
  Manifest m;
  m.patches = {Record("p1", "sky"), Record("p2", "grass"), Record("p3", "sky")};
  Manifest back;
  ASSERT_TRUE(ParseManifest(SerializeManifest(m), &back).ok());
  ASSERT_EQ(back.patches.size(), 3u);
  EXPECT_EQ(back.patches[1].label, "grass");
  EXPECT_EQ(back.patches[2].region, cv::Rect(1, 2, 32, 32));
  EXPECT_EQ(back.Labels(), (std::vector<std::string>{"sky", "grass"}));
}

struct Corrupt {
  std::string name, text, fragment;
};

class ManifestCorruptTest : public ::testing::TestWithParam<Corrupt> {};

TEST_P(ManifestCorruptTest, GivesOneClearLine) {
  Manifest m;
  const Status s = ParseManifest(GetParam().text, &m);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_NE(s.message().find(GetParam().fragment), std::string::npos) << s.message();
}

std::string WithPatch(const std::string& patch) {
  return R"({"format": "tint-patchdb", "version": 1, "patches": [)" + patch + "]}";
}
const std::string kGood =
    R"({"id": "a", "label": "sky", "file": "patches/sky/a.png", "licence": "x", "sha256": ")" +
    std::string(64, '0') +
    R"(", "source": {"dataset": "d", "split": "train", "image": "i.png", "region": [0, 0, 4, 4]}})";

INSTANTIATE_TEST_SUITE_P(
    All, ManifestCorruptTest,
    ::testing::Values(
        Corrupt{"truncated", kGood.substr(0, 40), "not valid JSON"},
        Corrupt{"not_tint", R"({"patches": []})", "not a tint patch database"},
        Corrupt{"version", R"({"format": "tint-patchdb", "version": 99, "patches": []})",
                "unsupported manifest version"},
        Corrupt{"missing_label", WithPatch(R"({"id": "a"})"), "missing string field \"label\""},
        Corrupt{"bad_label", WithPatch(kGood.substr(0, 22) + "Sky!" + kGood.substr(25)),
                "invalid label"},
        Corrupt{"duplicate", WithPatch(kGood + "," + kGood), "duplicate id"},
        Corrupt{"escape", WithPatch([] {
                  std::string g = kGood;
                  g.replace(g.find("patches/sky/a.png"), 17, "../x.png");
                  return g;
                }()),
                "patches/<folder>/<name>"},
        Corrupt{"region", WithPatch([] {
                  std::string g = kGood;
                  g.replace(g.find("[0, 0, 4, 4]"), 12, "[0, 0, -4, 4]");
                  return g;
                }()),
                "integers in 0..2^30"}),
    [](const ::testing::TestParamInfo<Corrupt>& info) { return info.param.name; });

// Found by fuzz/manifest_fuzzer: a number too large for a double made the
// JSON library throw out_of_range, which escaped the parser.
TEST(ManifestTest, NumberOverflowIsAnErrorNotACrash) {
  Manifest m;
  const std::string crash("0.100e015054\014\000\000\0008>>>>h", 22);
  EXPECT_FALSE(ParseManifest(crash, &m).ok());
  EXPECT_FALSE(
      ParseManifest(R"({"format": "tint-patchdb", "version": 1e999999, "patches": []})", &m).ok());
}

// Found by fuzz/manifest_fuzzer: a non-string "format" made the JSON library
// throw type_error.
TEST(ManifestTest, WrongTypedFieldsAreErrorsNotCrashes) {
  Manifest m;
  const Status s = ParseManifest(R"({"format": [{"id": "a"}], "version": 1, "patches": []})", &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a tint patch database"), std::string::npos) << s.message();
  EXPECT_FALSE(
      ParseManifest(R"({"format": "tint-patchdb", "version": 1, "patches": [{"source": 5}]})", &m)
          .ok());
}

TEST(ManifestTest, HugeRegionValuesAreRefused) {
  Manifest m;
  std::string g = kGood;
  g.replace(g.find("[0, 0, 4, 4]"), 12, "[0, 0, 4294967300, 4]");
  const Status s = ParseManifest(WithPatch(g), &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("integers in"), std::string::npos) << s.message();
}

// Region and size values up to 2^30 are accepted one by one, so x + w and
// w * h must be checked in 64 bits (UBSan caught int overflow here before).
TEST(ManifestTest, RegionEdgesAtTheLimitDoNotOverflow) {
  Manifest m;
  std::string g = kGood;
  g.replace(
      g.find("[0, 0, 4, 4]"), 12,
      "[1073741824, 1073741824, 1073741824, 1073741824], \"image_size\": [1073741824, 1073741824]");
  const Status s = ParseManifest(WithPatch(g), &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("outside the source image"), std::string::npos) << s.message();
}

TEST(ManifestTest, GoodPatchParses) {
  Manifest m;
  EXPECT_TRUE(ParseManifest(WithPatch(kGood), &m).ok());
}

// One rule for every path a manifest names: the writers apply it
// before they write, the parser before anything is read.
TEST(PatchFilePathTest, OnlyPatchesFolderNameIsAccepted) {
  for (const std::string good :
       {"patches/sky/a.png", "patches/dry_grass-2/user-a__b-sky-0-0.png", "patches/x/a.b.png"}) {
    EXPECT_TRUE(CheckPatchFilePath(good).ok()) << good;
  }
  for (const std::string bad :
       {"", "a.png", "p/a.png", "patches/a.png", "patches/sky/x/a.png", "../x.png", "/etc/passwd",
        "patches/../x.png", "patches/sky/../a.png", "patches/sky/..", "patches/sky/a..b.png",
        "patches/sky/.a.png", "patches//a.png", "patches/sky/", "patches/sky/a b.png",
        "patches/sky/a\\b.png", "Patches/sky/a.png", "patches/sky/a.png/"}) {
    EXPECT_FALSE(CheckPatchFilePath(bad).ok()) << bad;
  }
  EXPECT_FALSE(IsSafeFileName(std::string(129, 'a')));
  EXPECT_TRUE(IsValidDatasetName("camvid"));
  for (const std::string bad :
       {std::string(".."), std::string("."), std::string("a/b"), std::string("a.b"), std::string(),
        std::string("x y"), std::string(65, 'a')}) {
    EXPECT_FALSE(IsValidDatasetName(bad)) << bad;
  }
}

TEST(TestSplitTest, AnyCaseAndAnyFolderDepth) {
  for (const std::string s : {"test", "TEST", "Test", "my-test", "testing"})
    EXPECT_TRUE(IsTestSplit(s)) << s;
  for (const std::string s : {"train", "val", "trainval"}) EXPECT_FALSE(IsTestSplit(s)) << s;
  for (const std::string p :
       {"bsds500/images/test/1.jpg", "camvid/TEST/a.png", "/data/camvid/testannot/a.png",
        "test/a.png", "camvid/./test/a.png"}) {
    EXPECT_TRUE(IsTestSplitImagePath(p)) << p;
  }
  for (const std::string p : {"bsds500/images/train/1.jpg", "latest/a.png", "contest.png"}) {
    EXPECT_FALSE(IsTestSplitImagePath(p)) << p;
  }
}

TEST(SharedFilesTest, TwoRecordsNamingOneFileAreFound) {
  Manifest m;
  m.patches = {Record("p1", "sky"), Record("p2", "sky"), Record("p3", "sky")};
  EXPECT_TRUE(SharedPatchFiles(m).empty());
  m.patches[2].file = m.patches[0].file;
  const std::vector<std::string> shared = SharedPatchFiles(m);
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0], "patches/sky/p1.png (p1, p3)");
  // They still parse, so that `tint db remove` can repair the manifest.
  Manifest back;
  EXPECT_TRUE(ParseManifest(SerializeManifest(m), &back).ok());
}

TEST(LabelTest, Rules) {
  EXPECT_TRUE(IsValidLabel("sky"));
  EXPECT_TRUE(IsValidLabel("dry_grass-2"));
  EXPECT_FALSE(IsValidLabel(""));
  EXPECT_FALSE(IsValidLabel("Sky"));
  EXPECT_FALSE(IsValidLabel("1sky"));
  EXPECT_FALSE(IsValidLabel("sky/../x"));
  EXPECT_FALSE(IsValidLabel(std::string(33, 'a')));
}

}  // namespace
}  // namespace tint
