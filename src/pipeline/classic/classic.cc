#include "pipeline/classic/classic.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "core/locate.h"
#include "core/timer.h"
#include "guide/reference.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/classic/sequential_vote.h"

namespace tint {
namespace {

class ClassicColorizer : public Colorizer {
 public:
  // Queries per block of vectors (about 13 MB of 51-d vectors).
  static constexpr size_t kQueryBlock = 65536;

  ClassicColorizer(const ClassicOptions& options, IndexedDatabase indexed,
                   std::shared_ptr<const Colorizer> fallback)
      : options_(options),
        db_(std::move(indexed.database)),
        matcher_(std::move(indexed.matcher)),
        label_weights_(std::move(indexed.label_weights)),
        similarity_quantiles_(std::move(indexed.similarity_quantiles)),
        fallback_(std::move(fallback)) {}

  std::string name() const override { return "classic"; }

  // tint's pipeline over a database made from the reference: its
  // normalized-cuts segments are the labels, so a segment of the photo votes
  // for the reference region it resembles most and takes that region's
  // chroma. No label calibration (it needs several photos).
  Status ColorizeFromReference(const cv::Mat& lightness, const ReferenceGuide& reference,
                               cv::Mat* ab, ColorizeDetails* details) const override {
    if (!reference.swatches.empty()) return ColorizeFromSwatches(lightness, reference, ab, details);
    Timer timer;
    const cv::Mat ref_l = ComputeLightness(reference.bgr);
    cv::Mat regions(ref_l.size(), CV_32S, cv::Scalar(0));
    NCutSummary summary;
    summary.num_segments = 1;
    if (options_.use_ncut) SegmentNormalizedCuts(options_.ncut, ref_l, &regions, &summary);
    std::vector<std::string> names;
    for (int i = 0; i < summary.num_segments; ++i)
      names.push_back("region-" + std::to_string(i + 1));
    ClassicOptions options = options_;
    options.calibration_step = 0;
    options.transfer.abstain_below = 0;  // it needs the calibration
    options.fallback = ClassicFallback::kGrey;
    auto db = PatchDatabase::FromLabelledPhoto(options.features, options.sampling, reference.bgr,
                                               regions, names);
    if (db->num_samples() == 0) {
      return Status::Error(reference.what + ": the reference is too small for " +
                           std::to_string(options.features.window) + "x" +
                           std::to_string(options.features.window) + " windows");
    }
    const auto from_reference = CreateClassicColorizer(options, std::move(db));
    const double seconds = timer.Lap();
    TINT_RETURN_IF_ERROR(from_reference->Colorize(lightness, ab, details));
    if (details != nullptr) details->seconds["reference database"] = seconds;
    return Status::Ok();
  }

  // Swatches, in the two phases of Welsh et al.: each target swatch is
  // coloured by the pipeline from a database of its reference swatch alone;
  // then the whole photo from a database of the coloured target swatches
  // (label i: swatch i), and the swatches keep their first colours.
  Status ColorizeFromSwatches(const cv::Mat& lightness, const ReferenceGuide& reference,
                              cv::Mat* ab, ColorizeDetails* details) const {
    TINT_RETURN_IF_ERROR(CheckSwatches(reference, lightness.size()));
    ClassicOptions options = options_;
    options.calibration_step = 0;
    options.transfer.abstain_below = 0;
    options.fallback = ClassicFallback::kGrey;
    const int window = options.features.window;
    auto too_small = [&](const cv::Rect& r) {
      return Status::Error("swatch " + std::to_string(r.width) + "x" + std::to_string(r.height) +
                           " is too small for classic's " + std::to_string(window) + "x" +
                           std::to_string(window) + " windows");
    };
    cv::Mat first = cv::Mat::zeros(lightness.size(), CV_32FC2);
    cv::Mat swatch_of(lightness.size(), CV_32S, cv::Scalar(-1));
    std::vector<std::string> names;
    for (size_t i = 0; i < reference.swatches.size(); ++i) {
      const Swatch& s = reference.swatches[i];
      cv::Mat only(reference.bgr.size(), CV_32S, cv::Scalar(-1));
      only(s.reference).setTo(0);
      auto db = PatchDatabase::FromLabelledPhoto(options.features, options.sampling, reference.bgr,
                                                 only, {"swatch-" + std::to_string(i + 1)});
      if (db->num_samples() == 0) return too_small(s.reference);
      cv::Mat part;
      TINT_RETURN_IF_ERROR(CreateClassicColorizer(options, std::move(db))
                               ->Colorize(lightness(s.target).clone(), &part, nullptr));
      part.copyTo(first(s.target));
      swatch_of(s.target).setTo(static_cast<int>(i));
      names.push_back("swatch-" + std::to_string(i + 1));
    }
    auto db = PatchDatabase::FromLabelledPhoto(options.features, options.sampling,
                                               JoinLab(lightness, first), swatch_of, names);
    if (db->num_samples() == 0) return too_small(reference.swatches[0].target);
    TINT_RETURN_IF_ERROR(
        CreateClassicColorizer(options, std::move(db))->Colorize(lightness, ab, details));
    for (const Swatch& s : reference.swatches) first(s.target).copyTo((*ab)(s.target));
    return Status::Ok();
  }

