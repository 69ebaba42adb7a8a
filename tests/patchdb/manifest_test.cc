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
    R"({"id": "a", "label": "sky", "file": "p/a.png", "licence": "x", "sha256": ")" + std::string(64, '0') +
    R"(", "source": {"dataset": "d", "split": "train", "image": "i.png", "region": [0, 0, 4, 4]}})";

INSTANTIATE_TEST_SUITE_P(
    All, ManifestCorruptTest,
    ::testing::Values(
        Corrupt{"truncated", kGood.substr(0, 40), "not valid JSON"},
        Corrupt{"not_tint", R"({"patches": []})", "not a tint patch database"},
        Corrupt{"version", R"({"format": "tint-patchdb", "version": 99, "patches": []})", "unsupported manifest version"},
        Corrupt{"missing_label", WithPatch(R"({"id": "a"})"), "missing string field \"label\""},
        Corrupt{"bad_label", WithPatch(kGood.substr(0, 22) + "Sky!" + kGood.substr(25)), "invalid label"},
        Corrupt{"duplicate", WithPatch(kGood + "," + kGood), "duplicate id"},
        Corrupt{"escape", WithPatch([] {
                  std::string g = kGood;
                  g.replace(g.find("p/a.png"), 7, "../x.png");
                  return g;
                }()), "relative path"},
        Corrupt{"region", WithPatch([] {
                  std::string g = kGood;
                  g.replace(g.find("[0, 0, 4, 4]"), 12, "[0, 0, -4, 4]");
                  return g;
                }()), "integers in 0..2^30"}),
    [](const ::testing::TestParamInfo<Corrupt>& info) { return info.param.name; });

// Found by fuzz/manifest_fuzzer: a number too large for a double made the
// JSON library throw out_of_range, which escaped the parser.
TEST(ManifestTest, NumberOverflowIsAnErrorNotACrash) {
  Manifest m;
  const std::string crash("0.100e015054\014\000\000\0008>>>>h", 22);
  EXPECT_FALSE(ParseManifest(crash, &m).ok());
  EXPECT_FALSE(ParseManifest(R"({"format": "tint-patchdb", "version": 1e999999, "patches": []})", &m).ok());
}

// Found by fuzz/manifest_fuzzer: a non-string "format" made the JSON library
// throw type_error.
TEST(ManifestTest, WrongTypedFieldsAreErrorsNotCrashes) {
  Manifest m;
  const Status s = ParseManifest(R"({"format": [{"id": "a"}], "version": 1, "patches": []})", &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a tint patch database"), std::string::npos) << s.message();
  EXPECT_FALSE(ParseManifest(R"({"format": "tint-patchdb", "version": 1, "patches": [{"source": 5}]})", &m).ok());
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
  g.replace(g.find("[0, 0, 4, 4]"), 12,
            "[1073741824, 1073741824, 1073741824, 1073741824], \"image_size\": [1073741824, 1073741824]");
  const Status s = ParseManifest(WithPatch(g), &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("outside the source image"), std::string::npos) << s.message();
}

TEST(ManifestTest, GoodPatchParses) {
  Manifest m;
  EXPECT_TRUE(ParseManifest(WithPatch(kGood), &m).ok());
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
