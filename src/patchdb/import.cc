#include "patchdb/import.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>

#include "core/file_util.h"
#include "core/geometry.h"
#include "core/image_io.h"
#include "patchdb/journal.h"
#include "patchdb/lock.h"
#include "patchdb/manifest.h"

namespace tint {
namespace fs = std::filesystem;

namespace internal {

// The id of a patch: <dataset>-<image stem>-<label>-<x>-<y>.
// The image stem is reduced to [A-Za-z0-9_-] (anything else becomes '_'),
// so that "a..b.jpg" or a stem with spaces still gives a safe file name.
std::string PatchId(const std::string& dataset, const std::string& image_path,
                    const std::string& label, const cv::Rect& rect) {
  std::string stem = fs::path(image_path).stem().string().substr(0, 64);
  for (char& c : stem) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) c = '_';
  }
  if (stem.empty()) stem = "image";
  return dataset + "-" + stem + "-" + label + "-" + std::to_string(rect.x) + "-" +
         std::to_string(rect.y);
}

// Crops `rect` of `bgr` into DIR/patches/<label>/<id>.png (atomically,
// through the change's journal) and fills its manifest record.
Status WritePatch(const std::string& db_dir, const cv::Mat& bgr, const cv::Rect& rect,
                  const std::string& id, const std::string& label, const std::string& dataset,
                  const std::string& split, const std::string& image_id, const std::string& licence,
                  const Manifest& manifest, ChangeJournal* journal, PatchRecord* r) {
  r->id = id;
  r->label = label;
  r->file = "patches/" + label + "/" + id + ".png";
  r->dataset = dataset;
  r->split = split;
  r->image = image_id;
  r->region = rect;
  r->image_size = bgr.size();
  r->licence = licence;
  // The loader's rule, applied before anything is written.
  TINT_RETURN_IF_ERROR(CheckPatchFilePath(r->file));
  for (const PatchRecord& other : manifest.patches) {
    if (other.file == r->file)
      return Status::Error("patch " + other.id + " already uses the file " + r->file);
  }
  const fs::path out = fs::path(db_dir) / r->file;
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  // A patches/ folder that is a link to elsewhere is never written through.
  if (!IsInsideFolder(out.string(), db_dir) ||
      !IsInsideFolder(out.parent_path().string(), (fs::path(db_dir) / "patches").string())) {
    return Status::Error(out.string() + ": resolves outside the database folder " + db_dir +
                         " (a symbolic link?)");
  }
  std::vector<uint8_t> png;
  cv::imencode(".png", bgr(rect), png);
  return journal->WriteNewFile(r->file, png, &r->sha256);
}

// Opens a database for a change: takes its lock, reads its manifest (an
// absent one is an empty database, unless the folder already holds patches/:
// then it is somebody's folder or a database whose manifest went missing,
// and nothing is touched) and starts the change's journal.
Status OpenForChange(const std::string& db_dir, std::unique_ptr<DatabaseLock>* lock,
                     Manifest* manifest, std::set<std::string>* ids,
                     std::unique_ptr<ChangeJournal>* journal) {
  TINT_RETURN_IF_ERROR(DatabaseLock::Acquire(db_dir, lock));
  std::error_code ec;
  if (fs::symlink_status(ManifestPath(db_dir), ec).type() != fs::file_type::not_found) {
    TINT_RETURN_IF_ERROR(LoadManifest(db_dir, manifest));
  } else if (fs::symlink_status(fs::path(db_dir) / "patches", ec).type() !=
             fs::file_type::not_found) {
    return Status::Error(db_dir +
                         " holds patches/ but no manifest.json: restore the manifest, "
                         "or start the database in a new folder (nothing was changed)");
  }
  TINT_RETURN_IF_ERROR(ChangeJournal::Begin(db_dir, *manifest, journal));
  for (const PatchRecord& r : manifest->patches) ids->insert(r.id);
  return Status::Ok();
}

}  // namespace internal

