#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"

#ifndef TINT_DEFAULT_PATCHDB
#define TINT_DEFAULT_PATCHDB "patchdb"
#endif
#ifndef TINT_DEFAULT_MODEL
#define TINT_DEFAULT_MODEL "models/tint-hc/card.toml"
#endif

namespace tint::internal {

std::string DefaultDatabaseDir() {
  const char* env = std::getenv("TINT_PATCHDB");
  return env != nullptr && *env != '\0' ? env : TINT_DEFAULT_PATCHDB;
}

std::string DefaultModelCard() {
  const char* env = std::getenv("TINT_MODEL");
  return env != nullptr && *env != '\0' ? env : TINT_DEFAULT_MODEL;
}

void AddClassicOptions(CLI::App* app, ClassicOptions* o) {
  static const std::map<std::string, VectorNormalization> kVectors = {
      {"raw", VectorNormalization::kRaw}, {"zero-mean", VectorNormalization::kZeroMean},
      {"unit-norm", VectorNormalization::kUnitNorm}};
  static const std::map<std::string, MatcherType> kMatchers = {{"exact", MatcherType::kExact},
                                                               {"flann", MatcherType::kFlann}};
  static const std::map<std::string, NCutGraph> kGraphs = {{"grid", NCutGraph::kPixelGrid},
                                                           {"superpixels", NCutGraph::kSuperpixels}};
  auto* g = "Classic pipeline";
  app->add_option("--window", o->features.window, "Neighborhood window side (odd, 3..31)")->group(g)->capture_default_str();
  app->add_option("--vector", o->features.normalization, "Vector variant: raw, zero-mean, unit-norm")
      ->transform(CLI::CheckedTransformer(kVectors, CLI::ignore_case))->group(g)->default_str("zero-mean");
  app->add_flag("--stats,!--no-stats", o->features.append_statistics,
                "Append window mean and std of L (Welsh et al. 2002)")->group(g)->capture_default_str();
  app->add_option("--stats-weight", o->features.statistics_weight, "Weight of the appended statistics")->group(g)->capture_default_str();
  app->add_option("--position-weight", o->features.position_weight, "Weight of the vertical position feature (0 = off)")->group(g)->capture_default_str();
  app->add_option("--stride", o->sampling.stride, "Database sampling stride inside each patch (px)")->group(g)->capture_default_str();
  app->add_option("--query-stride", o->query_stride, "Match every n-th pixel in x and y")->group(g)->capture_default_str();
  app->add_option("--calibration-step", o->calibration_step, "Calibrate label votes on every n-th DB sample (0 = off)")->group(g)->capture_default_str();
  app->add_option("--matcher", o->match.type, "Matcher: flann or exact")
      ->transform(CLI::CheckedTransformer(kMatchers, CLI::ignore_case))->group(g)->default_str("flann");
  app->add_option("-k,--candidates", o->match.k, "Candidates per pixel (1..64)")->group(g)->capture_default_str();
  app->add_option("--flann-trees", o->match.flann_trees, "FLANN randomized kd-trees")->group(g)->capture_default_str();
  app->add_option("--flann-checks", o->match.flann_checks, "FLANN leaves checked per query")->group(g)->capture_default_str();
  app->add_option("--flann-kmeans", o->match.kmeans_branching, "FLANN hierarchical k-means tree with this branching (0 = kd-trees)")->group(g)->capture_default_str();
  app->add_option("--pca-dims", o->match.pca_dims, "FLANN searches this many principal components (0 = all)")->group(g)->capture_default_str();
  app->add_option("--seed", o->match.seed, "Seed of the FLANN index build (kd-tree shuffles, k-means centres)")->group(g)->capture_default_str();
  app->add_option("--rerank", o->match.rerank, "With --pca-dims: candidates re-ranked on the full vectors")->group(g)->capture_default_str();
  app->add_flag("--ncut,!--no-ncut", o->use_ncut, "Vote labels per normalized-cuts segment")->group(g)->capture_default_str();
  app->add_option("--ncut-graph", o->ncut.graph, "Ncut graph nodes: superpixels or grid")
      ->transform(CLI::CheckedTransformer(kGraphs, CLI::ignore_case))->group(g)->default_str("superpixels");
  app->add_option("--ncut-max-segments", o->ncut.max_segments, "Most Ncut segments")->group(g)->capture_default_str();
  app->add_option("--ncut-max-value", o->ncut.max_ncut, "Stop splitting above this Ncut value")->group(g)->capture_default_str();
  app->add_option("--ncut-sigma-i", o->ncut.sigma_intensity, "Ncut brightness scale sigma_I (L units)")->group(g)->capture_default_str();
  app->add_option("--dark-lightness", o->otsu.max_dark_lightness, "Very dark below min(Otsu, this) L; never sky")->group(g)->capture_default_str();
  app->add_option("--vote-power", o->transfer.similarity_power, "Vote weight = similarity^p")->group(g)->capture_default_str();
  app->add_flag("--segment-vote,!--pixel-vote", o->transfer.segment_vote, "Vote per segment or per pixel")->group(g)->capture_default_str();
  app->add_flag("--keep-saturation,!--plain-mean", o->transfer.keep_saturation, "Average chroma keeping saturation")->group(g)->capture_default_str();
  app->add_option("--smooth-radius", o->transfer.smoothing_radius, "Guided-filter radius for chroma (0 = off)")->group(g)->capture_default_str();
}

void AddReadOptions(CLI::App* app, ImageReadOptions* options) {
  app->add_option("--max-pixels", options->max_pixels, "Refuse images larger than this many pixels")
      ->capture_default_str();
}

Status OpenClassic(const std::string& command, const ClassicOptions& options, const std::string& db_dir,
                   bool require_cache, bool verbose, std::unique_ptr<Colorizer>* colorizer) {
  CacheState state = CacheState::kMissing;
  const Status s = CreateClassicColorizer(
      options, db_dir, colorizer, require_cache ? CachePolicy::kRequireValid : CachePolicy::kRebuildIfStale, &state);
  if (!s.ok()) return Status::Error("patch database: " + s.message());
  if (state != CacheState::kValid && verbose) {
    std::fprintf(stderr, "tint %s: note: index cache %s for these settings, built in memory (tint db build saves it)\n",
                 command.c_str(), ToString(state));
  }
  return Status::Ok();
}

int Fail(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "tint %s: error: %s\n", command.c_str(), message.c_str());
  return 1;
}

bool Parse(CLI::App* app, int argc, char** argv, int* exit_code) {
  try {
    app->parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app->help().c_str());
    *exit_code = 0;
    return false;
  } catch (const CLI::CallForAllHelp&) {
    std::printf("%s", app->help("", CLI::AppFormatMode::All).c_str());
    *exit_code = 0;
    return false;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg) if (c == '\n') c = ' ';
    *exit_code = Fail(app->get_name(), msg + " (see --help)");
    return false;
  }
  return true;
}

}  // namespace tint::internal
