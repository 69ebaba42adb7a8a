#include "pipeline/colorizer.h"

#include "core/color.h"

#include <opencv2/imgproc.hpp>

#include <sstream>

namespace tint {

cv::Mat FieldAtSize(const cv::Mat& field, cv::Size size) {
  if (field.empty() || field.size() == size) return field;
  cv::Mat out;
  cv::resize(field, out, size, 0, 0, cv::INTER_NEAREST);
  return out;
}

Status StoppedStatus() { return Status::Error("stopped: the job ran past its time limit"); }

std::string ColorizeDetails::BriefReport() const {
  std::ostringstream os;
  double total = 0;
  for (const auto& [stage, s] : seconds) total += s;
  os.precision(3);
  os << "total " << total << " s (";
  bool first = true;
  for (const auto& [stage, s] : seconds) {
    os << (first ? "" : ", ") << stage << " " << s;
    first = false;
  }
  os << ")";
  return os.str();
}

Status Colorizer::ColorizeFromReference(const cv::Mat&, const ReferenceGuide&, cv::Mat*,
                                        ColorizeDetails*) const {
  return Status::Error("method '" + name() + "' takes no reference photo");
}

Status Colorizer::ColorizeJoined(const cv::Mat& lightness, cv::Mat* bgr8,
                                 ColorizeDetails* details) const {
  cv::Mat ab;
  TINT_RETURN_IF_ERROR(Colorize(lightness, &ab, details));
  if (details != nullptr) details->Stage("joining", 0.95);
  *bgr8 = JoinLab(lightness, ab);
  return Status::Ok();
}

}  // namespace tint
