// Otsu binarization (N. Otsu, "A threshold selection method from gray-level
// histograms", IEEE Trans. SMC 9(1), 1979) and the dark-area rule.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace tint {

struct OtsuOptions {
  // Histogram bins over L in [0, 100]; the threshold is a bin edge.
  int num_bins = 256;
  // "Very dark" pixels are those below min(Otsu threshold, this), in L units
  // (0..100). They are not matched, and their segments are never sky.
  double max_dark_lightness = 25.0;

  bool Check(std::string* error) const;
};

// Index k that maximizes the between-class variance
//   sigma_B^2(k) = (mu_T * omega(k) - mu(k))^2 / (omega(k) * (1 - omega(k)))
// (Otsu 1979, eq. 18), where class 0 holds bins 0..k and class 1 bins k+1..
// Returns -1 when the histogram has fewer than two occupied bins.
int OtsuThresholdIndex(const std::vector<double>& histogram);

struct Binarization {
  double otsu_threshold = 0;  // L value splitting the two Otsu classes.
  double dark_threshold = 0;  // min(otsu_threshold, max_dark_lightness).
  cv::Mat useful;             // CV_8U, 255 where L >= dark_threshold.
};

// Otsu threshold of a lightness image (CV_32F, 0..100) and the useful mask.
void BinarizeOtsu(const OtsuOptions& options, const cv::Mat& lightness, Binarization* result);

}  // namespace tint
