#include "pipeline/classic/option_table.h"

#include <functional>
#include <utility>

#include "match/backends.h"
#include "pipeline/classic/classic.h"

namespace tint {
namespace {

template <typename T>
using Field = OptionField<ClassicOptions, T>;

const std::function<bool(const ClassicOptions&)> kAlways = [](const ClassicOptions&) {
  return true;
};

template <typename T>
OptionInfo Number(const char* name, OptionType type, double min, double max, const char* help,
                  Field<T> field, std::function<bool(const ClassicOptions&)> in_key = nullptr) {
  return NumberOption<ClassicOptions, T>(name, type, min, max, help, field, std::move(in_key));
}

OptionInfo Switch(const char* name, const char* help, Field<bool> field,
                  std::function<bool(const ClassicOptions&)> in_key = nullptr) {
  return SwitchOption<ClassicOptions>(name, help, field, std::move(in_key));
}

template <typename E>
OptionInfo Choice(const char* name, const char* help, std::vector<std::pair<std::string, E>> values,
                  Field<E> field, std::function<bool(const ClassicOptions&)> in_key = nullptr) {
  return ChoiceOption<ClassicOptions, E>(name, help, std::move(values), field, std::move(in_key));
}

// Features: what the database's samples are made of.
void AddFeatureOptions(std::vector<OptionInfo>* t) {
  using T = OptionType;
  t->push_back(Choice<FeatureKind>(
      "features",
      "Neighbourhood vectors: shades (the window's L, the original tool's) or deep (what a "
      "pretrained MobileNetV2 sees there, 32 dims; the database's from each patch's source photo)",
      {{"shades", FeatureKind::kShades}, {"deep", FeatureKind::kDeep}},
      [](ClassicOptions& o) -> FeatureKind& { return o.features.kind; },
      // In the key only away from the default, so existing caches stay valid.
      [](const ClassicOptions& o) { return o.features.kind != FeatureKind::kShades; }));
  t->push_back(Number<int>(
      "window", T::kInt, 3, 31, "Neighborhood window side, odd (px)",
      [](ClassicOptions& o) -> int& { return o.features.window; }, kAlways));
  t->back().rule = "odd";
  t->push_back(Choice<VectorNormalization>(
      "vector", "Vector variant",
      {{"raw", VectorNormalization::kRaw},
       {"zero-mean", VectorNormalization::kZeroMean},
       {"unit-norm", VectorNormalization::kUnitNorm}},
      [](ClassicOptions& o) -> VectorNormalization& { return o.features.normalization; }, kAlways));
  t->push_back(Switch(
      "stats", "Append window mean and std of L (Welsh et al. 2002)",
      [](ClassicOptions& o) -> bool& { return o.features.append_statistics; }, kAlways));
  t->push_back(Number<double>(
      "stats_weight", T::kDouble, 0, 100, "Weight of the appended statistics",
      [](ClassicOptions& o) -> double& { return o.features.statistics_weight; }, kAlways));
  t->push_back(Number<double>(
      "position_weight", T::kDouble, 0, 100, "Weight of the vertical position feature (0 = off)",
      [](ClassicOptions& o) -> double& { return o.features.position_weight; }, kAlways));
  t->push_back(Number<int>(
      "stride", T::kInt, 1, 64, "Database sampling stride inside each patch (px)",
      [](ClassicOptions& o) -> int& { return o.sampling.stride; }, kAlways));
  t->push_back(Choice<ColorSpace>(
      "color_space",
      "Shade and chroma space: lab (L, ab) or yuv (the original tool's Y', UV; L is still kept)",
      {{"lab", ColorSpace::kLab}, {"yuv", ColorSpace::kYuv}},
      [](ClassicOptions& o) -> ColorSpace& { return o.sampling.color_space; },
      [](const ClassicOptions& o) { return o.sampling.color_space != ColorSpace::kLab; }));
  t->push_back(Choice<LabelSet>(
      "labels", "Database labels used: all, or seed (sky, grass with vegetation, earth, building)",
      {{"all", LabelSet::kAll}, {"seed", LabelSet::kSeed}},
      [](ClassicOptions& o) -> LabelSet& { return o.sampling.labels; },
      [](const ClassicOptions& o) { return o.sampling.labels != LabelSet::kAll; }));
}

// Matching: the backend and its knobs.
void AddMatchOptions(std::vector<OptionInfo>* t) {
  using T = OptionType;
  t->push_back(Number<int>("query_stride", T::kInt, 1, 16, "Match every n-th pixel in x and y",
                           [](ClassicOptions& o) -> int& { return o.query_stride; }));
  t->push_back(Number<int>(
      "calibration_step", T::kInt, 0, 1'000'000,
      "Calibrate label votes on every n-th database sample (0 = off; matched by FLANN "
      "whatever the matcher, as the calibration is cached with the samples)",
      [](ClassicOptions& o) -> int& { return o.calibration_step; }, kAlways));
  t->push_back(Number<int>(
      "proxy_pixels", T::kInt, 0, 1'000'000'000,
      "Larger photos are segmented and matched on a proxy of at most this many pixels, chroma "
      "guided-upsampled to full size by L (0 = full size)",
      [](ClassicOptions& o) -> int& { return o.proxy_pixels; }));
  ZeroOrAtLeast(&t->back(), 10'000);
  t->push_back(Number<double>(
      "vote_confidence", T::kDouble, 0, 0.999999,
      "Sequential vote: match a segment's grid points in a seeded order until its leading label "
      "wins the sign test at this confidence (0 = match them all)",
      [](ClassicOptions& o) -> double& { return o.vote_confidence; }));
  // The choices are the backends this build has (match/backends.h).
  {
    OptionInfo o;
    o.name = "matcher";
    o.help = "Matcher backend";
    o.type = T::kChoice;
    for (const MatcherBackend& b : MatcherBackends()) o.choices.push_back(b.name);
    o.get = [](const ClassicOptions& c) { return c.match.backend; };
    o.set = [](ClassicOptions* c, const std::string& text) { c->match.backend = text; };
    t->push_back(o);
  }
  // The calibration matches with k = max(k, 16): k matters to it above 16.
  t->push_back(Number<int>(
      "candidates", T::kInt, 1, 64, "Candidates per pixel (k)",
      [](ClassicOptions& o) -> int& { return o.match.k; },
      [](const ClassicOptions& o) { return o.match.k > 16; }));
  t->push_back(Number<int>(
      "flann_trees", T::kInt, 1, 32, "FLANN randomized kd-trees",
      [](ClassicOptions& o) -> int& { return o.match.flann_trees; }, kAlways));
  t->push_back(Number<int>(
      "flann_checks", T::kInt, 1, 1'000'000, "FLANN leaves checked per query",
      [](ClassicOptions& o) -> int& { return o.match.flann_checks; }, kAlways));
  t->push_back(Number<int>(
      "flann_kmeans", T::kInt, 0, 256,
      "FLANN hierarchical k-means tree with this branching (0 = kd-trees, else 8..256)",
      [](ClassicOptions& o) -> int& { return o.match.kmeans_branching; }, kAlways));
  // Below 8, cvflann's tree degenerates on a patch database's near-identical
  // vectors (one vector split off per level: 2383 levels at 2 on the shipped
  // database, a stack overflow; at 3 and 4 likewise).
  ZeroOrAtLeast(&t->back(), 8);
  t->push_back(Number<int>(
      "pca_dims", T::kInt, 0, 1024, "FLANN searches this many principal components (0 = all)",
      [](ClassicOptions& o) -> int& { return o.match.pca_dims; }, kAlways));
  t->push_back(Number<int>(
      "rerank", T::kInt, 0, 256, "With pca_dims: candidates re-ranked on the full vectors",
      [](ClassicOptions& o) -> int& { return o.match.rerank; }, kAlways));
  t->push_back(Number<uint64_t>(
      "seed", T::kUInt64, 0, 18446744073709551615.0,
      "Seed of the index build (FLANN kd-tree shuffles and k-means centres, HNSW levels)",
      [](ClassicOptions& o) -> uint64_t& { return o.match.seed; }, kAlways));
  t->push_back(Number<int>("hnsw_m", T::kInt, 2, 256, "HNSW (hnswlib, faiss-hnsw) links per node",
                           [](ClassicOptions& o) -> int& { return o.match.hnsw_m; }));
  t->push_back(Number<int>("hnsw_ef_construction", T::kInt, 1, 100'000, "HNSW build beam width",
                           [](ClassicOptions& o) -> int& { return o.match.hnsw_ef_construction; }));
  t->push_back(Number<int>("hnsw_ef", T::kInt, 1, 100'000,
                           "HNSW search beam width (at least k is used)",
                           [](ClassicOptions& o) -> int& { return o.match.hnsw_ef; }));
  t->push_back(Number<int>("faiss_nlist", T::kInt, 1, 1'000'000,
                           "FAISS IVF inverted lists (k-means centres; at most N/39 and 4 sqrt(N))",
                           [](ClassicOptions& o) -> int& { return o.match.faiss_nlist; }));
  t->push_back(Number<int>("faiss_nprobe", T::kInt, 1, 1'000'000,
                           "FAISS IVF lists probed per query",
                           [](ClassicOptions& o) -> int& { return o.match.faiss_nprobe; }));
}

// Segments and labels.
void AddSegmentOptions(std::vector<OptionInfo>* t) {
  using T = OptionType;
  t->push_back(Switch("ncut", "Vote labels per normalized-cuts segment",
                      [](ClassicOptions& o) -> bool& { return o.use_ncut; }));
  t->push_back(
      Choice<NCutGraph>("ncut_graph", "Ncut graph nodes",
                        {{"superpixels", NCutGraph::kSuperpixels}, {"grid", NCutGraph::kPixelGrid}},
                        [](ClassicOptions& o) -> NCutGraph& { return o.ncut.graph; }));
  t->push_back(Number<int>("ncut_slic_iterations", T::kInt, 1, 100,
                           "SLIC iterations for the Ncut graph's superpixels",
                           [](ClassicOptions& o) -> int& { return o.ncut.slic_iterations; }));
  t->push_back(Number<int>("ncut_max_segments", T::kInt, 1, 1000, "Most Ncut segments",
                           [](ClassicOptions& o) -> int& { return o.ncut.max_segments; }));
  t->push_back(Number<double>("ncut_max_value", T::kDouble, 0, 2,
                              "Stop splitting above this Ncut value",
                              [](ClassicOptions& o) -> double& { return o.ncut.max_ncut; }));
  t->push_back(Number<double>("ncut_sigma_i", T::kDouble, 0.001, 1000,
                              "Ncut brightness scale sigma_I (L units)",
                              [](ClassicOptions& o) -> double& { return o.ncut.sigma_intensity; }));
  t->push_back(Number<double>(
      "dark_lightness", T::kDouble, 0, 100, "Very dark below min(Otsu, this) L; never sky",
      [](ClassicOptions& o) -> double& { return o.otsu.max_dark_lightness; }));
}

// Transfer: from votes to chroma.
void AddTransferOptions(std::vector<OptionInfo>* t) {
  using T = OptionType;
  t->push_back(
      Number<double>("vote_power", T::kDouble, 0, 64, "Vote weight = similarity^p",
                     [](ClassicOptions& o) -> double& { return o.transfer.similarity_power; }));
  t->push_back(Switch("segment_vote", "Vote per segment (else per pixel)",
                      [](ClassicOptions& o) -> bool& { return o.transfer.segment_vote; }));
  t->push_back(Switch("keep_saturation", "Average chroma keeping saturation (else the plain mean)",
                      [](ClassicOptions& o) -> bool& { return o.transfer.keep_saturation; }));
  t->push_back(Number<int>("smooth_radius", T::kInt, 0, 100,
                           "Guided-filter radius for chroma (0 = off)",
                           [](ClassicOptions& o) -> int& { return o.transfer.smoothing_radius; }));
  t->push_back(Number<double>(
      "confidence_full", T::kDouble, 0, 1,
      "Confidence at which a pixel keeps its whole chroma; less scales it down (0 = off)",
      [](ClassicOptions& o) -> double& { return o.transfer.confidence_full; }));
  t->push_back(Number<double>(
      "confidence_fade", T::kDouble, 0, 1,
      "Low confidence fades chroma towards this share of the segment's candidates' mean (0 = grey)",
      [](ClassicOptions& o) -> double& { return o.transfer.confidence_fade; }));
  t->push_back(Number<double>(
      "abstain_below", T::kDouble, 0, 1,
      "A segment whose mean calibrated similarity is below this is none of the database's labels "
      "(0 = off; needs calibration_step > 0)",
      [](ClassicOptions& o) -> double& { return o.transfer.abstain_below; }));
  t->push_back(Choice<ClassicFallback>(
      "fallback", "What colours a segment that abstains: grey, or the default CNN card's colour",
      {{"grey", ClassicFallback::kGrey}, {"cnn", ClassicFallback::kCnn}},
      [](ClassicOptions& o) -> ClassicFallback& { return o.fallback; }));
}

std::vector<OptionInfo> MakeTable() {
  std::vector<OptionInfo> t;
  AddFeatureOptions(&t);
  AddMatchOptions(&t);
  AddSegmentOptions(&t);
  AddTransferOptions(&t);
  return t;
}

}  // namespace

const std::vector<OptionInfo>& ClassicOptionTable() {
  static const std::vector<OptionInfo> table = MakeTable();
  return table;
}

const TypedOptionTable<ClassicOptions>& ClassicMethodOptions() {
  static const TypedOptionTable<ClassicOptions> table(
      "the classic methods", ClassicOptionTable(), [](const ClassicOptions& options) {
        std::string error;
        return options.Check(&error) ? Status::Ok() : Status::Error(error);
      });
  return table;
}

const OptionInfo* FindClassicOption(const std::string& name) {
  return FindOption(ClassicOptionTable(), name);
}

Status SetClassicOption(const std::string& name, const std::string& text, OptionSpelling spelling,
                        ClassicOptions* options) {
  return SetOption(ClassicOptionTable(), name, text, spelling, options);
}

Status SetClassicOptionValue(const std::string& name, const nlohmann::json& value,
                             OptionSpelling spelling, ClassicOptions* options) {
  return SetOptionValue(ClassicOptionTable(), name, value, spelling, options);
}

Status CheckClassicOptions(const ClassicOptions& options, OptionSpelling spelling) {
  return ClassicMethodOptions().CheckWhole(options, spelling);
}

std::string ClassicCacheKey(const ClassicOptions& options) {
  return OptionCacheKey(ClassicOptionTable(), options);
}

nlohmann::json ClassicOptionValues(const ClassicOptions& options) {
  return OptionValues(ClassicOptionTable(), options);
}

}  // namespace tint
