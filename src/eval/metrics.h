// Colorization metrics, defined as in the papers (see docs/references.bib).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace tint {

// AuC of Zhang, Isola and Efros, "Colorful Image Colorization", ECCV 2016:
// the fraction of pixels whose (a, b) L2 error is within t, for t = 0..150
// in steps of 1 (inclusive), integrated by the trapezoid rule and scaled to
// 0..100. Identical chroma gives 100. `curve` receives the 151 fractions.
double AbAuc(const cv::Mat& ab_pred, const cv::Mat& ab_true, std::vector<double>* curve = nullptr);

// The frequency of true (a, b) colours over a set of photos, on the 10 x 10
// ab grid whose cell centres are Zhang et al.'s quantization (a, b in
// -110..110 by 10; values beyond the range fall in the edge cells).
class AbPrior {
 public:
  static constexpr int kStep = 10, kExtent = 110, kSide = 2 * kExtent / kStep + 1;
  void Add(const cv::Mat& ab_true);
  static int Bin(float a, float b);
  // Probability of a bin (0 when never seen).
  double Probability(int bin) const;
  double total() const { return total_; }
  int BinsSeen() const;

 private:
  std::vector<double> counts_ = std::vector<double>(kSide * kSide, 0.0);
  double total_ = 0;
};

// The class-rebalanced AuC of Zhang et al. 2016: as AbAuc, but each pixel is
// weighted by 1 / p(its true ab bin) under `prior` (bins the prior has not
// seen get the weight of the rarest seen bin). A photo of one colour gives
// its plain AuC.
double RebalancedAbAuc(const cv::Mat& ab_pred, const cv::Mat& ab_true, const AbPrior& prior);

// Root mean square of the per-pixel (a, b) L2 error.
double AbRmse(const cv::Mat& ab_pred, const cv::Mat& ab_true);

// PSNR in dB of two 8-bit images (peak 255); +infinity when identical.
double Psnr8(const cv::Mat& a, const cv::Mat& b);

// SSIM (Wang et al. 2004) of two 8-bit BGR images, through OpenCV's quality
// module (Gaussian window 11, sigma 1.5), averaged over the three channels.
// Identical images give 1.
double Ssim8(const cv::Mat& a, const cv::Mat& b);

// Colorfulness M of Hasler and Suesstrunk 2003 on an 8-bit BGR image:
// rg = R - G, yb = (R + G) / 2 - B, M = sqrt(sd_rg^2 + sd_yb^2) +
// 0.3 sqrt(mean_rg^2 + mean_yb^2). Grey images give 0.
double Colorfulness(const cv::Mat& bgr8);

// Label accuracy on CamVid: the scored labels (sky, building, earth =
// road + pavement, vegetation = tree), in the order of the confusion rows.
const std::vector<std::string>& CamVidScoredLabels();
// Adds one photo to a confusion matrix: rows the CamVid truth (scored
// classes only), columns the predicted label in the same order, then
// "other" (unlabelled pixels or labels outside the four). annot: CV_8U CamVid
// classes; labels: CV_32S label ids into label_names (-1: none), same size.
// An empty *confusion is sized first.
void AccumulateCamVidConfusion(const cv::Mat& annot, const cv::Mat& labels,
                               const std::vector<std::string>& label_names,
                               std::vector<std::vector<double>>* confusion);

// max |L(a) - L(b)| over all pixels, L in CIE Lab 0..100.
// Temporal flicker: the mean Euclidean |ab(t) - ab(t-1)| of the output over
// the pixels where the truth's ab moves by less than `still`; 0 when there
// are none.
double TemporalFlicker(const cv::Mat& previous_out_ab, const cv::Mat& out_ab,
                       const cv::Mat& previous_truth_ab, const cv::Mat& truth_ab,
                       double still = 2.0);

double MaxLightnessDifference(const cv::Mat& lightness_a, const cv::Mat& lightness_b);

}  // namespace tint
