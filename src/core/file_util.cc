#include "core/file_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

namespace tint {
namespace {

std::atomic<bool> g_fail_atomic_write{false};

std::string ErrnoText() { return std::strerror(errno); }

// Lower-case hex of a digest.
std::string HexOf(const unsigned char* digest, size_t size) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace

namespace internal {
void SetAtomicWriteFailureForTesting(bool fail) { g_fail_atomic_write = fail; }
}  // namespace internal

Status OpenRegularFile(const std::string& path, uint64_t max_bytes, int* fd_out,
                       uint64_t* size_out) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below then
  // refuses it. It has no effect on the reads of a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Error(path + ": no such file");
    return Status::Error(path + ": cannot open for reading (" + ErrnoText() + ")");
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const std::string err = ErrnoText();
    ::close(fd);
    return Status::Error(path + ": cannot read (" + err + ")");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    if (S_ISDIR(st.st_mode)) return Status::Error(path + ": is a directory, not a file");
    return Status::Error(path + ": not a regular file (a FIFO, device or socket is never read)");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) {
    ::close(fd);
    return Status::Error(path + ": file is " + std::to_string(size) + " bytes, over the limit of " +
                         std::to_string(max_bytes) + " for this kind of file");
  }
  *fd_out = fd;
  *size_out = size;
  return Status::Ok();
}

namespace {

// Reads up to `count` bytes; a file that grows while read is cut at `count`.
Status ReadFd(int fd, const std::string& path, uint64_t count, std::vector<uint8_t>* bytes) {
  bytes->resize(static_cast<size_t>(count));
  size_t got = 0;
  while (got < count) {
    const ssize_t n = ::read(fd, bytes->data() + got, static_cast<size_t>(count) - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Error(path + ": read error (" + ErrnoText() + ")");
    }
    if (n == 0) break;  // shrank while read
    got += static_cast<size_t>(n);
  }
  bytes->resize(got);
  return Status::Ok();
}

}  // namespace

Status ReadFileBytes(const std::string& path, std::vector<uint8_t>* bytes, uint64_t max_bytes) {
  uint64_t size = 0;
  return ReadFilePrefix(path, UINT64_MAX, max_bytes, bytes, &size);
}

Status ReadFilePrefix(const std::string& path, uint64_t count, uint64_t max_bytes,
                      std::vector<uint8_t>* bytes, uint64_t* file_size) {
  int fd = -1;
  TINT_RETURN_IF_ERROR(OpenRegularFile(path, max_bytes, &fd, file_size));
  const Status s = ReadFd(fd, path, std::min(count, *file_size), bytes);
  ::close(fd);
  return s;
}

Status MappedFile::Open(const std::string& path, uint64_t max_bytes,
                        std::shared_ptr<const MappedFile>* out) {
  int fd = -1;
  uint64_t size = 0;
  TINT_RETURN_IF_ERROR(OpenRegularFile(path, max_bytes, &fd, &size));
  std::shared_ptr<MappedFile> file(new MappedFile());
  if (size > 0) {
    // MAP_POPULATE: the pages are read in one go, not faulted one by one.
    void* p =
        ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) {
      const std::string err = ErrnoText();
      ::close(fd);
      return Status::Error(path + ": cannot map (" + err + ")");
    }
    file->data_ = static_cast<const uint8_t*>(p);
    file->size_ = static_cast<size_t>(size);
  }
  ::close(fd);  // the mapping holds the file
  *out = std::move(file);
  return Status::Ok();
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

