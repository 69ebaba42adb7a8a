// The classic patch-matching method: Otsu, normalized cuts, neighborhood
// vectors matched against the patch database, label vote and chroma
// transfer (docs/concepts.md). Its options are classic_options.h, its knobs'
// names option_table.h, its indexed database index_cache.h.
#pragma once

#include <memory>
#include <string>

#include "pipeline/classic/classic_options.h"
#include "pipeline/classic/index_cache.h"
#include "pipeline/registry.h"

namespace tint {

// From a database folder: its index cache when valid, else per `policy`
// (built in memory by default); *state, when given, says which.
// `fallback` colours the segments that abstain; given exactly when
// options.fallback is kCnn.
Status CreateClassicColorizer(const ClassicOptions& options, const std::string& db_dir,
                              std::unique_ptr<Colorizer>* colorizer,
                              CachePolicy policy = CachePolicy::kRebuildIfStale,
                              CacheState* state = nullptr,
                              std::shared_ptr<const Colorizer> fallback = nullptr);
std::unique_ptr<Colorizer> CreateClassicColorizer(
    const ClassicOptions& options, IndexedDatabase indexed,
    std::shared_ptr<const Colorizer> fallback = nullptr);
// From samples in memory: builds the matcher and the calibration.
std::unique_ptr<Colorizer> CreateClassicColorizer(const ClassicOptions& options,
                                                  std::unique_ptr<PatchDatabase> database);

// The label name of the segments that abstain (ColorizeDetails::label_names
// ends with it when abstain_below > 0).
extern const char* const kNoneOfMine;

// The classic options a spec sets (its method's preset, then its own), checked.
Status ClassicOptionsOf(const MethodSpec& spec, ClassicOptions* options);

// The registry's factory of "classic" and its presets.
Status CreateClassicMethod(const MethodSpec& spec, const ColorizerContext& context,
                           std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
