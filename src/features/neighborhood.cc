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
    case VectorNormalization::kRaw:
      return "raw";
    case VectorNormalization::kZeroMean:
      return "zero-mean";
    case VectorNormalization::kUnitNorm:
      return "unit-norm";
  }
  return "?";
}

bool ParseVectorNormalization(const std::string& text, VectorNormalization* n) {
  for (auto v : {VectorNormalization::kRaw, VectorNormalization::kZeroMean,
                 VectorNormalization::kUnitNorm}) {
    if (text == ToString(v)) {
      *n = v;
      return true;
    }
  }
  return false;
}

NeighborhoodExtractor::NeighborhoodExtractor(const NeighborhoodOptions& options,
                                             const cv::Mat& lightness, const PositionFrame& frame)
    : options_(options), size_(lightness.size()), frame_(frame) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(lightness.type() == CV_32F && !lightness.empty(),
             "lightness must be non-empty CV_32F");
  if (options.kind == FeatureKind::kDeep) {
    deep_ = frame.source_deep != nullptr
                ? frame.source_deep
                : std::make_shared<const DeepMap>(ComputeDeepMap(lightness));
    return;
  }
  const int h = options.window / 2;
  cv::copyMakeBorder(lightness, padded_, h, h, h, h, cv::BORDER_REFLECT_101);
}

void NeighborhoodExtractor::ComputeDeep(const cv::Point* points, int n, cv::Mat* vectors) const {
  const double frame_height = frame_.frame_height > 0 ? frame_.frame_height : size_.height;
  const float pos_scale = static_cast<float>(options_.position_weight);
  cv::parallel_for_(cv::Range(0, n), [&](const cv::Range& range) {
    for (int i = range.start; i < range.end; ++i) {
      const cv::Point p = points[i];
      float* out = vectors->ptr<float>(i);
      // In the source's map, at the crop's place in it; else in the image's own.
      const bool source = frame_.source_deep != nullptr;
      deep_->Sample((source ? frame_.offset_x : 0) + p.x, (source ? frame_.offset_y : 0) + p.y,
                    out);
      if (options_.position_weight > 0) {
        out[kDeepDimension] =
            pos_scale * static_cast<float>((frame_.offset_y + p.y + 0.5) / frame_height);
      }
    }
  });
}

void NeighborhoodExtractor::Compute(const cv::Point* points, int n, cv::Mat* vectors) const {
  const int window = options_.window;
  const int area = window * window;
  const int dim = options_.Dimension();
  vectors->create(n, dim, CV_32F);
  const float stat_scale =
      static_cast<float>(options_.statistics_weight * std::sqrt(double(area)) / 100.0);
  const double frame_height = frame_.frame_height > 0 ? frame_.frame_height : size_.height;
  const float pos_scale = static_cast<float>(options_.position_weight * std::sqrt(double(area)));
  const int stats_dims = options_.append_statistics ? 2 : 0;
  for (int i = 0; i < n; ++i) {
    const cv::Point p = points[i];
    TINT_CHECK(p.x >= 0 && p.y >= 0 && p.x < size_.width && p.y < size_.height,
               "point (" << p.x << "," << p.y << ") outside the image");
  }
  if (deep_ != nullptr) return ComputeDeep(points, n, vectors);
  const VectorNormalization normalization = options_.normalization;
  // Blocks of 1024 points per task: per-point tasks cost more than the work.
  constexpr int kBlock = 1024;
  cv::parallel_for_(cv::Range(0, (n + kBlock - 1) / kBlock), [&](const cv::Range& range) {
    for (int i = range.start * kBlock; i < std::min(n, range.end * kBlock); ++i) {
      const cv::Point p = points[i];
      float* out = vectors->ptr<float>(i);
      double sum = 0, sum2 = 0;
      for (int dy = 0; dy < window; ++dy) {
        const float* row = padded_.ptr<float>(p.y + dy) + p.x;
        float* o = out + dy * window;
        for (int dx = 0; dx < window; ++dx) {
          const float v = row[dx];
          o[dx] = v;
          sum += v;
          sum2 += double(v) * v;
        }
      }
      const float mean = static_cast<float>(sum / area);
      const float sd =
          static_cast<float>(std::sqrt(std::max(0.0, sum2 / area - double(mean) * mean)));
      switch (normalization) {
        case VectorNormalization::kRaw:
          for (int k = 0; k < area; ++k) out[k] *= 0.01f;
          break;
        case VectorNormalization::kZeroMean:
          for (int k = 0; k < area; ++k) out[k] = (out[k] - mean) * 0.01f;
          break;
        case VectorNormalization::kUnitNorm: {
          double norm2 = 0;
          for (int k = 0; k < area; ++k) {
            out[k] -= mean;
            norm2 += double(out[k]) * out[k];
          }
          const float inv = norm2 > 1e-12 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
          for (int k = 0; k < area; ++k) out[k] *= inv;
          break;
        }
      }
      if (stats_dims > 0) {
        out[area] = mean * stat_scale;
        out[area + 1] = sd * stat_scale;
      }
      if (options_.position_weight > 0) {
        out[area + stats_dims] =
            pos_scale * static_cast<float>((frame_.offset_y + p.y + 0.5) / frame_height);
      }
    }
  });
}

void ComputeNeighborhoodVectors(const NeighborhoodOptions& options, const cv::Mat& lightness,
                                const std::vector<cv::Point>& points, cv::Mat* vectors,
                                const PositionFrame& frame) {
  NeighborhoodExtractor(options, lightness, frame)
      .Compute(points.data(), static_cast<int>(points.size()), vectors);
}

void ComputeNeighborhoodVectors(const NeighborhoodOptions& options, const cv::Mat& lightness,
                                const cv::Mat& mask, cv::Mat* vectors,
                                std::vector<cv::Point>* points) {
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
