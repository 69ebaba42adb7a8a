#include "core/color.h"

#include <algorithm>

#include <cmath>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "core/status.h"

namespace tint {
namespace {

// D65 reference white used by OpenCV's Lab conversion.
constexpr float kXn = 0.950456f;
constexpr float kZn = 1.088754f;

inline float FInv(float t) {
  constexpr float kDelta = 6.0f / 29.0f;
  return t > kDelta ? t * t * t : 3.0f * kDelta * kDelta * (t - 4.0f / 29.0f);
}

inline float LinearToSrgb(float c) {
  return c <= 0.0031308f ? 12.92f * c : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
}

// Linear RGB of one Lab colour.
inline void LabToLinearRgb(float l, float a, float b, float rgb[3]) {
  const float fy = (l + 16.0f) / 116.0f;
  const float fx = fy + a / 500.0f;
  const float fz = fy - b / 200.0f;
  const float x = kXn * FInv(fx), y = FInv(fy), z = kZn * FInv(fz);
  rgb[0] = 3.240479f * x - 1.53715f * y - 0.498535f * z;
  rgb[1] = -0.969256f * x + 1.875991f * y + 0.041556f * z;
  rgb[2] = 0.055648f * x - 0.204043f * y + 1.057311f * z;
}

inline bool InGamut(const float rgb[3]) {
  constexpr float kEps = 1e-5f;
  return rgb[0] >= -kEps && rgb[0] <= 1 + kEps && rgb[1] >= -kEps && rgb[1] <= 1 + kEps &&
         rgb[2] >= -kEps && rgb[2] <= 1 + kEps;
}

}  // namespace

cv::Mat ToFloatBgr(const cv::Mat& image) {
  TINT_CHECK(!image.empty(), "empty image");
  cv::Mat bgr;
  switch (image.channels()) {
    case 1:
      cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
      break;
    case 2: {
      cv::Mat grey;
      cv::extractChannel(image, grey, 0);
      cv::cvtColor(grey, bgr, cv::COLOR_GRAY2BGR);
      break;
    }
    case 3:
      bgr = image;
      break;
    case 4:
      cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
      break;
    default:
      TINT_CHECK(false, "unsupported channel count " << image.channels());
  }
  cv::Mat out;
  double scale = 1.0;
  switch (image.depth()) {
    case CV_8U:
      scale = 1.0 / 255.0;
      break;
    case CV_16U:
      scale = 1.0 / 65535.0;
      break;
    case CV_8S:
      scale = 1.0 / 127.0;
      break;
    case CV_16S:
      scale = 1.0 / 32767.0;
      break;
    default:
      scale = 1.0;
      break;
  }
  bgr.convertTo(out, CV_32F, scale);
  if (image.depth() == CV_32F || image.depth() == CV_64F) {
    cv::min(cv::max(out, 0.0), 1.0, out);
  }
  return out;
}

void SplitLab(const cv::Mat& image, cv::Mat* lightness, cv::Mat* ab) {
  cv::Mat lab;
  cv::cvtColor(ToFloatBgr(image), lab, cv::COLOR_BGR2Lab);
  cv::Mat planes[3];
  cv::split(lab, planes);
  *lightness = planes[0];
  if (ab != nullptr) cv::merge(&planes[1], 2, *ab);
}

namespace {

// Calls fn with consecutive row ranges of about 1 Mpx covering `size`, so
// that per-strip temporaries stay small at any photo size.
template <typename Fn>
void ForEachRowStrip(cv::Size size, Fn fn) {
  constexpr int kStripPixels = 1 << 20;
  const int strip_rows = std::max(1, kStripPixels / std::max(1, size.width));
  for (int r = 0; r < size.height; r += strip_rows)
    fn(cv::Range(r, std::min(size.height, r + strip_rows)));
}

}  // namespace

cv::Mat ComputeLightness(const cv::Mat& image) {
  TINT_CHECK(!image.empty(), "empty image");
  // In strips, so that a 12 Mpx photo never has its float BGR and Lab copies
  // (2 x 144 MB) in memory at once; each row's L is the same as from one
  // whole-image conversion.
  cv::Mat l(image.size(), CV_32F);
  ForEachRowStrip(image.size(), [&](const cv::Range& rows) {
    cv::Mat strip_l;
    SplitLab(image.rowRange(rows), &strip_l, nullptr);
    strip_l.copyTo(l.rowRange(rows));
  });
  return l;
}

void ComputeYuv(const cv::Mat& image, cv::Mat* y, cv::Mat* u, cv::Mat* v) {
  cv::Mat yuv;
  cv::cvtColor(ToFloatBgr(image), yuv, cv::COLOR_BGR2YUV);
  cv::Mat planes[3];
  cv::split(yuv, planes);
  *y = planes[0];
  *u = planes[1] - 0.5;  // OpenCV offsets U and V by half the range for float too.
  *v = planes[2] - 0.5;
}

cv::Mat JoinLabFloat(const cv::Mat& lightness, const cv::Mat& ab) {
  TINT_CHECK(lightness.type() == CV_32F, "lightness must be CV_32F");
  TINT_CHECK(ab.type() == CV_32FC2 && ab.size() == lightness.size(),
             "ab must be CV_32FC2 of the same size");
  cv::Mat out(lightness.size(), CV_32FC3);
  cv::parallel_for_(cv::Range(0, lightness.rows), [&](const cv::Range& range) {
    for (int r = range.start; r < range.end; ++r) {
      const float* lp = lightness.ptr<float>(r);
      const cv::Vec2f* abp = ab.ptr<cv::Vec2f>(r);
      cv::Vec3f* op = out.ptr<cv::Vec3f>(r);
      for (int c = 0; c < lightness.cols; ++c) {
        const float l = std::min(100.0f, std::max(0.0f, lp[c]));
        float a = abp[c][0], b = abp[c][1];
        float rgb[3];
        LabToLinearRgb(l, a, b, rgb);
        if (!InGamut(rgb)) {
          // Largest scale s in [0, 1] with (L, s*a, s*b) inside the gamut;
          // s = 0 (grey) always is.
          float lo = 0.0f, hi = 1.0f;
          for (int it = 0; it < 14; ++it) {
            const float mid = 0.5f * (lo + hi);
            LabToLinearRgb(l, mid * a, mid * b, rgb);
            (InGamut(rgb) ? lo : hi) = mid;
          }
          LabToLinearRgb(l, lo * a, lo * b, rgb);
        }
        for (int k = 0; k < 3; ++k) rgb[k] = LinearToSrgb(std::min(1.0f, std::max(0.0f, rgb[k])));
        op[c] = cv::Vec3f(rgb[2], rgb[1], rgb[0]);
      }
    }
  });
  return out;
}

cv::Mat JoinLab(const cv::Mat& lightness, const cv::Mat& ab) {
  TINT_CHECK(lightness.type() == CV_32F, "lightness must be CV_32F");
  TINT_CHECK(ab.type() == CV_32FC2 && ab.size() == lightness.size(),
             "ab must be CV_32FC2 of the same size");
  // In strips: the float image would be 144 MB for 12 Mpx.
  cv::Mat out(lightness.size(), CV_8UC3);
  ForEachRowStrip(lightness.size(), [&](const cv::Range& rows) {
    JoinLabFloat(lightness.rowRange(rows), ab.rowRange(rows))
        .convertTo(out.rowRange(rows), CV_8UC3, 255.0);
  });
  return out;
}

}  // namespace tint
