#include "eval/region_benchmark.h"

#include <chrono>
#include <filesystem>
#include <sstream>

#include "core/color.h"
#include "core/image_io.h"
#include "core/progress.h"
#include "eval/experiment.h"

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

Status RunRegionBenchmark(const std::string& root, const std::string& split, int limit,
                          const NCutSweep& sweep, const ImageReadOptions& read, bool progress,
                          RegionBenchmarkRun* run) {
  DatasetSpec dataset;
  dataset.name = "bsds500-" + split;
  dataset.kind = "bsds500";
  dataset.path = root;
  dataset.split = split;
  dataset.limit = limit;
  dataset.regions = true;
  TINT_RETURN_IF_ERROR(ResolveDataset(root, &dataset));
  std::vector<std::string> photos;
  TINT_RETURN_IF_ERROR(ListPhotos(dataset, &photos));
  std::ostringstream rows;
  rows << "photo,segments,covering,pri,voi\n";
  std::vector<std::vector<RegionScores>> scores;
  Progress bar("regions", static_cast<int>(photos.size()));
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < photos.size(); ++i) {
    const fs::path photo(photos[i]);
    cv::Mat image;
    std::vector<cv::Mat> truths;
    Status s = ReadImage(read, photo.string(), &image);
    if (s.ok())
      s = ReadBsdsHumanSegmentations(dataset.segmentations_dir, photo.stem().string(), &truths);
    if (s.ok() && truths[0].size() != image.size()) {
      s = Status::Error(photo.string() + ": human segmentations have another size");
    }
    if (!s.ok()) {
      run->skipped.push_back(s.message());
      continue;
    }
    scores.push_back(ScoreNCutSweep(sweep, ComputeLightness(image), truths));
    for (size_t p = 0; p < sweep.segment_counts.size(); ++p) {
      const RegionScores& r = scores.back()[p];
      rows << photo.filename().string() << "," << sweep.segment_counts[p] << "," << r.Covering()
           << "," << r.pri << "," << r.voi << "\n";
    }
    if (progress) bar.Step(static_cast<int>(i + 1), photo.filename().string());
  }
  if (progress) bar.Finish();
  if (scores.empty()) return Status::Error("no photo could be scored");
  run->scored = static_cast<int>(scores.size());
  run->seconds_per_photo =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / scores.size();
  run->summary = SummarizeRegions(scores);
  run->csv = rows.str();
  return Status::Ok();
}

}  // namespace tint
