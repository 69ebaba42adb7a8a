#include "patchdb/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/file_util.h"

namespace tint {
namespace fs = std::filesystem;

namespace {

constexpr char kJournalHeader[] = "tint-journal 1\n";
constexpr uint64_t kMaxJournalBytes = uint64_t{64} << 20;

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Removes the temporary files that atomic writes of `file_names` in `dir`
// may have left (".<name>.tmp<digits>", the name cut as WriteFileAtomic
// cuts it), in one pass over the folder.
int RemoveTemporariesOf(const fs::path& dir, const std::set<std::string>& file_names) {
  int removed = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!IsAtomicWriteTemporary(name)) continue;
    const std::string stem = name.substr(1, name.rfind(".tmp") - 1);
    bool ours = false;
    if (stem.empty()) continue;
    for (const std::string& f : file_names) ours |= f.compare(0, stem.size(), stem) == 0;
    std::error_code e2;
    if (ours && e.symlink_status(e2).type() == fs::file_type::regular && fs::remove(e.path(), e2))
      ++removed;
  }
  return removed;
}

}  // namespace

std::string JournalPath(const std::string& db_dir) {
  return (fs::path(db_dir) / ".journal").string();
}

Status RecoverInterruptedChange(const std::string& db_dir, const Manifest& manifest) {
  int removed =
      RemoveTemporariesOf(db_dir, {"manifest.json", "index.cache", "index-deep.cache", ".journal"});
  const std::string path = JournalPath(db_dir);
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() == fs::file_type::not_found) return Status::Ok();
  std::vector<uint8_t> bytes;
  const Status read = ReadFileBytes(path, &bytes, kMaxJournalBytes);
  if (!read.ok()) return Status::Error(read.message() + " (the database's change journal)");
  const std::string text(bytes.begin(), bytes.end());
  if (text.compare(0, std::strlen(kJournalHeader), kJournalHeader) != 0)
    return Status::Error(path + ": not a tint change journal; move it away and run again");
  std::set<std::string> named;
  for (const PatchRecord& r : manifest.patches) named.insert(r.file);
  std::istringstream in(text.substr(std::strlen(kJournalHeader)));
  std::string line;
  std::map<fs::path, std::set<std::string>> journalled;  // folder -> file names, for temporaries
  while (std::getline(in, line)) {
    // A torn last line (killed while writing it) names no placed file.
    const size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const std::string sha = line.substr(0, space), file = line.substr(space + 1);
    if (!IsSha256Hex(sha) || !CheckPatchFilePath(file).ok() || named.count(file)) continue;
    const fs::path target = fs::path(db_dir) / file;
    journalled[target.parent_path()].insert(target.filename().string());
    std::string actual;
    if (fs::symlink_status(target, ec).type() != fs::file_type::regular ||
        !Sha256OfFile(target.string(), &actual).ok() || actual != sha) {
      continue;  // not the bytes tint wrote: not ours to remove
    }
    if (fs::remove(target, ec)) ++removed;
  }
  for (const auto& [folder, names] : journalled) removed += RemoveTemporariesOf(folder, names);
  if (!fs::remove(path, ec) && ec)
    return Status::Error(path + ": cannot remove the finished journal (" + ec.message() + ")");
  if (removed > 0) {
    std::fprintf(stderr, "tint: removed %d file%s that an interrupted change had written in %s\n",
                 removed, removed == 1 ? "" : "s", db_dir.c_str());
  }
  return Status::Ok();
}

Status ChangeJournal::Begin(const std::string& db_dir, const Manifest& manifest,
                            std::unique_ptr<ChangeJournal>* out) {
  TINT_RETURN_IF_ERROR(RecoverInterruptedChange(db_dir, manifest));
  std::unique_ptr<ChangeJournal> journal(new ChangeJournal(db_dir));
  const std::string path = JournalPath(db_dir);
  journal->fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (journal->fd_ < 0)
    return Status::Error(path + ": cannot start the change journal (" + std::strerror(errno) + ")");
  const size_t n = std::strlen(kJournalHeader);
  if (::write(journal->fd_, kJournalHeader, n) != static_cast<ssize_t>(n) ||
      ::fsync(journal->fd_) != 0) {
    return Status::Error(path + ": cannot write the change journal");
  }
  *out = std::move(journal);
  return Status::Ok();
}

Status ChangeJournal::Append(const std::string& sha256, const std::string& file) {
  const std::string line = sha256 + " " + file + "\n";
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
      ::fdatasync(fd_) != 0) {
    return Status::Error(JournalPath(db_dir_) + ": cannot write the change journal (" +
                         std::strerror(errno) + ")");
  }
  return Status::Ok();
}

Status ChangeJournal::WriteNewFile(const std::string& file, const std::vector<uint8_t>& bytes,
                                   std::string* sha256) {
  TINT_CHECK(!committed_, "ChangeJournal used after Commit");
  TINT_RETURN_IF_ERROR(CheckPatchFilePath(file));
  *sha256 = Sha256Hex(bytes.data(), bytes.size());
  const std::string path = (fs::path(db_dir_) / file).string();
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() != fs::file_type::not_found) {
    return Status::Error(path +
                         ": a file no record names is already there (yours?); tint does "
                         "not replace it: move it away first");
  }
  TINT_RETURN_IF_ERROR(Append(*sha256, file));
  TINT_RETURN_IF_ERROR(WriteNewFileAtomic(path, bytes.data(), bytes.size()));
  written_.push_back(path);
  return Status::Ok();
}

Status ChangeJournal::DeleteOnCommit(const std::string& file, const std::string& sha256) {
  TINT_CHECK(!committed_, "ChangeJournal used after Commit");
  TINT_RETURN_IF_ERROR(Append(sha256, file));
  to_delete_.push_back(file);
  return Status::Ok();
}

Status ChangeJournal::Commit(const Manifest& manifest) {
  TINT_CHECK(!committed_, "ChangeJournal committed twice");
  TINT_RETURN_IF_ERROR(SaveManifest(db_dir_, manifest));
  committed_ = true;
  // Past the commit point: a file still here after a failure below is
  // removed by the next change's recovery, which reads this journal.
  std::error_code ec;
  for (const std::string& f : to_delete_) fs::remove(fs::path(db_dir_) / f, ec);
  ::close(fd_);
  fd_ = -1;
  fs::remove(JournalPath(db_dir_), ec);
  return Status::Ok();
}

ChangeJournal::~ChangeJournal() {
  if (committed_) return;
  std::error_code ec;
  for (const std::string& path : written_) fs::remove(path, ec);
  if (fd_ >= 0) ::close(fd_);
  fs::remove(JournalPath(db_dir_), ec);
}

}  // namespace tint
