#include "patchdb/edit.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include <opencv2/imgproc.hpp>

#include "core/file_util.h"
#include "core/image_io.h"
#include "patchdb/journal.h"
#include "patchdb/lock.h"
#include "patchdb/manifest.h"

namespace tint {
namespace fs = std::filesystem;

Status RemovePatches(const std::string& db_dir, const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Error("give at least one patch id");
  std::unique_ptr<DatabaseLock> lock;
  TINT_RETURN_IF_ERROR(DatabaseLock::Acquire(db_dir, &lock));
  Manifest m;
  TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &m));
  std::unique_ptr<ChangeJournal> journal;
  TINT_RETURN_IF_ERROR(ChangeJournal::Begin(db_dir, m, &journal));
  std::set<std::string> wanted(ids.begin(), ids.end());
  std::set<std::string> present;
  for (const PatchRecord& r : m.patches) present.insert(r.id);
  for (const std::string& id : wanted) {
    if (!present.count(id))
      return Status::Error("no patch with id \"" + id + "\" in " + ManifestPath(db_dir));
  }
  Manifest kept;
  std::map<std::string, std::string> files;  // file -> the SHA-256 its record gives
  std::set<std::string> kept_files;
  for (PatchRecord& r : m.patches) {
    if (wanted.count(r.id)) {
      files[r.file] = r.sha256;
    } else {
      kept_files.insert(r.file);
      kept.patches.push_back(std::move(r));
    }
  }
  // A file that a kept record still names is kept.
  for (const auto& [file, sha] : files)
    if (!kept_files.count(file)) TINT_RETURN_IF_ERROR(journal->DeleteOnCommit(file, sha));
  return journal->Commit(kept);
}

std::vector<std::string> FindOrphans(const std::string& db_dir, const Manifest& manifest) {
  std::set<std::string> named;
  for (const PatchRecord& r : manifest.patches) named.insert(r.file);
  std::vector<std::string> orphans;
  std::error_code ec;
  auto regular = [](const fs::directory_entry& e) {
    std::error_code e2;
    return e.symlink_status(e2).type() == fs::file_type::regular;
  };
  for (const auto& e : fs::directory_iterator(db_dir, ec)) {
    if (regular(e) && IsAtomicWriteTemporary(e.path().filename().string())) {
      orphans.push_back(e.path().filename().string());
    }
  }
  const fs::path patches = fs::path(db_dir) / "patches";
  if (fs::symlink_status(patches, ec).type() == fs::file_type::directory) {
    for (const auto& folder : fs::directory_iterator(patches, ec)) {
      std::error_code e2;
      if (folder.symlink_status(e2).type() != fs::file_type::directory) continue;
      for (const auto& e : fs::directory_iterator(folder.path(), e2)) {
        if (!regular(e)) continue;
        const std::string name = e.path().filename().string();
        const std::string rel = "patches/" + folder.path().filename().string() + "/" + name;
        const bool temporary = IsAtomicWriteTemporary(name);
        const bool patch =
            e.path().extension() == ".png" && CheckPatchFilePath(rel).ok() && !named.count(rel);
        if (temporary || patch) orphans.push_back(rel);
      }
    }
  }
  std::sort(orphans.begin(), orphans.end());
  return orphans;
}

bool SheetOptions::Check(std::string* error) const {
  if (tile < 16 || tile > 512) {
    *error = "tile must be in 16..512";
    return false;
  }
  if (columns < 1 || columns > 64) {
    *error = "columns must be in 1..64";
    return false;
  }
  return true;
}

Status DrawContactSheet(const SheetOptions& options, const std::string& db_dir, cv::Mat* sheet) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  Manifest m;
  TINT_RETURN_IF_ERROR(LoadManifest(db_dir, &m));
  std::vector<const PatchRecord*> patches;
  for (const PatchRecord& r : m.patches)
    if (r.label == options.label) patches.push_back(&r);
  if (patches.empty())
    return Status::Error("the database has no patch labelled \"" + options.label + "\"");
  const int caption = 22, t = options.tile;
  const int cols = std::min<int>(options.columns, static_cast<int>(patches.size()));
  const int rows = (static_cast<int>(patches.size()) + cols - 1) / cols;
  sheet->create(rows * (t + caption) + 24, cols * t, CV_8UC3);
  sheet->setTo(cv::Scalar(255, 255, 255));
  cv::putText(*sheet, options.label + ": " + std::to_string(patches.size()) + " patches",
              cv::Point(4, 17), cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  for (size_t i = 0; i < patches.size(); ++i) {
    cv::Mat img;
    TINT_RETURN_IF_ERROR(
        ReadImage(ImageReadOptions(), (fs::path(db_dir) / patches[i]->file).string(), &img));
    if (img.channels() == 4) cv::cvtColor(img, img, cv::COLOR_BGRA2BGR);
    if (img.channels() == 1) cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
    cv::resize(img, img, cv::Size(t - 2, t - 2), 0, 0, cv::INTER_AREA);
    const int x = static_cast<int>(i % cols) * t,
              y = 24 + static_cast<int>(i / cols) * (t + caption);
    img.copyTo((*sheet)(cv::Rect(x + 1, y + 1, t - 2, t - 2)));
    // Two caption lines, the data set and the source photo's name (to find
    // it again), each shrunk with the tile so that neighbours do not overlap.
    const std::string photo = fs::path(patches[i]->image).stem().string();
    int line = 0;
    for (const std::string& text : {patches[i]->dataset, photo}) {
      int baseline = 0;
      const int width = cv::getTextSize(text, cv::FONT_HERSHEY_PLAIN, 0.8, 1, &baseline).width;
      const double scale = std::min(0.8, 0.8 * (t - 4) / std::max(1, width));
      cv::putText(*sheet, text, cv::Point(x + 2, y + t + 9 + 10 * line++), cv::FONT_HERSHEY_PLAIN,
                  scale, cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
    }
  }
  return Status::Ok();
}

}  // namespace tint
