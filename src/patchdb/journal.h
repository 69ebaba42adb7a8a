// The journal of a database change: the one record of which files a change
// wrote or is about to delete, so that what a killed change left behind can
// be undone without touching anything else in the folder.
//
//   DIR/.journal   "tint-journal 1" then one "<sha256> <file>" line per file
//
// A change writes each line (and flushes it) before it places or deletes the
// file the line names, saves the manifest (the commit point), and removes the
// journal last. A journal found when the database is next opened for a change
// means that change was killed: RecoverInterruptedChange then removes each
// file it names that the manifest does not name and whose bytes still hash to
// the recorded SHA-256: only files tint wrote, proven by their content. A
// file a user put into the folder is never in a journal, and never removed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "patchdb/manifest.h"

namespace tint {

std::string JournalPath(const std::string& db_dir);

// Undoes what a killed change left (see above) and removes its journal; also
// removes the temporary files of atomic writes of the manifest, the index
// cache and journalled files. Call only under the database lock. Says on
// stderr how many files it removed.
Status RecoverInterruptedChange(const std::string& db_dir, const Manifest& manifest);

// One change under the database lock. Not committed, its destructor removes
// the files it wrote and its journal, so a failed change leaves the database
// as it was.
class ChangeJournal {
 public:
  // Recovers an interrupted change first, then starts an empty journal.
  static Status Begin(const std::string& db_dir, const Manifest& manifest,
                      std::unique_ptr<ChangeJournal>* out);
  ~ChangeJournal();
  ChangeJournal(const ChangeJournal&) = delete;
  ChangeJournal& operator=(const ChangeJournal&) = delete;

  // Writes a new file at `file` (relative to DIR), journalled first; an
  // existing file there is an error and is left alone.
  Status WriteNewFile(const std::string& file, const std::vector<uint8_t>& bytes,
                      std::string* sha256);
  // Notes a file (with the SHA-256 its record gives) that Commit deletes.
  Status DeleteOnCommit(const std::string& file, const std::string& sha256);
  // Saves the manifest, deletes the noted files, removes the journal.
  Status Commit(const Manifest& manifest);

 private:
  explicit ChangeJournal(std::string db_dir) : db_dir_(std::move(db_dir)) {}
  Status Append(const std::string& sha256, const std::string& file);

  std::string db_dir_;
  int fd_ = -1;
  std::vector<std::string> written_;    // files placed by this change
  std::vector<std::string> to_delete_;  // files Commit deletes
  bool committed_ = false;
};

}  // namespace tint
