#include "eval/region_benchmark.h"

#include <filesystem>

#include "core/image_io.h"

namespace tint {
namespace fs = std::filesystem;

Status ReadBsdsHumanSegmentations(const std::string& dir, const std::string& id,
                                  std::vector<cv::Mat>* truths) {
  truths->clear();
  for (int k = 1;; ++k) {
    const fs::path path = fs::path(dir) / (id + "_" + std::to_string(k) + ".png");
    std::error_code ec;
    if (!fs::exists(path, ec)) break;
    cv::Mat raw;
    TINT_RETURN_IF_ERROR(ReadImage(ImageReadOptions(), path.string(), &raw));
    if (raw.channels() != 1)
      return Status::Error(path.string() + ": a segmentation must have one channel");
    cv::Mat labels;
    raw.convertTo(labels, CV_32S);
    if (!truths->empty() && labels.size() != truths->front().size()) {
      return Status::Error(path.string() + ": size differs from the other segmentations of " + id);
    }
    truths->push_back(labels);
  }
  if (truths->empty()) return Status::Error(dir + ": no human segmentations " + id + "_<k>.png");
  return Status::Ok();
}

std::vector<RegionScores> ScoreNCutSweep(const NCutSweep& sweep, const cv::Mat& lightness,
                                         const std::vector<cv::Mat>& truths) {
  std::vector<RegionScores> out;
  for (int count : sweep.segment_counts) {
    NCutOptions options = sweep.ncut;
    options.max_segments = count;
    options.max_ncut = 2.0;  // Ncut values lie in 0..2
    options.max_stability = 1.0;
    cv::Mat labels;
    SegmentNormalizedCuts(options, lightness, &labels);
    out.push_back(CompareRegions(labels, truths));
  }
  return out;
}

}  // namespace tint
