// Welsh, Ashikhmin & Mueller 2002 as a method: colour from a reference photo
// only (guide/reference.h); its plain Colorize is an error asking for one.
#pragma once

#include <memory>

#include "guide/reference.h"
#include "pipeline/registry.h"

namespace tint {

std::unique_ptr<Colorizer> CreateWelshColorizer(const WelshOptions& options);

// The registry's factory of "welsh".
Status CreateWelshMethod(const MethodSpec& spec, const ColorizerContext& context,
                         std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
