// The BSDS500 region benchmark of tint's normalized cuts: each photo's
// lightness is segmented at a sweep of segment counts (the hierarchy's
// "threshold"), scored against the human segmentations, and summarized at
// ODS and OIS (eval/region_metrics.h).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/image_io.h"
#include "core/status.h"
#include "eval/region_metrics.h"
#include "segment/ncut.h"

namespace tint {

struct NCutSweep {
  NCutOptions
      ncut;  // max_segments is replaced by each count; the Ncut and stability stops are lifted
  std::vector<int> segment_counts = {2, 3, 4, 6, 8, 12, 16, 24, 32};
};

// BSDS500 human segmentations of photo `id`: <dir>/<id>_<k>.png (16-bit,
// region ids), k = 1, 2, ... Returns them as CV_32S; an error when none.
Status ReadBsdsHumanSegmentations(const std::string& dir, const std::string& id,
                                  std::vector<cv::Mat>* truths);

// One RegionScores per segment count.
std::vector<RegionScores> ScoreNCutSweep(const NCutSweep& sweep, const cv::Mat& lightness,
                                         const std::vector<cv::Mat>& truths);

// The region benchmark over a BSDS500-layout folder (images/<split>,
// segmentations/<split>), photos listed as every data set's are (ListPhotos).
struct RegionBenchmarkRun {
  int scored = 0;
  std::vector<std::string> skipped;  // one line per photo that could not be scored
  double seconds_per_photo = 0;
  RegionSummary summary;
  std::string csv;  // photo,segments,covering,pri,voi
};
Status RunRegionBenchmark(const std::string& root, const std::string& split, int limit,
                          const NCutSweep& sweep, const ImageReadOptions& read, bool progress,
                          RegionBenchmarkRun* run);

}  // namespace tint
