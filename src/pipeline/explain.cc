#include "pipeline/explain.h"

#include <algorithm>
#include <functional>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/color.h"

namespace tint {
namespace {

// The photo's lightness alone, as 8-bit BGR: what every picture starts from.
cv::Mat GreyOf(const cv::Mat& image) {
  const cv::Mat lightness = ComputeLightness(image);
  return JoinLab(lightness, cv::Mat(lightness.size(), CV_32FC2, cv::Scalar(0, 0)));
}

}  // namespace

// Grey input | colour output, side by side with a white gap.
cv::Mat SideBySide(const cv::Mat& image, const cv::Mat& colour) {
  const cv::Mat grey = GreyOf(image);
  const int gap = std::max(4, image.cols / 100);
  cv::Mat out(colour.rows, 2 * colour.cols + gap, CV_8UC3, cv::Scalar(255, 255, 255));
  grey.copyTo(out(cv::Rect(0, 0, grey.cols, grey.rows)));
  colour.copyTo(out(cv::Rect(grey.cols + gap, 0, colour.cols, colour.rows)));
  return out;
}

// Label colours over the grey photo, segment borders in white.
cv::Mat ExplainLabels(const cv::Mat& image, const ColorizeDetails& details) {
  const cv::Mat grey = GreyOf(image);
  if (details.labels.empty()) return grey;
  auto colour_of = [&](int label) -> cv::Vec3b {
    if (label < 0) return {0, 0, 0};
    const std::string& name = details.label_names[label];
    if (name == "sky") return {235, 160, 60};
    if (name == "building") return {60, 60, 200};
    if (name == "earth") return {40, 110, 150};
    if (name == "vegetation" || name == "grass") return {60, 180, 60};
    const uint32_t h = static_cast<uint32_t>(std::hash<std::string>()(name));
    return {uint8_t(h), uint8_t(h >> 8), uint8_t(h >> 16)};
  };
  cv::Mat out(grey.size(), CV_8UC3);
  for (int r = 0; r < out.rows; ++r) {
    for (int c = 0; c < out.cols; ++c) {
      const cv::Vec3b g = grey.at<cv::Vec3b>(r, c), l = colour_of(details.labels.at<int>(r, c));
      cv::Vec3b& o = out.at<cv::Vec3b>(r, c);
      for (int k = 0; k < 3; ++k) o[k] = static_cast<uint8_t>((g[k] + 2 * l[k]) / 3);
      const int s = details.segments.at<int>(r, c);
      if ((c + 1 < out.cols && details.segments.at<int>(r, c + 1) != s) ||
          (r + 1 < out.rows && details.segments.at<int>(r + 1, c) != s)) {
        o = cv::Vec3b(255, 255, 255);
      }
    }
  }
  return out;
}

cv::Mat ExplainConfidence(const cv::Mat& image, const ColorizeDetails& details) {
  const cv::Mat grey = GreyOf(image);
  if (details.confidence.empty()) return grey;
  cv::Mat level, heat;
  details.confidence.convertTo(level, CV_8U, 255.0);
  cv::applyColorMap(level, heat, cv::COLORMAP_VIRIDIS);
  cv::Mat blend;
  cv::addWeighted(grey, 0.3, heat, 0.7, 0.0, blend);
  // Key: a strip from 0 to 1 with its ends named.
  const int key_rows = std::max(14, image.rows / 20);
  cv::Mat out(blend.rows + key_rows, blend.cols, CV_8UC3, cv::Scalar(255, 255, 255));
  blend.copyTo(out(cv::Rect(0, 0, blend.cols, blend.rows)));
  cv::Mat ramp(1, blend.cols, CV_8U);
  for (int c = 0; c < ramp.cols; ++c)
    ramp.at<uint8_t>(c) = cv::saturate_cast<uint8_t>(255.0 * c / std::max(1, ramp.cols - 1));
  cv::Mat ramp_colour, key;
  cv::applyColorMap(ramp, ramp_colour, cv::COLORMAP_VIRIDIS);
  cv::repeat(ramp_colour, key_rows, 1, key);
  key.copyTo(out(cv::Rect(0, blend.rows, blend.cols, key_rows)));
  const double scale = key_rows / 30.0;
  const int baseline = blend.rows + key_rows - key_rows / 4;
  cv::putText(out, "confidence 0", cv::Point(4, baseline), cv::FONT_HERSHEY_SIMPLEX, scale,
              cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  int base = 0;
  const cv::Size one = cv::getTextSize("1", cv::FONT_HERSHEY_SIMPLEX, scale, 1, &base);
  cv::putText(out, "1", cv::Point(out.cols - one.width - 4, baseline), cv::FONT_HERSHEY_SIMPLEX,
              scale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  return out;
}

}  // namespace tint
