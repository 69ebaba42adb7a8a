#include "guide/hints.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <Eigen/UmfPackSupport>
#include <opencv2/imgproc.hpp>

#include "core/color.h"

namespace tint {

Status ReadHints(const cv::Mat& image, cv::Size size, const std::string& what, Hints* hints,
                 double min_chroma) {
  if (image.empty()) return Status::Error(what + ": empty hints image");
  if (image.size() != size) {
    return Status::Error(what + ": hints are " + std::to_string(image.cols) + "x" +
                         std::to_string(image.rows) + " but the photo is " +
                         std::to_string(size.width) + "x" + std::to_string(size.height) +
                         "; draw them on a copy of the photo");
  }
  cv::Mat lightness, ab;
  SplitLab(image, &lightness, &ab);
  cv::Mat alpha;
  if (image.channels() == 4 || image.channels() == 2) {
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    planes.back().convertTo(alpha, CV_32F, image.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
  }
  hints->mask = cv::Mat::zeros(size, CV_8U);
  hints->ab = cv::Mat::zeros(size, CV_32FC2);
  hints->count = 0;
  for (int y = 0; y < size.height; ++y) {
    const cv::Vec2f* src = ab.ptr<cv::Vec2f>(y);
    const float* a = alpha.empty() ? nullptr : alpha.ptr<float>(y);
    uchar* m = hints->mask.ptr<uchar>(y);
    cv::Vec2f* dst = hints->ab.ptr<cv::Vec2f>(y);
    for (int x = 0; x < size.width; ++x) {
      const bool stroke =
          a != nullptr ? a[x] >= 128.0f : std::hypot(src[x][0], src[x][1]) > min_chroma;
      if (!stroke) continue;
      m[x] = 255;
      dst[x] = src[x];
      ++hints->count;
    }
  }
  if (hints->count == 0) {
    return Status::Error(what + (alpha.empty()
                                     ? ": no stroke found (no pixel with colour; draw in colour "
                                       "over the grey photo, or use a PNG with alpha)"
                                     : ": no stroke found (no pixel with alpha >= 128)"));
  }
  return Status::Ok();
}

bool ParseHintWeights(const std::string& name, HintWeights* weights) {
  if (name == "levin") {
    *weights = HintWeights::kLevin;
  } else if (name == "symmetric") {
    *weights = HintWeights::kSymmetric;
  } else {
    return false;
  }
  return true;
}

const char* HintWeightsName(HintWeights weights) {
  return weights == HintWeights::kLevin ? "levin" : "symmetric";
}

bool HintOptions::Check(std::string* error) const {
  if (!(reach >= 0 && reach <= 1e6)) {
    *error = "--hint-reach must be in 0..1000000 pixels (0: no limit)";
    return false;
  }
  if (!(working_pixels >= 1000)) {
    *error = "the hints' working size must be at least 1000 pixels";
    return false;
  }
  return true;
}

namespace {

// Levin et al.'s scale per pixel, as 1 / sigma^2: the variance of Y (0..1)
// in its 3x3 window (x 0.6), at least enough that its closest neighbour keeps
// a weight of 0.01, and at least 2e-6.
cv::Mat InverseSigma2(const cv::Mat& lightness) {
  const int w = lightness.cols, h = lightness.rows;
  cv::Mat inv_sigma2(h, w, CV_64F);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double centre = lightness.at<float>(y, x) / 100.0;
      double sum = centre, sum2 = centre * centre, closest = 1e30;
      int count = 1;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int yy = y + dy, xx = x + dx;
          if ((dx == 0 && dy == 0) || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          const double v = lightness.at<float>(yy, xx) / 100.0;
          sum += v;
          sum2 += v * v;
          ++count;
          closest = std::min(closest, (v - centre) * (v - centre));
        }
      }
      const double mean = sum / count;
      const double sigma2 = std::max(
          {0.6 * std::max(0.0, sum2 / count - mean * mean), -closest / std::log(0.01), 2e-6});
      inv_sigma2.at<double>(y, x) = 1.0 / sigma2;
    }
  }
  return inv_sigma2;
}

