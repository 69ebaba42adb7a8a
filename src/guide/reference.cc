#include "guide/reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "core/geometry.h"

namespace tint {
namespace {

// The standard deviation of `lightness` in each pixel's window.
cv::Mat WindowDeviation(const cv::Mat& lightness, int window) {
  cv::Mat mean, mean2, sq;
  const cv::Size k(window, window);
  cv::blur(lightness, mean, k, cv::Point(-1, -1), cv::BORDER_REFLECT_101);
  cv::multiply(lightness, lightness, sq);
  cv::blur(sq, mean2, k, cv::Point(-1, -1), cv::BORDER_REFLECT_101);
  cv::Mat var = mean2 - mean.mul(mean);
  cv::max(var, 0, var);
  cv::Mat dev;
  cv::sqrt(var, dev);
  return dev;
}

struct Sample {
  float l, dev;
  cv::Vec2f ab;
};

void MeanDev(const cv::Mat& plane, double* mean, double* dev) {
  cv::Scalar m, s;
  cv::meanStdDev(plane, m, s);
  *mean = m[0];
  *dev = s[0];
}

// Samples on a jittered grid of about `count` cells over `rect` of the
// (remapped) lightness, its deviation and chroma; only where `allowed`
// (CV_8U, or empty: everywhere) is set.
void JitteredSamples(const cv::Mat& l, const cv::Mat& dev, const cv::Mat& ab,
                     const cv::Mat& allowed, cv::Rect rect, int count, std::mt19937_64* rng,
                     std::vector<Sample>* out) {
  const double cell = std::max(1.0, std::sqrt(static_cast<double>(rect.area()) / count));
  for (double y0 = rect.y; y0 < rect.y + rect.height; y0 += cell) {
    for (double x0 = rect.x; x0 < rect.x + rect.width; x0 += cell) {
      std::uniform_real_distribution<double> u(0.0, 1.0);
      const int x = std::min(rect.x + rect.width - 1, static_cast<int>(x0 + u(*rng) * cell));
      const int y = std::min(rect.y + rect.height - 1, static_cast<int>(y0 + u(*rng) * cell));
      if (!allowed.empty() && allowed.at<uchar>(y, x) == 0) continue;
      out->push_back({l.at<float>(y, x), dev.at<float>(y, x), ab.at<cv::Vec2f>(y, x)});
    }
  }
}

// Every pixel of `where` (CV_8U, or empty: all) takes the chroma of the
// sample nearest in (L, deviation).
void Transfer(const cv::Mat& l, const cv::Mat& dev, const std::vector<Sample>& samples,
              const cv::Mat& where, cv::Mat* ab) {
  if (samples.empty()) return;
  for (int y = 0; y < l.rows; ++y) {
    const float* lp = l.ptr<float>(y);
    const float* dp = dev.ptr<float>(y);
    const uchar* wp = where.empty() ? nullptr : where.ptr<uchar>(y);
    cv::Vec2f* out = ab->ptr<cv::Vec2f>(y);
    for (int x = 0; x < l.cols; ++x) {
      if (wp != nullptr && wp[x] == 0) continue;
      float best = std::numeric_limits<float>::max();
      const Sample* match = &samples[0];
      for (const Sample& s : samples) {
        const float dl = s.l - lp[x], dd = s.dev - dp[x];
        const float d = dl * dl + dd * dd;
        if (d < best) {
          best = d;
          match = &s;
        }
      }
      out[x] = match->ab;
    }
  }
}

}  // namespace

Status ParseSwatch(const std::string& text, Swatch* swatch) {
  const size_t colon = text.find(':');
  cv::Rect target, reference;
  if (colon == std::string::npos || !ParseRect(text.substr(0, colon), &target).ok() ||
      !ParseRect(text.substr(colon + 1), &reference).ok()) {
    return Status::Error("--swatch '" + text +
                         "': expected TX,TY,TW,TH:RX,RY,RW,RH (target rectangle, then the "
                         "reference's, in pixels)");
  }
  swatch->target = target;
  swatch->reference = reference;
  return Status::Ok();
}

Status CheckSwatches(const ReferenceGuide& reference, cv::Size target_size) {
  for (const Swatch& s : reference.swatches) {
    for (const auto& [rect, size, whose] :
         {std::tuple<cv::Rect, cv::Size, std::string>{s.target, target_size, "the photo"},
          std::tuple<cv::Rect, cv::Size, std::string>{s.reference, reference.bgr.size(),
                                                      "the reference"}}) {
      if (!RectInside(rect, size, 5)) {
        return Status::Error("swatch " + RectText(rect) + " must be at least 5x5 and inside " +
                             whose + " (" + std::to_string(size.width) + "x" +
                             std::to_string(size.height) + ")");
      }
    }
  }
  return Status::Ok();
}

Status WelshTransfer(const cv::Mat& lightness, const ReferenceGuide& reference,
                     const WelshOptions& options, cv::Mat* ab) {
  CV_Assert(lightness.type() == CV_32F);
  if (reference.bgr.empty()) return Status::Error("welsh: no reference photo");
  TINT_RETURN_IF_ERROR(CheckSwatches(reference, lightness.size()));
  cv::Mat ref_l, ref_ab;
  SplitLab(reference.bgr, &ref_l, &ref_ab);
  const cv::Mat dev = WindowDeviation(lightness, options.window);
  *ab = cv::Mat::zeros(lightness.size(), CV_32FC2);
  std::mt19937_64 rng(options.seed);

  // The reference's lightness remapped to the statistics of `target_rect` of
  // the photo, measured over `ref_rect`.
  auto remapped = [&](cv::Rect target_rect, cv::Rect ref_rect) {
    double tm, td, rm, rd;
    MeanDev(lightness(target_rect), &tm, &td);
    MeanDev(ref_l(ref_rect), &rm, &rd);
    const double gain = rd > 1e-6 ? td / rd : 1.0;
    cv::Mat out;
    ref_l.convertTo(out, CV_32F, gain, tm - gain * rm);
    return out;
  };

  if (reference.swatches.empty()) {
    const cv::Mat l = remapped(cv::Rect(0, 0, lightness.cols, lightness.rows),
                               cv::Rect(0, 0, ref_l.cols, ref_l.rows));
    std::vector<Sample> samples;
    JitteredSamples(l, WindowDeviation(l, options.window), ref_ab, cv::Mat(),
                    cv::Rect(0, 0, l.cols, l.rows), options.samples, &rng, &samples);
    Transfer(lightness, dev, samples, cv::Mat(), ab);
    return Status::Ok();
  }
  // Phase 1: each target swatch from its reference swatch.
  cv::Mat coloured = cv::Mat::zeros(lightness.size(), CV_8U);
  for (const Swatch& s : reference.swatches) {
    const cv::Mat l = remapped(s.target, s.reference);
    std::vector<Sample> samples;
    JitteredSamples(l, WindowDeviation(l, options.window), ref_ab, cv::Mat(), s.reference,
                    options.samples, &rng, &samples);
    cv::Mat where = cv::Mat::zeros(lightness.size(), CV_8U);
    where(s.target).setTo(255);
    Transfer(lightness, dev, samples, where, ab);
    coloured(s.target).setTo(255);
  }
  // Phase 2: the rest from the coloured target swatches.
  std::vector<Sample> samples;
  for (const Swatch& s : reference.swatches) {
    JitteredSamples(lightness, dev, *ab, coloured, s.target, options.samples, &rng, &samples);
  }
  cv::Mat rest;
  cv::bitwise_not(coloured, rest);
  Transfer(lightness, dev, samples, rest, ab);
  return Status::Ok();
}

}  // namespace tint
