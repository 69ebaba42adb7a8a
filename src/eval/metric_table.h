// The metric table: every per-photo number tint reports, in one place. The
// per-photo scoring (ScorePhoto), the summary's means and baseline
// differences, the console table, per_photo.csv, the HTML report and the
// notebook (through summary.json's "metrics") all iterate it. Adding a metric
// is one entry here and its test; a key that is not in the table is an error
// wherever it is asked for.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"
#include "eval/metrics.h"

namespace tint {

// What a metric sees of one method's output on one photo.
struct PhotoScoreInput {
  cv::Mat out8, out_l, out_ab;        // the output: 8-bit BGR, and its L and (a, b)
  cv::Mat truth8, truth_l, truth_ab;  // the photo
  const AbPrior* prior = nullptr;     // the data set's ab prior (rebalanced AuC)
  double seconds = 0;                 // the method's time on the photo
};

struct MetricInfo {
  std::string key;     // in results, summaries, CSV columns: "auc"
  std::string header;  // in tables: "AuC"
  int digits = 2;      // decimals shown
  bool higher_is_better = true;
  std::string description;
  std::function<double(const PhotoScoreInput&)> compute;
};

const std::vector<MetricInfo>& MetricTable();
// Null for an unknown key.
const MetricInfo* FindMetric(const std::string& key);
// Adds a metric at run time (an extension, a test's toy metric); a key
// already in the table is an error.
Status RegisterMetric(const MetricInfo& metric);

// What a metric of two consecutive frames sees (keyframe video).
struct FramePairInput {
  cv::Mat previous_out_ab, out_ab;      // the method's chroma, frame t - 1 and t
  cv::Mat previous_truth_ab, truth_ab;  // the truth's
};

struct FramePairMetricInfo {
  std::string key, header;
  int digits = 2;
  bool higher_is_better = false;
  std::string description;
  std::function<double(const FramePairInput&)> compute;
};

// The metrics of consecutive frames: "flicker".
const std::vector<FramePairMetricInfo>& FramePairMetricTable();

}  // namespace tint
