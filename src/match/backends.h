// The matcher backends, one table line each (as the method registry): a
// backend is one file (src/match/NAME_matcher.cc) that defines its factory,
// plus its line in MatcherBackends() (backends.cc) and its file in
// src/match/CMakeLists.txt. `--matcher NAME`, the config key `matcher`, the
// Python keyword and the checks' messages all read this table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"
#include "match/matcher.h"

namespace tint {

struct MatcherBackend {
  std::string name;     // --matcher NAME
  std::string summary;  // one line for --help and the docs
  // The option-table entries it reads beside `candidates` (flann_checks...).
  std::vector<std::string> options;
  // Builds the matcher over `database` (CV_32F, N x dim, any norm).
  std::unique_ptr<Matcher> (*create)(const MatchOptions& options,
                                     const cv::Mat& database) = nullptr;
  // Loads what Matcher::SaveIndex wrote, so the index cache can keep the
  // index; null for a backend that builds its index each time. `owner`, when
  // not null, keeps the blob alive (see CreateMatcherFromIndex).
  Status (*load)(const MatchOptions& options, const cv::Mat& database, const uint8_t* blob,
                 size_t blob_size, std::shared_ptr<const void> owner,
                 std::unique_ptr<Matcher>* matcher) = nullptr;
};

// The backends this build has (FAISS and hnswlib are optional at configure
// time: TINT_WITH_FAISS, TINT_WITH_HNSWLIB).
const std::vector<MatcherBackend>& MatcherBackends();
const MatcherBackend* FindMatcherBackend(const std::string& name);
// "exact, flann, ..." for messages.
std::string MatcherBackendNames();

}  // namespace tint
