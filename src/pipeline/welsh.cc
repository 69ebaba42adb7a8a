#include "pipeline/welsh.h"

#include "core/timer.h"

namespace tint {
namespace {

class WelshColorizer : public Colorizer {
 public:
  explicit WelshColorizer(const WelshOptions& options) : options_(options) {}
  std::string name() const override { return "welsh"; }
  Status Colorize(const cv::Mat&, cv::Mat*, ColorizeDetails*) const override {
    return Status::Error("method 'welsh' colours from a reference photo: give --reference FILE");
  }
  Status ColorizeFromReference(const cv::Mat& lightness, const ReferenceGuide& reference,
                               cv::Mat* ab, ColorizeDetails* details) const override {
    Timer timer;
    TINT_RETURN_IF_ERROR(WelshTransfer(lightness, reference, options_, ab));
    if (details != nullptr) details->seconds["welsh"] = timer.Lap();
    return Status::Ok();
  }

 private:
  WelshOptions options_;
};

}  // namespace

std::unique_ptr<Colorizer> CreateWelshColorizer(const WelshOptions& options) {
  return std::make_unique<WelshColorizer>(options);
}

Status CreateWelshMethod(const MethodSpec&, const ColorizerContext&,
                         std::unique_ptr<Colorizer>* colorizer) {
  *colorizer = CreateWelshColorizer(WelshOptions());
  return Status::Ok();
}

}  // namespace tint
