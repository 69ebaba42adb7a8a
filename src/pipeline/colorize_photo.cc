#include "pipeline/colorize_photo.h"

#include "core/color.h"
#include "core/timer.h"

namespace tint {

Status ColorizePhoto(const Colorizer& colorizer, const PostOptions& post, const cv::Mat& image,
                     cv::Mat* bgr8, ColorizeDetails* details, const PhotoGuide* guide) {
  const cv::Mat lightness = ComputeLightness(image);
  if (guide == nullptr || (guide->reference == nullptr && guide->hints == nullptr)) {
    TINT_RETURN_IF_ERROR(colorizer.ColorizeJoined(lightness, bgr8, details));
    *bgr8 = ApplyPostStep(post, *bgr8);
    return Status::Ok();
  }
  cv::Mat ab;
  if (guide->reference != nullptr) {
    TINT_RETURN_IF_ERROR(
        colorizer.ColorizeFromReference(lightness, *guide->reference, &ab, details));
  } else {
    TINT_RETURN_IF_ERROR(colorizer.Colorize(lightness, &ab, details));
  }
  if (guide->hints != nullptr) {
    if (details != nullptr) details->Stage("strokes", 0.9);
    Timer timer;
    TINT_RETURN_IF_ERROR(PropagateHints(lightness, *guide->hints, guide->hint_options, &ab));
    if (details != nullptr) details->seconds["hints"] = timer.Lap();
  }
  if (details != nullptr) details->Stage("joining", 0.95);
  *bgr8 = ApplyPostStep(post, JoinLab(lightness, ab));
  return Status::Ok();
}

}  // namespace tint
