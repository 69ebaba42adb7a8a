#include "eval/metrics.h"

#include <cmath>
#include <limits>

#include "core/status.h"

namespace tint {
namespace {

void CheckPair(const cv::Mat& a, const cv::Mat& b) {
  TINT_CHECK(a.type() == CV_32FC2 && b.type() == CV_32FC2, "ab images must be CV_32FC2");
  TINT_CHECK(a.size() == b.size() && !a.empty(), "ab images must have the same non-empty size");
}

}  // namespace

double AbAuc(const cv::Mat& ab_pred, const cv::Mat& ab_true, std::vector<double>* curve) {
  CheckPair(ab_pred, ab_true);
  constexpr int kMax = 150;
  // counts[t] = pixels with ceil(error) == t, so that error <= t <=> ceil(error) <= t.
  std::vector<double> counts(kMax + 2, 0.0);
  for (int r = 0; r < ab_pred.rows; ++r) {
    const cv::Vec2f* p = ab_pred.ptr<cv::Vec2f>(r);
    const cv::Vec2f* t = ab_true.ptr<cv::Vec2f>(r);
    for (int c = 0; c < ab_pred.cols; ++c) {
      const double da = p[c][0] - t[c][0], db = p[c][1] - t[c][1];
      const double e = std::ceil(std::sqrt(da * da + db * db));
      counts[e > kMax ? kMax + 1 : static_cast<int>(e)] += 1;
    }
  }
  const double n = static_cast<double>(ab_pred.total());
  std::vector<double> frac(kMax + 1);
  double acc = 0;
  for (int t = 0; t <= kMax; ++t) {
    acc += counts[t];
    frac[t] = acc / n;
  }
  double area = 0;
  for (int t = 0; t < kMax; ++t) area += 0.5 * (frac[t] + frac[t + 1]);
  if (curve != nullptr) *curve = frac;
  return 100.0 * area / kMax;
}

double AbRmse(const cv::Mat& ab_pred, const cv::Mat& ab_true) {
  CheckPair(ab_pred, ab_true);
  const double n2 = cv::norm(ab_pred, ab_true, cv::NORM_L2SQR);
  return std::sqrt(n2 / static_cast<double>(ab_pred.total()));
}

double Psnr8(const cv::Mat& a, const cv::Mat& b) {
  TINT_CHECK(a.type() == b.type() && a.size() == b.size() && a.depth() == CV_8U, "PSNR needs two 8-bit images of one type");
  const double mse = cv::norm(a, b, cv::NORM_L2SQR) / static_cast<double>(a.total() * a.channels());
  if (mse == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

double MaxLightnessDifference(const cv::Mat& lightness_a, const cv::Mat& lightness_b) {
  TINT_CHECK(lightness_a.type() == CV_32F && lightness_b.type() == CV_32F && lightness_a.size() == lightness_b.size(),
             "lightness planes must be CV_32F of one size");
  return cv::norm(lightness_a, lightness_b, cv::NORM_INF);
}

}  // namespace tint