  Status Colorize(const cv::Mat& lightness, cv::Mat* ab, ColorizeDetails* details) const override {
    TINT_CHECK(lightness.type() == CV_32F && !lightness.empty(),
               "lightness must be non-empty CV_32F");
    ColorizeDetails local;
    ColorizeDetails* d = details != nullptr ? details : &local;
    if (UsesProxy(lightness)) {
      ab->create(lightness.size(), CV_32FC2);
      return ColorizeByProxy(lightness, d, [&](const cv::Range& rows, const cv::Mat& strip) {
        strip.copyTo(ab->rowRange(rows));
      });
    }
    Timer timer;
    d->Stage("otsu", 0.05);
    Binarization bin;
    BinarizeOtsu(options_.otsu, lightness, &bin);
    d->seconds["otsu"] = timer.Lap();
    if (d->Stopped()) return StoppedStatus();

    cv::Mat segments;
    int num_segments = 1;
    d->Stage("segments", 0.1);
    if (options_.use_ncut) {
      NCutSummary summary;
      SegmentNormalizedCuts(options_.ncut, lightness, &segments, &summary);
      num_segments = summary.num_segments;
    } else {
      segments = cv::Mat::zeros(lightness.size(), CV_32S);
    }
    d->seconds["ncut"] = timer.Lap();
    if (d->Stopped()) return StoppedStatus();

    const std::vector<cv::Point> points = QueryPoints(bin.useful, options_.query_stride);
    // The shade the vectors are made of: L, or the grey's Y' in Y'UV.
    const bool yuv = options_.sampling.color_space == ColorSpace::kYuv;
    const cv::Mat shade = yuv ? GreyLuma(lightness) : lightness;
    timer.Lap();
    // Deep vectors: the network runs here, on the whole photo.
    const NeighborhoodExtractor extractor(options_.features, shade);
    double feature_seconds = timer.Lap(), match_seconds = 0;
    Candidates candidates;
    candidates.k = std::min(options_.match.k, matcher_->size());
    std::vector<cv::Point> voted_points;
    if (options_.vote_confidence > 0) {
      TINT_RETURN_IF_ERROR(MatchSequentially(points, segments, num_segments, extractor, d,
                                             &voted_points, &candidates, &feature_seconds,
                                             &match_seconds));
    } else {
      TINT_RETURN_IF_ERROR(
          MatchEveryPoint(points, extractor, d, &candidates, &feature_seconds, &match_seconds));
    }
    timer.Lap();
    const std::vector<cv::Point>& matched = options_.vote_confidence > 0 ? voted_points : points;
    d->seconds["features"] = feature_seconds;
    d->seconds["match"] = match_seconds;

    TransferInput in;
    in.lightness = &lightness;
    in.binarization = &bin;
    in.segments = &segments;
    in.num_segments = num_segments;
    in.points = &matched;
    in.candidates = &candidates;
    in.database = db_.get();
    in.label_weights = label_weights_.empty() ? nullptr : &label_weights_;
    in.similarity_quantiles = &similarity_quantiles_;
    TransferResult result;
    d->Stage("transfer", 0.85);
    TransferChroma(options_.transfer, in, &result);
    d->seconds["transfer"] = timer.Lap();
    // Y'UV: the transferred (U, V) with each pixel's grey Y', as Lab chroma.
    *ab = yuv ? UvToAb(shade, result.ab) : result.ab;
    d->labels = result.labels;
    d->confidence = result.confidence;
    d->segments = segments;
    d->label_names = db_->label_names();
    if (options_.transfer.abstain_below > 0) {
      // "none of mine" is a label of the explanation, after the database's.
      d->labels.setTo(static_cast<int>(d->label_names.size()), result.abstained);
      d->label_names.push_back(kNoneOfMine);
    }
    if (fallback_ != nullptr && cv::countNonZero(result.abstained) > 0) {
      d->Stage("fallback", 0.9);
      cv::Mat other;
      TINT_RETURN_IF_ERROR(fallback_->Colorize(lightness, &other, nullptr));
      other.copyTo(*ab, result.abstained);
      d->seconds["fallback"] = timer.Lap();
    }
    return Status::Ok();
  }

