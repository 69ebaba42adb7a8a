// Configs read as the CLI does: a method that takes a model and names none
// gets the CLI's default card; relative paths are the config file's.
#include <filesystem>
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

// A relative path in a config is read from the config file's folder, not
// from where tint runs; "$data/" and absolute paths are as they were.
TEST(ExperimentConfigTest, RelativePathsAreTheConfigFilesFolders) {
  namespace fs = std::filesystem;
  const std::string dir = testing::ScratchDir() + "/configs/ab";
  fs::create_directories(dir + "/photos");
  fs::copy_file(testing::SourceDir() + "/tests/data/bridge_small.jpg", dir + "/photos/a.jpg",
                fs::copy_options::overwrite_existing);
  const std::string path = dir + "/relative.toml";
  std::ofstream(path) << "name = \"m\"\n[[dataset]]\nname = \"d\"\nkind = \"folder\"\n"
                      << "path = \"photos\"\n[[method]]\nname = \"net\"\nmode = \"cnn\"\n"
                      << "model = \"../cards/card.toml\"\n";
  ExperimentConfig config;
  const Status s = LoadExperimentConfig(path, testing::SourceDir(), &config);
  ASSERT_TRUE(s.ok()) << s.message();  // photos/ is found beside the config
  EXPECT_EQ(config.datasets[0].path, dir + "/photos");
  EXPECT_EQ(config.methods[0].spec.model, testing::ScratchDir() + "/configs/cards/card.toml");
}

TEST(ExperimentConfigTest, TheBaselineIsNotAMethodToName) {
  const std::string path = testing::ScratchDir() + "/grey.toml";
  std::ofstream(path) << "name = \"m\"\n[[dataset]]\nname = \"d\"\nkind = \"folder\"\npath = \""
                      << testing::SourceDir() << "/tests/data\"\n[[method]]\nname = \"g\"\n"
                      << "mode = \"grayscale\"\n";
  ExperimentConfig config;
  const Status s = LoadExperimentConfig(path, testing::SourceDir(), &config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the grayscale baseline is always run; leave it out"),
            std::string::npos)
      << s.message();
}

TEST(ExperimentConfigTest, SaveOutputsIsABoolean) {
  const std::string path = testing::ScratchDir() + "/save.toml";
  const std::string body = "name = \"m\"\n[[dataset]]\nname = \"d\"\nkind = \"folder\"\npath = \"" +
                           testing::SourceDir() + "/tests/data\"\n";
  std::ofstream(path) << "save_outputs = true\n" << body;
  ExperimentConfig config;
  ASSERT_TRUE(LoadExperimentConfig(path, testing::SourceDir(), &config).ok());
  EXPECT_TRUE(config.save_outputs);
  std::ofstream(path) << "save_outputs = \"yes\"\n" << body;
  const Status s = LoadExperimentConfig(path, testing::SourceDir(), &config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("save_outputs"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tint
