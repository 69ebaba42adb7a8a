#include "eval/run_compare.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

// A results folder with one per-photo result per (photo, AuC, colourfulness)
// for method "m" and, when `extra`, a method only this run has.
std::string MakeRun(const std::string& root, const std::string& name, const std::string& dataset,
                    const std::vector<std::tuple<std::string, double, double>>& photos,
                    bool extra = false) {
  const fs::path dir = fs::path(root) / name / "photos" / dataset;
  fs::create_directories(dir);
  for (const auto& [photo, auc, colourful] : photos) {
    json r;
    r["photo"] = photo;
    r["methods"]["m"] = {{"auc", auc}, {"colorfulness", colourful}};
    if (extra) r["methods"]["only"] = {{"auc", 50.0}};
    std::ofstream(dir / (fs::path(photo).stem().string() + ".json")) << r.dump();
  }
  return (fs::path(root) / name).string();
}

// Means, B - A, wins/ties/losses and the photos that changed most, over the
// photos both runs scored, against figures worked by hand.
TEST(RunCompareTest, SharedPhotosAreComparedPairwise) {
  const std::string root = testing::ScratchDir();
  const std::string a =
      MakeRun(root, "a", "set",
              {{"p1.jpg", 90, 10}, {"p2.jpg", 80, 20}, {"p3.jpg", 70, 30}, {"only_a.jpg", 10, 0}});
  const std::string b = MakeRun(
      root, "b", "set",
      {{"p1.jpg", 91, 10}, {"p2.jpg", 80, 25}, {"p3.jpg", 74, 30}, {"only_b.jpg", 99, 0}}, true);
  json c;
  ASSERT_TRUE(CompareRuns(a, b, &c).ok());
  ASSERT_EQ(c["datasets"].size(), 1u);
  const json& d = c["datasets"][0];
  EXPECT_EQ(d["shared"], 3);
  EXPECT_EQ(d["photos_a"], 4);
  ASSERT_EQ(d["methods"].size(), 1u);  // "only" is in B alone
  EXPECT_EQ(c["only_b"], json::array({"only"}));
  const json& m = d["methods"][0];
  EXPECT_EQ(m["photos"], 3);
  EXPECT_FALSE(m["identical"]);
  const json& auc = m["metrics"][0];
  ASSERT_EQ(auc["key"], "auc");
  EXPECT_DOUBLE_EQ(auc["a"].get<double>(), 80.0);  // (90 + 80 + 70) / 3
  EXPECT_DOUBLE_EQ(auc["b"].get<double>(), 245.0 / 3);
  EXPECT_NEAR(auc["difference"].get<double>(), 5.0 / 3, 1e-12);  // (1 + 0 + 4) / 3
  EXPECT_EQ(auc["wins"], 2);
  EXPECT_EQ(auc["ties"], 1);
  EXPECT_EQ(auc["losses"], 0);
  EXPECT_FALSE(auc["significant"]);  // 3 photos are too few
  EXPECT_LE(auc["low"].get<double>(), auc["difference"].get<double>());
  EXPECT_GE(auc["high"].get<double>(), auc["difference"].get<double>());
  // Most changed first: p3 (+4), p1 (+1); p2 did not move.
  ASSERT_EQ(m["changed"].size(), 2u);
  EXPECT_EQ(m["changed"][0]["photo"], "p3.jpg");
  EXPECT_EQ(m["changed"][1]["photo"], "p1.jpg");
  // The page and the CSV.
  ASSERT_TRUE(WriteComparison(c, root + "/cmp").ok());
  std::ifstream csv(root + "/cmp/compare.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  EXPECT_EQ(row.rfind("set,m,auc,3,80,81.6667,1.66667,", 0), 0u) << row;
  EXPECT_TRUE(fs::is_regular_file(root + "/cmp/compare.html"));
}

// A run against itself: every method the same on every photo.
TEST(RunCompareTest, ARunIsTheSameAsItself) {
  const std::string root = testing::ScratchDir();
  const std::string a = MakeRun(root, "a", "set", {{"p1.jpg", 90, 10}, {"p2.jpg", 80, 20}});
  json c;
  ASSERT_TRUE(CompareRuns(a, a, &c).ok());
  const json& m = c["datasets"][0]["methods"][0];
  EXPECT_TRUE(m["identical"]);
  EXPECT_TRUE(m["changed"].empty());
}

TEST(RunCompareTest, RunsWithNoPhotoInCommonAreRefusedInOneLine) {
  const std::string root = testing::ScratchDir();
  const std::string a = MakeRun(root, "a", "set", {{"p1.jpg", 90, 10}});
  const std::string b = MakeRun(root, "b", "other", {{"p1.jpg", 90, 10}});
  json c;
  const Status s = CompareRuns(a, b, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no photo in common"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_FALSE(CompareRuns(root + "/missing", b, &c).ok());
}

}  // namespace
}  // namespace tint
