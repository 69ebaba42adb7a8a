// The loaded patch database: every patch turned into neighborhood vectors
// with the chroma and label of each sample, ready for a matcher.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"
#include "features/neighborhood.h"
#include "patchdb/manifest.h"

namespace tint {

// Patch files larger than this are refused unread.
constexpr uint64_t kMaxPatchFileBytes = uint64_t{64} << 20;

// Reads a patch's file (a regular file of at most kMaxPatchFileBytes) and
// checks it against the SHA-256 the manifest records.
Status ReadPatchFile(const std::string& dir, const PatchRecord& record,
                     std::vector<uint8_t>* bytes);
// ReadPatchFile for every record: each file present and unchanged.
Status CheckPatchFiles(const std::string& dir, const Manifest& manifest);

// What a sample's shade and chroma are measured in. kLab: the window of L
// and the mean (a, b); kYuv: the original tool's Y'UV, the window of Y'
// (x 100) and the mean (U, V).
enum class ColorSpace { kLab, kYuv };

// Which of the database's labels give samples. kSeed: the original tool's
// four, sky, grass, earth and building, with CamVid's trees ("vegetation")
// as part of its grass; labels added since (skin) give none.
enum class LabelSet { kAll, kSeed };
bool LabelInSet(LabelSet set, const std::string& label);

struct PatchSamplingOptions {
  // Samples are taken every `stride` pixels where the whole window lies
  // inside the patch.
  int stride = 2;
  ColorSpace color_space = ColorSpace::kLab;
  LabelSet labels = LabelSet::kAll;

  bool Check(std::string* error) const;
};

// Where a patch's source photo lies under a data root (camvid/<image>,
// bsds500/images/<image>, imagenet-sample/images/<image>), or "" when its
// data set has no such place, the file is not there, or it is a test-split
// file. Deep vectors are computed in the source (features/deep.h).
std::string PatchSourcePath(const PatchRecord& record, const std::string& data_root);

class PatchDatabase {
 public:
  // Reads DIR/manifest.json and every patch (checking its SHA-256), and
  // computes the samples with the given feature options. Deep vectors are
  // read from the map of each patch's source photo under the default data
  // root (core/locate.h) when it is there and of the recorded size, else
  // from the map of the patch alone; *deep_from_source, when given, gets
  // how many patches had their source.
  static Status Load(const std::string& dir, const NeighborhoodOptions& features,
                     const PatchSamplingOptions& sampling, std::unique_ptr<PatchDatabase>* db,
                     int* deep_from_source = nullptr);

  // Builds a database from patches in memory (tests, tools).
  static std::unique_ptr<PatchDatabase> FromPatches(const NeighborhoodOptions& features,
                                                    const PatchSamplingOptions& sampling,
                                                    const std::vector<cv::Mat>& patches_bgr,
                                                    const std::vector<std::string>& labels);

  // A database made from one colour photo (a reference): samples over the
  // whole photo, each labelled by `regions` (CV_32S, the photo's size, ids
  // 0..n-1; -1: no sample there) at its centre, label i named label_names[i].
  static std::unique_ptr<PatchDatabase> FromLabelledPhoto(
      const NeighborhoodOptions& features, const PatchSamplingOptions& sampling, const cv::Mat& bgr,
      const cv::Mat& regions, const std::vector<std::string>& label_names);
  // A database from samples computed earlier (the index cache). When
  // vectors and chroma are views of memory they do not own (a mapped cache
  // file), `backing` is what holds that memory: the database keeps it.
  static std::unique_ptr<PatchDatabase> FromSamples(Manifest manifest,
                                                    std::vector<std::string> label_names,
                                                    cv::Mat vectors, cv::Mat chroma,
                                                    std::vector<int> sample_labels,
                                                    std::vector<int> sample_patch,
                                                    std::shared_ptr<const void> backing = nullptr);

  int num_samples() const { return vectors_.rows; }
  const cv::Mat& vectors() const { return vectors_; }  // CV_32F, num_samples x dim
  const cv::Mat& chroma() const { return chroma_; }    // CV_32F, num_samples x 2 (a, b)
  const std::vector<int>& sample_labels() const { return sample_labels_; }
  const std::vector<int>& sample_patch() const { return sample_patch_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // -1 when the database has no such label.
  int LabelId(const std::string& name) const;
  const Manifest& manifest() const { return manifest_; }
  // SHA-256 of the manifest bytes Load parsed (empty for other databases):
  // what an index cache built from this database is keyed to.
  const std::string& manifest_sha256() const { return manifest_sha256_; }

 private:
  PatchDatabase() = default;
  // regions: when given, each sample's label is regions(centre), not label_id.
  void AddPatch(const NeighborhoodOptions& features, const PatchSamplingOptions& sampling,
                const cv::Mat& bgr, int label_id, int patch_index, const PositionFrame& frame,
                const cv::Mat* regions = nullptr);

  Manifest manifest_;
  std::string manifest_sha256_;
  std::vector<std::string> label_names_;
  cv::Mat vectors_, chroma_;
  std::vector<int> sample_labels_, sample_patch_;
  std::shared_ptr<const void> backing_;  // the memory vectors_ and chroma_ view, if not theirs
};

}  // namespace tint
