// Welsh, Ashikhmin & Mueller 2002 as a method: colour from a reference photo
// only (guide/reference.h); its plain Colorize is an error asking for one.
// Its knobs (WelshOptions) have a table of their own: --jitter-samples,
// --stats-window and --jitter-seed on the command line, the same names in
// configs and Python.
#pragma once

#include <memory>

#include "guide/reference.h"
#include "pipeline/registry.h"

namespace tint {

// The option table of "welsh" (MethodInfo::options).
const TypedOptionTable<WelshOptions>& WelshMethodOptions();

std::unique_ptr<Colorizer> CreateWelshColorizer(const WelshOptions& options);

// The registry's factory of "welsh".
Status CreateWelshMethod(const MethodSpec& spec, const ColorizerContext& context,
                         std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
