#include "patchdb/database.h"

#include <filesystem>
#include <map>
#include <memory>

#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "core/file_util.h"
#include "core/image_io.h"
#include "core/locate.h"
#include "features/deep.h"

namespace tint {

Status ReadPatchFile(const std::string& dir, const PatchRecord& r, std::vector<uint8_t>* bytes) {
  const std::string path = (std::filesystem::path(dir) / r.file).string();
  const Status s = ReadFileBytes(path, bytes, kMaxPatchFileBytes);
  if (!s.ok()) return Status::Error("patch " + r.id + ": " + s.message());
  if (Sha256Hex(bytes->data(), bytes->size()) != r.sha256) {
    return Status::Error(path + ": content hash does not match the manifest (patch " + r.id +
                         " changed or corrupt)");
  }
  return Status::Ok();
}

Status CheckPatchFiles(const std::string& dir, const Manifest& manifest) {
  std::vector<uint8_t> bytes;
  for (const PatchRecord& r : manifest.patches) TINT_RETURN_IF_ERROR(ReadPatchFile(dir, r, &bytes));
  return Status::Ok();
}

bool PatchSamplingOptions::Check(std::string* error) const {
  if (stride < 1 || stride > 64) {
    *error = "sampling stride must be in 1..64";
    return false;
  }
  return true;
}

int PatchDatabase::LabelId(const std::string& name) const {
  for (int i = 0; i < static_cast<int>(label_names_.size()); ++i) {
    if (label_names_[i] == name) return i;
  }
  return -1;
}

bool LabelInSet(LabelSet set, const std::string& label) {
  if (set == LabelSet::kAll) return true;
  for (const char* seed : {"sky", "grass", "vegetation", "earth", "building"}) {
    if (label == seed) return true;
  }
  return false;
}

void PatchDatabase::AddPatch(const NeighborhoodOptions& features,
                             const PatchSamplingOptions& sampling, const cv::Mat& bgr, int label_id,
                             int patch_index, const PositionFrame& frame, const cv::Mat* regions) {
  if (regions == nullptr && !LabelInSet(sampling.labels, label_names_[label_id])) return;
  cv::Mat lightness, ab;
  if (sampling.color_space == ColorSpace::kYuv) {
    cv::Mat y, u, v;
    ComputeYuv(bgr, &y, &u, &v);
    lightness = y * 100.0;
    cv::merge(std::vector<cv::Mat>{u, v}, ab);
  } else {
    SplitLab(bgr, &lightness, &ab);
  }
  const int h = features.window / 2;
  std::vector<cv::Point> points;
  for (int y = h; y < lightness.rows - h; y += sampling.stride) {
    for (int x = h; x < lightness.cols - h; x += sampling.stride) {
      if (regions == nullptr || regions->at<int>(y, x) >= 0) points.emplace_back(x, y);
    }
  }
  if (points.empty()) return;
  cv::Mat vectors;
  ComputeNeighborhoodVectors(features, lightness, points, &vectors, frame);
  // A sample's chroma is the mean (a, b) (or (U, V)) over its window.
  cv::Mat ab_mean;
  cv::blur(ab, ab_mean, cv::Size(features.window, features.window), cv::Point(-1, -1),
           cv::BORDER_REFLECT_101);
  cv::Mat chroma(static_cast<int>(points.size()), 2, CV_32F);
  for (int i = 0; i < static_cast<int>(points.size()); ++i) {
    const cv::Vec2f v = ab_mean.at<cv::Vec2f>(points[i]);
    chroma.at<float>(i, 0) = v[0];
    chroma.at<float>(i, 1) = v[1];
    sample_labels_.push_back(regions != nullptr ? regions->at<int>(points[i]) : label_id);
    sample_patch_.push_back(patch_index);
  }
  vectors_.push_back(vectors);
  chroma_.push_back(chroma);
}

std::string PatchSourcePath(const PatchRecord& record, const std::string& data_root) {
  namespace fs = std::filesystem;
  fs::path path;
  if (record.dataset == "camvid")
    path = fs::path(data_root) / "camvid" / record.image;
  else if (record.dataset == "bsds500")
    path = fs::path(data_root) / "bsds500" / "images" / record.image;
  else if (record.dataset == "imagenet")
    path = fs::path(data_root) / "imagenet-sample" / "images" / record.image;
  else
    return "";
  std::error_code ec;
  if (record.image.empty() || IsTestSplit(record.split) || IsTestSplitImagePath(record.image) ||
      !fs::is_regular_file(path, ec) || IsTestSplitSourceFile(path.string()))
    return "";
  return path.string();
}

namespace {

// The shade image the samples are made of: L, or Y' x 100 in Y'UV.
cv::Mat ShadeOf(const cv::Mat& bgr, ColorSpace space) {
  cv::Mat lightness, ab;
  if (space == ColorSpace::kYuv) {
    cv::Mat y, u, v;
    ComputeYuv(bgr, &y, &u, &v);
    return y * 100.0;
  }
  SplitLab(bgr, &lightness, &ab);
  return lightness;
}

// The deep map of a patch's source photo, made once per source; null when
// the source is not at hand.
std::shared_ptr<const DeepMap> SourceDeepMap(
    const PatchRecord& r, ColorSpace space,
    std::map<std::string, std::shared_ptr<const DeepMap>>* made) {
  const std::string path = PatchSourcePath(r, DefaultDataRoot());
  if (path.empty()) return nullptr;
  auto it = made->find(path);
  if (it != made->end()) return it->second;
  cv::Mat source;
  ImageReadOptions read;
  std::shared_ptr<const DeepMap> map;
  if (ReadImage(read, path, &source).ok() && source.channels() >= 3 &&
      source.size() == r.image_size) {
    map = std::make_shared<const DeepMap>(ComputeDeepMap(ShadeOf(source, space)));
  }
  (*made)[path] = map;
  return map;
}

}  // namespace

Status PatchDatabase::Load(const std::string& dir, const NeighborhoodOptions& features,
                           const PatchSamplingOptions& sampling, std::unique_ptr<PatchDatabase>* db,
                           int* deep_from_source) {
  if (deep_from_source != nullptr) *deep_from_source = 0;
  std::map<std::string, std::shared_ptr<const DeepMap>> source_maps;
  if (features.kind == FeatureKind::kDeep)
    TINT_RETURN_IF_ERROR(LoadDeepFeatures(DefaultDeepFeatures()));
  std::string error;
  TINT_CHECK(features.Check(&error), error);
  TINT_CHECK(sampling.Check(&error), error);
  std::unique_ptr<PatchDatabase> out(new PatchDatabase());
  TINT_RETURN_IF_ERROR(LoadManifest(dir, &out->manifest_, &out->manifest_sha256_));
  if (out->manifest_.patches.empty())
    return Status::Error(ManifestPath(dir) + ": the database has no patches");
  out->label_names_ = out->manifest_.Labels();
  ImageReadOptions read;
  read.max_pixels = 4'000'000;
  for (int i = 0; i < static_cast<int>(out->manifest_.patches.size()); ++i) {
    const PatchRecord& r = out->manifest_.patches[i];
    const std::string path = (std::filesystem::path(dir) / r.file).string();
    std::vector<uint8_t> bytes;
    TINT_RETURN_IF_ERROR(ReadPatchFile(dir, r, &bytes));
    cv::Mat bgr;
    Status s;
    s = DecodeImage(read, path, bytes, &bgr);  // the bytes just hashed, not a second read
    if (!s.ok()) return Status::Error("patch " + r.id + ": " + s.message());
    if (bgr.channels() < 3) return Status::Error(path + ": patch must be a colour image");
    if (features.position_weight > 0 && (r.image_size.width == 0 || r.image_size.height == 0)) {
      return Status::Error(
          "patch " + r.id +
          ": the position feature needs the source image size, which the manifest lacks");
    }
    PositionFrame frame;
    frame.offset_y = r.region.y;
    frame.frame_height = r.image_size.height;
    if (features.kind == FeatureKind::kDeep) {
      frame.offset_x = r.region.x;
      frame.source_deep = SourceDeepMap(r, sampling.color_space, &source_maps);
      if (frame.source_deep != nullptr && deep_from_source != nullptr) ++*deep_from_source;
    }
    out->AddPatch(features, sampling, bgr, out->LabelId(r.label), i, frame);
  }
  if (out->num_samples() == 0) {
    return Status::Error(dir + ": no patch is larger than the feature window (" +
                         std::to_string(features.window) + " px)");
  }
  *db = std::move(out);
  return Status::Ok();
}

std::unique_ptr<PatchDatabase> PatchDatabase::FromPatches(const NeighborhoodOptions& features,
                                                          const PatchSamplingOptions& sampling,
                                                          const std::vector<cv::Mat>& patches_bgr,
                                                          const std::vector<std::string>& labels) {
  TINT_CHECK(patches_bgr.size() == labels.size(), "one label per patch");
  std::unique_ptr<PatchDatabase> db(new PatchDatabase());
  for (size_t i = 0; i < patches_bgr.size(); ++i) {
    PatchRecord r;
    r.id = "mem-" + std::to_string(i);
    r.label = labels[i];
    db->manifest_.patches.push_back(r);
  }
  db->label_names_ = db->manifest_.Labels();
  for (size_t i = 0; i < patches_bgr.size(); ++i) {
    db->AddPatch(features, sampling, patches_bgr[i], db->LabelId(labels[i]), static_cast<int>(i),
                 PositionFrame());
  }
  return db;
}

std::unique_ptr<PatchDatabase> PatchDatabase::FromLabelledPhoto(
    const NeighborhoodOptions& features, const PatchSamplingOptions& sampling, const cv::Mat& bgr,
    const cv::Mat& regions, const std::vector<std::string>& label_names) {
  TINT_CHECK(regions.type() == CV_32S && regions.size() == bgr.size(), "one region per pixel");
  std::unique_ptr<PatchDatabase> db(new PatchDatabase());
  PatchRecord r;
  r.id = "reference";
  r.label = label_names.empty() ? "reference" : label_names[0];
  db->manifest_.patches.push_back(r);
  db->label_names_ = label_names;
  db->AddPatch(features, sampling, bgr, 0, 0, PositionFrame(), &regions);
  return db;
}

std::unique_ptr<PatchDatabase> PatchDatabase::FromSamples(Manifest manifest,
                                                          std::vector<std::string> label_names,
                                                          cv::Mat vectors, cv::Mat chroma,
                                                          std::vector<int> sample_labels,
                                                          std::vector<int> sample_patch,
                                                          std::shared_ptr<const void> backing) {
  TINT_CHECK(vectors.type() == CV_32F && chroma.type() == CV_32F && chroma.cols == 2,
             "bad sample arrays");
  TINT_CHECK(vectors.rows == chroma.rows &&
                 vectors.rows == static_cast<int>(sample_labels.size()) &&
                 vectors.rows == static_cast<int>(sample_patch.size()),
             "sample arrays differ in length");
  std::unique_ptr<PatchDatabase> db(new PatchDatabase());
  db->manifest_ = std::move(manifest);
  db->label_names_ = std::move(label_names);
  db->vectors_ = std::move(vectors);
  db->chroma_ = std::move(chroma);
  db->sample_labels_ = std::move(sample_labels);
  db->sample_patch_ = std::move(sample_patch);
  db->backing_ = std::move(backing);
  return db;
}

}  // namespace tint
