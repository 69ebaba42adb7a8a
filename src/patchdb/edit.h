// Removing patches and drawing contact sheets.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"
#include "patchdb/manifest.h"

namespace tint {

// Removes the patches with these ids: the files to delete go into the
// change's journal, the manifest (the commit point) is rewritten, then the
// files are deleted (a file that a kept record still names is kept). Unknown
// ids are an error and nothing changes.
Status RemovePatches(const std::string& db_dir, const std::vector<std::string>& ids);

// Files in the database folder that no manifest record names and that look
// like tint's: .png files in patches/<folder>/, and temporary files of an
// atomic write (".<name>.tmp<digits>") in DIR and its patches/ folders.
// `tint db verify` reports them; nothing removes them, since tint removes
// only what its change journal proves it wrote (patchdb/journal.h). Sorted,
// relative to DIR.
std::vector<std::string> FindOrphans(const std::string& db_dir, const Manifest& manifest);

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
