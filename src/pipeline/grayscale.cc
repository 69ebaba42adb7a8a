#include "pipeline/grayscale.h"

namespace tint {
namespace {

class GrayscaleColorizer : public Colorizer {
 public:
  explicit GrayscaleColorizer(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  Status Colorize(const cv::Mat& lightness, cv::Mat* ab, ColorizeDetails*) const override {
    *ab = cv::Mat(lightness.size(), CV_32FC2, cv::Scalar(0, 0));
    return Status::Ok();
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<Colorizer> CreateGrayscaleColorizer(const std::string& name) {
  return std::make_unique<GrayscaleColorizer>(name);
}

Status CreateGrayscaleMethod(const MethodSpec&, const ColorizerContext&,
                             std::unique_ptr<Colorizer>* colorizer) {
  *colorizer = CreateGrayscaleColorizer();
  return Status::Ok();
}

}  // namespace tint
