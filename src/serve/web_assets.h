// The page's files (web/), embedded in the binary at build time by
// cmake/EmbedFiles.cmake, so `tint serve` needs no files beside it.
#pragma once

#include <cstddef>
#include <string>

namespace tint {

struct WebAsset {
  const char* path;  // "/", "/app.js", ...
  const char* content_type;
  const unsigned char* data;
  size_t size;
};

// Null for a path that is not one of the page's files.
const WebAsset* FindWebAsset(const std::string& path);

}  // namespace tint
