// The application layer of `tint db`: each change and each report a front
// end asks of a patch database, checked and run once. Each prints what it
// did (or the report) on stdout; after a change that made the index cache
// stale, a last line says how to rebuild it. An error is returned, and
// nothing has changed (every change is atomic: patchdb/journal.h).
#pragma once

#include <string>
#include <vector>

#include "patchdb/edit.h"
#include "patchdb/import.h"
#include "pipeline/classic/classic_options.h"

namespace tint {

// Patches from a data set: a CamVid root (camvid.root), or one image with
// its label map (source.label_map, source.image and a class table such as
// "0=sky,1=building,3=earth").
struct DbImportRequest {
  CamVidImportOptions camvid;
  LabelMapSource source;
  std::string class_table;
};
Status DbImport(const std::string& db_dir, const DbImportRequest& request);

// Patches cropped from an image the user annotated: rectangles ("x,y,w,h")
// or the tiles of a mask (non-zero = region).
struct DbAddRequest {
  AddPatchOptions patch;
  std::vector<std::string> rects;
  std::string mask;
  int mask_patch_size = 32, mask_max_patches = 16;
};
Status DbAdd(const std::string& db_dir, const DbAddRequest& request);

// The rectangles of a DbAddRequest drawn on its image into `output`
// (never an input): nothing is added.
Status DbPreview(const DbAddRequest& request, const std::string& output);

Status DbRemove(const std::string& db_dir, const std::vector<std::string>& ids);
Status DbList(const std::string& db_dir);
// A contact sheet of one label's patches, written to `output` (never an
// input or a file inside the database).
Status DbSheet(const std::string& db_dir, const SheetOptions& options, const std::string& output);
// Counts per label and source, the feature settings and the cache's state.
Status DbStats(const std::string& db_dir, const ClassicOptions& classic);
// Samples, FLANN index and calibration into the index cache.
Status DbBuild(const std::string& db_dir, const ClassicOptions& classic);
// Files, hashes, no shared or stray file, no test-split source, and an index
// cache that is missing or matches the patches.
Status DbVerify(const std::string& db_dir, const ClassicOptions& classic);

}  // namespace tint
