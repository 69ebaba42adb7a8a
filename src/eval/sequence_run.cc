#include "eval/sequence_run.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/color.h"
#include "core/file_util.h"
#include "core/output_plan.h"
#include "core/progress.h"
#include "eval/metric_table.h"
#include "eval/metrics.h"

namespace tint {
namespace fs = std::filesystem;

Status ListFrames(const std::string& dir, std::vector<std::string>* frames) {
  frames->clear();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Error(dir + ": not a folder of frames");
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (HasImageExtension(e.path().string())) frames->push_back(e.path().string());
  }
  if (ec) return Status::Error(dir + ": " + ec.message());
  std::sort(frames->begin(), frames->end());
  if (frames->empty()) return Status::Error(dir + ": no frames (png, jpg, tif, bmp)");
  return Status::Ok();
}

Status RunSequence(const Colorizer& colorizer, const SequenceRun& run, nlohmann::json* scores) {
  std::string error;
  if (!run.sequence.Check(&error)) return Status::Error(error);
  std::vector<std::string> frames;
  TINT_RETURN_IF_ERROR(ListFrames(run.frames_dir, &frames));
  cv::Mat keyframe;
  TINT_RETURN_IF_ERROR(PrefixError("--keyframe: ", ReadImage(run.read, run.keyframe, &keyframe)));
  // Plan the outputs (core/output_plan.h): none may be an input (a frame or
  // the keyframe) or lie in the frames folder or a patch database, and two
  // frames of one stem would write one file.
  OutputPlan plan;
  plan.AddInput(run.keyframe, "the keyframe " + run.keyframe);
  for (const std::string& f : frames) plan.AddInput(f, "the input " + f);
  plan.AddInputFolder(run.frames_dir, "the frames folder");
  TINT_RETURN_IF_ERROR(plan.AddOutputFolder(run.out_dir, "the output folder"));
  std::vector<std::string> outputs;
  for (const std::string& f : frames) {
    const std::string out =
        (fs::path(run.out_dir) / (fs::path(f).stem().string() + ".png")).string();
    TINT_RETURN_IF_ERROR(plan.AddOutputFile(out, "the output of " + f));
    outputs.push_back(out);
  }
  // The first frame's size before anything is written (a later frame of
  // another size stops the run there).
  {
    cv::Mat first;
    TINT_RETURN_IF_ERROR(ReadImage(run.read, frames[0], &first));
    if (first.size() != keyframe.size()) {
      return Status::Error(frames[0] + ": the frame is " + std::to_string(first.cols) + "x" +
                           std::to_string(first.rows) + " but the keyframe is " +
                           std::to_string(keyframe.cols) + "x" + std::to_string(keyframe.rows));
    }
  }
  std::error_code ec;
  if (!fs::exists(run.out_dir, ec) && !fs::create_directories(run.out_dir, ec))
    return Status::Error(run.out_dir + ": cannot create the output folder (" + ec.message() + ")");

  // With scoring, the clip's ab prior first (the rebalanced AuC).
  AbPrior prior;
  if (run.score) {
    for (const std::string& f : frames) {
      cv::Mat image, l, ab;
      TINT_RETURN_IF_ERROR(ReadImage(run.read, f, &image));
      SplitLab(image, &l, &ab);
      prior.Add(ab);
    }
  }
  SequenceColorizer sequence(colorizer, keyframe, run.sequence);
  nlohmann::json per_frame = nlohmann::json::array(), pairs = nlohmann::json::array();
  std::map<std::string, double> sums, pair_sums;
  cv::Mat previous_out_ab, previous_truth_ab;
  Progress progress(run.progress, static_cast<int>(frames.size()));
  for (size_t i = 0; i < frames.size(); ++i) {
    cv::Mat image, bgr8;
    TINT_RETURN_IF_ERROR(ReadImage(run.read, frames[i], &image));
    TINT_RETURN_IF_ERROR(PrefixError(frames[i] + ": ", sequence.Next(image, &bgr8)));
    TINT_RETURN_IF_ERROR(WriteImage(outputs[i], bgr8));
    if (!run.progress.empty()) {
      progress.Step(static_cast<int>(i) + 1, fs::path(frames[i]).filename().string());
      if (i + 1 == frames.size()) progress.Finish();
    }
    if (!run.score) continue;
    PhotoScoreInput in;
    in.out8 = bgr8;
    SplitLab(bgr8, &in.out_l, &in.out_ab);
    ToFloatBgr(image).convertTo(in.truth8, CV_8UC3, 255.0);
    SplitLab(image, &in.truth_l, &in.truth_ab);
    in.prior = &prior;
    nlohmann::json f = {{"frame", fs::path(frames[i]).filename().string()}};
    for (const MetricInfo& m : MetricTable()) {
      if (m.key == "seconds") continue;
      f[m.key] = m.compute(in);
      sums[m.key] += f[m.key].get<double>();
    }
    per_frame.push_back(f);
    if (i > 0) {
      FramePairInput pair{previous_out_ab, in.out_ab, previous_truth_ab, in.truth_ab};
      nlohmann::json p = {{"frame", f["frame"]}};
      for (const FramePairMetricInfo& m : FramePairMetricTable()) {
        p[m.key] = m.compute(pair);
        pair_sums[m.key] += p[m.key].get<double>();
      }
      pairs.push_back(p);
    }
    previous_out_ab = in.out_ab;
    previous_truth_ab = in.truth_ab;
  }
  if (run.score && scores != nullptr) {
    nlohmann::json mean = nlohmann::json::object();
    for (const auto& [key, sum] : sums) mean[key] = sum / static_cast<double>(frames.size());
    for (const auto& [key, sum] : pair_sums)
      mean[key] = pairs.empty() ? 0.0 : sum / static_cast<double>(pairs.size());
    *scores = {{"frames", per_frame},
               {"pairs", pairs},
               {"mean", mean},
               {"keyframe", run.keyframe},
               {"temporal", run.sequence.temporal},
               {"from_previous", run.sequence.from_previous}};
    TINT_RETURN_IF_ERROR(
        WriteFileAtomic((fs::path(run.out_dir) / "scores.json").string(), scores->dump(1) + "\n"));
  }
  return Status::Ok();
}

}  // namespace tint
