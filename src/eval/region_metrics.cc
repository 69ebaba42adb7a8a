#include "eval/region_metrics.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/status.h"

namespace tint {
namespace {

// Labels renumbered 0..n-1 in order of appearance.
std::vector<int> Compact(const cv::Mat& labels, int* count) {
  std::vector<int> out(labels.total());
  std::unordered_map<int, int> ids;
  size_t k = 0;
  for (int r = 0; r < labels.rows; ++r) {
    const int* p = labels.ptr<int>(r);
    for (int c = 0; c < labels.cols; ++c, ++k) {
      auto [it, inserted] = ids.emplace(p[c], static_cast<int>(ids.size()));
      out[k] = it->second;
    }
  }
  *count = static_cast<int>(ids.size());
  return out;
}

}  // namespace

RegionScores CompareRegions(const cv::Mat& machine, const std::vector<cv::Mat>& truths) {
  TINT_CHECK(machine.type() == CV_32S && !machine.empty(),
             "machine segmentation must be non-empty CV_32S");
  TINT_CHECK(!truths.empty(), "at least one human segmentation is needed");
  int m = 0;
  const std::vector<int> a = Compact(machine, &m);
  const double n = static_cast<double>(a.size());
  RegionScores out;
  for (const cv::Mat& truth : truths) {
    TINT_CHECK(truth.type() == CV_32S && truth.size() == machine.size(),
               "human segmentation must match in size");
    int g = 0;
    const std::vector<int> b = Compact(truth, &g);
    // Contingency table n_ij: machine region i, human region j.
    std::vector<double> table(static_cast<size_t>(m) * g, 0.0), rows(m, 0.0), cols(g, 0.0);
    for (size_t k = 0; k < a.size(); ++k) table[static_cast<size_t>(a[k]) * g + b[k]] += 1;
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < g; ++j) {
        rows[i] += table[static_cast<size_t>(i) * g + j];
        cols[j] += table[static_cast<size_t>(i) * g + j];
      }
    }
    // Covering of the human segmentation by the machine one.
    for (int j = 0; j < g; ++j) {
      double best = 0;
      for (int i = 0; i < m; ++i) {
        const double inter = table[static_cast<size_t>(i) * g + j];
        if (inter > 0) best = std::max(best, inter / (rows[i] + cols[j] - inter));
      }
      out.covering_sum += cols[j] * best;
    }
    out.covering_pixels += n;
    // Rand index: 1 - (sum a^2 / 2 + sum b^2 / 2 - sum n_ij^2) / C(N, 2).
    double sa = 0, sb = 0, sn = 0;
    for (double v : rows) sa += v * v;
    for (double v : cols) sb += v * v;
    for (double v : table) sn += v * v;
    const double pairs = n * (n - 1) / 2;
    out.pri += pairs > 0 ? 1.0 - (sa / 2 + sb / 2 - sn) / pairs : 1.0;
    // Variation of information H(A) + H(B) - 2 I(A; B), in bits.
    double ha = 0, hb = 0, mi = 0;
    for (double v : rows)
      if (v > 0) ha -= (v / n) * std::log2(v / n);
    for (double v : cols)
      if (v > 0) hb -= (v / n) * std::log2(v / n);
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < g; ++j) {
        const double v = table[static_cast<size_t>(i) * g + j];
        if (v > 0) mi += (v / n) * std::log2(v * n / (rows[i] * cols[j]));
      }
    }
    out.voi += std::max(0.0, ha + hb - 2 * mi);
  }
  out.pri /= static_cast<double>(truths.size());
  out.voi /= static_cast<double>(truths.size());
  return out;
}

RegionSummary SummarizeRegions(const std::vector<std::vector<RegionScores>>& scores) {
  RegionSummary s;
  if (scores.empty()) return s;
  const size_t params = scores[0].size();
  TINT_CHECK(params > 0, "no parameters");
  for (const auto& image : scores)
    TINT_CHECK(image.size() == params, "every image needs every parameter");
  const double images = static_cast<double>(scores.size());
  // ODS: one parameter for the whole set.
  double best_cov = -1, best_pri = -1, best_voi = 1e300;
  for (size_t p = 0; p < params; ++p) {
    double cs = 0, cp = 0, pri = 0, voi = 0;
    for (const auto& image : scores) {
      cs += image[p].covering_sum;
      cp += image[p].covering_pixels;
      pri += image[p].pri;
      voi += image[p].voi;
    }
    const double cov = cp > 0 ? cs / cp : 0;
    if (cov > best_cov) best_cov = cov, s.covering_best = static_cast<int>(p);
    if (pri / images > best_pri) best_pri = pri / images, s.pri_best = static_cast<int>(p);
    if (voi / images < best_voi) best_voi = voi / images, s.voi_best = static_cast<int>(p);
  }
  s.covering_ods = best_cov;
  s.pri_ods = best_pri;
  s.voi_ods = best_voi;
  // OIS: each image at its own best parameter.
  double cs = 0, cp = 0, pri = 0, voi = 0;
  for (const auto& image : scores) {
    const RegionScores* bc = &image[0];
    double bp = image[0].pri, bv = image[0].voi;
    for (const RegionScores& r : image) {
      if (r.Covering() > bc->Covering()) bc = &r;
      bp = std::max(bp, r.pri);
      bv = std::min(bv, r.voi);
    }
    cs += bc->covering_sum;
    cp += bc->covering_pixels;
    pri += bp;
    voi += bv;
  }
  s.covering_ois = cp > 0 ? cs / cp : 0;
  s.pri_ois = pri / images;
  s.voi_ois = voi / images;
  return s;
}

}  // namespace tint
