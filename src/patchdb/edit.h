// Removing patches and drawing contact sheets.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"
#include "patchdb/manifest.h"

namespace tint {

// Removes the patches with these ids: the manifest (the commit point) is
// rewritten first, then their files are deleted (a file that a kept record
// still names is kept). Unknown ids are an error and nothing changes.
Status RemovePatches(const std::string& db_dir, const std::vector<std::string>& ids);

// Files in the database folder that no manifest record names and that tint
// made: patch files patches/<folder>/<name>.png, and the temporary files of
// an atomic write (".<name>.tmp<digits>") in DIR and its patches/ folders.
// A change killed midway (kill -9, power loss) leaves such files behind;
// nothing else in the folder is ever counted. Sorted, relative to DIR.
std::vector<std::string> FindOrphans(const std::string& db_dir, const Manifest& manifest);

// Removes FindOrphans' files. Call only under the database lock (so no live
// writer's temporary file is taken); every writer does so when it starts.
// Says on stderr how many it removed.
void RemoveOrphans(const std::string& db_dir, const Manifest& manifest);

struct SheetOptions {
  std::string label;  // patches of this label
  int tile = 64;      // side of each tile, pixels
  int columns = 12;
  bool Check(std::string* error) const;
};

// A contact sheet of a label's patches, in manifest order, each tile
// captioned with its source data set.
Status DrawContactSheet(const SheetOptions& options, const std::string& db_dir, cv::Mat* sheet);

}  // namespace tint
