#include "cnn/decoder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tint {
std::string BlobShapeText(const cv::Mat& m) {
  std::string s = "(";
  for (int i = 0; i < m.dims; ++i) s += (i ? ", " : "") + std::to_string(m.size[i]);
  return s + ")";
}

Status DecodeBins(const cv::Mat& scores, const cv::Mat& centres, double temperature, bool logits,
                  cv::Mat* ab) {
  if (scores.dims != 4 || scores.size[0] != 1 || scores.type() != CV_32F) {
    return Status::Error("network output " + BlobShapeText(scores) +
                         " is not a (1, K, h, w) float blob");
  }
  const int k = scores.size[1], h = scores.size[2], w = scores.size[3];
  if (centres.dims != 2 || centres.rows != k || centres.cols != 2 || centres.type() != CV_32F) {
    return Status::Error("network output has " + std::to_string(k) +
                         " channels but the decoder has " +
                         std::to_string(centres.dims == 2 ? centres.rows : 0) + " (a, b) centres");
  }
  if (!(temperature > 0.0)) return Status::Error("annealed-mean temperature must be positive");
  const float inv_t = static_cast<float>(1.0 / temperature);
  const size_t plane = static_cast<size_t>(h) * w;
  const float* src = scores.ptr<float>();
  const float* c = centres.ptr<float>();
  ab->create(h, w, CV_32FC2);
  cv::Mat out = *ab;
  cv::parallel_for_(cv::Range(0, h), [&](const cv::Range& rows) {
    std::vector<float> e(k);
    for (int y = rows.start; y < rows.end; ++y) {
      cv::Vec2f* row = out.ptr<cv::Vec2f>(y);
      for (int x = 0; x < w; ++x) {
        const size_t at = static_cast<size_t>(y) * w + x;
        // Work in the log domain: s_k = z_k / T or log(p_k) / T.
        float top = -std::numeric_limits<float>::infinity();
        for (int i = 0; i < k; ++i) {
          float v = src[i * plane + at];
          float s = logits
                        ? v * inv_t
                        : (v > 0.f ? std::log(v) * inv_t : -std::numeric_limits<float>::infinity());
          e[i] = s;
          top = std::max(top, s);
        }
        double sum = 0, a = 0, b = 0;
        if (std::isfinite(top)) {
          for (int i = 0; i < k; ++i) {
            double q = std::exp(static_cast<double>(e[i] - top));
            sum += q;
            a += q * c[2 * i];
            b += q * c[2 * i + 1];
          }
        }
        row[x] = sum > 0 ? cv::Vec2f(static_cast<float>(a / sum), static_cast<float>(b / sum))
                         : cv::Vec2f(0, 0);
      }
    }
  });
  return Status::Ok();
}

Status DecodeAb(const cv::Mat& blob, double scale, cv::Mat* ab) {
  if (blob.dims != 4 || blob.size[0] != 1 || blob.size[1] != 2 || blob.type() != CV_32F) {
    return Status::Error("network output " + BlobShapeText(blob) +
                         " is not a (1, 2, h, w) float blob of (a, b)");
  }
  const int h = blob.size[2], w = blob.size[3];
  cv::Mat a(h, w, CV_32F, const_cast<float*>(blob.ptr<float>()));
  cv::Mat b(h, w, CV_32F, const_cast<float*>(blob.ptr<float>()) + static_cast<size_t>(h) * w);
  cv::Mat planes[] = {a * scale, b * scale};
  cv::merge(planes, 2, *ab);
  return Status::Ok();
}

}  // namespace tint
