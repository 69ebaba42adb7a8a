// Deep neighbourhood vectors: what a pretrained backbone sees around each
// pixel. The network (models/tint-deep/features.onnx, exported by
// experiments/cnn/export_deep_features.py) maps L to the MobileNetV2
// hypercolumn at 1/4 of the photo, standardized and projected on its first
// kDeepDimension principal components (fitted on training photos only); a
// pixel's vector is that map read bilinearly at its centre and
// unit-normalized. Photos whose longest side exceeds kDeepMaxSide are seen
// by the network at that side.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

constexpr int kDeepDimension = 32;
constexpr int kDeepMaxSide = 640;

// The network's output for one image: kDeepDimension planes of rows x cols
// cells, `scale` cells per image pixel.
struct DeepMap {
  cv::Mat planes;  // CV_32F, (kDeepDimension * rows) x cols, plane after plane
  int rows = 0, cols = 0;
  double scale = 0.25;
  // The vector at image pixel (x, y) (pixel centres; clamped at the border),
  // unit-normalized, into out[0..kDeepDimension).
  void Sample(double x, double y, float* out) const;
};

// Loads the network once: after a success, later calls return at once
// (one network per process); a failure (the file missing, unreadable or of
// another output size: a one-line error) is tried again by the next call.
// Thread-safe.
Status LoadDeepFeatures(const std::string& path);
// The map of `lightness` (CV_32F, 0..100). LoadDeepFeatures must have
// succeeded. The network runs one image at a time (a lock), so maps are the
// same bytes whatever the caller's threads.
DeepMap ComputeDeepMap(const cv::Mat& lightness);

}  // namespace tint
