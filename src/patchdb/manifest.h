// The patch database on disk: a folder with manifest.json and patch images.
//
//   DIR/manifest.json      {"format": "tint-patchdb", "version": 1, "patches": [...]}
//   DIR/patches/<label>/<id>.png
//
// Each patch records its id, label, file (relative to DIR), source data set,
// split, image, image_size [w, h] and region [x, y, w, h], licence, and the SHA-256 of the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

struct PatchRecord {
  std::string id;
  std::string label;
  std::string file;     // relative to the database folder
  std::string dataset;  // e.g. "camvid", "bsds500", "user"
  std::string split;    // e.g. "train"; never "test"
  std::string image;    // source image, relative to the data set root
  cv::Rect region;      // crop of the source image
  cv::Size image_size;  // size of the source image (0x0 when unknown)
  std::string licence;
  std::string sha256;  // of the patch file
};

// A manifest file larger than this is refused unread.
constexpr uint64_t kMaxManifestBytes = uint64_t{256} << 20;

struct Manifest {
  static constexpr int kVersion = 1;
  std::vector<PatchRecord> patches;

  // Label names in order of first appearance.
  std::vector<std::string> Labels() const;
};

// Labels are lower-case words: [a-z][a-z0-9_-]{0,31}.
bool IsValidLabel(const std::string& label);

// A name tint may use as one component of a path it writes: 1..128
// characters from [A-Za-z0-9._-], not starting with '.', holding no "..".
bool IsSafeFileName(const std::string& name);

// The one test-split rule of the database, case-insensitive: a split that
// names "test" anywhere, or an image path with a "test" or "testannot" folder.
// Writers refuse such a source and `tint db verify` refuses a record of one.
bool IsTestSplit(const std::string& split);
bool IsTestSplitImagePath(const std::string& path);
// The writers' form for a file they read: the path as given, and the part
// of it that symbolic links change, resolved (a link from a train folder to
// a test image is still a test image).
bool IsTestSplitSourceFile(const std::string& path);

// Data set names become part of patch ids and file names: [A-Za-z0-9_-]{1,64}.
bool IsValidDatasetName(const std::string& name);

// The one rule for a patch file path, applied by the writers before they
// write and by the manifest parser before anything is read: exactly
// "patches/<component>/<component>", each component IsSafeFileName. So no
// manifest can name a file outside DIR/patches, whoever wrote it.
Status CheckPatchFilePath(const std::string& file);

// Parses manifest text; every field is checked, errors name the patch.
// Two records naming one file parse (so `tint db remove` can repair such a
// manifest); SharedPatchFiles finds them, and `tint db verify` refuses them.
Status ParseManifest(const std::string& text, Manifest* manifest);
std::string SerializeManifest(const Manifest& manifest);

// Files named by more than one record, as "file (id1, id2)" lines.
std::vector<std::string> SharedPatchFiles(const Manifest& manifest);

// Reads and parses DIR/manifest.json; *sha256, when given, is the SHA-256 of
// the very bytes parsed (what the index cache's key records).
Status LoadManifest(const std::string& db_dir, Manifest* manifest, std::string* sha256 = nullptr);
// Writes DIR/manifest.json atomically.
Status SaveManifest(const std::string& db_dir, const Manifest& manifest);

std::string ManifestPath(const std::string& db_dir);

}  // namespace tint