// The correction D (CV_32FC2) that takes `automatic` to the strokes, for every
// pixel (under a stroke: hint - automatic).
Status SolveCorrection(const cv::Mat& lightness, const Hints& hints, const cv::Mat& automatic,
                       double screen, HintWeights weights, cv::Mat* out) {
  const int w = lightness.cols, h = lightness.rows;
  // Each pair of 4-neighbours once. Levin et al.'s code links the 8 pixels of
  // the 3x3 window; with 4 the factorization of a 481x321 photo takes 0.21 s
  // instead of 0.41 s, and on BSDS500 val with 1, 5 and 20 simulated strokes
  // the AuC is within 0.04 of the 8-neighbour system's (experiments/README.md).
  static constexpr int kDx[2] = {1, 0}, kDy[2] = {0, 1};

  const cv::Mat inv_sigma2 = InverseSigma2(lightness);

  // Unknowns: the pixels off the strokes. Row r of the system is
  // (sum_s w_rs + screen) D(r) - sum_s w_rs D(s) = 0 (Levin's row-normalised
  // equation D(r) = sum_s w_rs D(s) / sum_s w_rs, times the row's sum, plus
  // the screening), with the strokes' corrections known. kSymmetric takes
  // w_rs = w_sr = exp(-d^2 (1/sigma_r^2 + 1/sigma_s^2) / 2), so the system is
  // symmetric positive definite and one sparse Cholesky factorization of its
  // lower half solves it for a and b; kLevin keeps w_rs = exp(-d^2 /
  // sigma_r^2) as published and solves the whole matrix by sparse LU.
  const bool levin = weights == HintWeights::kLevin;
  cv::Mat index(h, w, CV_32S, cv::Scalar(-1));
  int n = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (hints.mask.at<uchar>(y, x) == 0) index.at<int>(y, x) = n++;
    }
  }
  *out = hints.ab - automatic;
  if (n == 0) return Status::Ok();  // strokes everywhere
  // Each row's degree (sum_s w_rs) and right-hand side (the strokes' terms);
  // the entries off the diagonal: for kSymmetric its lower half, for kLevin
  // every one.
  std::vector<double> degree(n, 0.0);
  Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(n, 2);
  std::vector<Eigen::Triplet<double>> entries;
  entries.reserve(static_cast<size_t>(n) * (levin ? 5 : 3));
  // Row `free`'s term for its neighbour at `other` (index `s`, -1 under a
  // stroke) of weight `weight`.
  auto link = [&](int free, int s, cv::Point other, double weight) {
    degree[free] += weight;
    if (s >= 0) {
      if (levin) entries.emplace_back(free, s, -weight);
      return;
    }
    // Under a stroke: its correction is known.
    const cv::Vec2f hint = hints.ab.at<cv::Vec2f>(other), now = automatic.at<cv::Vec2f>(other);
    rhs(free, 0) += weight * (hint[0] - now[0]);
    rhs(free, 1) += weight * (hint[1] - now[1]);
  };
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int r = index.at<int>(y, x);
      const double vr = lightness.at<float>(y, x) / 100.0, sr = inv_sigma2.at<double>(y, x);
      for (int k = 0; k < 2; ++k) {
        const int yy = y + kDy[k], xx = x + kDx[k];
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const int s = index.at<int>(yy, xx);
        if (r < 0 && s < 0) continue;  // both on strokes
        const double d = lightness.at<float>(yy, xx) / 100.0 - vr;
        const double ss = inv_sigma2.at<double>(yy, xx);
        const double w_rs = levin ? std::exp(-d * d * sr) : std::exp(-0.5 * d * d * (sr + ss));
        const double w_sr = levin ? std::exp(-d * d * ss) : w_rs;
        if (!levin && r >= 0 && s >= 0) entries.emplace_back(std::max(r, s), std::min(r, s), -w_rs);
        if (r >= 0) link(r, s, cv::Point(xx, yy), w_rs);
        if (s >= 0) link(s, r, cv::Point(x, y), w_sr);
      }
    }
  }
  for (int r = 0; r < n; ++r) entries.emplace_back(r, r, degree[r] + screen);
  Eigen::SparseMatrix<double> system(n, n);
  system.setFromTriplets(entries.begin(), entries.end());
  entries = {};
  Eigen::MatrixXd correction;
  if (!levin) {
    Eigen::SimplicialLLT<Eigen::SparseMatrix<double>, Eigen::Lower> cholesky;
    cholesky.compute(system);
    if (cholesky.info() != Eigen::Success)
      return Status::Error("hints: the propagation system could not be factorized");
    correction = cholesky.solve(rhs);
  } else {
    // UMFPACK's symmetric strategy: an AMD ordering of the pattern (which
    // is symmetric) and pivots taken from the diagonal where they are large
    // enough, as they are in this diagonally dominant system: 1.3x the
    // Cholesky path's time at 481x321, where Eigen's SparseLU (COLAMD,
    // partial pivoting) took 2.4x and BiCGSTAB with an incomplete LU or with
    // the symmetric system's factorization as preconditioner 4x and more.
    Eigen::UmfPackLU<Eigen::SparseMatrix<double>> lu;
    lu.umfpackControl()(UMFPACK_STRATEGY) = UMFPACK_STRATEGY_SYMMETRIC;
    lu.umfpackControl()(UMFPACK_ORDERING) = UMFPACK_ORDERING_AMD;
    lu.compute(system);
    if (lu.info() != Eigen::Success)
      return Status::Error("hints: the propagation system could not be factorized");
    correction = lu.solve(rhs);
  }
  if (!correction.allFinite())
    return Status::Error("hints: the propagation system could not be solved");
  for (int y = 0; y < h; ++y) {
    cv::Vec2f* d = out->ptr<cv::Vec2f>(y);
    for (int x = 0; x < w; ++x) {
      const int r = index.at<int>(y, x);
      if (r < 0) continue;
      d[x] = cv::Vec2f(static_cast<float>(correction(r, 0)), static_cast<float>(correction(r, 1)));
    }
  }
  return Status::Ok();
}

}  // namespace

