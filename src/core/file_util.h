// Files are never written in place: WriteFileAtomic writes a temporary file
// beside the target, flushes it and renames it over the target, so a failure
// at any point leaves the previous file (or no file) intact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace tint {

Status ReadFileBytes(const std::string& path, std::vector<uint8_t>* bytes);
Status WriteFileAtomic(const std::string& path, const void* data, size_t size);
Status WriteFileAtomic(const std::string& path, const std::string& text);

// Lower-case hex SHA-256 (FIPS 180-4) of a byte buffer.
std::string Sha256Hex(const void* data, size_t size);
std::string Sha256Hex(const std::string& text);
Status Sha256OfFile(const std::string& path, std::string* hex);

namespace internal {
// Test hook: when set, WriteFileAtomic fails after writing the temporary file
// and before the rename, as a crash at the worst moment would.
void SetAtomicWriteFailureForTesting(bool fail);
}  // namespace internal

}  // namespace tint