namespace {

// The temporary name of an atomic write of `target`: ".<name>.tmp<digits>",
// with <name> cut so that the whole stays within NAME_MAX (255 bytes on
// ext4): a 244-character output name is valid, its temporary must be too.
std::string TemporaryNameFor(const std::string& file_name) {
  std::random_device rd;
  const std::string suffix = ".tmp" + std::to_string(rd());
  const size_t room = 255 - 1 - suffix.size();
  return "." + file_name.substr(0, room) + suffix;
}

Status WriteAtomic(const std::string& path, const void* data, size_t size, bool replace) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec)) return Status::Error(path + ": is a directory");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    return Status::Error(path + ": folder " + dir.string() + " does not exist");

  const std::string tmp = (dir / TemporaryNameFor(target.filename().string())).string();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Error(path + ": cannot write (" + ErrnoText() + ")");
  const auto* p = static_cast<const char*>(data);
  size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = ErrnoText();
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Error(path + ": write failed (" + err + ")");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::Error(path + ": could not flush to disk");
  }
  if (g_fail_atomic_write) {
    ::unlink(tmp.c_str());
    return Status::Error(path + ": injected failure before rename");
  }
  if (!replace) {
    // link() places the file only where no name exists yet, atomically.
    const int linked = ::link(tmp.c_str(), path.c_str());
    const int err = errno;
    ::unlink(tmp.c_str());
    if (linked != 0) {
      if (err == EEXIST) return Status::Error(path + ": already exists; tint does not replace it");
      return Status::Error(path + ": cannot place the file (" + std::strerror(err) + ")");
    }
    return Status::Ok();
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = ErrnoText();
    ::unlink(tmp.c_str());
    return Status::Error(path + ": cannot rename into place (" + err + ")");
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const void* data, size_t size) {
  return WriteAtomic(path, data, size, /*replace=*/true);
}

Status WriteNewFileAtomic(const std::string& path, const void* data, size_t size) {
  return WriteAtomic(path, data, size, /*replace=*/false);
}

Status WriteFileAtomic(const std::string& path, const std::string& text) {
  return WriteFileAtomic(path, text.data(), text.size());
}

Status CheckOutputFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) return Status::Error("an output file name is empty");
  if (fs::is_directory(path, ec)) return Status::Error(path + ": is a folder, not a file");
  const fs::path parent =
      fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    return Status::Error(path + ": folder " + parent.string() + " does not exist");
  if (::access(parent.c_str(), W_OK) != 0)
    return Status::Error(path + ": folder " + parent.string() + " is not writable");
  return Status::Ok();
}

bool IsAtomicWriteTemporary(const std::string& name) {
  // ".<target>.tmp<digits>", as WriteFileAtomic names them.
  if (name.size() < 6 || name[0] != '.') return false;
  const size_t at = name.rfind(".tmp");
  if (at == std::string::npos || at == 0 || at + 4 == name.size()) return false;
  for (size_t i = at + 4; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return true;
}

// ---- SHA-256 through OpenSSL's EVP interface -------------------------------
Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  TINT_CHECK(ctx_ != nullptr &&
                 EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) == 1,
             "OpenSSL SHA-256 is not available");
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Hasher::Update(const void* data, size_t size) {
  if (size > 0) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

std::string Sha256Hasher::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &length);
  return HexOf(digest, length);
}

Xxh3Hasher::Xxh3Hasher() : state_(XXH3_createState()) {
  TINT_CHECK(state_ != nullptr && XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_)) == XXH_OK,
             "xxHash state could not be made");
}

Xxh3Hasher::~Xxh3Hasher() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void Xxh3Hasher::Update(const void* data, size_t size) {
  if (size > 0) XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), data, size);
}

std::string Xxh3Hasher::FinishHex() {
  XXH128_canonical_t canonical;  // big-endian bytes: the same text on any machine
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_)));
  return HexOf(canonical.digest, sizeof(canonical.digest));
}

std::string Sha256Hex(const void* data, size_t size) {
  Sha256Hasher hasher;
  hasher.Update(data, size);
  return hasher.FinishHex();
}

std::string Sha256Hex(const std::string& text) { return Sha256Hex(text.data(), text.size()); }

Status Sha256OfFile(const std::string& path, std::string* hex) {
  std::vector<uint8_t> bytes;
  TINT_RETURN_IF_ERROR(ReadFileBytes(path, &bytes));
  *hex = Sha256Hex(bytes.data(), bytes.size());
  return Status::Ok();
}

// ---- Paths -----------------------------------------------------------------
std::string ResolvedPath(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = fs::path(path);
  p = p.lexically_normal();
  // weakly_canonical resolves the links of the existing prefix.
  const fs::path resolved = fs::weakly_canonical(p, ec);
  return (ec ? p : resolved).lexically_normal().string();
}

bool IsInsideFolder(const std::string& path, const std::string& dir) {
  std::string p = ResolvedPath(path), d = ResolvedPath(dir);
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  if (p == d) return true;
  return p.size() > d.size() && p.compare(0, d.size(), d) == 0 && (p[d.size()] == '/' || d == "/");
}

std::string FileIdentity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    return "inode " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  return "path " + ResolvedPath(path);
}

}  // namespace tint
