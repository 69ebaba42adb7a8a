// A method with knobs of its own, as docs/extending.md describes it: its
// options struct, its table (pipeline/option_table.h) and its factory in its
// own files (here, in this test), and one registry entry pointing at the
// table. Configs, the registry's checks and the factory then take its
// options with no other change.
#include <fstream>

#include <gtest/gtest.h>

#include "eval/experiment.h"
#include "pipeline/option_table.h"
#include "pipeline/registry.h"
#include "testing.h"

namespace tint {
namespace {

// A constant tone whose a and b are the method's options.
struct ToneOptions {
  double a = 6, b = 14;
};

// How often a value was set from text (parsed) and the whole checked.
int g_parses = 0, g_checks = 0;

OptionEntry<ToneOptions> Counted(OptionEntry<ToneOptions> entry) {
  auto set = entry.set;
  entry.set = [set](ToneOptions* o, const std::string& text) {
    ++g_parses;
    set(o, text);
  };
  return entry;
}

const std::vector<OptionEntry<ToneOptions>>& ToneTable() {
  static const std::vector<OptionEntry<ToneOptions>> table = {
      Counted(NumberOption<ToneOptions, double>("a", OptionType::kDouble, -100, 100, "Tone a",
                                                [](ToneOptions& o) -> double& { return o.a; })),
      Counted(NumberOption<ToneOptions, double>("b", OptionType::kDouble, -100, 100, "Tone b",
                                                [](ToneOptions& o) -> double& { return o.b; }))};
  return table;
}

const TypedOptionTable<ToneOptions>& ToneMethodOptions() {
  static const TypedOptionTable<ToneOptions> table(
      "toy-tone", ToneTable(), [](const ToneOptions& o) {
        ++g_checks;
        return o.a == 0 && o.b == 0 ? Status::Error("a tone of a = b = 0 is grey: give a or b")
                                    : Status::Ok();
      });
  return table;
}

class ToneColorizer : public Colorizer {
 public:
  explicit ToneColorizer(const ToneOptions& options) : options_(options) {}
  std::string name() const override { return "toy-tone"; }
  Status Colorize(const cv::Mat& lightness, cv::Mat* ab, ColorizeDetails*) const override {
    *ab = cv::Mat(lightness.size(), CV_32FC2, cv::Scalar(options_.a, options_.b));
    return Status::Ok();
  }

