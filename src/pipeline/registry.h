// The method registry: every colorizer tint can make, by name. `tint
// colorize`, `tint eval` (quick form and configs), the benchmarks and the
// tests create colorizers only through CreateColorizer; nothing else switches
// on a method's name. Adding a method is one source pair (its colorizer and
// factory), one entry in Table() (registry.cc) and the pair's CMake entry;
// the conformance test (tests/pipeline/conformance_test.cc) then runs it
// with every other (docs/extending.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "pipeline/cache_policy.h"
#include "pipeline/colorizer.h"
#include "pipeline/option_table.h"

namespace tint {

// A method spec: what names one colorizer (the method, its options and
// model). The one type for it on every surface: the CLI, configs (inside an
// ExperimentMethod), Python and the service fill it.
struct MethodSpec {
  std::string method = "classic";  // a registered name
  // The options the user named, keys of the method's option table (values
  // as in a config: boolean, number or text; flags give their text): what
  // reports and provenance say was asked.
  nlohmann::json options = nlohmann::json::object();
  std::string model;    // methods that take a model: its card (empty: the context's default)
  std::string weights;  // methods that take a model: replaces the card's weights file
  // The method's options built from its preset and `options` by its table,
  // checked: set by PrepareSpec, read by the factory (As<O>()), never parsed
  // again. Empty until prepared; a spec whose method or options changed
  // after is prepared afresh by CreateColorizer.
  MethodOptions built;
  std::string built_for;  // what `built` was made from (PrepareSpec's stamp)
};

// Where a factory finds what it reads.
struct ColorizerContext {
  std::string db_dir;         // the patch database (classic methods)
  std::string data_root;      // "$data/" in model cards
  std::string default_model;  // the card used when the spec names none
  CachePolicy cache_policy = CachePolicy::kRebuildIfStale;
  CacheState* cache_state = nullptr;  // out, when set: what a classic factory found
};

using ColorizerFactory = Status (*)(const MethodSpec& spec, const ColorizerContext& context,
                                    std::unique_ptr<Colorizer>* colorizer);

// One method of the registry. Entries name their fields (see registry.cc):
// `MethodInfo m{name, summary, &factory}; m.takes_model = true;`.
struct MethodInfo {
  std::string name;
  std::string summary;
  ColorizerFactory create = nullptr;
  // Its option table (null: it takes no options): flags, config keys and
  // Python keywords come from it, and the factory builds its options with it.
  const MethodOptionTable* options = nullptr;
  bool takes_model = false;  // --model / --weights
  bool reads_database = false;
  bool explains_labels = false;  // fills ColorizeDetails::labels (--explain)
  // A preset: options applied before the spec's own (the spec's win).
  nlohmann::json preset = nlohmann::json::object();
  // No colour of its own: every colour comes from the user's strokes
  // (--hints), which it needs.
  bool colours_from_hints = false;
  // Colours from a reference photo (--reference) instead of its own examples
  // when given one; colours_from_reference: only so (it needs one).
  bool takes_reference = false;
  bool colours_from_reference = false;
  // Its stated cost: seconds for one 481x321 photo (kTypicalPixels) in
  // process on one core, as measured (experiments/README.md); 0: not stated
  // (it depends on the guides). tint eval's plan scales it by a photo's
  // pixels; --help names a method that takes kSlowSeconds or more slow.
  double typical_seconds = 0;
};
constexpr double kTypicalPixels = 481.0 * 321.0;
constexpr double kSlowSeconds = 2.0;

const std::vector<MethodInfo>& RegisteredMethods();
// Adds a method at run time (an extension, a test's toy method): call before
// any colorizer is made; a name already registered is an error.
Status RegisterMethod(const MethodInfo& method);
// Null for an unknown name.
const MethodInfo* FindMethod(const std::string& name);
// "grayscale, classic, ..." for messages.
std::string RegisteredMethodNames();
// One paragraph per method for --help: its name and summary (a slow one
// says so, with its stated cost), and for a preset the options it sets
// ("preset: color_space=yuv vector=raw ...").
std::string DescribeMethods();

// The guides a run gives a method beside the photo, and how the caller
// spells each in messages ("--reference" on the command line, "reference="
// in Python, a config key in configs).
struct GuidesGiven {
  bool reference = false, swatches = false, hints = false, hint_reach = false;
};
struct GuideSpelling {
  std::string reference, swatches, hints, hint_reach;
};
// The one set of rules for guides, for every surface: a method that colours
// only from strokes or a reference needs them; a reference goes only to a
// method that takes one; swatches need a reference and a hint reach needs
// hints. A one-line error in the caller's spelling.
Status CheckGuidesApply(const MethodInfo& method, const GuidesGiven& given,
                        const GuideSpelling& spelling);

// Checks `spec` once and builds its options: an unknown method, options
// for a method without a table, an option its table does not have, or a
// bad value is a one-line error naming the option as `spelling` says. Every
// surface prepares the spec it fills (the CLI with flag names).
Status PrepareSpec(MethodSpec* spec, OptionSpelling spelling);
// Whether `spec` was prepared and has not changed since.
bool SpecPrepared(const MethodSpec& spec);

// Makes the colorizer `spec` names (prepared here when it was not). An unknown method, an option it
// does not take, or a bad value is a one-line error naming it.
Status CreateColorizer(const MethodSpec& spec, const ColorizerContext& context,
                       std::unique_ptr<Colorizer>* colorizer);

}  // namespace tint