  // Every grid point matched (vote_confidence = 0). Vectors are made and
  // matched a block at a time, so only one block of them is ever in memory:
  // peak memory stays linear in the pixel count with a small constant
  // (candidates), not 2 x 204 bytes per query.
  Status MatchEveryPoint(const std::vector<cv::Point>& points,
                         const NeighborhoodExtractor& extractor, ColorizeDetails* d,
                         Candidates* candidates, double* feature_seconds,
                         double* match_seconds) const {
    candidates->index.resize(points.size() * candidates->k);
    candidates->similarity.resize(points.size() * candidates->k);
    cv::Mat vectors;
    Candidates block;
    Timer timer;
    for (size_t begin = 0; begin < points.size(); begin += kQueryBlock) {
      d->Stage("matching", 0.4 + 0.45 * static_cast<double>(begin) / points.size());
      if (d->Stopped()) return StoppedStatus();
      const int n = static_cast<int>(std::min(kQueryBlock, points.size() - begin));
      timer.Lap();
      extractor.Compute(points.data() + begin, n, &vectors);
      *feature_seconds += timer.Lap();
      matcher_->Match(vectors, &block);
      TINT_CHECK(block.k == candidates->k,
                 "matcher returned " << block.k << " candidates, expected " << candidates->k);
      std::copy(block.index.begin(), block.index.end(),
                candidates->index.begin() + begin * candidates->k);
      std::copy(block.similarity.begin(), block.similarity.end(),
                candidates->similarity.begin() + begin * candidates->k);
      *match_seconds += timer.Lap();
    }
    return Status::Ok();
  }

  // The sequential vote over the grid points (vote_confidence > 0): the
  // points matched and their candidates, in grid order.
  Status MatchSequentially(const std::vector<cv::Point>& points, const cv::Mat& segments,
                           int num_segments, const NeighborhoodExtractor& extractor,
                           ColorizeDetails* d, std::vector<cv::Point>* kept, Candidates* candidates,
                           double* feature_seconds, double* match_seconds) const {
    SequentialVoteOptions vote;
    vote.confidence = options_.vote_confidence;
    vote.seed = options_.match.seed;
    const std::vector<int>& labels = db_->sample_labels();
    SequentialVoteIO io;
    cv::Mat vectors;
    Timer timer;
    io.match = [&](const cv::Point* p, int n, Candidates* block) {
      timer.Lap();
      extractor.Compute(p, n, &vectors);
      *feature_seconds += timer.Lap();
      matcher_->Match(vectors, block);
      *match_seconds += timer.Lap();
    };
    io.label_of = [&](int index) { return labels[index]; };
    io.weight = [&](int label, float similarity) {
      const double w = CandidateWeight(options_.transfer, similarity);
      return label_weights_.empty() ? w : w * label_weights_[label];
    };
    io.should_stop = [d] { return d->Stopped(); };
    io.progress = [d](double done) { d->Stage("matching", 0.4 + 0.45 * done); };
    if (!SequentialVote(vote, points, segments, num_segments,
                        static_cast<int>(db_->label_names().size()), candidates->k, io, kept,
                        candidates)) {
      return StoppedStatus();
    }
    return Status::Ok();
  }

