#include "patchdb/import.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/file_util.h"
#include "core/image_io.h"
#include "patchdb/manifest.h"

namespace tint {
namespace fs = std::filesystem;

bool CamVidImportOptions::Check(std::string* error) const {
  auto fail = [&](const std::string& m) { *error = m; return false; };
  if (split.empty()) return fail("split must not be empty");
  if (split.find("test") != std::string::npos) return fail("the test split never goes into the patch database");
  if (patch_size < 8 || patch_size > 256) return fail("patch_size must be in 8..256");
  if (patches_per_image < 1 || patches_per_image > 64) return fail("patches_per_image must be in 1..64");
  if (!(min_purity >= 0.5 && min_purity <= 1.0)) return fail("min_purity must be in 0.5..1");
  if (max_images < 0) return fail("max_images must be >= 0");
  return true;
}

std::string ImportSummary::BriefReport() const {
  std::ostringstream os;
  os << "imported from " << images_read << " images:";
  for (const auto& [label, n] : patches_per_label) os << " " << label << " " << n;
  return os.str();
}

bool AddPatchOptions::Check(std::string* error) const {
  auto fail = [&](const std::string& m) { *error = m; return false; };
  if (!IsValidLabel(label)) return fail("label \"" + label + "\" must be a lower-case word ([a-z][a-z0-9_-]*, at most 32)");
  if (rects.empty()) return fail("give at least one --rect x,y,w,h");
  if (split.find("test") != std::string::npos) return fail("the test split never goes into the patch database");
  const std::string norm = fs::path(image).lexically_normal().string();
  if (norm.find("/test/") != std::string::npos || norm.find("testannot") != std::string::npos) {
    return fail(image + ": images from a test split never go into the patch database");
  }
  for (const cv::Rect& r : rects) {
    if (r.width < 8 || r.height < 8) return fail("a patch must be at least 8x8 pixels");
  }
  return true;
}

Status AddPatches(const AddPatchOptions& options, const std::string& db_dir, std::vector<std::string>* added_ids) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  cv::Mat bgr;
  TINT_RETURN_IF_ERROR(ReadImage(ImageReadOptions(), options.image, &bgr));
  if (bgr.channels() < 3) return Status::Error(options.image + ": a patch must come from a colour image");
  if (bgr.depth() != CV_8U) bgr.convertTo(bgr, CV_8U, bgr.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  if (bgr.channels() == 4) cv::cvtColor(bgr, bgr, cv::COLOR_BGRA2BGR);
  const cv::Rect whole(0, 0, bgr.cols, bgr.rows);
  for (const cv::Rect& r : options.rects) {
    if ((r & whole) != r) {
      return Status::Error("rect " + std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.width) + "," +
                           std::to_string(r.height) + " lies outside the " + std::to_string(bgr.cols) + "x" +
                           std::to_string(bgr.rows) + " image " + options.image);
    }
  }
  Manifest manifest;
  std::error_code ec;
  if (!fs::is_directory(db_dir, ec)) return Status::Error(db_dir + ": patch database folder not found");
  if (fs::exists(ManifestPath(db_dir), ec)) TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &manifest));
  std::set<std::string> ids;
  for (const PatchRecord& p : manifest.patches) ids.insert(p.id);
  const std::string image_id = options.image_id.empty() ? fs::path(options.image).filename().string() : options.image_id;
  std::vector<PatchRecord> added;
  for (const cv::Rect& rect : options.rects) {
    PatchRecord r;
    r.id = options.dataset + "-" + fs::path(options.image).stem().string() + "-" + options.label + "-" +
           std::to_string(rect.x) + "-" + std::to_string(rect.y);
    if (!ids.insert(r.id).second) return Status::Error("patch " + r.id + " is already in the database");
    r.label = options.label;
    r.file = "patches/" + options.label + "/" + r.id + ".png";
    r.dataset = options.dataset;
    r.split = options.split;
    r.image = image_id;
    r.region = rect;
    r.image_size = bgr.size();
    r.licence = options.licence;
    std::vector<uint8_t> png;
    cv::imencode(".png", bgr(rect), png);
    const fs::path out = fs::path(db_dir) / r.file;
    fs::create_directories(out.parent_path(), ec);
    TINT_RETURN_IF_ERROR(WriteFileAtomic(out.string(), png.data(), png.size()));
    r.sha256 = Sha256Hex(png.data(), png.size());
    added.push_back(r);
  }
  for (PatchRecord& r : added) {
    if (added_ids != nullptr) added_ids->push_back(r.id);
    manifest.patches.push_back(std::move(r));
  }
  // The manifest is written last: until then the database is what it was.
  return SaveManifest(db_dir, manifest);
}

