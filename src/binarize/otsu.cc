#include "binarize/otsu.h"

#include <algorithm>

#include "core/status.h"

namespace tint {

bool OtsuOptions::Check(std::string* error) const {
  if (num_bins < 2 || num_bins > 65536) {
    *error = "otsu num_bins must be in 2..65536";
    return false;
  }
  if (!(max_dark_lightness >= 0.0 && max_dark_lightness <= 100.0)) {
    *error = "max_dark_lightness must be in 0..100";
    return false;
  }
  return true;
}

int OtsuThresholdIndex(const std::vector<double>& histogram) {
  const int n = static_cast<int>(histogram.size());
  double total = 0, mu_t = 0;
  int occupied = 0;
  for (int i = 0; i < n; ++i) {
    total += histogram[i];
    mu_t += i * histogram[i];
    occupied += histogram[i] > 0;
  }
  if (occupied < 2) return -1;
  mu_t /= total;
  double omega = 0, mu = 0, best = -1;
  int best_k = -1;
  for (int k = 0; k < n - 1; ++k) {
    omega += histogram[k] / total;
    mu += k * histogram[k] / total;
    if (omega <= 0 || omega >= 1) continue;
    const double num = mu_t * omega - mu;
    const double sigma_b = num * num / (omega * (1 - omega));
    if (sigma_b > best) {
      best = sigma_b;
      best_k = k;
    }
  }
  return best_k;
}

void BinarizeOtsu(const OtsuOptions& options, const cv::Mat& lightness, Binarization* result) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(lightness.type() == CV_32F && !lightness.empty(),
             "lightness must be non-empty CV_32F");
  const int bins = options.num_bins;
  std::vector<double> hist(bins, 0.0);
  const double scale = bins / 100.0;
  for (int r = 0; r < lightness.rows; ++r) {
    const float* p = lightness.ptr<float>(r);
    for (int c = 0; c < lightness.cols; ++c) {
      const int b = std::clamp(static_cast<int>(p[c] * scale), 0, bins - 1);
      hist[b] += 1.0;
    }
  }
  const int k = OtsuThresholdIndex(hist);
  // Class 0 is bins 0..k, so the threshold is the upper edge of bin k.
  result->otsu_threshold = k < 0 ? 0.0 : (k + 1) / scale;
  result->dark_threshold = std::min(result->otsu_threshold, options.max_dark_lightness);
  cv::compare(lightness, result->dark_threshold, result->useful, cv::CMP_GE);
}

}  // namespace tint
