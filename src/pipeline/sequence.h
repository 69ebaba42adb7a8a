// Keyframe video: the grey frames of a clip coloured one after
// another from a colour keyframe, through a method that takes a reference
// photo (welsh, classic), with a temporal term against flicker.
//
// Frame t's chroma is first the method's from the reference (the keyframe,
// or with from_previous the coloured frame t - 1). The temporal term then
// pulls it towards frame t - 1's output carried along the motion: dense
// optical flow from frame t to t - 1 (OpenCV's DIS on L) warps the previous
// chroma and L, and where the warped L agrees with frame t's (weight
// exp(-dL^2 / 2 sigma^2)) the chroma becomes
//   (1 - temporal * weight) * ab_t + temporal * weight * warped ab_{t-1},
// a recursive filter that follows the scene's motion.
#pragma once

#include <opencv2/core.hpp>

#include "core/status.h"
#include "guide/reference.h"
#include "pipeline/colorizer.h"

namespace tint {

struct SequenceOptions {
  double temporal = 0.5;       // 0: each frame alone; up to 0.95
  double temporal_sigma = 6;   // L units
  bool from_previous = false;  // reference: the previous coloured frame (after the first)
  bool Check(std::string* error) const;
};

class SequenceColorizer {
 public:
  // `colorizer` must take a reference photo and outlive this object.
  SequenceColorizer(const Colorizer& colorizer, cv::Mat keyframe_bgr,
                    const SequenceOptions& options);
  // The next frame (any image of the keyframe's size) in colour, L kept.
  Status Next(const cv::Mat& frame, cv::Mat* bgr8, ColorizeDetails* details = nullptr);

 private:
  const Colorizer& colorizer_;
  ReferenceGuide keyframe_;
  SequenceOptions options_;
  cv::Mat previous_l_, previous_ab_, previous_bgr8_;
};

}  // namespace tint
