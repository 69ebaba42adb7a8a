// The one rule for what a command may write, applied by every command to
// every output before any work (colorize, colorize-sequence, eval's --csv
// and --out, db sheet):
//   - an output is never one of the command's inputs (same file by device
//     and inode, so hard and symbolic links count), nor inside a folder the
//     command reads (a data set, the patch database), nor
//     inside any patch database (a folder holding manifest.json beside
//     patches/), named or not;
//   - an existing output is replaced only when it is a regular file: a FIFO,
//     device, socket or symbolic link is never replaced by a file;
//   - two outputs of one run are never one file.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tint {

class OutputPlan {
 public:
  // A file the command reads; `what` names it in messages ("the input a.png").
  void AddInput(const std::string& path, const std::string& what);
  // A folder the command reads from: nothing may be written inside it.
  void AddInputFolder(const std::string& path, const std::string& what);

  // Checks one output file against the rule (and against the outputs added
  // before it); `what` names it ("the --csv output"). Nothing is written.
  Status AddOutputFile(const std::string& path, const std::string& what);
  // Checks an output folder (it may not exist yet): not an input or input
  // folder, not inside an input folder or a patch database, and not a file.
  Status AddOutputFolder(const std::string& path, const std::string& what);

 private:
  Status CheckPlace(const std::string& path, const std::string& what) const;

  std::map<std::string, std::string> inputs_;                 // FileIdentity -> what
  std::vector<std::pair<std::string, std::string>> folders_;  // input folder, what
  std::map<std::string, std::string> outputs_;                // FileIdentity -> what
  std::set<std::string> output_folders_;                      // resolved paths
};

// The patch database that `path` lies in (the nearest folder above it, or
// it, holding manifest.json and patches/), or "" when none.
std::string EnclosingPatchDatabase(const std::string& path);

}  // namespace tint
