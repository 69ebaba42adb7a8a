// The options of the classic patch-matching method, one struct per stage.
// Each knob has one name in the option table (option_table.h).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "binarize/otsu.h"
#include "features/neighborhood.h"
#include "match/matcher.h"
#include "patchdb/database.h"
#include "segment/ncut.h"
#include "transfer/transfer.h"

namespace tint {

// What colours a segment that abstains (TransferOptions::abstain_below).
enum class ClassicFallback { kGrey, kCnn };

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
  // Photos larger than this many pixels are segmented, matched and voted on
  // a proxy of at most this size (area-downsampled L); the proxy's chroma
  // is brought to full size by guided upsampling (bilinear, then the guided
  // filter with the full-size L as guide, in strips), so time and memory
  // beyond the proxy grow only with the cheap per-pixel steps. 0 = full size.
  // The details (labels, segments, confidence) stay at the proxy's size.
  int proxy_pixels = 1'000'000;
  // The sequential vote (sequential_vote.h): a segment's grid points are
  // matched in a seeded order, a round at a time, until the sign test of
  // its leading label against the second (the matched pixels' own top
  // labels) passes at this one-sided confidence; 0 = match every grid point.
  // At 0.99, BSDS500 val photos have 4.5x fewer points matched, and 99.7%
  // of the output labels of matching them all stay (docs/benchmarks.md).
  double vote_confidence = 0.99;
  NCutOptions ncut;
  NeighborhoodOptions features;
  PatchSamplingOptions sampling;
  MatchOptions match;
  TransferOptions transfer;
  ClassicFallback fallback = ClassicFallback::kGrey;

  bool Check(std::string* error) const;
};

// The pixels classic mode matches: those where `useful` (CV_8U) is set, on
// the grid of every `stride`-th row and column, in row-major order.
std::vector<cv::Point> QueryPoints(const cv::Mat& useful, int stride);

}  // namespace tint