 private:
  ToneOptions options_;
};

Status CreateTone(const MethodSpec& spec, const ColorizerContext&,
                  std::unique_ptr<Colorizer>* colorizer) {
  // The registry hands a prepared spec: the options built by the table.
  const ToneOptions* options = spec.built.As<ToneOptions>();
  if (options == nullptr) return Status::Error("toy-tone was not given its options");
  *colorizer = std::make_unique<ToneColorizer>(*options);
  return Status::Ok();
}

// The one registry line.
const bool kRegistered = [] {
  MethodInfo m{"toy-tone", "a constant tone set by its options (test only)", &CreateTone};
  m.options = &ToneMethodOptions();
  return RegisterMethod(m).ok();
}();

Status Make(const nlohmann::json& options, cv::Vec2f* tone) {
  MethodSpec spec;
  spec.method = "toy-tone";
  spec.options = options;
  std::unique_ptr<Colorizer> c;
  TINT_RETURN_IF_ERROR(CreateColorizer(spec, ColorizerContext(), &c));
  cv::Mat ab;
  TINT_RETURN_IF_ERROR(c->Colorize(cv::Mat(2, 2, CV_32F, cv::Scalar(50)), &ab, nullptr));
  *tone = ab.at<cv::Vec2f>(1, 1);
  return Status::Ok();
}

TEST(MethodOptionsTest, TheFactoryGetsTheOptionsThroughItsTable) {
  ASSERT_TRUE(kRegistered);
  cv::Vec2f tone;
  ASSERT_TRUE(Make(nlohmann::json::object(), &tone).ok());
  EXPECT_EQ(tone, cv::Vec2f(6, 14));
  const Status s = Make({{"a", -20}, {"b", "2.5"}}, &tone);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(tone, cv::Vec2f(-20, 2.5));
}

TEST(MethodOptionsTest, BadOptionsAreOneLineNamingTheOption) {
  cv::Vec2f tone;
  Status s = Make({{"a", 200}}, &tone);
  EXPECT_EQ(s.message(), "a must be a number in -100..100, got '200'");
  s = Make({{"window", 5}}, &tone);
  EXPECT_EQ(s.message(), "unknown option 'window' (known: a, b)");
  s = Make({{"a", 0}, {"b", 0}}, &tone);
  EXPECT_EQ(s.message(), "a tone of a = b = 0 is grey: give a or b");
  s = Make({{"a", true}}, &tone);
  EXPECT_EQ(s.message(), "a takes a value, not true or false");
}

TEST(MethodOptionsTest, ConfigsCheckTheOptionsWithTheTable) {
  const std::string path = testing::ScratchDir() + "/tone.toml";
  auto write = [&](const std::string& options) {
    std::ofstream(path)
        << "name = \"tone\"\n[[dataset]]\nname = \"d\"\nkind = \"folder\"\npath = \""
        << testing::SourceDir() << "/tests/data\"\n[[method]]\nname = \"t\"\n"
        << "mode = \"toy-tone\"\noptions = " << options << "\n";
  };
  write("{ b = -3 }");
  ExperimentConfig config;
  Status s = LoadExperimentConfig(path, testing::SourceDir(), &config);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(config.methods.size(), 1u);
  EXPECT_EQ(config.methods[0].spec.options["b"], -3);
  write("{ b = 500 }");
  s = LoadExperimentConfig(path, testing::SourceDir(), &config);
  EXPECT_NE(s.message().find("[[method]] #1 (method 't'): b must be a number in -100..100"),
            std::string::npos)
      << s.message();
}

TEST(MethodOptionsTest, AnOptionIsParsedOnceAndCheckedOnceFromConfigToUse) {
  const std::string path = testing::ScratchDir() + "/tone_once.toml";
  std::ofstream(path) << "name = \"tone\"\n[[dataset]]\nname = \"d\"\nkind = \"folder\"\npath = \""
                      << testing::SourceDir() << "/tests/data\"\n[[method]]\nname = \"t\"\n"
                      << "mode = \"toy-tone\"\noptions = { a = -7 }\n";
  g_parses = g_checks = 0;
  ExperimentConfig config;
  const Status s = LoadExperimentConfig(path, testing::SourceDir(), &config);
  ASSERT_TRUE(s.ok()) << s.message();
  std::unique_ptr<Colorizer> c;
  ASSERT_TRUE(CreateColorizer(config.methods[0].spec, ColorizerContext(), &c).ok());
  ASSERT_TRUE(CreateColorizer(config.methods[0].spec, ColorizerContext(), &c).ok());
  EXPECT_EQ(g_parses, 1);  // the config's one value, parsed when the config was read
  EXPECT_EQ(g_checks, 1);
  cv::Mat ab;
  ASSERT_TRUE(c->Colorize(cv::Mat(1, 1, CV_32F, cv::Scalar(50)), &ab, nullptr).ok());
  EXPECT_EQ(ab.at<cv::Vec2f>(0, 0), cv::Vec2f(-7, 14));
}

TEST(MethodOptionsTest, ASpecChangedAfterItWasPreparedIsPreparedAfresh) {
  MethodSpec spec;
  spec.method = "toy-tone";
  spec.options = {{"a", 3}};
  ASSERT_TRUE(PrepareSpec(&spec, OptionSpelling::kKey).ok());
  EXPECT_TRUE(SpecPrepared(spec));
  spec.options["a"] = 200;  // no longer what was built
  EXPECT_FALSE(SpecPrepared(spec));
  std::unique_ptr<Colorizer> c;
  EXPECT_EQ(CreateColorizer(spec, ColorizerContext(), &c).message(),
            "a must be a number in -100..100, got '200'");
  spec.options["a"] = 200.0;
  EXPECT_EQ(PrepareSpec(&spec, OptionSpelling::kFlag).message(),
            "--a must be a number in -100..100, got '200'");
}

}  // namespace
}  // namespace tint
