// Repeatable by construction: the same commit, data and settings
// give the same bytes in another process. Each check runs the real binary
// twice, in two processes, on a quarter of the shipped patch database (every
// 4th patch: about 48k samples, enough for FLANN's random choices to show).
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/run_tint.h"
#include "core/file_util.h"
#include "patchdb/manifest.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using testing::RunResult;
using testing::RunTint;

class DeterminismTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    db_ = dir_ + "/db";
    const std::string shipped = testing::SourceDir() + "/patchdb";
    Manifest all, quarter;
    ASSERT_TRUE(LoadManifest(shipped, &all).ok());
    for (size_t i = 0; i < all.patches.size(); i += 4) {
      const PatchRecord& r = all.patches[i];
      fs::create_directories(fs::path(db_ + "/" + r.file).parent_path());
      fs::copy_file(shipped + "/" + r.file, db_ + "/" + r.file);
      quarter.patches.push_back(r);
    }
    ASSERT_TRUE(SaveManifest(db_, quarter).ok());
    photo_ = testing::TestDataPath("bridge_small.jpg");
  }
  RunResult Tint(const std::string& args) { return RunTint(args, dir_); }
  std::string Bytes(const std::string& path) {
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(ReadFileBytes(path, &bytes).ok()) << path;
    return std::string(bytes.begin(), bytes.end());
  }
  std::string Build(const std::string& extra = "") {
    fs::remove(db_ + "/index.cache");
    const RunResult r = Tint("db --db " + db_ + " build " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Bytes(db_ + "/index.cache");
  }
  std::string Colorize(const std::string& extra = "") {
    const std::string out = dir_ + "/out.png";
    fs::remove(out);
    const RunResult r = Tint("colorize " + photo_ + " -o " + out + " --db " + db_ + " " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Bytes(out);
  }
  std::string dir_, db_, photo_;
};

TEST_F(DeterminismTest, TwoBuildsInTwoProcessesGiveIdenticalCaches) {
  const std::string first = Build(), second = Build();
  ASSERT_FALSE(first.empty());
  EXPECT_TRUE(first == second) << "two db build runs wrote different caches";
  // The seed is what fixes them: another seed gives other trees (and its
  // own cache key).
  const std::string other = Build("--seed 7");
  EXPECT_TRUE(other != first);
  EXPECT_TRUE(other == Build("--seed 7"));
  EXPECT_NE(other.find(";seed=7"), std::string::npos);
}

TEST_F(DeterminismTest, ColorizeRepeatsToTheByteWithAndWithoutACache) {
  fs::remove(db_ + "/index.cache");
  const std::string without = Colorize();  // index and calibration built in memory
  EXPECT_TRUE(without == Colorize()) << "two cache-less runs gave different PNGs";
  Build();
  EXPECT_TRUE(without == Colorize("--require-cache")) << "the cached index gave other colours";
}

}  // namespace
}  // namespace tint
