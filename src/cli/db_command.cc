// tint db (import | list | stats | verify) [--db DIR]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/commands.h"
#include "core/file_util.h"
#include "core/geometry.h"
#include "core/image_io.h"
#include "core/locate.h"
#include "core/output_plan.h"
#include "patchdb/database.h"
#include "patchdb/edit.h"
#include "patchdb/import.h"
#include "patchdb/journal.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/index_cache.h"
#include "pipeline/classic/option_table.h"

namespace tint {
namespace fs = std::filesystem;

namespace {

// The last line after a change: the index cache it made stale, if any.
void SayIndexIsStale(const std::string& db_dir) {
  std::error_code ec;
  if (fs::exists(IndexCachePath(db_dir), ec))
    std::printf("next: tint db build --db %s (the index cache no longer matches the patches)\n",
                db_dir.c_str());
}

int Import(const std::string& db_dir, const CamVidImportOptions& options) {
  ImportSummary summary;
  const Status s = ImportCamVid(options, db_dir, &summary);
  if (!s.ok()) return internal::Fail("db import", s.message());
  std::printf("%s\n", summary.BriefReport().c_str());
  SayIndexIsStale(db_dir);
  return 0;
}

int List(const std::string& db_dir) {
  Manifest m;
  const Status s = LoadManifest(db_dir, &m);
  if (!s.ok()) return internal::Fail("db list", s.message());
  std::printf("%-44s %-11s %-9s %s\n", "id", "label", "dataset", "image [x,y,w,h]");
  for (const PatchRecord& r : m.patches) {
    std::printf("%-44s %-11s %-9s %s [%d,%d,%d,%d]\n", r.id.c_str(), r.label.c_str(),
                r.dataset.c_str(), r.image.c_str(), r.region.x, r.region.y, r.region.width,
                r.region.height);
  }
  return 0;
}

int Stats(const std::string& db_dir, const ClassicOptions& classic) {
  std::unique_ptr<PatchDatabase> db;
  const Status s = PatchDatabase::Load(db_dir, classic.features, classic.sampling, &db);
  if (!s.ok()) return internal::Fail("db stats", s.message());
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
  if (ReadIndexCacheKey(db_dir, &built_with).ok())
    std::printf("index cache built with: %s\n", built_with.c_str());
  std::printf("%-12s %8s %14s %9s  %s\n", "label", "patches", "source images", "samples",
              "per source");
  for (const std::string& label : db->label_names()) {
    std::string per;
    for (const auto& [dataset, n] : sources[label]) per += dataset + " " + std::to_string(n) + " ";
    std::printf("%-12s %8d %14zu %9d  %s\n", label.c_str(), patches[label], images[label].size(),
                samples[label], per.c_str());
  }
  return 0;
}

int Build(const std::string& db_dir, const ClassicOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  // The cache always holds FLANN's trees: the other matchers (exact, hnsw)
  // are made from its vectors when loaded, and a cache without trees would
  // fail the default matcher.
  ClassicOptions classic = options;
  classic.match.backend = "flann";
  IndexedDatabase indexed;
  Status s = BuildIndexedDatabase(classic, db_dir, &indexed);
  if (s.ok()) s = SaveIndexCache(classic, db_dir, indexed);
  if (!s.ok()) return internal::Fail("db build", s.message());
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("built %s: %d samples of dimension %d, %s index, in %.1f s\n",
              IndexCachePath(db_dir).c_str(), indexed.database->num_samples(),
              indexed.database->vectors().cols, classic.match.backend.c_str(), sec);
  return 0;
}

int Verify(const std::string& db_dir, const ClassicOptions& classic) {
  Manifest m;
  Status s = LoadManifest(db_dir, &m);
  if (!s.ok()) return internal::Fail("db verify", s.message());
  for (const PatchRecord& r : m.patches) {
    if (IsTestSplit(r.split) || IsTestSplitImagePath(r.image)) {
      return internal::Fail("db verify", "patch " + r.id + " comes from a test split (" +
                                             r.dataset + " " + r.split + " " + r.image + ")");
    }
  }
  const std::vector<std::string> shared = SharedPatchFiles(m);
  if (!shared.empty()) {
    return internal::Fail(
        "db verify",
        "records share a patch file, so removing one would delete the other's: " + shared.front() +
            (shared.size() > 1 ? " and " + std::to_string(shared.size() - 1) + " more" : ""));
  }
  std::error_code ec;
  if (fs::exists(JournalPath(db_dir), ec)) {
    return internal::Fail("db verify", "a change was interrupted (" + JournalPath(db_dir) +
                                           "); the next tint db add, import, remove or build "
                                           "undoes it");
  }
  const std::vector<std::string> orphans = FindOrphans(db_dir, m);
  if (!orphans.empty()) {
    return internal::Fail(
        "db verify", std::to_string(orphans.size()) + " file" + (orphans.size() == 1 ? "" : "s") +
                         " in " + db_dir + " that no record names, e.g. " + orphans.front() +
                         "; tint removes only files its change journal proves it wrote, so move "
                         "them away (or add them with tint db add)");
  }
  std::unique_ptr<PatchDatabase> db;
  s = PatchDatabase::Load(db_dir, classic.features, classic.sampling, &db);
  if (!s.ok()) return internal::Fail("db verify", s.message());
  IndexedDatabase cached;
  CacheState state = CacheState::kMissing;
  s = LoadIndexCache(classic, db_dir, &cached, &state);
  if (!s.ok()) return internal::Fail("db verify", s.message());
  if (state == CacheState::kStale) {
    return internal::Fail(
        "db verify",
        IndexCachePath(db_dir) + " is stale (the manifest or settings changed): run tint db build");
  }
  if (state == CacheState::kValid &&
      (cached.database->num_samples() != db->num_samples() ||
       cv::norm(cached.database->vectors(), UnitRows(db->vectors()), cv::NORM_INF) > 1e-5)) {
    return internal::Fail(
        "db verify", IndexCachePath(db_dir) + " does not match the patches: run tint db build");
  }
  std::printf(
      "ok: %zu patches, every file present and its hash right, no shared or stray file, no "
      "test-split source, index cache %s\n",
      m.patches.size(), ToString(state));
  return 0;
}

}  // namespace

int RunDb(int argc, char** argv) {
  CLI::App app("Inspect, extend and verify the patch database.", "db");
  std::string db_dir = DefaultDatabaseDir();
  app.add_option("--db", db_dir, "Patch database folder")->capture_default_str();
  app.require_subcommand(1);
  app.fallthrough();  // --db may come before or after the subcommand
  ClassicOptions classic;

  CLI::App* import =
      app.add_subcommand("import", "Take labelled patches from a data set (CamVid layout)");
  CamVidImportOptions camvid;
  LabelMapSource source;
  std::string class_table;
  auto* camvid_opt =
      import->add_option("--camvid", camvid.root, "CamVid root with <split>/ and <split>annot/");
  auto* labels_opt = import->add_option("--labels", source.label_map,
                                        "Label map of one image (class id per pixel)");
  import->add_option("--image", source.image, "With --labels: the colour image");
  import->add_option("--classes", class_table,
                     "With --labels: class table, e.g. 0=sky,1=building,3=earth");
  import->add_option("--dataset", source.dataset, "With --labels: data set name")
      ->capture_default_str();
  import->add_option("--image-id", source.image_id, "With --labels: image name in the manifest");
  import->add_option("--licence", source.licence, "With --labels: licence of the image")
      ->capture_default_str();
  camvid_opt->excludes(labels_opt);
  import
      ->add_option("--max-clipped", camvid.max_clipped,
                   "Skip patches with more clipped pixels than this fraction")
      ->capture_default_str();
  import->add_option("--split", camvid.split, "Split to take patches from (never test)")
      ->capture_default_str();
  import->add_option("--patch-size", camvid.patch_size, "Patch side in pixels")
      ->capture_default_str();
  import->add_option("--per-image", camvid.patches_per_image, "Patches per label and image")
      ->capture_default_str();
  import->add_option("--max-images", camvid.max_images, "Use at most this many images (0: all)")
      ->capture_default_str();
  import
      ->add_option("--min-purity", camvid.min_purity,
                   "Fraction of a patch that must carry its label")
      ->capture_default_str();
  import->add_option("--seed", camvid.seed, "Seed for the choice of positions")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  CLI::App* add = app.add_subcommand("add", "Add patches cropped from an image you annotated");
  AddPatchOptions add_options;
  std::vector<std::string> rect_texts;
  add->add_option("--label", add_options.label, "Label of the new patches (may be new)")
      ->required();
  add->add_option("--image", add_options.image, "Source image")->required();
  std::string mask_path;
  int mask_patch_size = 32, mask_max = 16;
  auto* rect_opt =
      add->add_option("--rect", rect_texts, "Region x,y,w,h (repeat for several patches)");
  auto* mask_opt =
      add->add_option("--mask", mask_path, "Mask image (non-zero = region); tiles become patches");
  rect_opt->excludes(mask_opt);
  add->add_option("--patch-size", mask_patch_size, "With --mask: tile side in pixels")
      ->capture_default_str();
  add->add_option("--max-patches", mask_max, "With --mask: most tiles taken")
      ->capture_default_str();
  add->add_option("--dataset", add_options.dataset, "Data set the image comes from")
      ->capture_default_str();
  add->add_option("--split", add_options.split, "Split of the image (never test)")
      ->capture_default_str();
  add->add_option("--image-id", add_options.image_id,
                  "Name of the image in the manifest (default: file name)");
  add->add_option("--licence", add_options.licence, "Licence of the source image")
      ->capture_default_str();

  CLI::App* remove = app.add_subcommand("remove", "Remove patches by id");
  std::vector<std::string> remove_ids;
  remove->add_option("ids", remove_ids, "Patch ids (see tint db list)")->required();

  CLI::App* sheet = app.add_subcommand("sheet", "Draw a contact sheet of one label's patches");
  SheetOptions sheet_options;
  std::string sheet_out;
  sheet->add_option("--label", sheet_options.label, "Label to draw")->required();
  sheet->add_option("-o,--output", sheet_out, "Output image (.png)")->required();
  sheet->add_option("--tile", sheet_options.tile, "Tile side in pixels")->capture_default_str();
  sheet->add_option("--columns", sheet_options.columns, "Tiles per row")->capture_default_str();

  CLI::App* list = app.add_subcommand("list", "List every patch with its label and source");
  CLI::App* build = app.add_subcommand(
      "build", "Compute samples, FLANN index and calibration into DIR/index.cache");
  CLI::App* stats =
      app.add_subcommand("stats", "Counts per label and source, and the feature settings");
  CLI::App* verify =
      app.add_subcommand("verify", "Check files, hashes and that no test-split image is used");
  for (CLI::App* sub : {build, stats, verify}) internal::AddClassicOptions(sub, &classic);

  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;
  std::string error;
  if (Status cs = CheckClassicOptions(classic, OptionSpelling::kFlag); !cs.ok())
    return internal::Fail("db", cs.message());
  if (*import) {
    if (!source.label_map.empty()) {
      if (source.image.empty() || class_table.empty())
        return internal::Fail("db import", "--labels needs --image and --classes");
      Status s = ParseClassTable(class_table, &source.classes);
      source.split = camvid.split;
      ImportSummary summary;
      if (s.ok()) s = ImportLabelMap(camvid, source, db_dir, &summary);
      if (!s.ok()) return internal::Fail("db import", s.message());
      std::printf("%s\n", summary.BriefReport().c_str());
      SayIndexIsStale(db_dir);
      return 0;
    }
    if (camvid.root.empty())
      return internal::Fail("db import",
                            "give --camvid ROOT or --labels MAP --image IMG --classes TABLE");
    return Import(db_dir, camvid);
  }
  if (*add) {
    if (!mask_path.empty()) {
      std::vector<std::string> ids;
      const Status s =
          AddPatchesFromMask(add_options, mask_path, mask_patch_size, mask_max, db_dir, &ids);
      if (!s.ok()) return internal::Fail("db add", s.message());
      for (const std::string& id : ids) std::printf("added %s\n", id.c_str());
      SayIndexIsStale(db_dir);
      return 0;
    }
    if (rect_texts.empty())
      return internal::Fail("db add", "give --rect x,y,w,h or --mask MASK.png");
    for (const std::string& t : rect_texts) {
      cv::Rect r;
      if (const Status s = ParseRect(t, &r); !s.ok()) return internal::Fail("db add", s.message());
      add_options.rects.push_back(r);
    }
    std::vector<std::string> ids;
    const Status s = AddPatches(add_options, db_dir, &ids);
    if (!s.ok()) return internal::Fail("db add", s.message());
    for (const std::string& id : ids) std::printf("added %s\n", id.c_str());
    SayIndexIsStale(db_dir);
    return 0;
  }
  if (*list) return List(db_dir);
  if (*remove) {
    const Status s = RemovePatches(db_dir, remove_ids);
    if (!s.ok()) return internal::Fail("db remove", s.message());
    std::printf("removed %zu patches\n", remove_ids.size());
    SayIndexIsStale(db_dir);
    return 0;
  }
  if (*sheet) {
    OutputPlan plan;
    plan.AddInputFolder(db_dir, "the patch database");
    if (const Status ps = plan.AddOutputFile(sheet_out, "the sheet"); !ps.ok())
      return internal::Fail("db sheet", ps.message());
    cv::Mat image;
    Status s = DrawContactSheet(sheet_options, db_dir, &image);
    if (s.ok()) s = WriteImage(sheet_out, image);
    if (!s.ok()) return internal::Fail("db sheet", s.message());
    std::printf("wrote %s\n", sheet_out.c_str());
    return 0;
  }
  if (*stats) return Stats(db_dir, classic);
  if (*build) return Build(db_dir, classic);
  return Verify(db_dir, classic);
}

}  // namespace tint
