// Files are never written in place: WriteFileAtomic writes a temporary file
// beside the target, flushes it and renames it over the target, so a failure
// at any point leaves the previous file (or no file) intact.
//
// Files are only ever read through ReadFileBytes (or OpenRegularFile): it
// opens without blocking, accepts only a regular file (a FIFO, device, socket
// or folder is refused by fstat on the opened descriptor, so the check and
// the read see the same file) and refuses a file over a stated size before
// reading any of it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace tint {

// Default bound of ReadFileBytes: larger files are refused unread.
constexpr uint64_t kDefaultMaxFileBytes = uint64_t{2} << 30;  // 2 GiB

// Opens `path` for reading, without blocking, and checks that it is a regular
// file of at most max_bytes; *fd is then open (the caller closes it) and
// *size holds its size.
Status OpenRegularFile(const std::string& path, uint64_t max_bytes, int* fd, uint64_t* size);

// Reads a whole regular file of at most max_bytes.
Status ReadFileBytes(const std::string& path, std::vector<uint8_t>* bytes,
                     uint64_t max_bytes = kDefaultMaxFileBytes);
// Reads at most the first `count` bytes of a regular file of at most
// max_bytes; *file_size is its whole size.
Status ReadFilePrefix(const std::string& path, uint64_t count, uint64_t max_bytes,
                      std::vector<uint8_t>* bytes, uint64_t* file_size);

// A regular file of at most max_bytes mapped read-only into memory (the index
// cache): no copy, and pages shared with every other process that maps it.
// tint replaces files only by rename (WriteFileAtomic), so a mapping always
// sees the whole file it opened, even if the path is replaced meanwhile.
class MappedFile {
 public:
  static Status Open(const std::string& path, uint64_t max_bytes,
                     std::shared_ptr<const MappedFile>* out);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

Status WriteFileAtomic(const std::string& path, const void* data, size_t size);
Status WriteFileAtomic(const std::string& path, const std::string& text);
// As WriteFileAtomic, but never replaces: when `path` already exists (a
// user's file, a link, anything) nothing is written and the error says so.
Status WriteNewFileAtomic(const std::string& path, const void* data, size_t size);

// Checks, before any work, that `path` can be written as a file: its folder
// exists and is writable, and it is not a folder itself.
Status CheckOutputFile(const std::string& path);

// True for the temporary files WriteFileAtomic leaves when killed before its
// rename: ".<name>.tmp<digits>" (<name> cut to fit NAME_MAX).
bool IsAtomicWriteTemporary(const std::string& file_name);

// Lower-case hex SHA-256 (FIPS 180-4, through OpenSSL) of a byte buffer.
std::string Sha256Hex(const void* data, size_t size);
std::string Sha256Hex(const std::string& text);
Status Sha256OfFile(const std::string& path, std::string* hex);

// Incremental SHA-256 for data that comes in pieces.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(const void* data, size_t size);
  std::string FinishHex();

 private:
  void* ctx_;
};

// Lower-case hex XXH3-128 (xxHash, through libxxhash) of a byte buffer: a
// content check against corruption (truncation, bit flips, a half-written
// file), not against forgery, at memory speed (about 20x SHA-256 here). Used
// where a large file is checked on every start (the index cache).
class Xxh3Hasher {
 public:
  Xxh3Hasher();
  ~Xxh3Hasher();
  Xxh3Hasher(const Xxh3Hasher&) = delete;
  Xxh3Hasher& operator=(const Xxh3Hasher&) = delete;
  void Update(const void* data, size_t size);
  std::string FinishHex();  // 32 hex digits

 private:
  void* state_;
};

// The lexically normal absolute form of `path` with every symbolic link of
// its existing part resolved (realpath of the longest existing prefix).
std::string ResolvedPath(const std::string& path);
// True when `path` (resolved) is `dir` (resolved) or lies below it.
bool IsInsideFolder(const std::string& path, const std::string& dir);
// A key equal for two paths exactly when they name one file: the device and
// inode of an existing file (so hard and symbolic links match too), else the
// resolved path. Keys of many paths go into a set or map, so that checking n
// paths against each other costs n look-ups, not n^2 comparisons.
std::string FileIdentity(const std::string& path);

namespace internal {
// Test hook: when set, WriteFileAtomic fails after writing the temporary file
// and before the rename, as a crash at the worst moment would.
void SetAtomicWriteFailureForTesting(bool fail);
}  // namespace internal

}  // namespace tint