Status PropagateHints(const cv::Mat& lightness, const Hints& hints, const HintOptions& options,
                      cv::Mat* ab) {
  CV_Assert(lightness.type() == CV_32F && hints.mask.size() == lightness.size());
  CV_Assert(ab->type() == CV_32FC2 && ab->size() == lightness.size());
  if (std::string error; !options.Check(&error)) return Status::Error(error);
  // The screening; a floor keeps the system regular where a region is cut
  // off from every stroke by edges whose weights underflow (it then keeps
  // the automatic colour), and is far too weak to fade colour across a photo.
  const double screen = options.reach > 0 ? 1.0 / (options.reach * options.reach) : 1e-9;
  const double total = static_cast<double>(lightness.total());
  cv::Mat correction;
  if (total <= options.working_pixels) {
    TINT_RETURN_IF_ERROR(
        SolveCorrection(lightness, hints, *ab, screen, options.weights, &correction));
  } else {
    // A larger photo is solved at the working size (the cost of the sparse
    // factorization grows faster than the pixel count) and the correction,
    // which is smooth within regions, is resized back; a cell under any
    // stroke pixel is a stroke of those pixels' mean chroma. The reach is in
    // pixels of the photo.
    const double scale = std::sqrt(options.working_pixels / total);
    const cv::Size small(std::max(1, static_cast<int>(std::lround(lightness.cols * scale))),
                         std::max(1, static_cast<int>(std::lround(lightness.rows * scale))));
    cv::Mat l_small, auto_small, coverage, weighted;
    cv::resize(lightness, l_small, small, 0, 0, cv::INTER_AREA);
    cv::resize(*ab, auto_small, small, 0, 0, cv::INTER_AREA);
    cv::Mat mask_float;
    hints.mask.convertTo(mask_float, CV_32F, 1.0 / 255.0);
    cv::resize(mask_float, coverage, small, 0, 0, cv::INTER_AREA);
    cv::Mat masked_ab;
    cv::Mat mask2;
    cv::merge(std::vector<cv::Mat>{mask_float, mask_float}, mask2);
    cv::multiply(hints.ab, mask2, masked_ab);
    cv::resize(masked_ab, weighted, small, 0, 0, cv::INTER_AREA);
    Hints small_hints;
    small_hints.mask = cv::Mat::zeros(small, CV_8U);
    small_hints.ab = cv::Mat::zeros(small, CV_32FC2);
    for (int y = 0; y < small.height; ++y) {
      for (int x = 0; x < small.width; ++x) {
        const float c = coverage.at<float>(y, x);
        if (c <= 0) continue;
        small_hints.mask.at<uchar>(y, x) = 255;
        small_hints.ab.at<cv::Vec2f>(y, x) = weighted.at<cv::Vec2f>(y, x) / c;
        ++small_hints.count;
      }
    }
    cv::Mat small_correction;
    TINT_RETURN_IF_ERROR(SolveCorrection(l_small, small_hints, auto_small, screen / (scale * scale),
                                         options.weights, &small_correction));
    cv::resize(small_correction, correction, lightness.size(), 0, 0, cv::INTER_LINEAR);
  }
  *ab += correction;
  hints.ab.copyTo(*ab, hints.mask);  // under a stroke: the stroke, exactly
  return Status::Ok();
}

}  // namespace tint
