// From match candidates to a chroma field: label voting per normalized-cuts
// segment (similarity-weighted), the dark-area rule, chroma transfer from the
// matched samples, and edge-aware smoothing guided by L.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "binarize/otsu.h"
#include "match/matcher.h"
#include "patchdb/database.h"

namespace tint {

struct TransferOptions {
  // Vote weight of a candidate: max(0, similarity)^p.
  double similarity_power = 8.0;
  // Vote per segment (true) or let each pixel keep its own best label.
  bool segment_vote = true;
  // Average candidates' chroma keeping saturation: hue from the weighted
  // mean (a, b) vector, magnitude from the weighted mean of |(a, b)|. A plain
  // mean of differing hues cancels towards grey.
  bool keep_saturation = true;
  // Guided filter (He et al. 2013, ximgproc) on a and b with L as guide:
  // radius in pixels (0 = off) and eps on the guide scaled to 0..1.
  int smoothing_radius = 6;
  double smoothing_eps = 2e-3;
  // Chroma faded by confidence: a pixel keeps its whole chroma at
  // confidence >= confidence_full and c / confidence_full of it below
  // (0 = off); the rest comes from confidence_fade's target. Confidence
  // (TransferResult::confidence) is the geometric mean of
  //  - the vote margin (v1 - v2) / v1 of its segment's best two labels
  //    (calibrated votes; per pixel without the segment vote);
  //  - the calibrated similarity: where the pixel's best similarity falls
  //    among the database's own best matches from another patch (the
  //    similarity quantiles of ComputeLabelCalibration; 1 without them);
  //  - agreement: the share of the pixel's candidate weight on the chosen
  //    label.
  // Pixels not matched (query stride, dark background) take their
  // segment's means of the last two. The default was chosen on the
  // validation splits (docs/tutorial.md, "Confidence"; docs/decisions.md).
  double confidence_full = 0.5;
  // What low confidence fades towards: this share (0..1) of the plain mean
  // chroma of all the segment's candidates whatever their label, itself
  // scaled by min(1, the segment's mean calibrated similarity /
  // confidence_full); 0 = grey. Where two labels split a segment, the mean
  // keeps what their hues share (grass and earth: olive) and cancels where
  // they disagree (sky and grass); a segment that matches nothing well still
  // fades to grey.
  double confidence_fade = 1.0;
  // Abstention: a segment whose matched pixels' mean calibrated similarity
  // (as in the confidence) is below this is "none of mine": no label, no
  // chroma of the database's, and marked in TransferResult::abstained so
  // that a caller can colour it otherwise. 0 = off; it needs the similarity
  // quantiles (without them every similarity calibrates to 1).
  double abstain_below = 0.0;

  bool Check(std::string* error) const;
};

struct TransferInput {
  const cv::Mat* lightness = nullptr;          // CV_32F, 0..100
  const Binarization* binarization = nullptr;  // dark threshold and useful mask
  const cv::Mat* segments = nullptr;           // CV_32S, 0..num_segments-1
  int num_segments = 0;
  const std::vector<cv::Point>* points = nullptr;  // matched pixels
  const Candidates* candidates = nullptr;          // one row per point
  const PatchDatabase* database = nullptr;
  // Optional per-label vote multipliers (empty = all 1) and the quantiles
  // of the database's own best similarities, see ComputeLabelCalibration.
  const std::vector<double>* label_weights = nullptr;
  const std::vector<float>* similarity_quantiles = nullptr;
};

struct TransferResult {
  cv::Mat ab;                       // CV_32FC2
  cv::Mat labels;                   // CV_32S database label id per pixel, -1 = none
  std::vector<int> segment_labels;  // label id per segment, -1 = none
  cv::Mat confidence;               // CV_32F in 0..1 per pixel (see confidence_full)
  cv::Mat abstained;  // CV_8U, 255 where a segment said "none of mine" (abstain_below)
};

void TransferChroma(const TransferOptions& options, const TransferInput& input,
                    TransferResult* result);

// A candidate's vote before the label's calibration: max(0, similarity)^p
// (TransferOptions::similarity_power).
float CandidateWeight(const TransferOptions& options, float similarity);

// The edge-aware smoothing TransferChroma ends with: the guided filter of ab
// (CV_32FC2) with lightness / 100 as guide, in place, in strips of rows, so
// that its working memory does not grow with the photo. Equal to one
// cv::ximgproc::guidedFilter call over the whole image up to float rounding.
void SmoothChroma(const cv::Mat& lightness, int radius, double eps, cv::Mat* ab);

// Joint upsampling of a proxy's chroma to the size of `lightness` (He et
// al. 2013): bilinear, pixel centres aligned (as cv::resize's INTER_LINEAR),
// then the guided filter with lightness / 100 as guide, strip by strip; each
// finished strip goes to `sink` with its rows and its ab (CV_32FC2). Its
// memory is a few strips at any photo size, so a caller that joins each
// strip at once never holds a full-size ab. The strips do not depend on
// what the sink does: every caller gets the same values.
using ChromaStripSink = std::function<void(const cv::Range& rows, const cv::Mat& ab)>;
void UpsampleChroma(const cv::Mat& proxy_ab, const cv::Mat& lightness, int radius, double eps,
                    const ChromaStripSink& sink);

// Per-label vote multipliers that undo the matcher's bias towards labels
// that attract matches from everything. Database samples (every `step`-th)
// are matched against the database; the first candidate from another patch
// gives a predicted label. weight[l] = (share of l as truth) / (share of l
// as prediction), so a label predicted twice as often as it is true counts
// half. Labels never predicted keep weight 1. With similarity_quantiles,
// also the 101 quantiles (0%, 1%, ..., 100%) of those first other-patch
// similarities: how well the database matches itself, against which a
// photo's matches are calibrated (TransferOptions::confidence_full).
std::vector<double> ComputeLabelCalibration(const PatchDatabase& database, const Matcher& matcher,
                                            int step,
                                            std::vector<float>* similarity_quantiles = nullptr);

// The fraction of the database's own best similarities at or below s
// (0..1, linear between quantiles); 1 when there are no quantiles.
double CalibratedSimilarity(const std::vector<float>& quantiles, float s);

// Automatic contrast and white balance after colorization. Off for
// measurements: it changes L by design.
enum class PostMode { kNone, kAuto };
bool ParsePostMode(const std::string& text, PostMode* mode);

struct PostOptions {
  PostMode mode = PostMode::kNone;
  // Contrast: L is stretched so that this percentage of pixels saturates at
  // each end (0..20).
  double stretch_percent = 0.5;
  bool Check(std::string* error) const;
};

// Gray-world white balance (xphoto), then a percentile stretch of L that
// keeps each pixel's chroma. Returns bgr8 unchanged when mode is kNone.
cv::Mat ApplyPostStep(const PostOptions& options, const cv::Mat& bgr8);

}  // namespace tint
