// Removing patches and drawing contact sheets.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

// Removes the patches with these ids: the manifest (the commit point) is
// rewritten first, then their files are deleted. Unknown ids are an error
// and nothing changes.
Status RemovePatches(const std::string& db_dir, const std::vector<std::string>& ids);

struct SheetOptions {
  std::string label;   // patches of this label
  int tile = 64;       // side of each tile, pixels
  int columns = 12;
  bool Check(std::string* error) const;
};

// A contact sheet of a label's patches, in manifest order, each tile
// captioned with its source data set.
Status DrawContactSheet(const SheetOptions& options, const std::string& db_dir, cv::Mat* sheet);

}  // namespace tint
