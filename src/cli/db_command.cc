// tint db (import | add | preview | remove | list | sheet | build | stats | verify)
// [--db DIR]: flag binding only; src/app/db_tasks.h does the work.
#include <cstdio>

#include "app/db_tasks.h"
#include "cli/commands.h"
#include "core/locate.h"
#include "pipeline/classic/option_table.h"

namespace tint {

namespace {

CLI::App* BindImport(CLI::App* app, DbImportRequest* r) {
  CLI::App* import =
      app->add_subcommand("import", "Take labelled patches from a data set (CamVid layout)");
  CamVidImportOptions& camvid = r->camvid;
  LabelMapSource& source = r->source;
  auto* camvid_opt =
      import->add_option("--camvid", camvid.root, "CamVid root with <split>/ and <split>annot/");
  auto* labels_opt = import->add_option("--labels", source.label_map,
                                        "Label map of one image (class id per pixel)");
  import->add_option("--image", source.image, "With --labels: the colour image");
  import->add_option("--classes", r->class_table,
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
  return import;
}

CLI::App* BindAdd(CLI::App* app, DbAddRequest* r) {
  CLI::App* add = app->add_subcommand("add", "Add patches cropped from an image you annotated");
  AddPatchOptions& patch = r->patch;
  add->add_option("--label", patch.label, "Label of the new patches (may be new)")->required();
  add->add_option("--image", patch.image, "Source image")->required();
  auto* rect_opt =
      add->add_option("--rect", r->rects, "Region x,y,w,h (repeat for several patches)");
  auto* mask_opt =
      add->add_option("--mask", r->mask, "Mask image (non-zero = region); tiles become patches");
  rect_opt->excludes(mask_opt);
  add->add_option("--patch-size", r->mask_patch_size, "With --mask: tile side in pixels")
      ->capture_default_str();
  add->add_option("--max-patches", r->mask_max_patches, "With --mask: most tiles taken")
      ->capture_default_str();
  add->add_option("--dataset", patch.dataset, "Data set the image comes from")
      ->capture_default_str();
  add->add_option("--split", patch.split, "Split of the image (never test)")->capture_default_str();
  add->add_option("--image-id", patch.image_id,
                  "Name of the image in the manifest (default: file name)");
  add->add_option("--licence", patch.licence, "Licence of the source image")->capture_default_str();
  return add;
}

CLI::App* BindPreview(CLI::App* app, DbAddRequest* r, std::string* output) {
  CLI::App* preview = app->add_subcommand(
      "preview", "Draw the rectangles db add would take on the image; add nothing");
  preview->add_option("--label", r->patch.label, "Label the patches would get")->required();
  preview->add_option("--image", r->patch.image, "Source image")->required();
  preview->add_option("--rect", r->rects, "Region x,y,w,h (repeat for several)")->required();
  preview->add_option("--split", r->patch.split, "Split of the image (never test)")
      ->capture_default_str();
  preview->add_option("-o,--output", *output, "Output image (.png)")->required();
  return preview;
}

CLI::App* BindSheet(CLI::App* app, SheetOptions* options, std::string* output) {
  CLI::App* sheet = app->add_subcommand("sheet", "Draw a contact sheet of one label's patches");
  sheet->add_option("--label", options->label, "Label to draw")->required();
  sheet->add_option("-o,--output", *output, "Output image (.png)")->required();
  sheet->add_option("--tile", options->tile, "Tile side in pixels")->capture_default_str();
  sheet->add_option("--columns", options->columns, "Tiles per row")->capture_default_str();
  return sheet;
}

}  // namespace

int RunDb(int argc, char** argv) {
  CLI::App app("Inspect, extend and verify the patch database.", "db");
  std::string db_dir = DefaultDatabaseDir();
  app.add_option("--db", db_dir, "Patch database folder")->capture_default_str();
  app.require_subcommand(1);
  app.fallthrough();  // --db may come before or after the subcommand
  DbImportRequest import_request;
  CLI::App* import = BindImport(&app, &import_request);
  DbAddRequest add_request;
  CLI::App* add = BindAdd(&app, &add_request);
  DbAddRequest preview_request;
  std::string preview_out;
  CLI::App* preview = BindPreview(&app, &preview_request, &preview_out);
  CLI::App* remove = app.add_subcommand("remove", "Remove patches by id");
  std::vector<std::string> remove_ids;
  remove->add_option("ids", remove_ids, "Patch ids (see tint db list)")->required();
  SheetOptions sheet_options;
  std::string sheet_out;
  CLI::App* sheet = BindSheet(&app, &sheet_options, &sheet_out);
  CLI::App* list = app.add_subcommand("list", "List every patch with its label and source");
  CLI::App* build = app.add_subcommand(
      "build", "Compute samples, FLANN index and calibration into DIR/index.cache");
  CLI::App* stats =
      app.add_subcommand("stats", "Counts per label and source, and the feature settings");
  CLI::App* verify =
      app.add_subcommand("verify", "Check files, hashes and that no test-split image is used");
  nlohmann::json given;
  for (CLI::App* sub : {build, stats, verify})
    internal::AddMethodOptions(sub, {&ClassicMethodOptions()}, &given);

  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;
  ClassicOptions classic;
  if (Status cs = internal::BuildClassicOptions(given, &classic); !cs.ok())
    return internal::Fail("db", cs.message());
  Status s;
  if (*import) s = DbImport(db_dir, import_request);
  if (*add) s = DbAdd(db_dir, add_request);
  if (*preview) s = DbPreview(preview_request, preview_out);
  if (*remove) s = DbRemove(db_dir, remove_ids);
  if (*list) s = DbList(db_dir);
  if (*sheet) s = DbSheet(db_dir, sheet_options, sheet_out);
  if (*stats) s = DbStats(db_dir, classic);
  if (*build) s = DbBuild(db_dir, classic);
  if (*verify) s = DbVerify(db_dir, classic);
  const std::string sub =
      app.get_subcommands().empty() ? "" : app.get_subcommands().front()->get_name();
  return s.ok() ? 0 : internal::Fail("db " + sub, s.message());
}

}  // namespace tint
