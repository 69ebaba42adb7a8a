#include "pipeline/registry.h"

#include <cstdlib>
#include <sstream>

#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/cnn_colorizer.h"
#include "pipeline/grayscale.h"
#include "pipeline/levin.h"
#include "pipeline/welsh.h"

namespace tint {
namespace {

// A classic method: the option table, the database, --explain; `preset`
// options applied before the spec's own; its stated cost in seconds (see
// Table()).
MethodInfo Classic(const char* name, const char* summary, double seconds,
                   nlohmann::json preset = {}) {
  MethodInfo m{name, summary, &CreateClassicMethod};
  m.typical_seconds = seconds;
  m.options = &ClassicMethodOptions();
  m.reads_database = m.explains_labels = m.takes_reference = true;
  m.preset = preset.is_null() ? nlohmann::json::object() : std::move(preset);
  return m;
}

// The registry: one entry per method. Stated costs (typical_seconds):
// `tint colorize -v` on BSDS500 val 101085 (481x321), the pipeline's time,
// median of 3, idle 2-core machine (classic:seed: experiments/README.md,
// "The exact seed"); the guided methods state none.
std::vector<MethodInfo>& Table() {
  static std::vector<MethodInfo> methods = [] {
    std::vector<MethodInfo> m;
    MethodInfo grayscale{"grayscale", "the baseline every method is reported beside: a = b = 0",
                         &CreateGrayscaleMethod};
    grayscale.typical_seconds = 0.001;
    m.push_back(grayscale);
    m.push_back(Classic("classic",
                        "tint's patch-matching pipeline (Otsu, normalized cuts, FLANN cosine "
                        "matching, vote, transfer)",
                        0.13));
    m.push_back(Classic("classic-exact",
                        "classic with exact (brute-force) cosine matching instead of FLANN", 3.1,
                        {{"matcher", "exact"}}));
    MethodInfo cnn{"cnn",
                   "a colorization network through OpenCV dnn, described by a model card "
                   "(default tint-mnv2-ft)",
                   &CreateCnnMethod};
    cnn.takes_model = true;
    cnn.typical_seconds = 0.07;
    m.push_back(cnn);
    // Presets of the classic pipeline: the original tool as described, and
    // steps of the ladder from it to tint's classic (experiments/ladder.toml).
    // The reading of the description is in docs/concepts.md ("The original
    // tool and tint's additions").
    const nlohmann::json seed = {
        {"color_space", "yuv"},      // Y'UV: the match's U, V with the pixel's own Y'
        {"vector", "raw"},           // the window's shades as they are
        {"stats", false},            // no window statistics
        {"candidates", 1},           // the single nearest match
        {"vote_power", 0},           // each pixel's match one vote
        {"segment_vote", true},      // Ncut segments: the only grouping (one label each)
        {"calibration_step", 0},     // no label calibration
        {"dark_lightness", 100},     // Otsu alone splits useful from background pixels
        {"keep_saturation", false},  // the plain mean where chroma is averaged
        {"smooth_radius", 0},        // no smoothing
        {"query_stride", 1},         // every useful pixel matched
        {"vote_confidence", 0},      // (all of them: no sequential vote)
        {"confidence_full", 0},      // every segment coloured
        {"confidence_fade", 0},      // (and nothing to fade towards)
        {"labels", "seed"},          // sky, grass, earth, building
        {"matcher", "exact"}};       // brute-force cosine similarity
    nlohmann::json seed_flann = seed;
    seed_flann["matcher"] = "flann";
    nlohmann::json welsh_stats = seed_flann;
    welsh_stats.update({{"color_space", "lab"}, {"vector", "zero-mean"}, {"stats", true}});
    m.push_back(
        Classic("classic:seed",
                "the original tool as described: raw shade vectors, Y'UV, single nearest "
                "match by exact cosine, one label per Ncut segment, Otsu, nothing of tint's",
                27, seed));
    m.push_back(Classic("classic:seed-flann", "classic:seed with FLANN instead of exact matching",
                        0.68, seed_flann));
    m.push_back(Classic("classic:welsh-stats",
                        "classic:seed-flann in Lab with Welsh et al.'s window mean and deviation "
                        "(zero-mean vectors plus statistics)",
                        0.64, welsh_stats));
    m.push_back(Classic("classic:deep",
                        "classic with deep neighbourhood vectors: what a pretrained MobileNetV2 "
                        "sees around each pixel instead of its shades (features = deep)",
                        0.15, {{"features", "deep"}}));
    // Guided methods.
    MethodInfo levin{"levin",
                     "Levin, Lischinski & Weiss 2004: no colour of its own; the --hints strokes "
                     "propagated to pixels of similar shade (a sparse system, solved exactly)",
                     &CreateLevinMethod};
    levin.colours_from_hints = true;
    m.push_back(levin);
    MethodInfo welsh{"welsh",
                     "Welsh, Ashikhmin & Mueller 2002: colour from a --reference photo only "
                     "(luminance remapping, 200 jittered samples, 5x5 mean and deviation, best "
                     "match; --swatch pairs)",
                     &CreateWelshMethod};
    welsh.options = &WelshMethodOptions();
    welsh.takes_reference = welsh.colours_from_reference = true;
    m.push_back(welsh);
    return m;
  }();
  return methods;
}

}  // namespace

const std::vector<MethodInfo>& RegisteredMethods() { return Table(); }

Status RegisterMethod(const MethodInfo& method) {
  if (method.name.empty() || method.create == nullptr)
    return Status::Error("a method needs a name and a factory");
  if (FindMethod(method.name) != nullptr)
    return Status::Error("method '" + method.name + "' is already registered");
  Table().push_back(method);
  return Status::Ok();
}

const MethodInfo* FindMethod(const std::string& name) {
  for (const MethodInfo& m : Table()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string RegisteredMethodNames() {
  std::string names;
  for (const MethodInfo& m : Table()) names += (names.empty() ? "" : ", ") + m.name;
  return names;
}

std::string DescribeMethods() {
  std::string text;
  for (const MethodInfo& m : Table()) {
    text += "  " + m.name + ": " + m.summary;
    if (m.typical_seconds >= kSlowSeconds) {
      std::ostringstream cost;
      cost << m.typical_seconds;
      text += " [slow: about " + cost.str() + " s per 481x321 photo]";
    }
    text += "\n";
    if (m.preset.is_object() && !m.preset.empty()) {
      std::string set;
      for (const auto& item : m.preset.items()) {
        const nlohmann::json& v = item.value();
        set += " " + item.key() + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
      }
      text += "      preset:" + set + "\n";
    }
  }
  return text;
}

Status CheckGuidesApply(const MethodInfo& method, const GuidesGiven& given,
                        const GuideSpelling& spelling) {
  const std::string m = "method '" + method.name + "'";
  if (method.colours_from_reference && !given.reference)
    return Status::Error(m + " colours from a reference photo: give " + spelling.reference);
  if (given.reference && !method.takes_reference) {
    return Status::Error(m + " takes no " + spelling.reference +
                         "; welsh and the classic methods do");
  }
  if (given.swatches && !given.reference)
    return Status::Error(spelling.swatches + " needs " + spelling.reference);
  if (method.colours_from_hints && !given.hints)
    return Status::Error(m + " colours only from strokes: give " + spelling.hints);
  if (given.hint_reach && !given.hints)
    return Status::Error(spelling.hint_reach + " applies with " + spelling.hints + " only");
  return Status::Ok();
}

// What a spec's options are built from.
static std::string SpecStamp(const MethodSpec& spec) {
  return spec.method + "\n" + spec.options.dump();
}

Status PrepareSpec(MethodSpec* spec, OptionSpelling spelling) {
  spec->built = MethodOptions();
  spec->built_for.clear();
  const MethodInfo* info = FindMethod(spec->method);
  if (info == nullptr) {
    return Status::Error("unknown method '" + spec->method +
                         "' (registered: " + RegisteredMethodNames() + ")");
  }
  if (!spec->options.is_object())
    return Status::Error("options of method '" + spec->method + "' must be a table");
  if (info->options == nullptr) {
    if (!spec->options.empty()) {
      const std::string key = spec->options.items().begin().key();
      return Status::Error("method '" + spec->method + "' takes no options (it was given '" +
                           (spelling == OptionSpelling::kFlag ? FlagName(key) : key) + "')");
    }
    spec->built_for = SpecStamp(*spec);
    return Status::Ok();
  }
  TINT_RETURN_IF_ERROR(
      info->options->Make({&info->preset, &spec->options}, spec->method, spelling, &spec->built));
  spec->built_for = SpecStamp(*spec);
  return Status::Ok();
}

bool SpecPrepared(const MethodSpec& spec) {
  return !spec.built_for.empty() && spec.built_for == SpecStamp(spec);
}

// Makes the colorizer of a prepared spec.
static Status CreatePrepared(const MethodSpec& spec, const ColorizerContext& context,
                             std::unique_ptr<Colorizer>* colorizer) {
  const MethodInfo* info = FindMethod(spec.method);
  if (!info->takes_model && (!spec.model.empty() || !spec.weights.empty())) {
    return Status::Error("method '" + spec.method +
                         "' takes no model (--model and --weights are for " +
                         [] {
                           std::string with;
                           for (const MethodInfo& m : Table()) {
                             if (m.takes_model) with += (with.empty() ? "" : ", ") + m.name;
                           }
                           return with;
                         }() +
                         ")");
  }
  return info->create(spec, context, colorizer);
}

Status CreateColorizer(const MethodSpec& given, const ColorizerContext& context,
                       std::unique_ptr<Colorizer>* colorizer) {
  MethodSpec prepared;
  const MethodSpec* spec = &given;
  if (!SpecPrepared(given)) {
    prepared = given;
    TINT_RETURN_IF_ERROR(PrepareSpec(&prepared, OptionSpelling::kKey));
    spec = &prepared;
  }
  return CreatePrepared(*spec, context, colorizer);
}

}  // namespace tint