bool CamVidImportOptions::Check(std::string* error) const {
  auto fail = [&](const std::string& m) {
    *error = m;
    return false;
  };
  if (split.empty()) return fail("split must not be empty");
  if (IsTestSplit(split)) return fail("the test split never goes into the patch database");
  if (patch_size < 8 || patch_size > 256) return fail("patch_size must be in 8..256");
  if (patches_per_image < 1 || patches_per_image > 64)
    return fail("patches_per_image must be in 1..64");
  if (!(min_purity >= 0.5 && min_purity <= 1.0)) return fail("min_purity must be in 0.5..1");
  if (max_images < 0) return fail("max_images must be >= 0");
  if (!(max_clipped >= 0 && max_clipped <= 1)) return fail("max_clipped must be in 0..1");
  return true;
}

std::string ImportSummary::BriefReport() const {
  std::ostringstream os;
  os << "imported from " << images_read << " images:";
  for (const auto& [label, n] : patches_per_label) os << " " << label << " " << n;
  return os.str();
}

bool AddPatchOptions::Check(std::string* error) const {
  auto fail = [&](const std::string& m) {
    *error = m;
    return false;
  };
  if (!IsValidLabel(label))
    return fail("label \"" + label + "\" must be a lower-case word ([a-z][a-z0-9_-]*, at most 32)");
  if (rects.empty()) return fail("give at least one --rect x,y,w,h");
  if (IsTestSplit(split)) return fail("the test split never goes into the patch database");
  if (IsTestSplitSourceFile(image))
    return fail(image + ": images from a test split never go into the patch database");
  if (!IsValidDatasetName(dataset)) {
    return fail("dataset \"" + dataset +
                "\" must be a word of letters, digits, '_' or '-' (at most 64)");
  }
  for (const cv::Rect& r : rects) {
    if (r.width < 8 || r.height < 8) return fail("a patch must be at least 8x8 pixels");
  }
  return true;
}

namespace {

// The checked options' source image as 8-bit BGR, every rectangle inside it.
Status ReadPatchSource(const AddPatchOptions& options, cv::Mat* out) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  cv::Mat bgr;
  TINT_RETURN_IF_ERROR(ReadImage(ImageReadOptions(), options.image, &bgr));
  if (bgr.channels() < 3)
    return Status::Error(options.image + ": a patch must come from a colour image");
  if (bgr.depth() != CV_8U) bgr.convertTo(bgr, CV_8U, bgr.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  if (bgr.channels() == 4) cv::cvtColor(bgr, bgr, cv::COLOR_BGRA2BGR);
  for (const cv::Rect& r : options.rects) {
    if (!RectInside(r, bgr.size())) {
      return Status::Error("rect " + RectText(r) + " lies outside the " + std::to_string(bgr.cols) +
                           "x" + std::to_string(bgr.rows) + " image " + options.image);
    }
  }
  *out = bgr;
  return Status::Ok();
}

}  // namespace

Status PreviewPatches(const AddPatchOptions& options, cv::Mat* picture) {
  cv::Mat bgr;
  TINT_RETURN_IF_ERROR(ReadPatchSource(options, &bgr));
  const double scale = std::max(0.4, std::max(bgr.cols, bgr.rows) / 1000.0);
  const int thick = std::max(1, static_cast<int>(std::lround(2 * scale)));
  for (size_t i = 0; i < options.rects.size(); ++i) {
    const cv::Rect& r = options.rects[i];
    cv::rectangle(bgr, r, cv::Scalar(0, 0, 0), thick + 2);  // dark edge: seen on any colour
    cv::rectangle(bgr, r, cv::Scalar(0, 230, 255), thick);
    const std::string text = std::to_string(i + 1) + " " + options.label + " " +
                             std::to_string(r.width) + "x" + std::to_string(r.height);
    int base = 0;
    const cv::Size size =
        cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.5 * scale, thick, &base);
    const int y = r.y >= size.height + base + 4 ? r.y - base - 2 : r.y + r.height + size.height + 2;
    const cv::Point at(std::min(r.x, std::max(0, bgr.cols - size.width)),
                       std::min(y, bgr.rows - 2));
    cv::rectangle(bgr, at + cv::Point(-2, base + 2),
                  at + cv::Point(size.width + 2, -size.height - 2), cv::Scalar(0, 0, 0),
                  cv::FILLED);
    cv::putText(bgr, text, at, cv::FONT_HERSHEY_SIMPLEX, 0.5 * scale, cv::Scalar(0, 230, 255),
                thick, cv::LINE_AA);
  }
  *picture = bgr;
  return Status::Ok();
}

