// From match candidates to a chroma field: label voting per normalized-cuts
// segment (similarity-weighted), the dark-area rule, chroma transfer from the
// matched samples, and edge-aware smoothing guided by L.
#pragma once

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
  // Optional per-label vote multipliers (empty = all 1), see
  // ComputeLabelCalibration.
  const std::vector<double>* label_weights = nullptr;
};

struct TransferResult {
  cv::Mat ab;                       // CV_32FC2
  cv::Mat labels;                   // CV_32S database label id per pixel, -1 = none
  std::vector<int> segment_labels;  // label id per segment, -1 = none
};

void TransferChroma(const TransferOptions& options, const TransferInput& input,
                    TransferResult* result);

// The edge-aware smoothing TransferChroma ends with: the guided filter of ab
// (CV_32FC2) with lightness / 100 as guide, in place, in strips of rows, so
// that its working memory does not grow with the photo. Equal to one
// cv::ximgproc::guidedFilter call over the whole image up to float rounding.
void SmoothChroma(const cv::Mat& lightness, int radius, double eps, cv::Mat* ab);

// Per-label vote multipliers that undo the matcher's bias towards labels
// that attract matches from everything. Database samples (every `step`-th)
// are matched against the database; the first candidate from another patch
// gives a predicted label. weight[l] = (share of l as truth) / (share of l
// as prediction), so a label predicted twice as often as it is true counts
// half. Labels never predicted keep weight 1.
std::vector<double> ComputeLabelCalibration(const PatchDatabase& database, const Matcher& matcher,
                                            int step);

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