  // The photo joined strip by strip when it goes through a proxy: the
  // full-size ab is never held.
  Status ColorizeJoined(const cv::Mat& lightness, cv::Mat* bgr8,
                        ColorizeDetails* details) const override {
    if (!UsesProxy(lightness)) return Colorizer::ColorizeJoined(lightness, bgr8, details);
    ColorizeDetails local;
    ColorizeDetails* d = details != nullptr ? details : &local;
    bgr8->create(lightness.size(), CV_8UC3);
    return ColorizeByProxy(lightness, d, [&](const cv::Range& rows, const cv::Mat& ab) {
      JoinLab(lightness.rowRange(rows), ab).copyTo(bgr8->rowRange(rows));
    });
  }

 private:
  bool UsesProxy(const cv::Mat& lightness) const {
    return options_.proxy_pixels > 0 &&
           lightness.total() > static_cast<size_t>(options_.proxy_pixels);
  }

  // A large photo: the whole pipeline on an area-downsampled proxy of at
  // most proxy_pixels, without its chroma smoothing; then the proxy's chroma
  // brought to full size by UpsampleChroma (bilinear, then the guided filter
  // with the full-size L as guide: He et al. 2013's joint upsampling), its
  // radius scaled by the size ratio (at least that ratio when smoothing is
  // off, so chroma edges still snap to L's edges), strip by strip into
  // `sink`. Beyond the proxy, memory is the full-size L the caller holds,
  // whatever the sink keeps, and a few strips.
  Status ColorizeByProxy(const cv::Mat& lightness, ColorizeDetails* d,
                         const ChromaStripSink& sink) const {
    Timer timer;
    const double scale = std::sqrt(static_cast<double>(options_.proxy_pixels) /
                                   static_cast<double>(lightness.total()));
    cv::Size size(std::max(1, static_cast<int>(lightness.cols * scale)),
                  std::max(1, static_cast<int>(lightness.rows * scale)));
    cv::Mat proxy_l;
    cv::resize(lightness, proxy_l, size, 0, 0, cv::INTER_AREA);
    const double proxy_seconds = timer.Lap();
    ClassicOptions proxy_options = options_;
    proxy_options.proxy_pixels = 0;
    proxy_options.transfer.smoothing_radius = 0;
    const ClassicColorizer proxy(proxy_options, *this);
    cv::Mat proxy_ab;
    TINT_RETURN_IF_ERROR(proxy.Colorize(proxy_l, &proxy_ab, d));
    proxy_l.release();
    timer.Lap();
    d->Stage("upsampling", 0.9);
    if (d->Stopped()) return StoppedStatus();
    const double ratio = static_cast<double>(lightness.cols) / size.width;
    const int radius = std::max(
        1, static_cast<int>(std::lround(std::max(1, options_.transfer.smoothing_radius) * ratio)));
    UpsampleChroma(proxy_ab, lightness, radius, options_.transfer.smoothing_eps, sink);
    d->seconds["proxy"] = proxy_seconds;
    d->seconds["upsample"] = timer.Lap();
    return Status::Ok();
  }

  // The same database, matcher and calibration under other options (the
  // proxy's: options that leave the index as it is).
  ClassicColorizer(const ClassicOptions& options, const ClassicColorizer& other)
      : options_(options),
        db_(other.db_),
        matcher_(other.matcher_),
        label_weights_(other.label_weights_),
        similarity_quantiles_(other.similarity_quantiles_),
        fallback_(other.fallback_) {}

