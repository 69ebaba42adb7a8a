#include "core/color.h"

#include <algorithm>

#include <cmath>
#include <vector>

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

inline float SrgbToLinear(float c) {
  return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

// The sRGB curve for the 256 values of an 8-bit channel.
const float* SrgbToLinear8() {
  static const auto* table = [] {
    auto* t = new float[256];
    for (int v = 0; v < 256; ++v) t[v] = SrgbToLinear(static_cast<float>(v) / 255.0f);
    return t;
  }();
  return table;
}

// CIE f(t) of L*a*b*, with OpenCV's constants.
inline float LabF(float t) { return t > 0.008856f ? std::cbrt(t) : 7.787f * t + 16.0f / 116.0f; }

// Relative luminance Y of one linear RGB colour (sRGB primaries, D65 white:
// OpenCV's matrix).
inline float LuminanceY(float r, float g, float b) {
  return 0.212671f * r + 0.715160f * g + 0.072169f * b;
}

// CIE L of luminance y, given fy = LabF(y).
inline float LightnessOf(float y, float fy) {
  return y > 0.008856f ? 116.0f * fy - 16.0f : 903.3f * y;
}

// L, a, b of one linear RGB colour (OpenCV's matrix and constants).
inline void LinearRgbToLab(float r, float g, float b, float* lab) {
  const float x = (0.412453f * r + 0.357580f * g + 0.180423f * b) / kXn;
  const float y = LuminanceY(r, g, b);
  const float z = (0.019334f * r + 0.119193f * g + 0.950227f * b) / kZn;
  const float fy = LabF(y);
  lab[0] = LightnessOf(y, fy);
  lab[1] = 500.0f * (LabF(x) - fy);
  lab[2] = 200.0f * (fy - LabF(z));
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
  // The formulas, not cv::cvtColor: OpenCV's Lab conversion first fills its
  // interpolation tables with soft-float arithmetic, about 60 ms of every
  // process's start, and then interpolates the curves; this is
  // exact, and the 8-bit case (almost every photo) looks the curve up.
  const bool bytes = image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3);
  const cv::Mat src = bytes ? image : ToFloatBgr(image);
  cv::Mat l(src.size(), CV_32F), chroma;
  if (ab != nullptr) chroma.create(src.size(), CV_32FC2);
  const float* curve = SrgbToLinear8();
  cv::parallel_for_(cv::Range(0, src.rows), [&](const cv::Range& range) {
    float lab[3];
    for (int r = range.start; r < range.end; ++r) {
      float* lp = l.ptr<float>(r);
      cv::Vec2f* abp = ab != nullptr ? chroma.ptr<cv::Vec2f>(r) : nullptr;
      for (int c = 0; c < src.cols; ++c) {
        float red, green, blue;
        if (!bytes) {
          const cv::Vec3f& p = src.ptr<cv::Vec3f>(r)[c];
          blue = SrgbToLinear(p[0]), green = SrgbToLinear(p[1]), red = SrgbToLinear(p[2]);
        } else if (src.channels() == 3) {
          const uint8_t* p = src.ptr<uint8_t>(r) + 3 * c;
          blue = curve[p[0]], green = curve[p[1]], red = curve[p[2]];
        } else {
          blue = green = red = curve[src.ptr<uint8_t>(r)[c]];
        }
        if (abp == nullptr) {
          const float y = LuminanceY(red, green, blue);
          lp[c] = LightnessOf(y, LabF(y));
          continue;
        }
        LinearRgbToLab(red, green, blue, lab);
        lp[c] = lab[0];
        abp[c] = cv::Vec2f(lab[1], lab[2]);
      }
    }
  });
  *lightness = l;
  if (ab != nullptr) *ab = chroma;
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

cv::Mat GreyLuma(const cv::Mat& lightness) {
  TINT_CHECK(lightness.type() == CV_32F, "lightness must be CV_32F");
  cv::Mat grey(lightness.size(), CV_32FC3);
  for (int r = 0; r < lightness.rows; ++r) {
    const float* lp = lightness.ptr<float>(r);
    cv::Vec3f* gp = grey.ptr<cv::Vec3f>(r);
    for (int c = 0; c < lightness.cols; ++c) {
      const float l = std::min(100.0f, std::max(0.0f, lp[c]));
      gp[c] = cv::Vec3f(l, 0.0f, 0.0f);
    }
  }
  cv::Mat bgr;
  cv::cvtColor(grey, bgr, cv::COLOR_Lab2BGR);  // sRGB-encoded, 0..1
  cv::Mat planes[3];
  cv::split(bgr, planes);
  cv::Mat luma;
  planes[1].convertTo(luma, CV_32F, 100.0);  // grey: B = G = R = Y'
  return luma;
}

cv::Mat UvToAb(const cv::Mat& luma, const cv::Mat& uv) {
  TINT_CHECK(luma.type() == CV_32F, "luma must be CV_32F");
  TINT_CHECK(uv.type() == CV_32FC2 && uv.size() == luma.size(),
             "uv must be CV_32FC2 of the luma's size");
  cv::Mat yuv(luma.size(), CV_32FC3);
  for (int r = 0; r < luma.rows; ++r) {
    const float* yp = luma.ptr<float>(r);
    const cv::Vec2f* up = uv.ptr<cv::Vec2f>(r);
    cv::Vec3f* op = yuv.ptr<cv::Vec3f>(r);
    for (int c = 0; c < luma.cols; ++c) {
      op[c] = cv::Vec3f(yp[c] / 100.0f, up[c][0] + 0.5f, up[c][1] + 0.5f);
    }
  }
  cv::Mat bgr, lab;
  cv::cvtColor(yuv, bgr, cv::COLOR_YUV2BGR);
  cv::min(cv::max(bgr, 0.0), 1.0, bgr);
  cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);
  cv::Mat planes[3];
  cv::split(lab, planes);
  cv::Mat ab;
  cv::merge(std::vector<cv::Mat>{planes[1], planes[2]}, ab);
  return ab;
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