Status ImportCamVid(const CamVidImportOptions& options, const std::string& db_dir, ImportSummary* summary) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  const fs::path image_dir = fs::path(options.root) / options.split;
  const fs::path annot_dir = fs::path(options.root) / (options.split + "annot");
  std::error_code ec;
  if (!fs::is_directory(image_dir, ec) || !fs::is_directory(annot_dir, ec)) {
    return Status::Error(options.root + ": not a CamVid folder (needs " + options.split + "/ and " +
                         options.split + "annot/)");
  }
  if (!fs::is_directory(db_dir, ec) && !fs::create_directories(db_dir, ec)) {
    return Status::Error(db_dir + ": cannot create the database folder");
  }
  Manifest manifest;
  if (fs::exists(ManifestPath(db_dir), ec)) TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &manifest));
  std::set<std::string> ids;
  for (const PatchRecord& r : manifest.patches) ids.insert(r.id);

  std::vector<fs::path> images;
  for (const auto& e : fs::directory_iterator(image_dir)) {
    if (e.path().extension() == ".png") images.push_back(e.path());
  }
  std::sort(images.begin(), images.end());
  if (options.max_images > 0 && static_cast<int>(images.size()) > options.max_images) {
    // Spread the chosen images over the whole sequence rather than its start.
    std::vector<fs::path> spread;
    for (int i = 0; i < options.max_images; ++i) spread.push_back(images[i * images.size() / options.max_images]);
    images = spread;
  }

  // CamVid class -> label (11-class SegNet version).
  const std::vector<std::pair<std::string, std::vector<int>>> kClasses = {
      {"sky", {0}}, {"building", {1}}, {"earth", {3, 4}}, {"vegetation", {5}}};
  std::mt19937_64 rng(options.seed);
  const int p = options.patch_size;
  const ImageReadOptions read;
  for (const fs::path& image_path : images) {
    cv::Mat bgr, annot;
    TINT_RETURN_IF_ERROR(ReadImage(read, image_path.string(), &bgr));
    TINT_RETURN_IF_ERROR(ReadImage(read, (annot_dir / image_path.filename()).string(), &annot));
    if (annot.type() != CV_8U || annot.size() != bgr.size() || bgr.type() != CV_8UC3) {
      return Status::Error(image_path.string() + ": image and label map do not match (8-bit labels, colour image)");
    }
    ++summary->images_read;
    for (const auto& [label, classes] : kClasses) {
      cv::Mat mask = cv::Mat::zeros(annot.size(), CV_8U);
      for (int c : classes) mask |= (annot == c);
      mask /= 255;
      cv::Mat integral;
      cv::integral(mask, integral, CV_32S);
      std::vector<cv::Point> candidates;
      const int step = std::max(1, p / 4);
      const int need = static_cast<int>(std::ceil(options.min_purity * p * p));
      for (int y = 0; y + p <= annot.rows; y += step) {
        for (int x = 0; x + p <= annot.cols; x += step) {
          const int sum = integral.at<int>(y + p, x + p) - integral.at<int>(y, x + p) -
                          integral.at<int>(y + p, x) + integral.at<int>(y, x);
          if (sum >= need) candidates.emplace_back(x, y);
        }
      }
      std::shuffle(candidates.begin(), candidates.end(), rng);
      std::vector<cv::Rect> taken;
      for (const cv::Point& c : candidates) {
        if (static_cast<int>(taken.size()) >= options.patches_per_image) break;
        const cv::Rect rect(c.x, c.y, p, p);
        bool overlaps = false;
        for (const cv::Rect& t : taken) overlaps |= (t & rect).area() > 0;
        if (overlaps) continue;
        taken.push_back(rect);
        PatchRecord r;
        r.id = "camvid-" + image_path.stem().string() + "-" + label + "-" + std::to_string(c.x) + "-" + std::to_string(c.y);
        if (ids.count(r.id)) continue;
        r.label = label;
        r.file = "patches/" + label + "/" + r.id + ".png";
        r.dataset = "camvid";
        r.split = options.split;
        r.image = options.split + "/" + image_path.filename().string();
        r.region = rect;
        r.image_size = bgr.size();
        r.licence = "CC BY-NC 4.0 (CamVid, Brostow et al. 2009)";
        const fs::path out = fs::path(db_dir) / r.file;
        fs::create_directories(out.parent_path(), ec);
        std::vector<uint8_t> png;
        cv::imencode(".png", bgr(rect), png);
        TINT_RETURN_IF_ERROR(WriteFileAtomic(out.string(), png.data(), png.size()));
        r.sha256 = Sha256Hex(png.data(), png.size());
        ids.insert(r.id);
        manifest.patches.push_back(r);
        ++summary->patches_per_label[label];
      }
    }
  }
  // The manifest is written last: until then the database is what it was.
  return SaveManifest(db_dir, manifest);
}

}  // namespace tint
