#include "app/db_tasks.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "core/file_util.h"
#include "core/geometry.h"
#include "core/image_io.h"
#include "core/output_plan.h"
#include "match/matcher.h"
#include "patchdb/database.h"
#include "patchdb/journal.h"
#include "patchdb/manifest.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/index_cache.h"

namespace tint {
namespace fs = std::filesystem;

namespace {

// The last line after a change: the index cache it made stale, if any.
void SayIndexIsStale(const std::string& db_dir) {
  std::error_code ec;
  if (fs::exists(IndexCachePath(db_dir, FeatureKind::kShades), ec) ||
      fs::exists(IndexCachePath(db_dir, FeatureKind::kDeep), ec))
    std::printf("next: tint db build --db %s (the index cache no longer matches the patches)\n",
                db_dir.c_str());
}

// Samples each label's patches give on the default sampling grid (as the
// database makes them: window margins, every `stride`-th pixel).
std::map<std::string, long long> SamplesPerLabel(const Manifest& manifest) {
  const ClassicOptions defaults;
  const int h = defaults.features.window / 2, stride = defaults.sampling.stride;
  auto along = [&](int n) { return n > 2 * h ? (n - 2 * h + stride - 1) / stride : 0; };
  std::map<std::string, long long> samples;
  for (const PatchRecord& p : manifest.patches)
    samples[p.label] += static_cast<long long>(along(p.region.width)) * along(p.region.height);
  return samples;
}

// A label whose samples are more than 3x the median label's outvotes the
// others wherever it matches at all: said on stderr after an add.
void WarnOnImbalance(const std::string& db_dir) {
  Manifest manifest;
  if (!LoadManifest(db_dir, &manifest).ok()) return;
  const std::map<std::string, long long> samples = SamplesPerLabel(manifest);
  if (samples.size() < 2) return;
  std::vector<long long> counts;
  for (const auto& [label, n] : samples) counts.push_back(n);
  std::sort(counts.begin(), counts.end());
  const size_t m = counts.size();
  const double median = m % 2 ? counts[m / 2] : 0.5 * (counts[m / 2 - 1] + counts[m / 2]);
  for (const auto& [label, n] : samples) {
    if (median > 0 && n > 3 * median) {
      std::fprintf(stderr,
                   "tint db add: warning: label '%s' has %lld samples, %.1fx the median label's "
                   "(%.0f): it will outvote the others (tint db stats shows every label)\n",
                   label.c_str(), n, n / median, median);
    }
  }
}

}  // namespace

Status DbImport(const std::string& db_dir, const DbImportRequest& r) {
  ImportSummary summary;
  Status s;
  if (!r.source.label_map.empty()) {
    if (r.source.image.empty() || r.class_table.empty())
      return Status::Error("--labels needs --image and --classes");
    LabelMapSource source = r.source;
    source.split = r.camvid.split;
    s = ParseClassTable(r.class_table, &source.classes);
    if (s.ok()) s = ImportLabelMap(r.camvid, source, db_dir, &summary);
  } else if (r.camvid.root.empty()) {
    return Status::Error("give --camvid ROOT or --labels MAP --image IMG --classes TABLE");
  } else {
    s = ImportCamVid(r.camvid, db_dir, &summary);
  }
  if (!s.ok()) return s;
  std::printf("%s\n", summary.BriefReport().c_str());
  SayIndexIsStale(db_dir);
  return Status::Ok();
}

namespace {

// The request's patch options with its "x,y,w,h" rectangles parsed.
Status WithRects(const DbAddRequest& r, AddPatchOptions* patch) {
  *patch = r.patch;
  for (const std::string& t : r.rects) {
    cv::Rect rect;
    TINT_RETURN_IF_ERROR(ParseRect(t, &rect));
    patch->rects.push_back(rect);
  }
  return Status::Ok();
}

}  // namespace

Status DbAdd(const std::string& db_dir, const DbAddRequest& r) {
  std::vector<std::string> ids;
  if (!r.mask.empty()) {
    Status s =
        AddPatchesFromMask(r.patch, r.mask, r.mask_patch_size, r.mask_max_patches, db_dir, &ids);
    if (!s.ok()) return s;
  } else {
    if (r.rects.empty()) return Status::Error("give --rect x,y,w,h or --mask MASK.png");
    AddPatchOptions patch;
    if (Status s = WithRects(r, &patch); !s.ok()) return s;
    if (Status s = AddPatches(patch, db_dir, &ids); !s.ok()) return s;
  }
  for (const std::string& id : ids) std::printf("added %s\n", id.c_str());
  WarnOnImbalance(db_dir);
  SayIndexIsStale(db_dir);
  return Status::Ok();
}

Status DbPreview(const DbAddRequest& r, const std::string& output) {
  OutputPlan plan;
  plan.AddInput(r.patch.image, "the image");
  if (Status s = plan.AddOutputFile(output, "the preview"); !s.ok()) return s;
  if (r.rects.empty()) return Status::Error("give --rect x,y,w,h (repeat for several patches)");
  AddPatchOptions patch;
  if (Status s = WithRects(r, &patch); !s.ok()) return s;
  cv::Mat picture;
  Status s = PreviewPatches(patch, &picture);
  if (s.ok()) s = WriteImage(output, picture);
  if (!s.ok()) return s;
  std::printf("wrote %s: %zu rectangle(s) as db add would take them (nothing added)\n",
              output.c_str(), patch.rects.size());
  return Status::Ok();
}

Status DbRemove(const std::string& db_dir, const std::vector<std::string>& ids) {
  if (Status s = RemovePatches(db_dir, ids); !s.ok()) return s;
  std::printf("removed %zu patches\n", ids.size());
  SayIndexIsStale(db_dir);
  return Status::Ok();
}

Status DbSheet(const std::string& db_dir, const SheetOptions& options, const std::string& output) {
  OutputPlan plan;
  plan.AddInputFolder(db_dir, "the patch database");
  if (Status s = plan.AddOutputFile(output, "the sheet"); !s.ok()) return s;
  cv::Mat image;
  Status s = DrawContactSheet(options, db_dir, &image);
  if (s.ok()) s = WriteImage(output, image);
  if (!s.ok()) return s;
  std::printf("wrote %s\n", output.c_str());
  return Status::Ok();
}

Status DbList(const std::string& db_dir) {
  Manifest m;
  const Status s = LoadManifest(db_dir, &m);
  if (!s.ok()) return s;
  std::printf("%-44s %-11s %-9s %s\n", "id", "label", "dataset", "image [x,y,w,h]");
  for (const PatchRecord& r : m.patches) {
    std::printf("%-44s %-11s %-9s %s [%d,%d,%d,%d]\n", r.id.c_str(), r.label.c_str(),
                r.dataset.c_str(), r.image.c_str(), r.region.x, r.region.y, r.region.width,
                r.region.height);
  }
  return Status::Ok();
}

Status DbStats(const std::string& db_dir, const ClassicOptions& classic) {
  std::unique_ptr<PatchDatabase> db;
  const Status s = PatchDatabase::Load(db_dir, classic.features, classic.sampling, &db);
  if (!s.ok()) return s;
  std::map<std::string, int> patches, samples;
  std::map<std::string, std::set<std::string>> images;
  std::map<std::string, std::map<std::string, int>> sources;
  for (const PatchRecord& r : db->manifest().patches) {
    ++patches[r.label];
    images[r.label].insert(r.dataset + "/" + r.image);
    ++sources[r.label][r.dataset];
  }
  for (int l : db->sample_labels()) ++samples[db->label_names()[l]];
  std::printf("database %s: %zu patches, %d samples of dimension %d\n", db_dir.c_str(),
              db->manifest().patches.size(), db->num_samples(), db->vectors().cols);
  std::printf("features: window %d, vector %s, statistics %s (weight %.2f), stride %d\n",
              classic.features.window, ToString(classic.features.normalization),
              classic.features.append_statistics ? "on" : "off", classic.features.statistics_weight,
              classic.sampling.stride);
  IndexedDatabase cached;
  CacheState state = CacheState::kMissing;
  const Status cs = LoadIndexCache(classic, db_dir, &cached, &state);
  std::printf("index cache: %s for these settings\n",
              cs.ok() ? ToString(state) : cs.message().c_str());
  std::string built_with;
  if (ReadIndexCacheKey(db_dir, classic.features.kind, &built_with).ok())
    std::printf("index cache built with: %s\n", built_with.c_str());
  std::printf("%-12s %8s %14s %9s  %s\n", "label", "patches", "source images", "samples",
              "per source");
  for (const std::string& label : db->label_names()) {
    std::string per;
    for (const auto& [dataset, n] : sources[label]) per += dataset + " " + std::to_string(n) + " ";
    std::printf("%-12s %8d %14zu %9d  %s\n", label.c_str(), patches[label], images[label].size(),
                samples[label], per.c_str());
  }
  return Status::Ok();
}

Status DbBuild(const std::string& db_dir, const ClassicOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  // The cache always holds FLANN's trees: the other matchers (exact, hnsw)
  // are made from its vectors when loaded, and a cache without trees would
  // fail the default matcher.
  ClassicOptions classic = options;
  classic.match.backend = "flann";
  IndexedDatabase indexed;
  Status s = BuildIndexedDatabase(classic, db_dir, &indexed);
  if (s.ok()) s = SaveIndexCache(classic, db_dir, indexed);
  if (!s.ok()) return s;
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("built %s: %d samples of dimension %d, %s index, in %.1f s\n",
              IndexCachePath(db_dir, classic.features.kind).c_str(),
              indexed.database->num_samples(), indexed.database->vectors().cols,
              classic.match.backend.c_str(), sec);
  return Status::Ok();
}

Status DbVerify(const std::string& db_dir, const ClassicOptions& classic) {
  Manifest m;
  Status s = LoadManifest(db_dir, &m);
  if (!s.ok()) return s;
  for (const PatchRecord& r : m.patches) {
    if (IsTestSplit(r.split) || IsTestSplitImagePath(r.image)) {
      return Status::Error("patch " + r.id + " comes from a test split (" + r.dataset + " " +
                           r.split + " " + r.image + ")");
    }
  }
  const std::vector<std::string> shared = SharedPatchFiles(m);
  if (!shared.empty()) {
    return Status::Error(
        "records share a patch file, so removing one would delete the other's: " + shared.front() +
        (shared.size() > 1 ? " and " + std::to_string(shared.size() - 1) + " more" : ""));
  }
  std::error_code ec;
  if (fs::exists(JournalPath(db_dir), ec)) {
    return Status::Error("a change was interrupted (" + JournalPath(db_dir) +
                         "); the next tint db add, import, remove or build "
                         "undoes it");
  }
  const std::vector<std::string> orphans = FindOrphans(db_dir, m);
  if (!orphans.empty()) {
    return Status::Error(std::to_string(orphans.size()) + " file" +
                         (orphans.size() == 1 ? "" : "s") + " in " + db_dir +
                         " that no record names, e.g. " + orphans.front() +
                         "; tint removes only files its change journal proves it wrote, so move "
                         "them away (or add them with tint db add)");
  }
  std::unique_ptr<PatchDatabase> db;
  s = PatchDatabase::Load(db_dir, classic.features, classic.sampling, &db);
  if (!s.ok()) return s;
  IndexedDatabase cached;
  CacheState state = CacheState::kMissing;
  s = LoadIndexCache(classic, db_dir, &cached, &state);
  if (!s.ok()) return s;
  if (state == CacheState::kStale) {
    return Status::Error(IndexCachePath(db_dir, classic.features.kind) +
                         " is stale (the manifest or settings changed): run tint db build");
  }
  if (state == CacheState::kValid &&
      (cached.database->num_samples() != db->num_samples() ||
       cv::norm(cached.database->vectors(), UnitRows(db->vectors()), cv::NORM_INF) > 1e-5)) {
    return Status::Error(IndexCachePath(db_dir, classic.features.kind) +
                         " does not match the patches: run tint db build");
  }
  std::printf(
      "ok: %zu patches, every file present and its hash right, no shared or stray file, no "
      "test-split source, index cache %s\n",
      m.patches.size(), ToString(state));
  return Status::Ok();
}

}  // namespace tint
