// Pictures that explain a run (tint colorize --side-by-side, --explain).
#pragma once

#include <opencv2/core.hpp>

#include "pipeline/colorizer.h"

namespace tint {

// Grey input | colour output, side by side with a white gap.
cv::Mat SideBySide(const cv::Mat& image, const cv::Mat& colour);

// Label colours over the grey photo, segment borders in white; the grey
// photo when the run has no labels.
cv::Mat ExplainLabels(const cv::Mat& image, const ColorizeDetails& details);

// Confidence (details.confidence, 0..1) as a colour map (viridis: dark blue
// = 0, yellow = 1) over the grey photo, with a key strip below; the grey
// photo when the run has no confidence.
cv::Mat ExplainConfidence(const cv::Mat& image, const ColorizeDetails& details);

}  // namespace tint
