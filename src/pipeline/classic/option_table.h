// The option table of the classic pipeline: every knob a user can set, with
// its one name (pipeline/option_table.h says how a table works). The CLI
// binding, config parsing, the checks' messages and the index-cache key all
// iterate this table, so a knob added here is everywhere at once.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "pipeline/classic/classic_options.h"
#include "pipeline/option_table.h"

namespace tint {

using OptionInfo = OptionEntry<ClassicOptions>;

const std::vector<OptionInfo>& ClassicOptionTable();
// The same table for the registry (MethodInfo::options of the classic
// methods), with ClassicOptions::Check as its check of the whole.
const TypedOptionTable<ClassicOptions>& ClassicMethodOptions();
const OptionInfo* FindClassicOption(const std::string& name);

// Sets option `name` from text, checking type and range; an error names the
// option as `spelling` says ("--smooth-radius must be in 0..100, got 200").
Status SetClassicOption(const std::string& name, const std::string& text, OptionSpelling spelling,
                        ClassicOptions* options);
// The same from a config value (boolean, number or string).
Status SetClassicOptionValue(const std::string& name, const nlohmann::json& value,
                             OptionSpelling spelling, ClassicOptions* options);
// Every table value within its range and rules, then the stage checks of the
// fields outside the table.
Status CheckClassicOptions(const ClassicOptions& options, OptionSpelling spelling);

// "name=value;..." of the table entries the index cache depends on.
std::string ClassicCacheKey(const ClassicOptions& options);
// Every table value by name, as text (for provenance and reports).
nlohmann::json ClassicOptionValues(const ClassicOptions& options);

}  // namespace tint
