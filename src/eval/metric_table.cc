#include "eval/metric_table.h"

#include <cmath>

namespace tint {
namespace {

std::vector<MetricInfo>& Table() {
  static std::vector<MetricInfo> table = [] {
    std::vector<MetricInfo> t;
    t.push_back({"auc", "AuC", 2, true,
                 "area under the cumulative ab-error curve, 0..150 (Zhang et al. 2016)",
                 [](const PhotoScoreInput& in) { return AbAuc(in.out_ab, in.truth_ab); }});
    t.push_back({"auc_rebalanced", "AuC-rb", 2, true,
                 "class-rebalanced AuC over the data set's ab prior",
                 [](const PhotoScoreInput& in) {
                   return RebalancedAbAuc(in.out_ab, in.truth_ab, *in.prior);
                 }});
    t.push_back({"ab_rmse", "ab RMSE", 2, false, "root mean square of the per-pixel ab error",
                 [](const PhotoScoreInput& in) { return AbRmse(in.out_ab, in.truth_ab); }});
    // Identical images have infinite PSNR; reported as 99 dB so that means stay finite.
    t.push_back({"psnr", "PSNR dB", 2, true, "PSNR of the 8-bit RGB output (identical: 99)",
                 [](const PhotoScoreInput& in) {
                   const double psnr = Psnr8(in.out8, in.truth8);
                   return std::isfinite(psnr) ? psnr : 99.0;
                 }});
    t.push_back({"ssim", "SSIM", 3, true, "SSIM of the 8-bit output (OpenCV quality)",
                 [](const PhotoScoreInput& in) { return Ssim8(in.out8, in.truth8); }});
    t.push_back({"colorfulness", "colorful", 1, true,
                 "colorfulness of the output (Hasler and Suesstrunk 2003)",
                 [](const PhotoScoreInput& in) { return Colorfulness(in.out8); }});
    t.push_back(
        {"max_l_diff", "max |dL|", 3, false, "largest |L_out - L_in| (must stay within rounding)",
         [](const PhotoScoreInput& in) { return MaxLightnessDifference(in.out_l, in.truth_l); }});
    t.push_back({"seconds", "s/photo", 3, false, "seconds the method took on the photo",
                 [](const PhotoScoreInput& in) { return in.seconds; }});
    return t;
  }();
  return table;
}

}  // namespace

const std::vector<MetricInfo>& MetricTable() { return Table(); }

const std::vector<FramePairMetricInfo>& FramePairMetricTable() {
  static const std::vector<FramePairMetricInfo> table = {
      {"flicker", "flicker", 3, false,
       "mean |ab(t) - ab(t-1)| of the output over the pixels whose true ab changes by under 2 "
       "(where the colour should stay still)",
       [](const FramePairInput& in) {
         return TemporalFlicker(in.previous_out_ab, in.out_ab, in.previous_truth_ab, in.truth_ab);
       }}};
  return table;
}

const MetricInfo* FindMetric(const std::string& key) {
  for (const MetricInfo& m : Table()) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

Status RegisterMetric(const MetricInfo& metric) {
  if (metric.key.empty() || !metric.compute)
    return Status::Error("a metric needs a key and a function");
  if (FindMetric(metric.key) != nullptr)
    return Status::Error("metric '" + metric.key + "' is already in the table");
  Table().push_back(metric);
  return Status::Ok();
}

}  // namespace tint
