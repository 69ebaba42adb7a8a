// Region benchmarks of Arbelaez, Maire, Fowlkes and Malik, "Contour
// Detection and Hierarchical Image Segmentation", TPAMI 2011 (Sec. 3.2):
// Segmentation Covering, Probabilistic Rand Index and Variation of
// Information of a machine segmentation against a set of human ones, and
// their summaries at the best fixed parameter for the data set (ODS) and the
// best per image (OIS). Computed as the BSDS500 benchmark code does:
// covering sums |R| * best overlap over every human segmentation; PRI and VI
// average over them; VI in bits.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace tint {

struct RegionScores {
  double covering_sum = 0;  // sum over human segmentations and their regions of |R| * max overlap
  double covering_pixels = 0;  // sum over human segmentations of their pixel count
  double pri = 0;              // mean Rand index over the human segmentations
  double voi = 0;              // mean variation of information, in bits
  double Covering() const { return covering_pixels > 0 ? covering_sum / covering_pixels : 0.0; }
};

// machine and every truth: CV_32S label maps of one size (any label values).
RegionScores CompareRegions(const cv::Mat& machine, const std::vector<cv::Mat>& truths);

struct RegionSummary {
  double covering_ods = 0, covering_ois = 0;
  double pri_ods = 0, pri_ois = 0;
  double voi_ods = 0, voi_ois = 0;
  int covering_best = -1, pri_best = -1, voi_best = -1;  // the ODS parameter index of each
};

// scores[i][p]: image i segmented with parameter p (the same p count for
// every image). Covering ODS pools the sums over images per parameter, PRI and
// VI average per parameter; OIS takes each image's best parameter.
RegionSummary SummarizeRegions(const std::vector<std::vector<RegionScores>>& scores);

}  // namespace tint
