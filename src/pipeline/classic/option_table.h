// The option table of the classic pipeline: every knob a user can set, with
// its one name. The config key is the name ("smooth_radius"), the command-line
// flag is the name with dashes ("--smooth-radius", and "--no-smooth..." for a
// switch), the Python keyword is the name; the range, the help text and
// whether the index cache depends on the knob are here and nowhere else. The
// CLI binding, config parsing, the checks' messages and the index-cache key all
// iterate this table (in the manner of COLMAP's OptionManager), so a knob
// added here is everywhere at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "pipeline/classic/classic_options.h"

namespace tint {

enum class OptionType { kInt, kUInt64, kDouble, kBool, kChoice };

struct OptionInfo {
  std::string name;  // config key and Python keyword; the flag is FlagName()
  std::string help;
  OptionType type = OptionType::kInt;
  double min = 0, max = 0;           // kInt, kUInt64, kDouble: valid range, inclusive
  std::vector<std::string> choices;  // kChoice
  std::string rule;                  // an extra rule, said in messages ("odd")
  // The value of `options` as text (numbers in shortest round-trip form,
  // switches "true"/"false", choices by name).
  std::function<std::string(const ClassicOptions&)> get;
  // Sets the field from text that ParseOptionText has accepted.
  std::function<void(ClassicOptions*, const std::string&)> set;
  // Whether the index cache (samples, index, calibration) depends on the
  // value in `options`; null: never.
  std::function<bool(const ClassicOptions&)> in_cache_key;
};

// How a name is shown in a message: as the user wrote it.
enum class OptionSpelling { kFlag, kKey };

const std::vector<OptionInfo>& ClassicOptionTable();
const OptionInfo* FindClassicOption(const std::string& name);
// "0..100" for an option's valid range.
std::string OptionRange(const OptionInfo& option);
// "--smooth-radius" for "smooth_radius".
std::string FlagName(const std::string& name);

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
