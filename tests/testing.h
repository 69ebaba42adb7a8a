// One place for test data paths, scratch folders and random seeds.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

namespace tint::testing {

// The project's source tree (tests/data lives under it).
std::string SourceDir();
// The build tree (the tint binary is bin/tint under it).
std::string BinaryDir();
// tests/data/<name>.
std::string TestDataPath(const std::string& name);
// Where the shared research data is: $TINT_DATA_ROOT, else ../shared/data
// beside the source tree. Empty when absent.
std::string SharedDataRoot();
// A fresh, empty folder for the running test, under one folder for the
// test process ($TMPDIR/tint_test_<pid>) that is removed after the last test
// when every test passed, and kept (its path printed) when one failed.
std::string ScratchDir();
// The one seed every test uses.
constexpr uint32_t kSeed = 20260101;
std::mt19937& Rng();

// Skips the running test with a clear message when the shared data is absent.
#define TINT_REQUIRE_SHARED_DATA(root)                                  \
  const std::string root = ::tint::testing::SharedDataRoot();           \
  if (root.empty())                                                     \
    GTEST_SKIP() << "shared data not found: set TINT_DATA_ROOT to the " \
                    "folder holding bsds500/ and camvid/";

}  // namespace tint::testing
