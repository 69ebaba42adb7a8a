// CNN mode behind the Colorizer interface.
#include <chrono>

#include <opencv2/imgproc.hpp>

#include "cnn/network.h"
#include "pipeline/cnn_colorizer.h"

namespace tint {
namespace {

class CnnColorizer : public Colorizer {
 public:
  explicit CnnColorizer(std::unique_ptr<CnnModel> model) : model_(std::move(model)) {}

  std::string name() const override { return "cnn:" + model_->card().name; }

  Status Colorize(const cv::Mat& lightness, cv::Mat* ab, ColorizeDetails* details) const override {
    std::map<std::string, double> seconds;
    if (details != nullptr) details->Stage("network", 0.1);
    if (details != nullptr && details->Stopped()) return StoppedStatus();
    cv::Mat low;
    TINT_RETURN_IF_ERROR(model_->Predict(lightness, &low, &seconds));
    auto t0 = std::chrono::steady_clock::now();
    cv::resize(low, *ab, lightness.size(), 0, 0, cv::INTER_LINEAR);
    seconds["cnn_upsample"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (details) {
      for (const auto& [stage, s] : seconds) details->seconds[stage] += s;
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<CnnModel> model_;
};

}  // namespace

Status CreateCnnColorizer(const std::string& card_path, const ModelCardOptions& options,
                          std::unique_ptr<Colorizer>* colorizer) {
  ModelCard card;
  TINT_RETURN_IF_ERROR(LoadModelCard(card_path, options, &card));
  std::unique_ptr<CnnModel> model;
  TINT_RETURN_IF_ERROR(CnnModel::Load(card, &model));
  *colorizer = std::make_unique<CnnColorizer>(std::move(model));
  return Status::Ok();
}

Status CreateCnnMethod(const MethodSpec& spec, const ColorizerContext& context,
                       std::unique_ptr<Colorizer>* colorizer) {
  ModelCardOptions card;
  card.data_root = context.data_root;
  card.weights_override = spec.weights;
  const std::string model = spec.model.empty() ? context.default_model : spec.model;
  if (model.empty()) return Status::Error("method '" + spec.method + "' needs a model card");
  return CreateCnnColorizer(model, card, colorizer);
}

}  // namespace tint
