// The CNN method: a colorization network a model card describes.
#pragma once

#include <memory>
#include <string>

#include "cnn/model_card.h"
#include "pipeline/registry.h"

namespace tint {

// CNN mode: the network a model card describes, run with OpenCV dnn. Its
// chroma (at the network's output resolution) is resized to the photo.
Status CreateCnnColorizer(const std::string& card_path, const ModelCardOptions& options,
                          std::unique_ptr<Colorizer>* colorizer);

// The registry's factory of "cnn": the spec's card, else the context's default.
Status CreateCnnMethod(const MethodSpec& spec, const ColorizerContext& context,
                       std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
