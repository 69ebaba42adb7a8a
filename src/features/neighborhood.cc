#include "features/neighborhood.h"

#include <cmath>

#include <opencv2/core/utility.hpp>

#include "core/status.h"

namespace tint {

bool NeighborhoodOptions::Check(std::string* error) const {
  if (window < 3 || window > 31 || window % 2 == 0) {
    *error = "window must be odd and in 3..31, got " + std::to_string(window);
    return false;
  }
  if (!(position_weight >= 0 && position_weight <= 100)) {
    *error = "position_weight must be in 0..100";
    return false;
  }
  if (!(statistics_weight >= 0 && statistics_weight <= 100)) {
    *error = "statistics_weight must be in 0..100";
    return false;
  }
  return true;
}

const char* ToString(VectorNormalization n) {
  switch (n) {
    case VectorNormalization::kRaw: return "raw";
    case VectorNormalization::kZeroMean: return "zero-mean";
    case VectorNormalization::kUnitNorm: return "unit-norm";
  }
  return "?";
}

bool ParseVectorNormalization(const std::string& text, VectorNormalization* n) {
  for (auto v : {VectorNormalization::kRaw, VectorNormalization::kZeroMean, VectorNormalization::kUnitNorm}) {
    if (text == ToString(v)) {
      *n = v;
      return true;
    }
  }
  return false;
}

void ComputeNeighborhoodVectors(const NeighborhoodOptions& options, const cv::Mat& lightness,
                                const std::vector<cv::Point>& points, cv::Mat* vectors,
                                const PositionFrame& frame) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(lightness.type() == CV_32F && !lightness.empty(), "lightness must be non-empty CV_32F");
  const int h = options.window / 2;
  const int area = options.window * options.window;
  const int dim = options.Dimension();
  cv::Mat padded;
  cv::copyMakeBorder(lightness, padded, h, h, h, h, cv::BORDER_REFLECT_101);
  vectors->create(static_cast<int>(points.size()), dim, CV_32F);
  const float stat_scale = static_cast<float>(options.statistics_weight * std::sqrt(double(area)) / 100.0);
  const double frame_height = frame.frame_height > 0 ? frame.frame_height : lightness.rows;
  const float pos_scale = static_cast<float>(options.position_weight * std::sqrt(double(area)));
  const int stats_dims = options.append_statistics ? 2 : 0;
  for (const cv::Point& p : points) {
    TINT_CHECK(p.x >= 0 && p.y >= 0 && p.x < lightness.cols && p.y < lightness.rows,
               "point (" << p.x << "," << p.y << ") outside the image");
  }

  cv::parallel_for_(cv::Range(0, static_cast<int>(points.size())), [&](const cv::Range& range) {
    for (int i = range.start; i < range.end; ++i) {
      const cv::Point p = points[i];
      float* out = vectors->ptr<float>(i);
      double sum = 0, sum2 = 0;
      int k = 0;
      for (int dy = 0; dy < options.window; ++dy) {
        const float* row = padded.ptr<float>(p.y + dy) + p.x;
        for (int dx = 0; dx < options.window; ++dx, ++k) {
          out[k] = row[dx];
          sum += row[dx];
          sum2 += double(row[dx]) * row[dx];
        }
      }
      const float mean = static_cast<float>(sum / area);
      const float sd = static_cast<float>(std::sqrt(std::max(0.0, sum2 / area - double(mean) * mean)));
      switch (options.normalization) {
        case VectorNormalization::kRaw:
          for (k = 0; k < area; ++k) out[k] *= 0.01f;
          break;
        case VectorNormalization::kZeroMean:
          for (k = 0; k < area; ++k) out[k] = (out[k] - mean) * 0.01f;
          break;
        case VectorNormalization::kUnitNorm: {
          double norm2 = 0;
          for (k = 0; k < area; ++k) {
            out[k] -= mean;
            norm2 += double(out[k]) * out[k];
          }
          const float inv = norm2 > 1e-12 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
          for (k = 0; k < area; ++k) out[k] *= inv;
          break;
        }
      }
      if (options.append_statistics) {
        out[area] = mean * stat_scale;
        out[area + 1] = sd * stat_scale;
      }
      if (options.position_weight > 0) {
        out[area + stats_dims] = pos_scale * static_cast<float>((frame.offset_y + p.y + 0.5) / frame_height);
      }
    }
  });
}

void ComputeNeighborhoodVectors(const NeighborhoodOptions& options, const cv::Mat& lightness,
                                const cv::Mat& mask, cv::Mat* vectors, std::vector<cv::Point>* points) {
  TINT_CHECK(mask.empty() || (mask.type() == CV_8U && mask.size() == lightness.size()),
             "mask must be CV_8U of the image size");
  points->clear();
  points->reserve(lightness.total());
  for (int r = 0; r < lightness.rows; ++r) {
    const uint8_t* m = mask.empty() ? nullptr : mask.ptr<uint8_t>(r);
    for (int c = 0; c < lightness.cols; ++c) {
      if (m == nullptr || m[c] != 0) points->emplace_back(c, r);
    }
  }
  ComputeNeighborhoodVectors(options, lightness, *points, vectors);
}

}  // namespace tint
