// Configs read as the CLI does: a method that takes a model and names none
// gets the CLI's default card.
#include <fstream>

#include <gtest/gtest.h>

#include "core/locate.h"
#include "eval/experiment.h"
#include "testing.h"

namespace tint {
namespace {

TEST(ExperimentConfigTest, AMethodWithoutAModelGetsTheDefaultCard) {
  const std::string path = testing::ScratchDir() + "/no_model.toml";
  std::ofstream(path) << "name = \"m\"\n[[dataset]]\nname = \"d\"\nkind = \"folder\"\npath = \""
                      << testing::SourceDir() << "/tests/data\"\n[[method]]\nname = \"net\"\n"
                      << "mode = \"cnn\"\n[[method]]\nname = \"named\"\nmode = \"cnn\"\n"
                      << "model = \"$data/card.toml\"\n";
  ExperimentConfig config;
  const Status s = LoadExperimentConfig(path, testing::SourceDir(), &config);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(config.methods.size(), 2u);
  EXPECT_EQ(config.methods[0].spec.model, DefaultModelCard());
  EXPECT_EQ(config.methods[1].spec.model, testing::SourceDir() + "/card.toml");  // as named
}

}  // namespace
}  // namespace tint