Status AddPatches(const AddPatchOptions& options, const std::string& db_dir,
                  std::vector<std::string>* added_ids) {
  cv::Mat bgr;
  TINT_RETURN_IF_ERROR(ReadPatchSource(options, &bgr));
  std::unique_ptr<DatabaseLock> lock;
  Manifest manifest;
  std::set<std::string> ids;
  std::unique_ptr<ChangeJournal> journal;
  TINT_RETURN_IF_ERROR(internal::OpenForChange(db_dir, &lock, &manifest, &ids, &journal));
  const std::string image_id =
      options.image_id.empty() ? fs::path(options.image).filename().string() : options.image_id;
  std::vector<PatchRecord> added;
  for (const cv::Rect& rect : options.rects) {
    PatchRecord r;
    const std::string id = internal::PatchId(options.dataset, options.image, options.label, rect);
    if (!ids.insert(id).second) return Status::Error("patch " + id + " is already in the database");
    TINT_RETURN_IF_ERROR(internal::WritePatch(db_dir, bgr, rect, id, options.label, options.dataset,
                                              options.split, image_id, options.licence, manifest,
                                              journal.get(), &r));
    added.push_back(r);
  }
  for (PatchRecord& r : added) {
    if (added_ids != nullptr) added_ids->push_back(r.id);
    manifest.patches.push_back(std::move(r));
  }
  // The manifest is written last: until then the database is what it was.
  return journal->Commit(manifest);
}

namespace internal {

// Chooses patches of each label where the label map is pure enough, at
// shuffled non-overlapping positions, writes them and appends their records.
Status ExtractPatches(const CamVidImportOptions& options, const LabelMapSource& source,
                      const cv::Mat& bgr_in, const cv::Mat& annot_in, const std::string& db_dir,
                      std::mt19937_64* rng, Manifest* manifest, std::set<std::string>* ids,
                      ImportSummary* summary, ChangeJournal* journal) {
  if (bgr_in.channels() < 3)
    return Status::Error(source.image + ": patches must come from a colour image");
  if (annot_in.channels() != 1 || annot_in.size() != bgr_in.size()) {
    return Status::Error(source.label_map + ": label map must be single-channel and the size of " +
                         source.image);
  }
  cv::Mat bgr = bgr_in, annot;
  if (bgr.depth() != CV_8U) bgr.convertTo(bgr, CV_8U, bgr.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  if (bgr.channels() == 4) cv::cvtColor(bgr, bgr, cv::COLOR_BGRA2BGR);
  annot_in.convertTo(annot, CV_32S);
  // Clipped pixels: any channel at 0 or 255.
  cv::Mat clipped;
  {
    cv::Mat lo, hi;
    cv::inRange(bgr, cv::Scalar(1, 1, 1), cv::Scalar(254, 254, 254),
                lo);  // 255 where nothing is clipped
    cv::bitwise_not(lo, hi);
    clipped = hi / 255;
  }
  cv::Mat clipped_integral;
  cv::integral(clipped, clipped_integral, CV_32S);
  std::map<std::string, std::vector<int>> by_label;
  for (const auto& [cls, label] : source.classes) by_label[label].push_back(cls);
  const int p = options.patch_size;
  auto box = [&](const cv::Mat& in, int x, int y) {
    return in.at<int>(y + p, x + p) - in.at<int>(y, x + p) - in.at<int>(y + p, x) +
           in.at<int>(y, x);
  };
  const std::string image_id =
      source.image_id.empty() ? fs::path(source.image).filename().string() : source.image_id;
  for (const auto& [label, classes] : by_label) {
    cv::Mat mask = cv::Mat::zeros(annot.size(), CV_8U);
    for (int c : classes) mask |= (annot == c);
    mask /= 255;
    cv::Mat integral;
    cv::integral(mask, integral, CV_32S);
    std::vector<cv::Point> candidates;
    const int step = std::max(1, p / 4);
    const int need = static_cast<int>(std::ceil(options.min_purity * p * p));
    const int max_clip = static_cast<int>(std::floor(options.max_clipped * p * p));
    for (int y = 0; y + p <= annot.rows; y += step) {
      for (int x = 0; x + p <= annot.cols; x += step) {
        if (box(integral, x, y) >= need && box(clipped_integral, x, y) <= max_clip)
          candidates.emplace_back(x, y);
      }
    }
    std::shuffle(candidates.begin(), candidates.end(), *rng);
    std::vector<cv::Rect> taken;
    for (const cv::Point& c : candidates) {
      if (static_cast<int>(taken.size()) >= options.patches_per_image) break;
      const cv::Rect rect(c.x, c.y, p, p);
      bool overlaps = false;
      for (const cv::Rect& t : taken) overlaps |= (t & rect).area() > 0;
      if (overlaps) continue;
      taken.push_back(rect);
      const std::string id = internal::PatchId(source.dataset, source.image, label, rect);
      if (ids->count(id)) continue;
      PatchRecord r;
      TINT_RETURN_IF_ERROR(WritePatch(db_dir, bgr, rect, id, label, source.dataset, source.split,
                                      image_id, source.licence, *manifest, journal, &r));
      ids->insert(r.id);
      manifest->patches.push_back(r);
      ++summary->patches_per_label[label];
    }
  }
  return Status::Ok();
}

}  // namespace internal

Status ParseClassTable(const std::string& text, std::map<int, std::string>* classes) {
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      return Status::Error("class table entry \"" + item + "\" is not ID=label");
    std::vector<int> value;
    if (!ParseIntList(item.substr(0, eq), ',', 1, &value) || value[0] < 0 || value[0] > 65535)
      return Status::Error("class id in \"" + item + "\" is not an integer in 0..65535");
    const int id = value[0];
    const std::string label = item.substr(eq + 1);
    if (!IsValidLabel(label))
      return Status::Error("invalid label \"" + label + "\" in the class table");
    if (!classes->emplace(id, label).second)
      return Status::Error("class id " + std::to_string(id) + " is given twice in the class table");
  }
  if (classes->empty()) return Status::Error("the class table is empty");
  return Status::Ok();
}

