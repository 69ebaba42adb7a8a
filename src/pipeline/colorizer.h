// The colorizers behind one interface: given the lightness of a photo,
// predict its chroma. The CLI, experiments and benchmarks only see this.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "binarize/otsu.h"
#include "cnn/model_card.h"
#include "core/status.h"
#include "features/neighborhood.h"
#include "guide/hints.h"
#include "guide/reference.h"
#include "match/matcher.h"
#include "patchdb/database.h"
#include "pipeline/index_cache.h"
#include "segment/ncut.h"
#include "transfer/transfer.h"

namespace tint {

// What a colorizer can tell about one run, beyond the chroma.
struct ColorizeDetails {
  cv::Mat labels;      // CV_32S label id per pixel (-1: none); classic mode only
  cv::Mat segments;    // CV_32S normalized-cuts segment per pixel; classic mode only
  cv::Mat confidence;  // CV_32F 0..1 per pixel (TransferOptions::confidence_full); classic only
  std::vector<std::string> label_names;
  std::map<std::string, double> seconds;  // per stage
  // In, when set: told as each stage of the work begins, with the part of
  // the whole work done so far (0..1): the service's job progress. Called on
  // the colorizing thread; it must be cheap.
  std::function<void(const std::string& stage, double done)> on_stage;
  void Stage(const std::string& stage, double done) const {
    if (on_stage) on_stage(stage, done);
  }
  // In, when set: asked between stages and between blocks of work; when it
  // says true the method stops and returns StoppedStatus() (the service's
  // job time limit). A stage that is one library call (the Ncut eigen-solve,
  // the network's forward pass) is not interrupted: the check follows it.
  std::function<bool()> should_stop;
  bool Stopped() const { return should_stop && should_stop(); }
  std::string BriefReport() const;
};

// The error a method returns when ColorizeDetails::should_stop said so.
Status StoppedStatus();

class Colorizer {
 public:
  virtual ~Colorizer() = default;
  virtual std::string name() const = 0;
  // lightness: CV_32F, 0..100. ab: CV_32FC2 of the same size. Safe to call
  // from several threads at once.
  virtual Status Colorize(const cv::Mat& lightness, cv::Mat* ab,
                          ColorizeDetails* details) const = 0;
  // The same, with colour from a reference photo instead of the method's own
  // examples (methods with MethodInfo::takes_reference); others refuse.
  virtual Status ColorizeFromReference(const cv::Mat& lightness, const ReferenceGuide& reference,
                                       cv::Mat* ab, ColorizeDetails* details) const;
};

// The baseline every method is reported beside: a = b = 0. Also the start of
// a method that colours only from a guide (levin), under that name.
std::unique_ptr<Colorizer> CreateGrayscaleColorizer(const std::string& name = "grayscale");

// Classic patch-matching mode.
struct ClassicOptions {
  OtsuOptions otsu;
  bool use_ncut = true;  // false: one segment (the whole image)
  // Match every n-th useful pixel in x and y (1 = all). The others take
  // their segment's chroma before smoothing; a speed lever, since labels are
  // voted per segment anyway. 3 gives the AuC of 2 on BSDS500 val with
  // 2.25x fewer queries (docs/benchmarks.md).
  int query_stride = 3;
  // Calibrate label votes against the matcher's bias (see
  // ComputeLabelCalibration); 0 = off, else every n-th database sample is
  // used to measure it when the colorizer is created.
  int calibration_step = 16;
  NCutOptions ncut;
  NeighborhoodOptions features;
  PatchSamplingOptions sampling;
  MatchOptions match;
  TransferOptions transfer;

  bool Check(std::string* error) const;
};

// The pixels classic mode matches: those where `useful` (CV_8U) is set, on
// the grid of every `stride`-th row and column, in row-major order.
std::vector<cv::Point> QueryPoints(const cv::Mat& useful, int stride);

// From a database folder: its index cache when valid, else per `policy`
// (built in memory by default); *state, when given, says which.
Status CreateClassicColorizer(const ClassicOptions& options, const std::string& db_dir,
                              std::unique_ptr<Colorizer>* colorizer,
                              CachePolicy policy = CachePolicy::kRebuildIfStale,
                              CacheState* state = nullptr);
std::unique_ptr<Colorizer> CreateClassicColorizer(const ClassicOptions& options,
                                                  IndexedDatabase indexed);
// From samples in memory: builds the matcher and the calibration.
std::unique_ptr<Colorizer> CreateClassicColorizer(const ClassicOptions& options,
                                                  std::unique_ptr<PatchDatabase> database);

// CNN mode: the network a model card describes, run with OpenCV dnn. Its
// chroma (at the network's output resolution) is resized to the photo.
Status CreateCnnColorizer(const std::string& card_path, const ModelCardOptions& options,
                          std::unique_ptr<Colorizer>* colorizer);

// What a user gives beside a photo to steer its colours.
struct PhotoGuide {
  const ReferenceGuide* reference = nullptr;  // a reference photo (--reference)
  const Hints* hints = nullptr;  // strokes (--hints), propagated over the method's output
  HintOptions hint_options;
};

// Welsh et al. 2002: colour from a reference photo only (its plain Colorize
// is an error asking for one).
std::unique_ptr<Colorizer> CreateWelshColorizer(const WelshOptions& options);

// Reads the lightness of any image, colorizes it (from the guide's reference
// when given), corrects the chroma by the
// guide's strokes when given, joins the original L with the chroma
// (gamut-safe) and applies the post-step.
Status ColorizePhoto(const Colorizer& colorizer, const PostOptions& post, const cv::Mat& image,
                     cv::Mat* bgr8, ColorizeDetails* details = nullptr,
                     const PhotoGuide* guide = nullptr);

}  // namespace tint
