#include "app/eval_request.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "app/open_method.h"
#include "core/file_util.h"
#include "core/locate.h"
#include "core/output_plan.h"
#include "eval/experiment.h"
#include "eval/gallery.h"
#include "eval/provenance.h"
#include "eval/region_benchmark.h"
#include "eval/report.h"
#include "eval/run_compare.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/grayscale.h"

namespace tint {
namespace fs = std::filesystem;

namespace {

// The methods of a run, owned, with the grayscale baseline first.
struct OpenedMethods {
  std::vector<std::unique_ptr<Colorizer>> owned;
  std::vector<std::string> names;

  OpenedMethods() {
    owned.push_back(CreateGrayscaleColorizer());
    names.push_back("grayscale");
  }
  std::vector<const Colorizer*> pointers() const {
    std::vector<const Colorizer*> p;
    for (const auto& c : owned) p.push_back(c.get());
    return p;
  }
};

// The results folder is planned against everything the run reads, then made.
Status PrepareResultsFolder(const EvalRequest& r, const ExperimentConfig& config,
                            const std::string& out_dir) {
  OutputPlan plan;
  plan.AddInput(r.config_path, "the config " + r.config_path);
  for (const DatasetSpec& d : config.datasets)
    plan.AddInputFolder(d.path, "the folder of data set '" + d.name + "'");
  plan.AddInputFolder(r.db_dir, "the patch database");
  for (const ExperimentMethod& m : config.methods) {
    if (!m.db.empty()) plan.AddInputFolder(m.db, "the patch database of method '" + m.name + "'");
    if (!m.spec.model.empty()) plan.AddInput(m.spec.model, "the model card " + m.spec.model);
    if (!m.reference.empty()) plan.AddInput(m.reference, "the reference " + m.reference);
  }
  for (const std::string& from : r.merge_dirs) plan.AddInputFolder(from, "the --merge folder");
  if (Status s = plan.AddOutputFolder(out_dir, "--out"); !s.ok()) return s;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || ::access(out_dir.c_str(), W_OK) != 0)
    return Status::Error(out_dir + ": cannot write results here");
  return Status::Ok();
}

// Opens the config's methods; *seeds gets the FLANN seed of each that takes
// the classic options (the provenance records it).
Status OpenConfiguredMethods(const std::string& command, const ExperimentConfig& config,
                             const std::string& db_dir, const std::string& data_root,
                             OpenedMethods* methods, nlohmann::json* seeds) {
  *seeds = nlohmann::json::object();
  for (const ExperimentMethod& m : config.methods) {
    const MethodSpec& spec = m.spec;
    if (const ClassicOptions* classic = spec.built.As<ClassicOptions>(); classic != nullptr)
      (*seeds)[m.name] = classic->match.seed;
    std::unique_ptr<Colorizer> c;
    const std::string& db = m.db.empty() ? db_dir : m.db;
    if (Status s = OpenMethod(command, spec, db, data_root, false, false, &c); !s.ok())
      return Status::Error("method '" + m.name + "': " + s.message());
    methods->owned.push_back(std::move(c));
    methods->names.push_back(m.name);
  }
  return Status::Ok();
}

// What each method's results depend on beyond the config (baseline
// first): the patch database it reads and its model file, as the
// provenance hashed them. --resume, the summary and --merge refuse (or
// rerun) a method's results made under another context.
std::vector<std::string> MethodContexts(const ExperimentConfig& config,
                                        const nlohmann::json& provenance) {
  std::vector<std::string> contexts = {""};
  for (const ExperimentMethod& m : config.methods) {
    nlohmann::json context = nlohmann::json::object();
    if (provenance.contains("patchdbs") && provenance["patchdbs"].contains(m.name))
      context["patchdb"] = provenance["patchdbs"][m.name].value("manifest_sha256", "");
    if (provenance.contains("models") && provenance["models"].contains(m.name))
      context["model"] = provenance["models"][m.name].value("sha256", "");
    contexts.push_back(context.dump());
  }
  return contexts;
}

Status RunConfigured(const EvalRequest& r, const std::string& command, int* failures) {
  if (r.jobs < 1 || r.jobs > 256) return Status::Error("--jobs must be in 1..256");
  const std::string data_root = r.data_root.empty() ? DefaultDataRoot() : r.data_root;
  ExperimentConfig config;
  if (Status s = LoadExperimentConfig(r.config_path, data_root, &config); !s.ok()) return s;
  RunOptions options;
  options.read = r.read;
  options.resume = r.resume;
  options.save_outputs = r.save_outputs || config.save_outputs;
  options.jobs = r.jobs;
  if (!r.shard.empty() && !ParseShard(r.shard, &options.shard, &options.shards))
    return Status::Error("--shard '" + r.shard + "': expected I/N with 0 <= I < N");
  options.out_dir = r.out_dir.empty() ? (fs::path("results") / config.name).string() : r.out_dir;
  const std::string& out_dir = options.out_dir;
  if (Status s = PrepareResultsFolder(r, config, out_dir); !s.ok()) return s;

  OpenedMethods methods;  // needed to run, and for the report's thumbnails
  nlohmann::json seeds;
  if (Status s = OpenConfiguredMethods(command, config, r.db_dir, data_root, &methods, &seeds);
      !s.ok())
    return s;
  nlohmann::json provenance = RunProvenance(config, r.db_dir, data_root);
  provenance["flann_seeds"] = seeds;
  options.contexts = MethodContexts(config, provenance);

  RunCounts counts;
  if (r.merge) {
    // Copy the per-photo results of the shard folders in (same config and
    // context; all checked before the first is written).
    Status s = MergeShardResults(config, methods.names, options.contexts, r.merge_dirs, out_dir);
    if (!s.ok()) return s;
  } else {
    Status s = RunExperiment(config, methods.pointers(), methods.names, options, &counts);
    if (!s.ok()) return s;
    *failures = counts.failed;
    std::fprintf(stderr, "eval: %d photos done, %d already done (--resume), %d unreadable\n",
                 counts.done, counts.skipped, counts.failed);
    if (counts.kept > 0)
      std::fprintf(stderr, "eval: %d method results of the photos done were kept (--resume)\n",
                   counts.kept);
    if (options.shards > 1) {
      std::printf(
          "shard %d/%d written to %s; when every shard is done, summarize with\n"
          "  tint eval --config %s --out %s --merge SHARD_OUT...\n",
          options.shard, options.shards, out_dir.c_str(), r.config_path.c_str(), out_dir.c_str());
      return Status::Ok();
    }
    struct rusage usage;
    if (::getrusage(RUSAGE_SELF, &usage) == 0) {
      provenance["peak_rss_mb"] = usage.ru_maxrss / 1024.0;  // the whole run's
      provenance["jobs"] = options.jobs;
    }
  }
  nlohmann::json summary;
  Status s =
      SummarizeExperiment(config, methods.names, out_dir, options.contexts, provenance, &summary);
  if (s.ok() && options.save_outputs) s = WriteGallery(config, methods.names, out_dir);
  if (s.ok())
    s = WriteExperimentReport(config, methods.pointers(), methods.names, summary, out_dir, r.read,
                              options.save_outputs);
  if (!s.ok()) return s;
  PrintSummary(summary, stdout);
  std::printf("\nwrote %s/report.html%s, summary.json, per_photo.csv and stats.csv\n",
              out_dir.c_str(), options.save_outputs ? ", gallery.html (outputs/)" : "");
  return Status::Ok();
}

Status RunRegions(const EvalRequest& r, const std::string& command, int* failures) {
  for (int c : r.segment_counts) {
    if (c < 1 || c > 1000) return Status::Error("--segment-counts must be in 1..1000");
  }
  NCutSweep sweep;
  sweep.ncut = r.ncut;
  if (!r.segment_counts.empty()) sweep.segment_counts = r.segment_counts;
  const std::vector<int>& counts = sweep.segment_counts;
  RegionBenchmarkRun run;
  const Status s = RunRegionBenchmark(r.bsds_root, r.split, r.limit, sweep, r.read, true, &run);
  for (const std::string& skipped : run.skipped)
    std::fprintf(stderr, "tint %s: error: %s (skipped)\n", command.c_str(), skipped.c_str());
  *failures = static_cast<int>(run.skipped.size());
  if (!s.ok()) return s;
  const RegionSummary& m = run.summary;
  std::printf(
      "normalized cuts on L, %d photos of %s, %zu segment counts (%.2f s per photo for the "
      "sweep)\n",
      run.scored, r.split.c_str(), counts.size(), run.seconds_per_photo);
  std::printf("%-34s %9s %9s %9s %9s %9s %9s\n", "", "Cov ODS", "Cov OIS", "PRI ODS", "PRI OIS",
              "VI ODS", "VI OIS");
  std::printf("%-34s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", "tint normalized cuts", m.covering_ods,
              m.covering_ois, m.pri_ods, m.pri_ois, m.voi_ods, m.voi_ois);
  std::printf("ODS segment counts: covering %d, PRI %d, VI %d\n", counts[m.covering_best],
              counts[m.pri_best], counts[m.voi_best]);
  return r.csv.empty() ? Status::Ok() : WriteFileAtomic(r.csv, run.csv);
}

// The quick form's methods, as config entries named as the table names them.
Status OpenQuickMethods(const EvalRequest& r, const std::string& command, ExperimentConfig* config,
                        OpenedMethods* methods) {
  for (auto it = r.methods.begin(); it != r.methods.end(); ++it) {
    if (std::find(r.methods.begin(), it, *it) != it)
      return Status::Error("--methods names '" + *it + "' twice");
  }
  for (const auto& item : r.options.items()) {
    const bool taken = std::any_of(r.methods.begin(), r.methods.end(), [&](const std::string& n) {
      const MethodInfo* info = FindMethod(n);
      return info != nullptr && info->options != nullptr && info->options->Has(item.key());
    });
    if (!taken) return Status::Error(FlagName(item.key()) + " is an option of none of --methods");
  }
  for (const std::string& name : r.methods) {
    // The baseline is always the first row; naming it adds no second one
    // (which used to sum its scores twice under one name).
    if (name == "grayscale") continue;
    const MethodInfo* info = FindMethod(name);
    if (info == nullptr) return Status::Error("no method '" + name + "'");
    ExperimentMethod m;
    m.spec.method = name;
    for (const auto& item : r.options.items())
      if (info->options != nullptr && info->options->Has(item.key()))
        m.spec.options[item.key()] = item.value();
    TINT_RETURN_IF_ERROR(PrepareSpec(&m.spec, OptionSpelling::kFlag));
    if (info->takes_model) m.spec.model = r.model;
    std::unique_ptr<Colorizer> c;
    if (Status s = OpenMethod(command, m.spec, r.db_dir, r.data_root, false, true, &c); !s.ok())
      return s;
    // A model's card names it ("cnn:tint-hypercolumn-s"), else the
    // registered name, so that presets ("classic:seed") and variants
    // ("classic-exact") are told apart from "classic".
    m.name = info->takes_model ? c->name() : name;
    methods->names.push_back(m.name);
    methods->owned.push_back(std::move(c));
    config->methods.push_back(m);
  }
  return Status::Ok();
}

// The quick form is a front over the configured runner, so that both score,
// summarize and print through one path: an in-memory config with one data
// set (the folder, or CamVid's split) and the methods, run into a scratch
// folder that is removed afterwards; --csv gets its per_photo.csv.
Status RunQuick(const EvalRequest& r, const std::string& command, int* failures) {
  ExperimentConfig config;
  config.name = "quick";
  DatasetSpec dataset;
  const bool camvid = !r.camvid_root.empty();
  dataset.name = camvid ? "camvid-" + r.split : "images";
  dataset.kind = camvid ? "camvid" : "folder";
  dataset.path = camvid ? r.camvid_root : r.images_dir;
  dataset.split = camvid ? r.split : "";
  dataset.limit = r.limit;
  if (Status s = ResolveDataset(camvid ? "--camvid" : "--images", &dataset); !s.ok()) return s;
  config.datasets.push_back(dataset);
  OpenedMethods methods;
  if (Status s = OpenQuickMethods(r, command, &config, &methods); !s.ok()) return s;

  std::string scratch = (fs::temp_directory_path() / "tint-eval-XXXXXX").string();
  if (::mkdtemp(scratch.data()) == nullptr)
    return Status::Error("cannot make a scratch folder in " + fs::temp_directory_path().string());
  struct Remove {
    std::string dir;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove{scratch};
  RunOptions options;
  options.out_dir = scratch;
  options.read = r.read;
  RunCounts counts;
  Status s = RunExperiment(config, methods.pointers(), methods.names, options, &counts);
  *failures = counts.failed;
  nlohmann::json summary;
  if (s.ok())
    s = SummarizeExperiment(config, methods.names, scratch, options.contexts,
                            nlohmann::json::object(), &summary);
  if (s.ok() && !r.csv.empty()) {
    std::vector<uint8_t> bytes;
    s = ReadFileBytes((fs::path(scratch) / "per_photo.csv").string(), &bytes);
    if (s.ok()) s = WriteFileAtomic(r.csv, bytes.data(), bytes.size());
  }
  if (!s.ok()) return s;
  PrintSummary(summary, stdout);
  return Status::Ok();
}

}  // namespace

namespace {

Status RunCompare(const EvalRequest& r) {
  if (r.compare.size() != 2) return Status::Error("--compare takes two results folders");
  nlohmann::json comparison;
  TINT_RETURN_IF_ERROR(CompareRuns(r.compare[0], r.compare[1], &comparison));
  auto name = [](const std::string& dir) {
    return fs::path(dir).lexically_normal().filename().string();
  };
  const std::string out =
      !r.out_dir.empty()
          ? r.out_dir
          : (fs::path("results") / ("compare-" + name(r.compare[0]) + "-vs-" + name(r.compare[1])))
                .string();
  PrintComparison(comparison, stdout);
  TINT_RETURN_IF_ERROR(WriteComparison(comparison, out));
  std::printf("\nwrote %s/compare.html and compare.csv\n", out.c_str());
  return Status::Ok();
}

}  // namespace

Status RunEvalRequest(const EvalRequest& r, const std::string& command, int* failures) {
  *failures = 0;
  if (r.limit < 0) return Status::Error("--limit must be >= 0");
  // An output that cannot or must not be written is said before the work.
  if (!r.csv.empty()) {
    OutputPlan plan;
    for (const std::string& folder : {r.images_dir, r.camvid_root, r.bsds_root})
      plan.AddInputFolder(folder, "the data set folder");
    plan.AddInputFolder(r.db_dir, "the patch database");
    const std::string card = r.model.empty() ? DefaultModelCard() : r.model;
    plan.AddInput(card, "the model card " + card);
    if (Status s = plan.AddOutputFile(r.csv, "--csv"); !s.ok()) return s;
  }
  if (!r.compare.empty()) return RunCompare(r);
  if (!r.config_path.empty()) return RunConfigured(r, command, failures);
  if (!r.bsds_root.empty()) return RunRegions(r, command, failures);
  if (r.images_dir.empty() && r.camvid_root.empty())
    return Status::Error("give --images DIR, --camvid ROOT or --bsds-regions ROOT");
  return RunQuick(r, command, failures);
}

}  // namespace tint