Status ImportLabelMap(const CamVidImportOptions& options, const LabelMapSource& source,
                      const std::string& db_dir, ImportSummary* summary) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  if (IsTestSplit(source.split) || IsTestSplitSourceFile(source.image) ||
      IsTestSplitSourceFile(source.label_map)) {
    return Status::Error("the test split never goes into the patch database");
  }
  if (!IsValidDatasetName(source.dataset)) {
    return Status::Error("dataset \"" + source.dataset +
                         "\" must be a word of letters, digits, '_' or '-' (at most 64)");
  }
  cv::Mat bgr, annot;
  TINT_RETURN_IF_ERROR(ReadImage(ImageReadOptions(), source.image, &bgr));
  TINT_RETURN_IF_ERROR(ReadImage(ImageReadOptions(), source.label_map, &annot));
  std::unique_ptr<DatabaseLock> lock;
  Manifest manifest;
  std::set<std::string> ids;
  std::unique_ptr<ChangeJournal> journal;
  TINT_RETURN_IF_ERROR(internal::OpenForChange(db_dir, &lock, &manifest, &ids, &journal));
  std::mt19937_64 rng(options.seed);
  TINT_RETURN_IF_ERROR(internal::ExtractPatches(options, source, bgr, annot, db_dir, &rng,
                                                &manifest, &ids, summary, journal.get()));
  ++summary->images_read;
  return journal->Commit(manifest);
}