  ClassicOptions options_;
  std::shared_ptr<const PatchDatabase> db_;
  std::shared_ptr<const Matcher> matcher_;
  std::vector<double> label_weights_;
  std::vector<float> similarity_quantiles_;
  std::shared_ptr<const Colorizer> fallback_;  // colours abstaining segments; null: grey
};

}  // namespace

const char* const kNoneOfMine = "none of mine";

bool ClassicOptions::Check(std::string* error) const {
  if (calibration_step < 0) {
    *error = "calibration_step must be >= 0";
    return false;
  }
  if (query_stride < 1 || query_stride > 16) {
    *error = "query_stride must be in 1..16";
    return false;
  }
  if (transfer.abstain_below > 0 && calibration_step == 0) {
    *error = "abstain_below needs the label calibration's similarities (calibration_step > 0)";
    return false;
  }
  if (fallback != ClassicFallback::kGrey && transfer.abstain_below <= 0) {
    *error = "fallback applies to segments that abstain: set abstain_below > 0";
    return false;
  }
  return otsu.Check(error) && ncut.Check(error) && features.Check(error) && sampling.Check(error) &&
         match.Check(error) && transfer.Check(error);
}

std::vector<cv::Point> QueryPoints(const cv::Mat& useful, int stride) {
  TINT_CHECK(useful.type() == CV_8U && stride >= 1,
             "QueryPoints needs a CV_8U mask and a positive stride");
  std::vector<cv::Point> points;
  for (int r = 0; r < useful.rows; r += stride) {
    const uint8_t* row = useful.ptr<uint8_t>(r);
    for (int c = 0; c < useful.cols; c += stride) {
      if (row[c] != 0) points.emplace_back(c, r);
    }
  }
  return points;
}

std::unique_ptr<Colorizer> CreateClassicColorizer(const ClassicOptions& options,
                                                  IndexedDatabase indexed,
                                                  std::shared_ptr<const Colorizer> fallback) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(indexed.database != nullptr && indexed.database->num_samples() > 0, "empty database");
  TINT_CHECK(indexed.matcher != nullptr, "no matcher");
  TINT_CHECK((fallback != nullptr) == (options.fallback == ClassicFallback::kCnn),
             "a fallback colorizer exactly when fallback = cnn");
  return std::make_unique<ClassicColorizer>(options, std::move(indexed), std::move(fallback));
}

std::unique_ptr<Colorizer> CreateClassicColorizer(const ClassicOptions& options,
                                                  std::unique_ptr<PatchDatabase> database) {
  TINT_CHECK(database != nullptr && database->num_samples() > 0, "empty database");
  IndexedDatabase indexed;
  indexed.matcher = CreateMatcher(options.match, database->vectors());
  indexed.label_weights = CalibrateLabels(options, *database, &indexed.similarity_quantiles);
  indexed.database = std::move(database);
  return CreateClassicColorizer(options, std::move(indexed));
}

Status CreateClassicColorizer(const ClassicOptions& options, const std::string& db_dir,
                              std::unique_ptr<Colorizer>* colorizer, CachePolicy policy,
                              CacheState* state, std::shared_ptr<const Colorizer> fallback) {
  IndexedDatabase indexed;
  CacheState local;
  TINT_RETURN_IF_ERROR(
      OpenIndexedDatabase(options, db_dir, policy, &indexed, state != nullptr ? state : &local));
  *colorizer = CreateClassicColorizer(options, std::move(indexed), std::move(fallback));
  return Status::Ok();
}

Status ClassicOptionsOf(const MethodSpec& spec, ClassicOptions* options) {
  MethodSpec prepared = spec;
  if (!SpecPrepared(spec)) TINT_RETURN_IF_ERROR(PrepareSpec(&prepared, OptionSpelling::kKey));
  const ClassicOptions* built = prepared.built.As<ClassicOptions>();
  if (built == nullptr)
    return Status::Error("method '" + spec.method + "' takes no classic options");
  *options = *built;
  return Status::Ok();
}

Status CreateClassicMethod(const MethodSpec& spec, const ColorizerContext& context,
                           std::unique_ptr<Colorizer>* colorizer) {
  // The registry hands a prepared spec: its options are built and checked.
  const ClassicOptions* options = spec.built.As<ClassicOptions>();
  if (options == nullptr)
    return Status::Error("method '" + spec.method + "' was not given classic options");
  if (options->features.kind == FeatureKind::kDeep)
    TINT_RETURN_IF_ERROR(LoadDeepFeatures(DefaultDeepFeatures()));
  std::shared_ptr<const Colorizer> fallback;
  if (options->fallback == ClassicFallback::kCnn) {
    MethodSpec cnn;
    cnn.method = "cnn";
    std::unique_ptr<Colorizer> made;
    TINT_RETURN_IF_ERROR(PrefixError("fallback cnn: ", CreateColorizer(cnn, context, &made)));
    fallback = std::move(made);
  }
  const Status s = CreateClassicColorizer(*options, context.db_dir, colorizer, context.cache_policy,
                                          context.cache_state, fallback);
  return PrefixError("patch database: ", s);
}

}  // namespace tint
