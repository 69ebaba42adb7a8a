// One photo through a method: lightness in, the guide's reference and
// strokes applied, the original L joined with the chroma, the post-step.
#pragma once

#include <opencv2/core.hpp>

#include "guide/hints.h"
#include "guide/reference.h"
#include "pipeline/colorizer.h"
#include "transfer/transfer.h"

namespace tint {

// What a user gives beside a photo to steer its colours.
struct PhotoGuide {
  const ReferenceGuide* reference = nullptr;  // a reference photo (--reference)
  const Hints* hints = nullptr;  // strokes (--hints), propagated over the method's output
  HintOptions hint_options;
};

// Reads the lightness of any image, colorizes it (from the guide's reference
// when given), corrects the chroma by the
// guide's strokes when given, joins the original L with the chroma
// (gamut-safe) and applies the post-step.
Status ColorizePhoto(const Colorizer& colorizer, const PostOptions& post, const cv::Mat& image,
                     cv::Mat* bgr8, ColorizeDetails* details = nullptr,
                     const PhotoGuide* guide = nullptr);

}  // namespace tint