Status AddPatchesFromMask(const AddPatchOptions& options, const std::string& mask_path,
                          int patch_size, int max_patches, const std::string& db_dir,
                          std::vector<std::string>* added_ids) {
  AddPatchOptions check = options;
  check.rects = {cv::Rect(0, 0, 8, 8)};  // rects are not used with a mask
  std::string error;
  if (!check.Check(&error)) return Status::Error(error);
  if (IsTestSplitSourceFile(mask_path))
    return Status::Error(mask_path + ": masks from a test split never go into the patch database");
  CamVidImportOptions tiles;
  tiles.patch_size = patch_size;
  tiles.patches_per_image = max_patches;
  if (!tiles.Check(&error)) return Status::Error(error);
  cv::Mat bgr, mask;
  TINT_RETURN_IF_ERROR(ReadImage(ImageReadOptions(), options.image, &bgr));
  TINT_RETURN_IF_ERROR(ReadImage(ImageReadOptions(), mask_path, &mask));
  if (mask.channels() > 1) cv::extractChannel(mask, mask, 0);
  if (mask.size() != bgr.size())
    return Status::Error(mask_path + ": mask size differs from " + options.image);
  cv::Mat region = mask > 0;
  if (cv::countNonZero(region) == 0) return Status::Error(mask_path + ": the mask is empty");
  region /= 255;  // class 1 = inside
  LabelMapSource source;
  source.image = options.image;
  source.label_map = mask_path;
  source.classes = {{1, options.label}};
  source.dataset = options.dataset;
  source.split = options.split;
  source.image_id = options.image_id;
  source.licence = options.licence;
  std::unique_ptr<DatabaseLock> lock;
  Manifest manifest;
  std::set<std::string> ids;
  std::unique_ptr<ChangeJournal> journal;
  TINT_RETURN_IF_ERROR(internal::OpenForChange(db_dir, &lock, &manifest, &ids, &journal));
  const size_t before = manifest.patches.size();
  std::mt19937_64 rng(tiles.seed);
  ImportSummary summary;
  TINT_RETURN_IF_ERROR(internal::ExtractPatches(tiles, source, bgr, region, db_dir, &rng, &manifest,
                                                &ids, &summary, journal.get()));
  if (manifest.patches.size() == before) {
    return Status::Error(mask_path + ": no " + std::to_string(patch_size) + "x" +
                         std::to_string(patch_size) +
                         " tile fits inside the mask (try a smaller --patch-size)");
  }
  for (size_t i = before; i < manifest.patches.size() && added_ids != nullptr; ++i)
    added_ids->push_back(manifest.patches[i].id);
  return journal->Commit(manifest);
}

Status ImportCamVid(const CamVidImportOptions& options, const std::string& db_dir,
                    ImportSummary* summary) {
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
  std::unique_ptr<DatabaseLock> lock;
  Manifest manifest;
  std::set<std::string> ids;
  std::unique_ptr<ChangeJournal> journal;
  TINT_RETURN_IF_ERROR(internal::OpenForChange(db_dir, &lock, &manifest, &ids, &journal));

  std::vector<fs::path> images;
  for (const auto& e : fs::directory_iterator(image_dir)) {
    if (e.path().extension() == ".png") images.push_back(e.path());
  }
  std::sort(images.begin(), images.end());
  if (options.max_images > 0 && static_cast<int>(images.size()) > options.max_images) {
    // Spread the chosen images over the whole sequence rather than its start.
    std::vector<fs::path> spread;
    for (int i = 0; i < options.max_images; ++i)
      spread.push_back(images[i * images.size() / options.max_images]);
    images = spread;
  }

  // CamVid class -> label (11-class SegNet version).
  const std::map<int, std::string> kClasses = {
      {0, "sky"}, {1, "building"}, {3, "earth"}, {4, "earth"}, {5, "vegetation"}};
  std::mt19937_64 rng(options.seed);
  const ImageReadOptions read;
  for (const fs::path& image_path : images) {
    if (IsTestSplitSourceFile(image_path.string()) ||
        IsTestSplitSourceFile((annot_dir / image_path.filename()).string())) {
      return Status::Error(image_path.string() +
                           ": is (through a link) a test-split image; it never goes into the "
                           "patch database");
    }
    cv::Mat bgr, annot;
    TINT_RETURN_IF_ERROR(ReadImage(read, image_path.string(), &bgr));
    TINT_RETURN_IF_ERROR(ReadImage(read, (annot_dir / image_path.filename()).string(), &annot));
    LabelMapSource source;
    source.image = image_path.string();
    source.classes = kClasses;
    source.dataset = "camvid";
    source.split = options.split;
    source.image_id = options.split + "/" + image_path.filename().string();
    source.licence = "CC BY-NC 4.0 (CamVid, Brostow et al. 2009)";
    TINT_RETURN_IF_ERROR(internal::ExtractPatches(options, source, bgr, annot, db_dir, &rng,
                                                  &manifest, &ids, summary, journal.get()));
    ++summary->images_read;
  }
  // The manifest is written last: until then the database is what it was.
  return journal->Commit(manifest);
}

}  // namespace tint
