// The option table: one name per knob for flag, config key and
// Python keyword; checks that name what the user wrote; the cache key made
// from the table alone.
#include "pipeline/classic/option_table.h"
#include "pipeline/classic/classic.h"

#include "match/backends.h"

#include <set>

#include <gtest/gtest.h>

namespace tint {
namespace {

TEST(OptionTableTest, NamesAreSnakeCaseAndUniqueAndDefaultsAreValid) {
  std::set<std::string> names;
  const ClassicOptions defaults;
  for (const OptionInfo& o : ClassicOptionTable()) {
    EXPECT_TRUE(names.insert(o.name).second) << o.name;
    for (char c : o.name)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9')) << o.name;
    EXPECT_FALSE(o.help.empty()) << o.name;
    // The default is accepted by the table and reads back unchanged.
    ClassicOptions copy;
    ASSERT_TRUE(SetClassicOption(o.name, o.get(defaults), OptionSpelling::kKey, &copy).ok())
        << o.name;
    EXPECT_EQ(o.get(copy), o.get(defaults)) << o.name;
  }
  EXPECT_TRUE(CheckClassicOptions(defaults, OptionSpelling::kKey).ok());
  EXPECT_EQ(FlagName("smooth_radius"), "--smooth-radius");
}

TEST(OptionTableTest, EveryValueSetsItsField) {
  ClassicOptions o;
  ASSERT_TRUE(SetClassicOption("smooth_radius", "9", OptionSpelling::kFlag, &o).ok());
  EXPECT_EQ(o.transfer.smoothing_radius, 9);
  ASSERT_TRUE(SetClassicOption("dark_lightness", "12.5", OptionSpelling::kFlag, &o).ok());
  EXPECT_EQ(o.otsu.max_dark_lightness, 12.5);
  ASSERT_TRUE(SetClassicOption("vector", "RAW", OptionSpelling::kFlag, &o).ok());
  EXPECT_EQ(o.features.normalization, VectorNormalization::kRaw);
  ASSERT_TRUE(SetClassicOption("seed", "18446744073709551615", OptionSpelling::kFlag, &o).ok());
  EXPECT_EQ(o.match.seed, 18446744073709551615ull);
  // A config's boolean false turns a switch off (keep_saturation = false).
  ASSERT_TRUE(SetClassicOptionValue("keep_saturation", false, OptionSpelling::kKey, &o).ok());
  EXPECT_FALSE(o.transfer.keep_saturation);
  ASSERT_TRUE(SetClassicOptionValue("segment_vote", false, OptionSpelling::kKey, &o).ok());
  EXPECT_FALSE(o.transfer.segment_vote);
  ASSERT_TRUE(SetClassicOptionValue("window", 9, OptionSpelling::kKey, &o).ok());
  EXPECT_EQ(o.features.window, 9);
}

TEST(OptionTableTest, ErrorsNameTheFlagOrTheKeyAsWritten) {
  ClassicOptions o;
  Status s = SetClassicOption("smooth_radius", "200", OptionSpelling::kFlag, &o);
  EXPECT_EQ(s.message(), "--smooth-radius must be an integer in 0..100, got '200'");
  s = SetClassicOptionValue("smooth_radius", 200, OptionSpelling::kKey, &o);
  EXPECT_EQ(s.message(), "smooth_radius must be an integer in 0..100, got '200'");
  s = SetClassicOption("window", "8", OptionSpelling::kFlag, &o);
  EXPECT_NE(s.message().find("--window must be an integer in 3..31 (odd)"), std::string::npos)
      << s.message();
  for (const char* branching : {"1", "2", "7"}) {
    s = SetClassicOption("flann_kmeans", branching, OptionSpelling::kKey, &o);
    EXPECT_NE(s.message().find("0 or at least 8"), std::string::npos) << s.message();
  }
  s = SetClassicOption("seed", "-1", OptionSpelling::kFlag, &o);
  EXPECT_FALSE(s.ok());
  s = SetClassicOption("dark_lightness", "nan", OptionSpelling::kFlag, &o);
  EXPECT_FALSE(s.ok());
  s = SetClassicOption("matcher", "brute", OptionSpelling::kKey, &o);
  // The choices are the backends built (FAISS and hnswlib are optional).
  EXPECT_EQ(s.message(), "matcher must be one of " + MatcherBackendNames() + ", got 'brute'");
  s = SetClassicOptionValue("stats", 1, OptionSpelling::kKey, &o);
  EXPECT_EQ(s.message(), "stats must be true or false");
  s = SetClassicOptionValue("window", true, OptionSpelling::kKey, &o);
  EXPECT_EQ(s.message(), "window takes a value, not true or false");
  s = SetClassicOption("smoothing_radius", "3", OptionSpelling::kKey,
                       &o);  // the struct field's name
  EXPECT_NE(s.message().find("unknown option 'smoothing_radius' (known: features, window,"),
            std::string::npos)
      << s.message();
  // A struct set in code is checked with the same names.
  o = ClassicOptions();
  o.transfer.smoothing_radius = -1;
  EXPECT_EQ(CheckClassicOptions(o, OptionSpelling::kFlag).message(),
            "--smooth-radius must be an integer in 0..100, got '-1'");
}

TEST(OptionTableTest, TheCacheKeyHoldsExactlyTheMarkedOptions) {
  const ClassicOptions defaults;
  const std::string key = ClassicCacheKey(defaults);
  EXPECT_NE(key.find("window=7;"), std::string::npos) << key;
  EXPECT_NE(key.find("seed=2016"), std::string::npos) << key;
  for (const OptionInfo& o : ClassicOptionTable()) {
    // Change each option to another valid value: the key changes exactly
    // when the table says the cache depends on it.
    ClassicOptions changed;
    std::string other;
    if (o.type == OptionType::kBool)
      other = o.get(defaults) == "true" ? "false" : "true";
    else if (o.type == OptionType::kChoice)
      other = o.choices[o.choices[0] == o.get(defaults) ? 1 : 0];
    else if (o.name == "candidates")
      other = "32";  // above 16 the calibration sees it
    else if (o.name == "seed")
      other = "7";
    else
      other = std::to_string(static_cast<long long>(o.max));  // every default is below its maximum
    ASSERT_TRUE(SetClassicOption(o.name, other, OptionSpelling::kKey, &changed).ok())
        << o.name << "=" << other;
    const bool in_key = o.in_cache_key && o.in_cache_key(changed);
    EXPECT_EQ(ClassicCacheKey(changed) != key, in_key) << o.name;
  }
}

}  // namespace
}  // namespace tint
