// Levin, Lischinski & Weiss 2004 as a method: no colour of its own; the
// user's strokes (--hints) are propagated over grey by ColorizePhoto
// (guide/hints.h), so the method itself is the grayscale colorizer under
// the name "levin".
#pragma once

#include <memory>

#include "pipeline/registry.h"

namespace tint {

Status CreateLevinMethod(const MethodSpec& spec, const ColorizerContext& context,
                         std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
