// tint eval: flag binding only; src/app/eval_request.h runs the three forms
// (--config, the quick form over --images / --camvid, --bsds-regions).
#include <set>

#include "app/eval_request.h"
#include "cli/commands.h"
#include "core/locate.h"
#include "eval/region_benchmark.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"

namespace tint {

namespace {

// Each option applies to one form; one given to the other form is refused
// rather than silently ignored.
Status CheckOptionsApplyToForm(const CLI::App& app, bool configured) {
  if (app.count("--compare") > 0) {
    for (const CLI::Option* opt : app.get_options()) {
      if (opt->count() == 0 || opt->get_lnames().empty()) continue;
      const std::string name = "--" + opt->get_lnames().front();
      if (name != "--compare" && name != "--out")
        return Status::Error(name + " does not apply with --compare (it takes --out only)");
    }
    return Status::Ok();
  }
  const std::set<std::string> config_only = {"--out",    "--jobs",  "--shard",
                                             "--resume", "--merge", "--save-outputs"};
  const std::set<std::string> both = {"--config", "--db", "--data-root", "--max-pixels", "--help"};
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->count() == 0 || opt->get_lnames().empty()) continue;
    const std::string name = "--" + opt->get_lnames().front();
    if (both.count(name)) continue;
    if (configured && !config_only.count(name))
      return Status::Error(name + " does not apply with --config (set it in the config file)");
    if (!configured && config_only.count(name))
      return Status::Error(name + " applies with --config only");
  }
  return Status::Ok();
}

}  // namespace

int RunEval(int argc, char** argv) {
  const std::string cmd = "eval";
  CLI::App app("Measure colorization against the true colours of photos.", "eval");
  EvalRequest r;
  r.db_dir = DefaultDatabaseDir();
  r.segment_counts = NCutSweep().segment_counts;
  std::string model = DefaultModelCard();
  auto* images_opt =
      app.add_option("--images", r.images_dir, "Folder of colour photos (the truth)");
  auto* camvid_opt =
      app.add_option("--camvid", r.camvid_root,
                     "CamVid root: photos of --split, and the classic matcher's label accuracy");
  app.add_option("--split", r.split, "CamVid split for --camvid")->capture_default_str();
  auto* config_opt =
      app.add_option("--config", r.config_path,
                     "Experiment config (TOML/JSON): data sets, methods; results under --out");
  app.add_option("--out", r.out_dir,
                 "--config: results folder (default results/<config name>); --compare: where "
                 "the comparison goes (default results/compare-<A>-vs-<B>)");
  auto* compare_opt = app.add_option(
      "--compare", r.compare,
      "No run: compare two --config results folders A B over the photos both scored (means, B "
      "- A with a paired 95% interval, wins/ties/losses, the photos that changed most)");
  compare_opt->expected(2);
  app.add_option("--jobs", r.jobs, "--config: photos colorized in parallel")->capture_default_str();
  app.add_option("--shard", r.shard,
                 "--config: run only photos with index % N == I (I/N), for cluster arrays");
  app.add_flag("--resume", r.resume,
               "--config: keep the results in --out of methods whose settings did not change");
  app.add_flag("--save-outputs", r.save_outputs,
               "--config: keep every output (--out/outputs/<data set>/<method>/) and write "
               "gallery.html, each photo's outputs and metrics (as save_outputs = true)");
  app.add_option("--merge", r.merge_dirs,
                 "--config: no run; summarize --out, first copying in the per-photo results of "
                 "these shard folders")
      ->expected(0, -1);
  auto* regions_opt =
      app.add_option("--bsds-regions", r.bsds_root,
                     "BSDS500 root: region benchmark of normalized cuts on images/<split> against "
                     "segmentations/<split> (Covering, PRI, VI at ODS and OIS)");
  app.add_option("--segment-counts", r.segment_counts,
                 "--bsds-regions: the segment counts swept for ODS/OIS")
      ->delimiter(',')
      ->capture_default_str();
  images_opt->excludes(camvid_opt);
  regions_opt->excludes(images_opt)->excludes(camvid_opt);
  config_opt->excludes(images_opt)->excludes(camvid_opt)->excludes(regions_opt);
  compare_opt->excludes(config_opt)
      ->excludes(images_opt)
      ->excludes(camvid_opt)
      ->excludes(regions_opt);
  app.add_option("--limit", r.limit, "Use the first N photos in name order (0: all)")
      ->capture_default_str();
  app.add_option("--db", r.db_dir, "Patch database folder")->capture_default_str();
  app.add_option("--methods", r.methods,
                 "Methods beside the grayscale baseline: " + RegisteredMethodNames())
      ->delimiter(',')
      ->check(internal::RegisteredMethod())
      ->capture_default_str();
  app.add_option("--model", model, "cnn: model card")->capture_default_str();
  app.add_option("--data-root", r.data_root, "cnn: where card paths starting with $data/ point");
  app.add_option("--csv", r.csv, "Write per-photo rows to this CSV file");
  internal::AddReadOptions(&app, &r.read);
  nlohmann::json given;
  internal::AddMethodOptions(&app, internal::RegisteredOptionTables(), &given);
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;
  std::string error;
  if (!r.read.Check(&error)) return internal::Fail(cmd, error);
  if (Status form = CheckOptionsApplyToForm(app, !r.config_path.empty()); !form.ok())
    return internal::Fail(cmd, form.message());
  r.merge = app.count("--merge") > 0;
  r.options = given;
  if (!r.bsds_root.empty()) {  // the region benchmark runs normalized cuts alone
    ClassicOptions classic;
    if (Status cs = internal::BuildClassicOptions(given, &classic); !cs.ok())
      return internal::Fail(cmd, cs.message());
    r.ncut = classic.ncut;
  }
  if (app.count("--model") > 0) r.model = model;
  int failures = 0;
  if (Status s = RunEvalRequest(r, cmd, &failures); !s.ok())
    return internal::Fail(cmd, s.message());
  return failures == 0 ? 0 : 1;
}

}  // namespace tint
