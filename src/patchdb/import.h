// Taking patches from a labelled data set into the patch database.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

struct CamVidImportOptions {
  // CamVid root holding <split>/ and <split>annot/ (11-class SegNet layout).
  std::string root;
  // Data set split; "test" is refused, test images never enter the database.
  std::string split = "train";
  // Side of a square patch, in pixels.
  int patch_size = 32;
  // Patches taken per label and image, at different positions.
  int patches_per_image = 1;
  // Fraction of a patch's pixels that must carry its label (0.5..1).
  double min_purity = 0.97;
  // Use at most this many images (0: all), taken in name order.
  int max_images = 0;
  // Seeds the choice of positions; the same seed gives the same database.
  uint64_t seed = 2016;
  // Skip patches with more than this fraction of clipped pixels (a channel
  // at 0 or 255). Off (1.0) by default: blown-out sky carries no chroma but
  // is strong label evidence; filtering it at 0.2 cut CamVid test sky
  // accuracy from 95% to 31%.
  double max_clipped = 1.0;

  bool Check(std::string* error) const;
};

struct ImportSummary {
  int images_read = 0;
  std::map<std::string, int> patches_per_label;
  std::string BriefReport() const;
};

// One or more rectangles of one image, added as patches of one label.
struct AddPatchOptions {
  std::string label;
  std::string image;            // path of the source image
  std::vector<cv::Rect> rects;  // regions of the image, each a patch
  std::string dataset = "user";
  std::string split = "train";  // "test" is refused
  std::string image_id;         // how the manifest names the image (default: its file name)
  std::string licence = "unknown";

  bool Check(std::string* error) const;
};

// Patches of one label from a mask (non-zero = the region): as many
// non-overlapping patch_size tiles as fit where the mask covers min_purity
// of the tile (up to patches_per_image). An empty mask is an error.
Status AddPatchesFromMask(const AddPatchOptions& options, const std::string& mask_path,
                          int patch_size, int max_patches, const std::string& db_dir,
                          std::vector<std::string>* added_ids);

// Crops each rectangle into DIR/patches/<label>/ and appends it to the
// manifest (written last, atomically). Ids are <dataset>-<image stem>-<label>-<x>-<y>.
Status AddPatches(const AddPatchOptions& options, const std::string& db_dir,
                  std::vector<std::string>* added_ids);

// What AddPatches would take, drawn and added to nothing: the source image
// with each rectangle outlined and numbered, with its label and size. The
// same checks as AddPatches (a rectangle it would refuse is refused here).
Status PreviewPatches(const AddPatchOptions& options, cv::Mat* picture);

// The generic form: patches from one image through its label map (8 or 16
// bit, one class id per pixel) and a class-to-label table. Uses the
// patch_size, patches_per_image, min_purity, seed and max_clipped fields of
// `options`; the image is recorded as `image_id` of `dataset`/`split`.
struct LabelMapSource {
  std::string image;                   // colour image
  std::string label_map;               // class ids, same size
  std::map<int, std::string> classes;  // class id -> label (others ignored)
  std::string dataset = "user";
  std::string split = "train";
  std::string image_id;  // default: the image's file name
  std::string licence = "unknown";
};
Status ImportLabelMap(const CamVidImportOptions& options, const LabelMapSource& source,
                      const std::string& db_dir, ImportSummary* summary);

// Parses "0=sky,1=building,3=earth" into a class table.
Status ParseClassTable(const std::string& text, std::map<int, std::string>* classes);

// CamVid classes -> database labels: Sky -> sky, Building -> building,
// Road and Pavement -> earth, Tree -> vegetation.
Status ImportCamVid(const CamVidImportOptions& options, const std::string& db_dir,
                    ImportSummary* summary);

}  // namespace tint
