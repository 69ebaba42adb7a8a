// The baseline every method is reported beside: a = b = 0.
#pragma once

#include <memory>
#include <string>

#include "pipeline/registry.h"

namespace tint {

// Under `name`: also the start of a method that colours only from a guide
// (levin).
std::unique_ptr<Colorizer> CreateGrayscaleColorizer(const std::string& name = "grayscale");

// The registry's factory of "grayscale".
Status CreateGrayscaleMethod(const MethodSpec& spec, const ColorizerContext& context,
                             std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
