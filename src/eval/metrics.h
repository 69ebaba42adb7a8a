// Colorization metrics, defined as in the papers (see docs/references.bib).
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace tint {

// AuC of Zhang, Isola and Efros, "Colorful Image Colorization", ECCV 2016:
// the fraction of pixels whose (a, b) L2 error is within t, for t = 0..150
// in steps of 1 (inclusive), integrated by the trapezoid rule and scaled to
// 0..100. Identical chroma gives 100. `curve` receives the 151 fractions.
double AbAuc(const cv::Mat& ab_pred, const cv::Mat& ab_true, std::vector<double>* curve = nullptr);

// Root mean square of the per-pixel (a, b) L2 error.
double AbRmse(const cv::Mat& ab_pred, const cv::Mat& ab_true);

// PSNR in dB of two 8-bit images (peak 255); +infinity when identical.
double Psnr8(const cv::Mat& a, const cv::Mat& b);

// max |L(a) - L(b)| over all pixels, L in CIE Lab 0..100.
double MaxLightnessDifference(const cv::Mat& lightness_a, const cv::Mat& lightness_b);

}  // namespace tint
