#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/quality.hpp>

#include "core/status.h"

namespace tint {
namespace {

void CheckPair(const cv::Mat& a, const cv::Mat& b) {
  TINT_CHECK(a.type() == CV_32FC2 && b.type() == CV_32FC2, "ab images must be CV_32FC2");
  TINT_CHECK(a.size() == b.size() && !a.empty(), "ab images must have the same non-empty size");
}

}  // namespace

namespace {

// Cumulative curve of per-pixel ab error at t = 0..150, weighted, and its
// normalized area.
double WeightedAuc(const cv::Mat& ab_pred, const cv::Mat& ab_true,
                   const std::vector<double>* bin_weight, std::vector<double>* curve) {
  CheckPair(ab_pred, ab_true);
  constexpr int kMax = 150;
  // counts[t] = weight of pixels with ceil(error) == t, so error <= t <=> ceil(error) <= t.
  std::vector<double> counts(kMax + 2, 0.0);
  double n = 0;
  for (int r = 0; r < ab_pred.rows; ++r) {
    const cv::Vec2f* p = ab_pred.ptr<cv::Vec2f>(r);
    const cv::Vec2f* t = ab_true.ptr<cv::Vec2f>(r);
    for (int c = 0; c < ab_pred.cols; ++c) {
      const double da = p[c][0] - t[c][0], db = p[c][1] - t[c][1];
      const double e = std::ceil(std::sqrt(da * da + db * db));
      const double w = bin_weight ? (*bin_weight)[AbPrior::Bin(t[c][0], t[c][1])] : 1.0;
      counts[e > kMax ? kMax + 1 : static_cast<int>(e)] += w;
      n += w;
    }
  }
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

}  // namespace

double AbAuc(const cv::Mat& ab_pred, const cv::Mat& ab_true, std::vector<double>* curve) {
  return WeightedAuc(ab_pred, ab_true, nullptr, curve);
}

int AbPrior::Bin(float a, float b) {
  auto cell = [](float v) {
    int i = static_cast<int>(std::lround((v + kExtent) / kStep));
    return std::clamp(i, 0, kSide - 1);
  };
  return cell(a) * kSide + cell(b);
}

void AbPrior::Add(const cv::Mat& ab_true) {
  TINT_CHECK(ab_true.type() == CV_32FC2, "ab must be CV_32FC2");
  for (int r = 0; r < ab_true.rows; ++r) {
    const cv::Vec2f* t = ab_true.ptr<cv::Vec2f>(r);
    for (int c = 0; c < ab_true.cols; ++c) counts_[Bin(t[c][0], t[c][1])] += 1;
  }
  total_ += static_cast<double>(ab_true.total());
}

double AbPrior::Probability(int bin) const { return total_ > 0 ? counts_[bin] / total_ : 0.0; }

int AbPrior::BinsSeen() const {
  return static_cast<int>(
      std::count_if(counts_.begin(), counts_.end(), [](double c) { return c > 0; }));
}

double RebalancedAbAuc(const cv::Mat& ab_pred, const cv::Mat& ab_true, const AbPrior& prior) {
  TINT_CHECK(prior.total() > 0, "the prior has no pixels");
  std::vector<double> weight(AbPrior::kSide * AbPrior::kSide, 0.0);
  double rarest = 0;
  for (size_t i = 0; i < weight.size(); ++i) {
    const double p = prior.Probability(static_cast<int>(i));
    if (p > 0) {
      weight[i] = 1.0 / p;
      rarest = std::max(rarest, weight[i]);
    }
  }
  for (double& w : weight) {
    if (w == 0) w = rarest;
  }
  return WeightedAuc(ab_pred, ab_true, &weight, nullptr);
}

double AbRmse(const cv::Mat& ab_pred, const cv::Mat& ab_true) {
  CheckPair(ab_pred, ab_true);
  const double n2 = cv::norm(ab_pred, ab_true, cv::NORM_L2SQR);
  return std::sqrt(n2 / static_cast<double>(ab_pred.total()));
}

double Psnr8(const cv::Mat& a, const cv::Mat& b) {
  TINT_CHECK(a.type() == b.type() && a.size() == b.size() && a.depth() == CV_8U,
             "PSNR needs two 8-bit images of one type");
  const double mse = cv::norm(a, b, cv::NORM_L2SQR) / static_cast<double>(a.total() * a.channels());
  if (mse == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

double MaxLightnessDifference(const cv::Mat& lightness_a, const cv::Mat& lightness_b) {
  TINT_CHECK(lightness_a.type() == CV_32F && lightness_b.type() == CV_32F &&
                 lightness_a.size() == lightness_b.size(),
             "lightness planes must be CV_32F of one size");
  return cv::norm(lightness_a, lightness_b, cv::NORM_INF);
}

}  // namespace tint

namespace tint {

double Ssim8(const cv::Mat& a, const cv::Mat& b) {
  TINT_CHECK(a.type() == CV_8UC3 && b.type() == CV_8UC3 && a.size() == b.size(),
             "SSIM needs two 8-bit BGR images of one size");
  const cv::Scalar s = cv::quality::QualitySSIM::compute(a, b, cv::noArray());
  return (s[0] + s[1] + s[2]) / 3.0;
}

double Colorfulness(const cv::Mat& bgr8) {
  TINT_CHECK(bgr8.type() == CV_8UC3 && !bgr8.empty(), "colorfulness needs an 8-bit BGR image");
  double srg = 0, syb = 0, srg2 = 0, syb2 = 0;
  for (int r = 0; r < bgr8.rows; ++r) {
    const cv::Vec3b* p = bgr8.ptr<cv::Vec3b>(r);
    for (int c = 0; c < bgr8.cols; ++c) {
      const double rg = double(p[c][2]) - p[c][1];
      const double yb = 0.5 * (double(p[c][2]) + p[c][1]) - p[c][0];
      srg += rg, syb += yb, srg2 += rg * rg, syb2 += yb * yb;
    }
  }
  const double n = static_cast<double>(bgr8.total());
  const double mrg = srg / n, myb = syb / n;
  const double vrg = std::max(0.0, srg2 / n - mrg * mrg), vyb = std::max(0.0, syb2 / n - myb * myb);
  return std::sqrt(vrg + vyb) + 0.3 * std::sqrt(mrg * mrg + myb * myb);
}

}  // namespace tint

namespace tint {

const std::vector<std::string>& CamVidScoredLabels() {
  static const std::vector<std::string> k = {"sky", "building", "earth", "vegetation"};
  return k;
}

void AccumulateCamVidConfusion(const cv::Mat& annot, const cv::Mat& labels,
                               const std::vector<std::string>& label_names,
                               std::vector<std::vector<double>>* confusion) {
  TINT_CHECK(annot.type() == CV_8U && labels.type() == CV_32S && annot.size() == labels.size(),
             "CamVid labels and predicted labels must be CV_8U and CV_32S of one size");
  // CamVid class -> scored label index; other classes are not scored.
  static const int kClassToScored[] = {0, 1, -1,
                                       2, 2, 3};  // sky, building, pole, road, pavement, tree
  const auto& scored = CamVidScoredLabels();
  if (confusion->empty())
    confusion->assign(scored.size(), std::vector<double>(scored.size() + 1, 0.0));
  std::vector<int> to_scored(label_names.size(), -1);
  for (size_t l = 0; l < label_names.size(); ++l) {
    for (size_t q = 0; q < scored.size(); ++q) {
      if (label_names[l] == scored[q]) to_scored[l] = static_cast<int>(q);
    }
  }
  for (int y = 0; y < annot.rows; ++y) {
    const uint8_t* a = annot.ptr<uint8_t>(y);
    const int* p = labels.ptr<int>(y);
    for (int x = 0; x < annot.cols; ++x) {
      const int truth = a[x] < 6 ? kClassToScored[a[x]] : -1;
      if (truth < 0) continue;
      const int pred = p[x] < 0 ? -1 : to_scored[p[x]];
      (*confusion)[truth][pred < 0 ? scored.size() : static_cast<size_t>(pred)] += 1;
    }
  }
}

double TemporalFlicker(const cv::Mat& previous_out_ab, const cv::Mat& out_ab,
                       const cv::Mat& previous_truth_ab, const cv::Mat& truth_ab, double still) {
  CV_Assert(out_ab.type() == CV_32FC2 && previous_out_ab.size() == out_ab.size() &&
            truth_ab.size() == out_ab.size() && previous_truth_ab.size() == out_ab.size());
  double sum = 0;
  int64_t count = 0;
  for (int y = 0; y < out_ab.rows; ++y) {
    const cv::Vec2f* po = previous_out_ab.ptr<cv::Vec2f>(y);
    const cv::Vec2f* o = out_ab.ptr<cv::Vec2f>(y);
    const cv::Vec2f* pt = previous_truth_ab.ptr<cv::Vec2f>(y);
    const cv::Vec2f* t = truth_ab.ptr<cv::Vec2f>(y);
    for (int x = 0; x < out_ab.cols; ++x) {
      if (cv::norm(t[x] - pt[x]) >= still) continue;
      sum += cv::norm(o[x] - po[x]);
      ++count;
    }
  }
  return count > 0 ? sum / static_cast<double>(count) : 0.0;
}

}  // namespace tint
