// Classic and CNN mode end to end (ColorizePhoto: lightness, the colorizer,
// joining L with the chroma) at 481 x 321 (the DESIGN targets' photo) and at
// 0.1, 0.5, 1, 4 and 12 Mpx, with the peak memory of each run and the
// seconds of each classic stage. The database and the network are loaded
// once, before timing: loading is `tint`'s start-up, not per-photo work.
//
// BM_ClassicMatcher runs the classic pipeline with other matchers on the
// same photos and reports how many output pixels keep the label that exact
// matching gives (label_agreement): the accuracy a faster matcher costs in
// what the user sees, after the per-segment vote.
#include "common.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include <opencv2/imgcodecs.hpp>

#include "core/color.h"
#include "core/locate.h"
#include "match/backends.h"
#include "pipeline/classic/classic.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/colorizer.h"
#include "pipeline/registry.h"

namespace tint::bench {
namespace {

// A classic colorizer over the shipped samples and calibration with the
// given settings (the FLANN trees of the cache when they fit). Only the
// matcher and the query grid may differ from the defaults.
std::unique_ptr<Colorizer> ClassicWith(const ClassicOptions& options) {
  const IndexedDatabase& shipped = ShippedDatabase();
  const PatchDatabase& db = *shipped.database;
  const MatchOptions& match = options.match;
  IndexedDatabase indexed;
  indexed.database = PatchDatabase::FromSamples(db.manifest(), db.label_names(), db.vectors(),
                                                db.chroma(), db.sample_labels(), db.sample_patch());
  std::vector<uint8_t> blob;
  const MatchOptions defaults;
  if (match.backend == "flann" && match.flann_trees == defaults.flann_trees &&
      match.pca_dims == defaults.pca_dims && match.kmeans_branching == defaults.kmeans_branching &&
      shipped.matcher->SaveIndex(&blob)) {
    const Status s = CreateMatcherFromIndex(match, db.vectors(), blob, &indexed.matcher);
    if (!s.ok()) indexed.matcher.reset();
  }
  if (!indexed.matcher) indexed.matcher = CreateMatcher(match, db.vectors());
  indexed.label_weights = shipped.label_weights;
  return CreateClassicColorizer(options, std::move(indexed));
}

// Made once and never destroyed (here and below): a cvflann index must not
// outlive cvflann's own statics, which a static of ours destroyed at exit would.
const Colorizer& DefaultClassic() {
  static const Colorizer* c = ClassicWith(ClassicOptions()).release();
  return *c;
}

const Colorizer* Cnn() {
  static const Colorizer* c = [] {
    std::unique_ptr<Colorizer> out;
    MethodSpec spec;  // through the method registry, as tint colorize --method cnn
    spec.method = "cnn";
    ColorizerContext context;
    context.default_model = SourcePath("models/tint-hc/card.toml");
    const Status s = CreateColorizer(spec, context, &out);
    if (!s.ok()) std::cerr << "error: " << s.message() << "\n";
    return out.release();
  }();
  return c;
}

void RunColorizer(benchmark::State& state, const Colorizer& colorizer, const cv::Mat& photo) {
  ColorizeDetails details;
  cv::Mat out;
  // One untimed run first: OpenCV dnn sets up each input size on its first
  // pass (measured separately by bench_cnn's BM_CnnFirstPass).
  if (!ColorizePhoto(colorizer, PostOptions(), photo, &out, &details).ok())
    return Skip(state, "colorize failed");
  std::map<std::string, double> stage_seconds;
  ResetPeakMemory();
  for (auto _ : state) {
    details = ColorizeDetails();
    const Status s = ColorizePhoto(colorizer, PostOptions(), photo, &out, &details);
    if (!s.ok()) return Skip(state, s.message());
    for (const auto& [stage, sec] : details.seconds) stage_seconds[stage] += sec;
  }
  SetPixelCounters(state, photo.total());
  state.counters["peak_rss_MB"] = PeakMemoryMb();
  for (const auto& [stage, sec] : stage_seconds) {
    state.counters["s_" + stage] = benchmark::Counter(sec, benchmark::Counter::kAvgIterations);
  }
}

void BM_Classic(benchmark::State& state, double megapixels) {
  RunColorizer(state, DefaultClassic(), PhotoOfMegapixels(megapixels));
}

void BM_Cnn(benchmark::State& state, double megapixels) {
  if (Cnn() == nullptr) return Skip(state, "the shipped model did not load");
  RunColorizer(state, *Cnn(), PhotoOfMegapixels(megapixels));
}

// Photos for the matcher agreement: the sample and, when the shared data is
// there, the first BSDS500 val photos (the tuning split; never test).
const std::vector<cv::Mat>& AgreementPhotos() {
  static const std::vector<cv::Mat> photos = [] {
    std::vector<cv::Mat> out;
    if (Quick()) {
      out.push_back(cv::imread(SourcePath("tests/data/bridge_small.jpg")));
      return out;
    }
    out.push_back(SamplePhoto());
    const std::filesystem::path val =
        std::filesystem::path(DefaultDataRoot()) / "bsds500/images/val";
    std::error_code ec;
    std::vector<std::string> files;
    if (std::filesystem::is_directory(val, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(val, ec))
        if (e.path().extension() == ".jpg") files.push_back(e.path().string());
    } else {
      std::cerr << "note: " << val.string()
                << " not found (set TINT_DATA_ROOT); matcher agreement on the sample only\n";
    }
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < files.size() && i < 9; ++i) out.push_back(cv::imread(files[i]));
    return out;
  }();
  return photos;
}

// Output labels of every agreement photo with the given settings.
std::vector<cv::Mat> PipelineLabels(const Colorizer& colorizer, double* match_seconds) {
  std::vector<cv::Mat> labels;
  for (const cv::Mat& photo : AgreementPhotos()) {
    cv::Mat ab;
    ColorizeDetails d;
    if (!colorizer.Colorize(ComputeLightness(photo), &ab, &d).ok()) return {};
    labels.push_back(d.labels);
    *match_seconds += d.seconds["match"];
  }
  return labels;
}

// The reference: exact matching of every point of the query grid.
ClassicOptions ExactOptions() {
  ClassicOptions o;
  o.match.backend = "exact";
  o.vote_confidence = 0;
  return o;
}

// Labels with exact matching and the default query grid: the reference.
// Set by the exact benchmark, or computed when it was filtered out.
std::vector<cv::Mat>& ExactLabels() {
  static std::vector<cv::Mat> labels;
  if (labels.empty()) {
    double ignored = 0;
    labels = PipelineLabels(*ClassicWith(ExactOptions()), &ignored);
  }
  return labels;
}

// Labels of the default pipeline matching every grid point (no sequential
// vote): "today's output" the sequential vote is compared to.
std::vector<cv::Mat>& GridLabels() {
  static std::vector<cv::Mat> labels;
  if (labels.empty()) {
    double ignored = 0;
    ClassicOptions o;
    o.vote_confidence = 0;
    labels = PipelineLabels(*ClassicWith(o), &ignored);
  }
  return labels;
}

void BM_ClassicMatcher(benchmark::State& state, ClassicOptions options) {
  const bool reference = options.match.backend == "exact" &&
                         options.query_stride == ClassicOptions().query_stride &&
                         options.vote_confidence == 0;
  const auto colorizer = ClassicWith(options);
  std::vector<cv::Mat> labels;
  double match_seconds = 0;
  for (auto _ : state) labels = PipelineLabels(*colorizer, &match_seconds);
  if (labels.empty()) return Skip(state, "colorize failed");
  const std::vector<cv::Mat>& truth = reference ? (ExactLabels() = labels) : ExactLabels();
  const std::vector<cv::Mat>& grid = GridLabels();
  int64_t same = 0, same_grid = 0, pixels = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    same += cv::countNonZero(labels[i] == truth[i]);
    same_grid += cv::countNonZero(labels[i] == grid[i]);
    pixels += labels[i].total();
  }
  SetPixelCounters(state, pixels);
  const double photos = double(labels.size());
  state.counters["photos"] = photos;
  state.counters["label_agreement"] = double(same) / double(pixels);
  state.counters["grid_agreement"] = double(same_grid) / double(pixels);
  state.counters["s_match"] =
      benchmark::Counter(match_seconds / photos, benchmark::Counter::kAvgIterations);
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint;
  using namespace tint::bench;
  return Main(argc, argv, [] {
    const auto sizes = Sweep<double>({0, 0.1, 0.5, 1, 4, 12}, {0.1});
    for (double mpx : sizes) {
      auto* b = Configure(
          benchmark::RegisterBenchmark(("BM_Classic/" + SizeName(mpx)).c_str(), BM_Classic, mpx));
      if (mpx >= 4) b->Iterations(1)->Repetitions(3)->ReportAggregatesOnly(false);
    }
    for (double mpx : sizes) {
      Configure(benchmark::RegisterBenchmark(("BM_Cnn/" + SizeName(mpx)).c_str(), BM_Cnn, mpx));
    }
    // Exact first: it sets the reference labels the others are compared to.
    std::vector<std::pair<std::string, ClassicOptions>> variants;
    variants.emplace_back("exact", ExactOptions());
    for (int stride : {2, 3}) {
      for (int checks : Sweep<int>({8, 16, 32, 64, 128}, {32})) {
        ClassicOptions o;
        o.query_stride = stride;
        o.match.flann_checks = checks;
        variants.emplace_back("flann/trees:4/checks:" + std::to_string(checks) +
                                  "/query_stride:" + std::to_string(stride),
                              o);
      }
      if (Quick()) break;
    }
    // The sequential vote: FLANN's default, a segment's matching stopped
    // once its label is decided at each confidence.
    for (double confidence : Sweep<double>({0, 0.95, 0.99, 0.999}, {0.99})) {
      ClassicOptions o;
      o.vote_confidence = confidence;
      char name[64];
      std::snprintf(name, sizeof name, "flann/trees:4/checks:32/query_stride:3/vote:%g",
                    confidence);
      variants.emplace_back(name, o);
    }
    {
      ClassicOptions o = ExactOptions();
      o.vote_confidence = ClassicOptions().vote_confidence;
      variants.emplace_back("exact/vote:0.99", o);
    }
    // Smaller vectors: FLANN's trees over the first principal components
    // of the database, candidates re-ranked on the full vectors (the trees
    // are built per variant, a few seconds each).
    for (int dims : Sweep<int>({8, 12, 16, 24, 32}, {16})) {
      ClassicOptions o;
      o.match.pca_dims = dims;
      o.match.rerank = 32;
      variants.emplace_back(
          "flann/trees:4/checks:32/pca:" + std::to_string(dims) + "/rerank:32/query_stride:3", o);
    }
    // hnswlib's graph beside FLANN's trees, on the default query grid (the
    // graph is built per variant: about 13 s each).
    for (int ef : Sweep<int>({16, 32, 64, 128}, {16})) {
      ClassicOptions o;
      o.match.backend = "hnsw";
      o.match.hnsw_ef = ef;
      variants.emplace_back("hnsw/m:16/ef:" + std::to_string(ef) + "/query_stride:3", o);
    }
    // FAISS's indexes (built per variant: IVF about 11 s, HNSW about 30 s;
    // the flat index is exact by brute force through the system BLAS).
    for (int nprobe : Sweep<int>({2, 4, 8, 16, 32}, {4})) {
      ClassicOptions o;
      o.match.backend = "faiss-ivf";
      o.match.faiss_nprobe = nprobe;
      variants.emplace_back(
          "faiss-ivf/nlist:1024/nprobe:" + std::to_string(nprobe) + "/query_stride:3", o);
    }
    if (!Quick()) {
      for (int ef : {16, 32, 64, 128}) {
        ClassicOptions o;
        o.match.backend = "faiss-hnsw";
        o.match.hnsw_ef = ef;
        variants.emplace_back("faiss-hnsw/m:16/ef:" + std::to_string(ef) + "/query_stride:3", o);
      }
      ClassicOptions flat;
      flat.match.backend = "faiss-flat";
      variants.emplace_back("faiss-flat/query_stride:3", flat);
    }
    for (const auto& [name, o] : variants) {
      if (FindMatcherBackend(o.match.backend) == nullptr) continue;  // not built
      Configure(
          benchmark::RegisterBenchmark(("BM_ClassicMatcher/" + name).c_str(), BM_ClassicMatcher, o))
          ->Iterations(1);
    }
  });
}
