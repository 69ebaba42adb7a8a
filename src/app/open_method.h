// Opening a method for a run: the colorizer through the registry, with what
// the user should know about its index cache.
#pragma once

#include <memory>
#include <string>

#include "pipeline/registry.h"

namespace tint {

// Creates the colorizer through the registry. A missing or stale index cache
// is never used: the index is built in memory (said on stderr when
// `verbose`, as "tint COMMAND: note: ..."), or, with require_cache, the call
// fails.
Status OpenMethod(const std::string& command, const MethodSpec& spec, const std::string& db_dir,
                  const std::string& data_root, bool require_cache, bool verbose,
                  std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
