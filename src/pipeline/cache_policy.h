// How a method that reads an indexed database treats its cache file.
#pragma once

namespace tint {

enum class CacheState { kMissing, kStale, kValid };
const char* ToString(CacheState state);

enum class CachePolicy {
  kRebuildIfStale,  // use a valid cache, else build in memory
  kRequireValid,    // use a valid cache, else fail
};

}  // namespace tint
