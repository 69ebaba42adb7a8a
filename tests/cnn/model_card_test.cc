#include "cnn/model_card.h"

#include <fstream>

#include <gtest/gtest.h>

#include "core/config.h"
#include "testing.h"

namespace tint {
namespace {

const char kToml[] = R"(
format = "tint-model-card"
version = 1
name = "demo"
framework = "onnx"
model = "net.onnx"
[input]
blob = "l"
resize = "fit"
max_side = 320
multiple = 32
l_offset = -50.0
l_scale = 0.02
[output]
blob = "logits"
decoder = "bins"
centres = "$data/bins.npy"
temperature = 0.5
[[inject]]
layer = "scale"
constant = 2.5
count = 4
[about]
note = "free form"
)";

const char kJson[] = R"({
  "format": "tint-model-card", "version": 1, "name": "demo", "framework": "onnx", "model": "net.onnx",
  "input": {"blob": "l", "resize": "fit", "max_side": 320, "multiple": 32, "l_offset": -50.0, "l_scale": 0.02},
  "output": {"blob": "logits", "decoder": "bins", "centres": "$data/bins.npy", "temperature": 0.5},
  "inject": [{"layer": "scale", "constant": 2.5, "count": 4}],
  "about": {"note": "free form"}
})";

Status Parse(const std::string& text, bool toml, ModelCard* card,
             const std::string& path = "/models/x/card") {
  nlohmann::json tree;
  TINT_RETURN_IF_ERROR(ParseConfigText(path, text, toml, &tree));
  ModelCardOptions options;
  options.data_root = "/data";
  return ParseModelCard(path, tree, options, card);
}

TEST(ModelCard, TomlAndJsonGiveTheSameCard) {
  ModelCard t, j;
  ASSERT_TRUE(Parse(kToml, true, &t).ok());
  ASSERT_TRUE(Parse(kJson, false, &j).ok());
  for (const ModelCard* c : {&t, &j}) {
    EXPECT_EQ(c->name, "demo");
    EXPECT_EQ(c->framework, ModelFramework::kOnnx);
    EXPECT_EQ(c->model_path, "/models/x/net.onnx");  // relative to the card
    EXPECT_EQ(c->input.resize, InputResize::kFit);
    EXPECT_EQ(c->input.max_side, 320);
    EXPECT_EQ(c->input.multiple, 32);
    EXPECT_DOUBLE_EQ(c->input.l_offset, -50.0);
    EXPECT_DOUBLE_EQ(c->input.l_scale, 0.02);
    EXPECT_EQ(c->output.decoder, DecoderKind::kBins);
    EXPECT_EQ(c->output.centres_path, "/data/bins.npy");  // $data/ -> data root
    EXPECT_DOUBLE_EQ(c->output.temperature, 0.5);
    ASSERT_EQ(c->injections.size(), 1u);
    EXPECT_EQ(c->injections[0].count, 4);
    EXPECT_DOUBLE_EQ(c->injections[0].constant, 2.5);
    EXPECT_EQ(c->about["note"], "free form");
  }
}

TEST(ModelCard, Zhang313DefaultsToTheSharedCentres) {
  std::string text = kJson;
  text.replace(text.find("\"bins\""), 6, "\"zhang313\"");
  text.replace(text.find("\"centres\": \"$data/bins.npy\", "), 28, "");
  ModelCard c;
  ASSERT_TRUE(Parse(text, false, &c).ok());
  EXPECT_EQ(c.output.decoder, DecoderKind::kZhang313);
  EXPECT_EQ(c.output.centres_path, "/data/zhang2016/pts_in_hull.npy");
}

TEST(ModelCard, WeightsOverrideReplacesTheFileAndItsHash) {
  nlohmann::json tree;
  ASSERT_TRUE(ParseConfigText("c.json", kJson, false, &tree).ok());
  tree["sha256"] = std::string(64, 'a');
  ModelCardOptions options;
  options.weights_override = "/elsewhere/net.onnx";
  ModelCard c;
  ASSERT_TRUE(ParseModelCard("/m/c.json", tree, options, &c).ok());
  EXPECT_EQ(c.model_path, "/elsewhere/net.onnx");
  EXPECT_TRUE(c.sha256.empty());
}

// Each broken card gives one line that names what is wrong.
TEST(ModelCard, RejectsBrokenCards) {
  struct Case {
    std::string from, to, expect;
  };
  const std::vector<Case> cases = {
      {"\"version\": 1", "\"version\": 2", "version 2"},
      {"\"framework\": \"onnx\"", "\"framework\": \"tflite\"", "tflite"},
      {"\"decoder\": \"bins\"", "\"decoder\": \"hsv\"", "hsv"},
      {"\"max_side\": 320", "\"max_side\": 320, \"colour\": 1", "unknown key 'colour'"},
      {"\"resize\": \"fit\"", "\"resize\": \"crop\"", "crop"},
      {"\"max_side\": 320", "\"max_side\": -3", "max_side"},
      {"\"temperature\": 0.5", "\"temperature\": 0", "temperature"},
      {"\"model\": \"net.onnx\"", "\"model\": 7", "'model' must be a string"},
      {"\"model\": \"net.onnx\"", "\"model\": \"net.onnx\", \"weights\": \"w\"",
       "no separate 'weights'"},
      {"\"count\": 4", "\"count\": 0", "count"},
      {"\"format\": \"tint-model-card\"", "\"format\": \"x\"", "format"},
  };
  for (const Case& c : cases) {
    std::string text = kJson;
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    ModelCard card;
    Status s = Parse(text, false, &card);
    EXPECT_FALSE(s.ok()) << c.to;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  }
  ModelCard card;
  Status s = Parse("format = \"tint-model-card\"\nversion = \n", true, &card, "bad.toml");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad.toml:2"), std::string::npos) << s.message();
  EXPECT_FALSE(Parse("{\"format\": ", false, &card).ok());
  EXPECT_FALSE(Parse("[1, 2]", false, &card).ok());
}

TEST(ModelCard, LoadReadsFilesByExtension) {
  const std::string dir = testing::ScratchDir();
  std::ofstream(dir + "/card.toml") << kToml;
  std::ofstream(dir + "/card.yaml") << kToml;
  ModelCard card;
  ASSERT_TRUE(LoadModelCard(dir + "/card.toml", {}, &card).ok());
  EXPECT_EQ(card.model_path, dir + "/net.onnx");
  Status s = LoadModelCard(dir + "/card.yaml", {}, &card);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(".json or .toml"), std::string::npos);
  EXPECT_FALSE(LoadModelCard(dir + "/none.toml", {}, &card).ok());
}

}  // namespace
}  // namespace tint
