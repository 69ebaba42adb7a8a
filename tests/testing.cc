#include "testing.h"

#include <unistd.h>
#include <cstdio>
#include <cstdlib>

#include <filesystem>

namespace tint::testing {
namespace fs = std::filesystem;

std::string SourceDir() {
  const char* env = std::getenv("TINT_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : TINT_SOURCE_DIR_DEFAULT;
}

std::string BinaryDir() {
  const char* env = std::getenv("TINT_BINARY_DIR");
  return env != nullptr && *env != '\0' ? env : TINT_BINARY_DIR_DEFAULT;
}

std::string TestDataPath(const std::string& name) {
  return (fs::path(SourceDir()) / "tests" / "data" / name).string();
}

std::string SharedDataRoot() {
  const char* env = std::getenv("TINT_DATA_ROOT");
  fs::path root = env != nullptr && *env != '\0' ? fs::path(env)
                                                 : fs::path(SourceDir()) / ".." / "shared" / "data";
  std::error_code ec;
  return fs::is_directory(root / "bsds500", ec) ? root.lexically_normal().string() : std::string();
}

namespace {

// Every scratch folder of this test process lies under this one.
fs::path ProcessScratchRoot() {
  return fs::temp_directory_path() / ("tint_test_" + std::to_string(::getpid()));
}

// Removes the process's scratch folders once its tests have run, unless one
// failed: then they stay for a look, and the log says where.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    const fs::path root = ProcessScratchRoot();
    std::error_code ec;
    if (!fs::exists(root, ec)) return;
    if (!::testing::UnitTest::GetInstance()->Passed()) {
      std::fprintf(stderr, "scratch folders kept for a look: %s\n", root.c_str());
      return;
    }
    fs::remove_all(root, ec);
  }
};

// Registered before gtest_main's main runs, as gtest documents for it.
[[maybe_unused]] ::testing::Environment* const kScratchCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace

std::string ScratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  const fs::path dir = ProcessScratchRoot() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::mt19937& Rng() {
  static std::mt19937 rng(kSeed);
  return rng;
}

}  // namespace tint::testing
