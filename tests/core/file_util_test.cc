#include "core/file_util.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// FIPS 180-2 appendix B test vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(AtomicWriteTest, WritesAndReplaces) {
  const std::string path = (fs::path(testing::ScratchDir()) / "f.txt").string();
  ASSERT_TRUE(WriteFileAtomic(path, std::string("one")).ok());
  ASSERT_TRUE(WriteFileAtomic(path, std::string("two")).ok());
  EXPECT_EQ(Slurp(path), "two");
}

TEST(AtomicWriteTest, FailureBeforeRenameKeepsTheOldFileAndLeavesNoTemporary) {
  const std::string dir = testing::ScratchDir();
  const std::string path = (fs::path(dir) / "f.txt").string();
  ASSERT_TRUE(WriteFileAtomic(path, std::string("old")).ok());
  internal::SetAtomicWriteFailureForTesting(true);
  const Status s = WriteFileAtomic(path, std::string("new"));
  internal::SetAtomicWriteFailureForTesting(false);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Slurp(path), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicWriteTest, MissingFolderIsAnError) {
  const Status s = WriteFileAtomic("/nonexistent-folder-tint/f.txt", std::string("x"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace tint
