// The tests' scratch folders: one per test under $TMPDIR/tint_test_<pid>,
// gone after a run where every test passed, kept after a failure. The run is
// this binary again in a child, with its own TMPDIR, so that what is left
// behind can be looked at.
#include <unistd.h>
#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

// Runs only as the child below: writes into its scratch folder and fails
// when asked to.
TEST(ScratchProbe, WritesAndPassesOrFails) {
  const char* mode = std::getenv("TINT_SCRATCH_PROBE");
  if (mode == nullptr) GTEST_SKIP() << "run by ScratchDirTest only";
  std::ofstream(fs::path(testing::ScratchDir()) / "out.txt") << "left by the probe\n";
  EXPECT_STREQ(mode, "pass");
}

class ScratchDirTest : public ::testing::Test {
 protected:
  // Runs the probe with TMPDIR = <scratch>/<mode>; returns that folder.
  fs::path RunProbe(const std::string& mode, int* status, std::string* err) {
    const fs::path tmp = fs::path(testing::ScratchDir()) / mode;
    fs::create_directories(tmp);
    const fs::path err_file = tmp.parent_path() / (mode + ".err");
    const std::string cmd = "TINT_SCRATCH_PROBE=" + mode + " TMPDIR=" + tmp.string() + " " +
                            fs::read_symlink("/proc/self/exe").string() +
                            " --gtest_filter=ScratchProbe.* >/dev/null 2>" + err_file.string();
    *status = std::system(cmd.c_str());
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    *err = text.str();
    return tmp;
  }
};

TEST_F(ScratchDirTest, IsAFreshEmptyFolderOfThisProcess) {
  const fs::path dir = testing::ScratchDir();
  std::ofstream(dir / "stale.txt") << "x";
  EXPECT_EQ(testing::ScratchDir(), dir.string());
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_TRUE(fs::is_empty(dir));
  EXPECT_EQ(dir.parent_path().filename(), "tint_test_" + std::to_string(::getpid()));
}

TEST_F(ScratchDirTest, IsRemovedAfterARunThatPassed) {
  int status = 0;
  std::string err;
  const fs::path tmp = RunProbe("pass", &status, &err);
  ASSERT_EQ(status, 0) << err;
  EXPECT_TRUE(fs::is_empty(tmp)) << "left behind: " << fs::directory_iterator(tmp)->path();
}

TEST_F(ScratchDirTest, IsKeptAndNamedAfterARunThatFailed) {
  int status = 0;
  std::string err;
  const fs::path tmp = RunProbe("fail", &status, &err);
  ASSERT_NE(status, 0);
  ASSERT_FALSE(fs::is_empty(tmp));
  const fs::path root = fs::directory_iterator(tmp)->path();
  EXPECT_EQ(root.filename().string().rfind("tint_test_", 0), 0u) << root;
  EXPECT_TRUE(fs::exists(root / "ScratchProbe.WritesAndPassesOrFails" / "out.txt"));
  EXPECT_NE(err.find("scratch folders kept for a look: " + root.string()), std::string::npos)
      << err;
}

}  // namespace
}  // namespace tint
