#include "pipeline/sequence.h"

#include <cmath>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "core/color.h"
#include "guide/reference.h"

namespace tint {

bool SequenceOptions::Check(std::string* error) const {
  if (!(temporal >= 0 && temporal <= 0.95)) {
    *error = "--temporal must be in 0..0.95";
    return false;
  }
  if (!(temporal_sigma > 0 && temporal_sigma <= 100)) {
    *error = "the temporal sigma must be in (0, 100]";
    return false;
  }
  return true;
}

SequenceColorizer::SequenceColorizer(const Colorizer& colorizer, cv::Mat keyframe_bgr,
                                     const SequenceOptions& options)
    : colorizer_(colorizer), options_(options) {
  keyframe_.bgr = std::move(keyframe_bgr);
  keyframe_.what = "the keyframe";
}

Status SequenceColorizer::Next(const cv::Mat& frame, cv::Mat* bgr8, ColorizeDetails* details) {
  if (frame.size() != keyframe_.bgr.size()) {
    return Status::Error("the frame is " + std::to_string(frame.cols) + "x" +
                         std::to_string(frame.rows) + " but the keyframe is " +
                         std::to_string(keyframe_.bgr.cols) + "x" +
                         std::to_string(keyframe_.bgr.rows));
  }
  const cv::Mat lightness = ComputeLightness(frame);
  ReferenceGuide previous;
  const ReferenceGuide* reference = &keyframe_;
  if (options_.from_previous && !previous_bgr8_.empty()) {
    previous.bgr = previous_bgr8_;
    previous.what = "the previous frame";
    reference = &previous;
  }
  cv::Mat ab;
  TINT_RETURN_IF_ERROR(colorizer_.ColorizeFromReference(lightness, *reference, &ab, details));
  if (options_.temporal > 0 && !previous_ab_.empty()) {
    // Flow from this frame to the previous one: where each pixel was.
    cv::Mat now8, before8, flow;
    lightness.convertTo(now8, CV_8U, 2.55);
    previous_l_.convertTo(before8, CV_8U, 2.55);
    cv::Ptr<cv::DISOpticalFlow> dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM);
    dis->calc(now8, before8, flow);
    cv::Mat map(flow.size(), CV_32FC2);
    for (int y = 0; y < flow.rows; ++y) {
      const cv::Vec2f* f = flow.ptr<cv::Vec2f>(y);
      cv::Vec2f* m = map.ptr<cv::Vec2f>(y);
      for (int x = 0; x < flow.cols; ++x) m[x] = cv::Vec2f(x + f[x][0], y + f[x][1]);
    }
    cv::Mat warped_ab, warped_l;
    cv::remap(previous_ab_, warped_ab, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::remap(previous_l_, warped_l, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    const double k = -0.5 / (options_.temporal_sigma * options_.temporal_sigma);
    for (int y = 0; y < ab.rows; ++y) {
      const float* l = lightness.ptr<float>(y);
      const float* wl = warped_l.ptr<float>(y);
      const cv::Vec2f* w = warped_ab.ptr<cv::Vec2f>(y);
      cv::Vec2f* out = ab.ptr<cv::Vec2f>(y);
      for (int x = 0; x < ab.cols; ++x) {
        const double d = l[x] - wl[x];
        const float keep = static_cast<float>(options_.temporal * std::exp(k * d * d));
        out[x] = (1.0f - keep) * out[x] + keep * w[x];
      }
    }
  }
  previous_l_ = lightness;
  previous_ab_ = ab;
  *bgr8 = JoinLab(lightness, ab);
  previous_bgr8_ = *bgr8;
  return Status::Ok();
}

}  // namespace tint
