// tint eval: flag binding only. The configured runner (--config), the quick
// form (--images / --camvid, a front over the same runner), the region
// benchmark (--bsds-regions), provenance and --merge all live in src/eval.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "app/open_method.h"
#include "cli/commands.h"
#include "core/file_util.h"
#include "core/locate.h"
#include "core/output_plan.h"
#include "eval/experiment.h"
#include "eval/provenance.h"
#include "eval/region_benchmark.h"
#include "eval/report.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/grayscale.h"

namespace tint {
namespace fs = std::filesystem;

namespace internal {

int RunConfiguredEval(const std::string& config_path, std::string data_root,
                      const std::string& db_dir, std::string out_dir, int jobs,
                      const std::string& shard_text, bool resume, bool merge,
                      const std::vector<std::string>& merge_dirs, const ImageReadOptions& read) {
  const std::string cmd = "eval";
  if (jobs < 1 || jobs > 256) return Fail(cmd, "--jobs must be in 1..256");
  if (data_root.empty()) data_root = DefaultDataRoot();
  ExperimentConfig config;
  Status s = LoadExperimentConfig(config_path, data_root, &config);
  if (!s.ok()) return Fail(cmd, s.message());
  RunOptions options;
  options.read = read;
  options.resume = resume;
  options.jobs = jobs;
  if (!shard_text.empty() && !ParseShard(shard_text, &options.shard, &options.shards)) {
    return Fail(cmd, "--shard '" + shard_text + "': expected I/N with 0 <= I < N");
  }
  if (out_dir.empty()) out_dir = (fs::path("results") / config.name).string();
  options.out_dir = out_dir;
  {
    // The results folder is planned against what the run reads.
    OutputPlan plan;
    plan.AddInput(config_path, "the config " + config_path);
    for (const DatasetSpec& d : config.datasets)
      plan.AddInputFolder(d.path, "the folder of data set '" + d.name + "'");
    plan.AddInputFolder(db_dir, "the patch database");
    for (const MethodSpec& m : config.methods) {
      if (!m.model.empty()) plan.AddInput(m.model, "the model card " + m.model);
      if (!m.reference.empty()) plan.AddInput(m.reference, "the reference " + m.reference);
    }
    for (const std::string& from : merge_dirs) plan.AddInputFolder(from, "the --merge folder");
    if (Status ps = plan.AddOutputFolder(out_dir, "--out"); !ps.ok())
      return Fail(cmd, ps.message());
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || ::access(out_dir.c_str(), W_OK) != 0)
    return Fail(cmd, out_dir + ": cannot write results here");

  std::vector<std::string> names = {"grayscale"};
  for (const MethodSpec& m : config.methods) names.push_back(m.name);

  // The methods: needed to run, and for the report's thumbnails.
  std::vector<std::unique_ptr<Colorizer>> owned;
  nlohmann::json seeds = nlohmann::json::object();  // the FLANN seed of each classic method
  owned.push_back(CreateGrayscaleColorizer());
  for (const MethodSpec& m : config.methods) {
    ColorizerSpec spec;
    spec.method = m.mode;
    spec.options = m.options;
    spec.model = m.model;
    const MethodInfo* info = FindMethod(m.mode);
    if (info != nullptr && info->takes_options) {
      ClassicOptions classic;
      s = ClassicOptionsOf(spec, &classic);
      if (!s.ok()) return Fail(cmd, config.path + ": method '" + m.name + "': " + s.message());
      seeds[m.name] = classic.match.seed;
    }
    std::unique_ptr<Colorizer> c;
    s = OpenMethod(cmd, spec, db_dir, data_root, false, false, &c);
    if (!s.ok()) return Fail(cmd, "method '" + m.name + "': " + s.message());
    owned.push_back(std::move(c));
  }
  std::vector<const Colorizer*> methods;
  for (const auto& c : owned) methods.push_back(c.get());

  // What results depend on beyond the config: the database and model files.
  nlohmann::json provenance = RunProvenance(config, db_dir, data_root);
  provenance["flann_seeds"] = seeds;
  {
    nlohmann::json context;
    for (const MethodSpec& m : config.methods) {
      const MethodInfo* info = FindMethod(m.mode);
      if (info != nullptr && info->reads_database &&
          provenance.contains("patchdb_manifest_sha256")) {
        context["patchdb"] = provenance["patchdb_manifest_sha256"];
      }
    }
    if (provenance.contains("models")) context["models"] = provenance["models"];
    options.context = context.dump();
  }
  // --merge: copy the per-photo results of other shard folders in (same
  // config and context; all checked before the first is written).
  if (merge) {
    s = MergeShardResults(config, names, options.context, merge_dirs, out_dir);
    if (!s.ok()) return Fail(cmd, s.message());
  }

  RunCounts counts;
  if (!merge) {
    s = RunExperiment(config, methods, names, options, &counts);
    if (!s.ok()) return Fail(cmd, s.message());
    std::fprintf(stderr, "eval: %d photos done, %d already done (--resume), %d unreadable\n",
                 counts.done, counts.skipped, counts.failed);
    if (options.shards > 1) {
      std::printf(
          "shard %d/%d written to %s; when every shard is done, summarize with\n"
          "  tint eval --config %s --out %s --merge SHARD_OUT...\n",
          options.shard, options.shards, out_dir.c_str(), config_path.c_str(), out_dir.c_str());
      return counts.failed == 0 ? 0 : 1;
    }
  }
  if (!merge) {
    struct rusage usage;
    if (::getrusage(RUSAGE_SELF, &usage) == 0) {
      provenance["peak_rss_mb"] =
          usage.ru_maxrss / 1024.0;  // of the whole run (all photos, all methods)
      provenance["jobs"] = options.jobs;
    }
  }
  nlohmann::json summary;
  s = SummarizeExperiment(config, names, out_dir, options.context, provenance, &summary);
  if (s.ok()) s = WriteExperimentReport(config, methods, names, summary, out_dir, read);
  if (!s.ok()) return Fail(cmd, s.message());
  PrintSummary(summary, stdout);
  std::printf("\nwrote %s/report.html, summary.json and per_photo.csv\n", out_dir.c_str());
  return counts.failed == 0 ? 0 : 1;
}

int RunRegionBenchmark(const std::string& root, const std::string& split, int limit,
                       const std::vector<int>& segment_counts, const NCutOptions& ncut,
                       const ImageReadOptions& read, const std::string& csv) {
  const std::string cmd = "eval";
  NCutSweep sweep;
  sweep.ncut = ncut;
  sweep.segment_counts = segment_counts;
  RegionBenchmarkRun run;
  const Status s = tint::RunRegionBenchmark(root, split, limit, sweep, read, true, &run);
  for (const std::string& skipped : run.skipped) Fail(cmd, skipped + " (skipped)");
  if (!s.ok()) return Fail(cmd, s.message());
  const RegionSummary& r = run.summary;
  std::printf(
      "normalized cuts on L, %d photos of %s, %zu segment counts (%.2f s per photo for the "
      "sweep)\n",
      run.scored, split.c_str(), segment_counts.size(), run.seconds_per_photo);
  std::printf("%-34s %9s %9s %9s %9s %9s %9s\n", "", "Cov ODS", "Cov OIS", "PRI ODS", "PRI OIS",
              "VI ODS", "VI OIS");
  std::printf("%-34s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", "tint normalized cuts", r.covering_ods,
              r.covering_ois, r.pri_ods, r.pri_ois, r.voi_ods, r.voi_ois);
  std::printf("ODS segment counts: covering %d, PRI %d, VI %d\n", segment_counts[r.covering_best],
              segment_counts[r.pri_best], segment_counts[r.voi_best]);
  if (!csv.empty()) {
    const Status ws = WriteFileAtomic(csv, run.csv);
    if (!ws.ok()) return Fail(cmd, ws.message());
  }
  return run.skipped.empty() ? 0 : 1;
}

}  // namespace internal

int RunEval(int argc, char** argv) {
  const std::string cmd = "eval";
  CLI::App app("Measure colorization against the true colours of photos.", "eval");
  std::string images_dir, csv, db_dir = DefaultDatabaseDir();
  int limit = 0;
  std::vector<std::string> method_names = {"classic"};
  std::string model = DefaultModelCard(), data_root;
  ClassicOptions classic;
  ImageReadOptions read;
  std::string camvid_root, camvid_split = "val";
  auto* images_opt = app.add_option("--images", images_dir, "Folder of colour photos (the truth)");
  auto* camvid_opt =
      app.add_option("--camvid", camvid_root,
                     "CamVid root: photos of --split, and the classic matcher's label accuracy");
  app.add_option("--split", camvid_split, "CamVid split for --camvid")->capture_default_str();
  std::string config_path, out_dir, shard;
  int jobs = 1;
  bool resume = false;
  std::vector<std::string> merge_dirs;
  auto* config_opt =
      app.add_option("--config", config_path,
                     "Experiment config (TOML/JSON): data sets, methods; results under --out");
  app.add_option("--out", out_dir, "--config: results folder (default results/<config name>)");
  app.add_option("--jobs", jobs, "--config: photos colorized in parallel")->capture_default_str();
  app.add_option("--shard", shard,
                 "--config: run only photos with index % N == I (I/N), for cluster arrays");
  app.add_flag("--resume", resume, "--config: skip photos whose result is already in --out");
  app.add_option("--merge", merge_dirs,
                 "--config: no run; summarize --out, first copying in the per-photo results of "
                 "these shard folders")
      ->expected(0, -1);
  std::string bsds_root;
  auto* regions_opt =
      app.add_option("--bsds-regions", bsds_root,
                     "BSDS500 root: region benchmark of normalized cuts on images/<split> against "
                     "segmentations/<split> (Covering, PRI, VI at ODS and OIS)");
  std::vector<int> segment_counts = NCutSweep().segment_counts;
  app.add_option("--segment-counts", segment_counts,
                 "--bsds-regions: the segment counts swept for ODS/OIS")
      ->delimiter(',')
      ->capture_default_str();
  images_opt->excludes(camvid_opt);
  regions_opt->excludes(images_opt)->excludes(camvid_opt);
  config_opt->excludes(images_opt)->excludes(camvid_opt)->excludes(regions_opt);
  app.add_option("--limit", limit, "Use the first N photos in name order (0: all)")
      ->capture_default_str();
  app.add_option("--db", db_dir, "Patch database folder")->capture_default_str();
  app.add_option("--methods", method_names,
                 "Methods beside the grayscale baseline: " + RegisteredMethodNames())
      ->delimiter(',')
      ->check(internal::RegisteredMethod())
      ->capture_default_str();
  app.add_option("--model", model, "cnn: model card")->capture_default_str();
  app.add_option("--data-root", data_root, "cnn: where card paths starting with $data/ point");
  app.add_option("--csv", csv, "Write per-photo rows to this CSV file");
  internal::AddReadOptions(&app, &read);
  internal::AddClassicOptions(&app, &classic);
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;
  std::string error;
  if (Status cs = CheckClassicOptions(classic, OptionSpelling::kFlag); !cs.ok())
    return internal::Fail(cmd, cs.message());
  if (!read.Check(&error)) return internal::Fail(cmd, error);
  if (limit < 0) return internal::Fail(cmd, "--limit must be >= 0");

  // Each option applies to one form; one given to the other form is refused
  // rather than silently ignored.
  {
    const std::set<std::string> config_only = {"--out", "--jobs", "--shard", "--resume", "--merge"};
    const std::set<std::string> both = {"--config", "--db", "--data-root", "--max-pixels",
                                        "--help"};
    for (const CLI::Option* opt : app.get_options()) {
      if (opt->count() == 0 || opt->get_lnames().empty()) continue;
      const std::string name = "--" + opt->get_lnames().front();
      if (both.count(name)) continue;
      if (!config_path.empty() && !config_only.count(name)) {
        return internal::Fail(cmd,
                              name + " does not apply with --config (set it in the config file)");
      }
      if (config_path.empty() && config_only.count(name)) {
        return internal::Fail(cmd, name + " applies with --config only");
      }
    }
  }
  // An output that cannot or must not be written is said before the work.
  if (!csv.empty()) {
    OutputPlan plan;
    for (const std::string& folder : {images_dir, camvid_root, bsds_root})
      plan.AddInputFolder(folder, "the data set folder");
    plan.AddInputFolder(db_dir, "the patch database");
    plan.AddInput(model, "the model card " + model);
    const Status cs = plan.AddOutputFile(csv, "--csv");
    if (!cs.ok()) return internal::Fail(cmd, cs.message());
  }

  if (!config_path.empty()) {
    return internal::RunConfiguredEval(config_path, data_root, db_dir, out_dir, jobs, shard, resume,
                                       app.count("--merge") > 0, merge_dirs, read);
  }
  if (!bsds_root.empty()) {
    for (int c : segment_counts) {
      if (c < 1 || c > 1000) return internal::Fail(cmd, "--segment-counts must be in 1..1000");
    }
    return internal::RunRegionBenchmark(bsds_root, camvid_split, limit, segment_counts,
                                        classic.ncut, read, csv);
  }
  if (images_dir.empty() && camvid_root.empty()) {
    return internal::Fail(cmd, "give --images DIR, --camvid ROOT or --bsds-regions ROOT");
  }
  // The quick form is a front over the configured runner, so that both
  // score, summarize and print through one path: an in-memory config with one
  // data set (the folder, or CamVid's split) and the methods, run into a
  // scratch folder that is removed afterwards; --csv gets its per_photo.csv.
  ExperimentConfig config;
  config.name = "quick";
  DatasetSpec dataset;
  const bool camvid = !camvid_root.empty();
  dataset.name = camvid ? "camvid-" + camvid_split : "images";
  dataset.kind = camvid ? "camvid" : "folder";
  dataset.path = camvid ? camvid_root : images_dir;
  dataset.split = camvid ? camvid_split : "";
  dataset.limit = limit;
  if (Status ds = ResolveDataset(camvid ? "--camvid" : "--images", &dataset); !ds.ok()) {
    return internal::Fail(cmd, ds.message());
  }
  config.datasets.push_back(dataset);

  std::vector<std::unique_ptr<Colorizer>> owned;
  owned.push_back(CreateGrayscaleColorizer());
  std::vector<std::string> names = {"grayscale"};
  for (auto it = method_names.begin(); it != method_names.end(); ++it) {
    if (std::find(method_names.begin(), it, *it) != it)
      return internal::Fail(cmd, "--methods names '" + *it + "' twice");
  }
  for (const std::string& name : method_names) {
    // The baseline is always the first row; naming it adds no second one
    // (which used to sum its scores twice under one name).
    if (name == "grayscale") continue;
    MethodSpec m;
    m.mode = name;
    ColorizerSpec spec;
    spec.method = name;
    const MethodInfo& info = *FindMethod(name);
    if (info.takes_options) m.options = spec.options = internal::GivenClassicOptions(app, classic);
    if (info.takes_model && app.count("--model") > 0) m.model = spec.model = model;
    std::unique_ptr<Colorizer> c;
    const Status s = OpenMethod(cmd, spec, db_dir, data_root, false, true, &c);
    if (!s.ok()) return internal::Fail(cmd, s.message());
    // How the table names it: a model's card ("cnn:tint-hypercolumn-s"),
    // else the registered name, so that presets ("classic:seed") and
    // variants ("classic-exact") are told apart from "classic".
    m.name = info.takes_model ? c->name() : name;
    names.push_back(m.name);
    config.methods.push_back(m);
    owned.push_back(std::move(c));
  }
  std::vector<const Colorizer*> methods;
  for (const auto& c : owned) methods.push_back(c.get());

  std::string scratch = (fs::temp_directory_path() / "tint-eval-XXXXXX").string();
  if (::mkdtemp(scratch.data()) == nullptr)
    return internal::Fail(cmd,
                          "cannot make a scratch folder in " + fs::temp_directory_path().string());
  struct Remove {
    std::string dir;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove{scratch};
  RunOptions options;
  options.out_dir = scratch;
  options.read = read;
  RunCounts counts;
  Status s = RunExperiment(config, methods, names, options, &counts);
  nlohmann::json summary;
  if (s.ok())
    s = SummarizeExperiment(config, names, scratch, options.context, nlohmann::json::object(),
                            &summary);
  if (s.ok() && !csv.empty()) {
    std::vector<uint8_t> bytes;
    s = ReadFileBytes((fs::path(scratch) / "per_photo.csv").string(), &bytes);
    if (s.ok()) s = WriteFileAtomic(csv, bytes.data(), bytes.size());
  }
  if (!s.ok()) return internal::Fail(cmd, s.message());
  PrintSummary(summary, stdout);
  return counts.failed == 0 ? 0 : 1;
}

}  // namespace tint
