// Presets on the method registry and the ablation ladder: the
// seed preset is the original tool as docs/concepts.md reads it, and
// experiments/ladder.toml climbs from it to the shipped classic one option
// change per step.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "eval/experiment.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/registry.h"
#include "testing.h"

namespace tint {
namespace {

ClassicOptions OptionsOf(const std::string& method, const nlohmann::json& options = {}) {
  MethodSpec spec;
  spec.method = method;
  spec.options = options.is_null() ? nlohmann::json::object() : options;
  ClassicOptions out;
  const Status s = ClassicOptionsOf(spec, &out);
  EXPECT_TRUE(s.ok()) << method << ": " << s.message();
  return out;
}

// The option values (by name) where a and b differ.
std::map<std::string, std::string> Differences(const ClassicOptions& a, const ClassicOptions& b) {
  std::map<std::string, std::string> diff;
  for (const OptionInfo& o : ClassicOptionTable()) {
    if (o.get(a) != o.get(b)) diff[o.name] = o.get(a) + " -> " + o.get(b);
  }
  return diff;
}

TEST(PresetTest, SeedIsTheOriginalToolAsRead) {
  const ClassicOptions seed = OptionsOf("classic:seed");
  EXPECT_EQ(seed.sampling.color_space, ColorSpace::kYuv);
  EXPECT_EQ(seed.features.normalization, VectorNormalization::kRaw);
  EXPECT_FALSE(seed.features.append_statistics);
  EXPECT_EQ(seed.match.k, 1);
  EXPECT_EQ(seed.match.backend, "exact");
  EXPECT_EQ(seed.query_stride, 1);
  EXPECT_EQ(seed.calibration_step, 0);
  EXPECT_EQ(seed.transfer.smoothing_radius, 0);
  EXPECT_FALSE(seed.transfer.keep_saturation);
  EXPECT_EQ(seed.transfer.confidence_full, 0.0);
  EXPECT_EQ(seed.sampling.labels, LabelSet::kSeed);
  EXPECT_EQ(seed.otsu.max_dark_lightness, 100.0);  // Otsu's threshold alone
  // FLANN is its only variant.
  const auto flann = Differences(seed, OptionsOf("classic:seed-flann"));
  ASSERT_EQ(flann.size(), 1u);
  EXPECT_EQ(flann.begin()->first, "matcher");
  // A spec's own options win over the preset's.
  EXPECT_EQ(OptionsOf("classic:seed", {{"candidates", 3}}).match.k, 3);
  // The new knobs are in the cache key only away from the default, so the
  // shipped cache stays valid.
  EXPECT_EQ(ClassicCacheKey(ClassicOptions()).find("color_space"), std::string::npos);
  EXPECT_NE(ClassicCacheKey(seed).find("color_space=yuv"), std::string::npos);
  EXPECT_NE(ClassicCacheKey(seed).find("labels=seed"), std::string::npos);
  EXPECT_EQ(ClassicCacheKey(ClassicOptions()).find("features"), std::string::npos);
  EXPECT_NE(ClassicCacheKey(OptionsOf("classic:deep")).find("features=deep"), std::string::npos);
}

TEST(PresetTest, PresetsAreListedWithTheirSummaries) {
  for (const char* name :
       {"classic:seed", "classic:seed-flann", "classic:welsh-stats", "classic:deep"}) {
    const MethodInfo* info = FindMethod(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->options, &ClassicMethodOptions());
    EXPECT_FALSE(info->summary.empty());
    EXPECT_FALSE(info->preset.empty());
  }
  EXPECT_NE(RegisteredMethodNames().find("classic:seed"), std::string::npos);
}

// Every built-in method that needs no guide states its cost, and --help
// names the slow ones: the exact seed, and classic with exact matching.
TEST(PresetTest, SlowMethodsSaySoInTheHelp) {
  for (const MethodInfo& m : RegisteredMethods())
    if (!m.colours_from_hints && !m.colours_from_reference)
      EXPECT_GT(m.typical_seconds, 0) << m.name;
  const std::string help = DescribeMethods();
  EXPECT_NE(help.find("nothing of tint's [slow: about 27 s per 481x321 photo]"), std::string::npos)
      << help;
  EXPECT_NE(help.find("instead of FLANN [slow: about"), std::string::npos) << help;
  EXPECT_EQ(
      help.find("classic:seed-flann: classic:seed with FLANN instead of exact matching [slow"),
      std::string::npos);
}

TEST(PresetTest, LadderClimbsFromTheSeedToClassicOneIdeaAtATime) {
  TINT_REQUIRE_SHARED_DATA(root);
  ExperimentConfig config;
  const Status s =
      LoadExperimentConfig(testing::SourceDir() + "/experiments/ladder.toml", root, &config);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_GE(config.methods.size(), 8u);
  // The classic steps, then the CNN as the last row.
  ASSERT_EQ(config.methods.back().spec.method, "cnn");
  std::vector<ClassicOptions> steps;
  std::vector<std::string> names;
  for (const ExperimentMethod& m : config.methods) {
    if (m.spec.method == "cnn") continue;
    steps.push_back(OptionsOf(m.spec.method, m.spec.options));
    names.push_back(m.name);
  }
  // It starts at the seed (FLANN) and passes through the shipped defaults
  // exactly (the reproduction's end), then goes beyond them.
  EXPECT_TRUE(Differences(steps.front(), OptionsOf("classic:seed-flann")).empty());
  size_t classic = steps.size();
  for (size_t i = 0; i < steps.size(); ++i)
    if (Differences(steps[i], ClassicOptions()).empty()) classic = i;
  ASSERT_LT(classic, steps.size()) << "no step is classic's defaults";
  EXPECT_EQ(names[classic], "13-classic");
  // Beyond classic: deep vectors, then abstention with the CNN's colour.
  const auto beyond = Differences(ClassicOptions(), steps.back());
  EXPECT_EQ(beyond.size(), 3u) << ::testing::PrintToString(beyond);
  EXPECT_TRUE(beyond.count("features") && beyond.count("abstain_below") &&
              beyond.count("fallback"));
  // Each step changes something, and nothing a step changed is undone later:
  // a knob may be retuned for a later idea (confidence_full for the fade),
  // never set back to a value it had.
  std::map<std::string, std::set<std::string>> values;  // every value each knob has had
  for (const OptionInfo& o : ClassicOptionTable()) values[o.name].insert(o.get(steps.front()));
  for (size_t i = 1; i < steps.size(); ++i) {
    const auto diff = Differences(steps[i - 1], steps[i]);
    EXPECT_FALSE(diff.empty()) << names[i];
    EXPECT_LE(diff.size(), 2u) << names[i] << " changes more than one idea";
    for (const auto& entry : diff) {
      const std::string& name = entry.first;
      EXPECT_TRUE(values[name].insert(FindClassicOption(name)->get(steps[i])).second)
          << name << " set back to an earlier value at " << names[i];
    }
  }
}

}  // namespace
}  // namespace tint
