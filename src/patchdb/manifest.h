// The patch database on disk: a folder with manifest.json and patch images.
//
//   DIR/manifest.json      {"format": "tint-patchdb", "version": 1, "patches": [...]}
//   DIR/patches/<label>/<id>.png
//
// Each patch records its id, label, file (relative to DIR), source data set,
// split, image, image_size [w, h] and region [x, y, w, h], licence, and the SHA-256 of the file.
#pragma once

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
  std::string sha256;   // of the patch file
};

struct Manifest {
  static constexpr int kVersion = 1;
  std::vector<PatchRecord> patches;

  // Label names in order of first appearance.
  std::vector<std::string> Labels() const;
};

// Labels are lower-case words: [a-z][a-z0-9_-]{0,31}.
bool IsValidLabel(const std::string& label);

// Parses manifest text; every field is checked, errors name the patch.
Status ParseManifest(const std::string& text, Manifest* manifest);
std::string SerializeManifest(const Manifest& manifest);

Status LoadManifest(const std::string& db_dir, Manifest* manifest);
// Writes DIR/manifest.json atomically.
Status SaveManifest(const std::string& db_dir, const Manifest& manifest);

std::string ManifestPath(const std::string& db_dir);

}  // namespace tint
