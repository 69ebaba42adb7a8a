#include "pipeline/explain.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

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

namespace {

// A legend below `picture`: a box of each label's colour and its name, in
// rows of the picture's width.
cv::Mat WithLegend(const cv::Mat& picture, const std::vector<std::string>& names,
                   const std::vector<cv::Vec3b>& colours) {
  const int row = std::max(16, picture.rows / 18);
  const double scale = row / 32.0;
  const int thickness = std::max(1, row / 16);
  std::vector<cv::Point> at;
  int x = 4, y = 0;
  for (const std::string& name : names) {
    int baseline = 0;
    const int w =
        row + 4 +
        cv::getTextSize(name, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline).width +
        row / 2;
    if (x > 4 && x + w > picture.cols) x = 4, y += row;
    at.emplace_back(x, y);
    x += w;
  }
  const int rows = names.empty() ? 0 : y + row;
  cv::Mat out(picture.rows + rows, picture.cols, CV_8UC3, cv::Scalar(255, 255, 255));
  picture.copyTo(out(cv::Rect(0, 0, picture.cols, picture.rows)));
  for (size_t i = 0; i < names.size(); ++i) {
    const cv::Point p(at[i].x, picture.rows + at[i].y);
    const cv::Scalar c(colours[i][0], colours[i][1], colours[i][2]);
    cv::rectangle(out, cv::Rect(p.x, p.y + row / 6, row * 2 / 3, row * 2 / 3), c, cv::FILLED);
    cv::putText(out, names[i], cv::Point(p.x + row * 2 / 3 + 4, p.y + row * 4 / 5),
                cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), thickness, cv::LINE_AA);
  }
  return out;
}

}  // namespace

// Label colours over the grey photo, segment borders in white, and a legend
// of the labels it shows below.
cv::Mat ExplainLabels(const cv::Mat& image, const ColorizeDetails& details) {
  const cv::Mat grey = GreyOf(image);
  if (details.labels.empty()) return grey;
  auto colour_of = [&](int label) -> cv::Vec3b {
    if (label < 0) return {0, 0, 0};
    const std::string& name = details.label_names[label];
    if (name == "none of mine") return {200, 40, 200};
    if (name == "sky") return {235, 160, 60};
    if (name == "building") return {60, 60, 200};
    if (name == "earth") return {40, 110, 150};
    if (name == "vegetation") return {50, 150, 50};
    if (name == "grass") return {60, 215, 150};
    const uint32_t h = static_cast<uint32_t>(std::hash<std::string>()(name));
    return {uint8_t(h), uint8_t(h >> 8), uint8_t(h >> 16)};
  };
  const cv::Mat labels = FieldAtSize(details.labels, grey.size());
  const cv::Mat segments = FieldAtSize(details.segments, grey.size());
  cv::Mat out(grey.size(), CV_8UC3);
  for (int r = 0; r < out.rows; ++r) {
    for (int c = 0; c < out.cols; ++c) {
      const cv::Vec3b g = grey.at<cv::Vec3b>(r, c), l = colour_of(labels.at<int>(r, c));
      cv::Vec3b& o = out.at<cv::Vec3b>(r, c);
      for (int k = 0; k < 3; ++k) o[k] = static_cast<uint8_t>((g[k] + 2 * l[k]) / 3);
      const int s = segments.at<int>(r, c);
      if ((c + 1 < out.cols && segments.at<int>(r, c + 1) != s) ||
          (r + 1 < out.rows && segments.at<int>(r + 1, c) != s)) {
        o = cv::Vec3b(255, 255, 255);
      }
    }
  }
  std::vector<char> shown(details.label_names.size(), 0);
  for (int r = 0; r < labels.rows; ++r) {
    const int* lp = labels.ptr<int>(r);
    for (int c = 0; c < labels.cols; ++c) {
      if (lp[c] >= 0 && lp[c] < static_cast<int>(shown.size())) shown[lp[c]] = 1;
    }
  }
  std::vector<std::string> names;
  std::vector<cv::Vec3b> colours;
  for (size_t l = 0; l < shown.size(); ++l) {
    if (!shown[l]) continue;
    names.push_back(details.label_names[l]);
    colours.push_back(colour_of(static_cast<int>(l)));
  }
  return WithLegend(out, names, colours);
}

cv::Mat ExplainConfidence(const cv::Mat& image, const ColorizeDetails& details) {
  const cv::Mat grey = GreyOf(image);
  if (details.confidence.empty()) return grey;
  cv::Mat level, heat;
  FieldAtSize(details.confidence, grey.size()).convertTo(level, CV_8U, 255.0);
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
