// The shipped model (models/tint-hc): OpenCV dnn against the torch reference
// the training script saved, a run on the project's photos, and broken files.
#include "cnn/network.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <limits>
#include <thread>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "cli/run_tint.h"
#include "cnn/npy.h"
#include "core/color.h"
#include "core/file_util.h"
#include "core/image_io.h"
#include "core/locate.h"
#include "eval/metrics.h"
#include "pipeline/cnn_colorizer.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/colorizer.h"
#include "pipeline/registry.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

std::string ShippedDir() { return testing::SourceDir() + "/models/tint-hc"; }

Status LoadShipped(std::unique_ptr<CnnModel>* model, const std::string& card_path = "") {
  ModelCard card;
  TINT_RETURN_IF_ERROR(
      LoadModelCard(card_path.empty() ? ShippedDir() + "/card.toml" : card_path, {}, &card));
  return CnnModel::Load(card, model);
}

// Every model card folder the training scripts wrote (models/*/ with a
// card and check/; models/tint-deep, classic's deep features network, is
// checked by tests/features/deep_test).
std::vector<std::string> ShippedDirs() {
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(testing::SourceDir() + "/models")) {
    if (fs::exists(e.path() / "check" / "input.npy") && fs::exists(e.path() / "card.toml"))
      dirs.push_back(e.path().string());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

TEST(ShippedModel, OpenCvMatchesTheTorchReference) {
  const std::vector<std::string> dirs = ShippedDirs();
  ASSERT_GE(dirs.size(), 2u);
  for (const std::string& dir : dirs) {
    SCOPED_TRACE(dir);
    std::unique_ptr<CnnModel> model;
    Status s = LoadShipped(&model, dir + "/card.toml");
    ASSERT_TRUE(s.ok()) << s.message();
    cv::Mat input, expected, got;
    ASSERT_TRUE(ReadNpy(dir + "/check/input.npy", &input).ok());
    ASSERT_TRUE(ReadNpy(dir + "/check/logits.npy", &expected).ok());
    ASSERT_TRUE(model->Forward(input, "", &got).ok());
    ASSERT_EQ(got.dims, 4);
    for (int i = 0; i < 4; ++i) ASSERT_EQ(got.size[i], expected.size[i]) << "dim " << i;
    EXPECT_EQ(got.size[1], model->centres().rows);
    EXPECT_LE(cv::norm(got, expected, cv::NORM_INF), 1e-4);
  }
}

// The default card (DefaultModelCard) is one of the shipped folders.
TEST(ShippedModel, TheDefaultCardIsShipped) {
  const std::string card = DefaultModelCard();
  ASSERT_TRUE(fs::exists(card)) << card;
  const std::vector<std::string> dirs = ShippedDirs();
  EXPECT_NE(std::find(dirs.begin(), dirs.end(), fs::path(card).parent_path().string()), dirs.end())
      << card;
}

TEST(ShippedModel, InputSizeFitsTheLongSideAndRoundsToTheMultiple) {
  std::unique_ptr<CnnModel> model;
  ASSERT_TRUE(LoadShipped(&model).ok());
  const ModelInputSpec& in = model->card().input;
  cv::Size s = model->InputSize(cv::Size(481, 321));
  EXPECT_EQ(s.width, in.max_side);
  EXPECT_EQ(s.width % in.multiple, 0);
  EXPECT_EQ(s.height % in.multiple, 0);
  EXPECT_NEAR(static_cast<double>(s.height) / s.width, 321.0 / 481, 0.1);
  cv::Size tiny = model->InputSize(cv::Size(3, 2));
  EXPECT_GE(tiny.width, in.multiple);
  EXPECT_GE(tiny.height, in.multiple);
}

// Runs the shipped model on the project's two photos: output the photo's
// size, L kept, chroma present and in range.
TEST(ShippedModel, ColorizesPhotosKeepingLightness) {
  for (const std::string& dir : ShippedDirs()) {
    SCOPED_TRACE(dir);
    std::unique_ptr<Colorizer> colorizer;
    Status s = CreateCnnColorizer(dir + "/card.toml", {}, &colorizer);
    ASSERT_TRUE(s.ok()) << s.message();
    for (const char* name : {"bridge_small.jpg", "street_small.png"}) {
      cv::Mat image, colour;
      ASSERT_TRUE(ReadImage({}, testing::TestDataPath(name), &image).ok());
      ColorizeDetails details;
      ASSERT_TRUE(ColorizePhoto(*colorizer, {}, image, &colour, &details).ok()) << name;
      ASSERT_EQ(colour.size(), image.size());
      EXPECT_GT(details.seconds.count("cnn_forward"), 0u);
      EXPECT_LE(MaxLightnessDifference(ComputeLightness(image), ComputeLightness(colour)), 1.0)
          << name;
      cv::Mat ab;
      ASSERT_TRUE(colorizer->Colorize(ComputeLightness(image), &ab, nullptr).ok());
      ASSERT_EQ(ab.size(), image.size());
      ASSERT_TRUE(cv::checkRange(ab));
      cv::Mat planes[2];
      cv::split(ab, planes);
      cv::Mat magnitude;
      cv::magnitude(planes[0], planes[1], magnitude);
      EXPECT_GT(cv::mean(magnitude)[0], 1.0) << name << ": no chroma predicted";
      EXPECT_LT(cv::mean(magnitude)[0], 60.0) << name;
    }
  }
}

// Several threads at once (the service's workers): each forward pass has a
// net of its own from the pool, and every result equals the serial one.
TEST(ShippedModel, ConcurrentPredictionsEqualSerialOnes) {
  std::unique_ptr<CnnModel> model;
  ASSERT_TRUE(LoadShipped(&model).ok());
  cv::Mat photo;
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("bridge_small.jpg"), &photo).ok());
  const cv::Mat lightness = ComputeLightness(photo);
  cv::Mat serial;
  ASSERT_TRUE(model->Predict(lightness, &serial).ok());
  std::vector<cv::Mat> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 3; ++k) EXPECT_TRUE(model->Predict(lightness, &results[i]).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  for (const cv::Mat& r : results) EXPECT_EQ(cv::norm(r, serial, cv::NORM_INF), 0.0);
}

class BrokenModel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    for (const char* f : {"card.toml", "tint_hc.onnx", "ab_bins.npy"}) {
      fs::copy_file(ShippedDir() + "/" + f, dir_ + "/" + f);
    }
  }
  void EditCard(const std::string& from, const std::string& to) {
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(ReadFileBytes(dir_ + "/card.toml", &bytes).ok());
    std::string text(bytes.begin(), bytes.end());
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/card.toml", text).ok());
  }
  std::string Error() {
    std::unique_ptr<CnnModel> model;
    Status s = LoadShipped(&model, dir_ + "/card.toml");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
    return s.message();
  }
  std::string dir_;
};

TEST_F(BrokenModel, CopyLoads) {
  std::unique_ptr<CnnModel> model;
  Status s = LoadShipped(&model, dir_ + "/card.toml");
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST_F(BrokenModel, MissingModelFile) {
  fs::remove(dir_ + "/tint_hc.onnx");
  EXPECT_NE(Error().find("tint_hc.onnx"), std::string::npos);
}

TEST_F(BrokenModel, TruncatedModelIsCaughtByTheHash) {
  fs::resize_file(dir_ + "/tint_hc.onnx", 100000);
  EXPECT_NE(Error().find("SHA-256"), std::string::npos);
}

TEST_F(BrokenModel, TruncatedModelWithoutHashFailsToLoad) {
  fs::resize_file(dir_ + "/tint_hc.onnx", 100000);
  EditCard("sha256 = ", "# sha256 = ");
  EXPECT_NE(Error().find("cannot load model"), std::string::npos);
}

TEST_F(BrokenModel, CardNamesMissingBlobs) {
  EditCard("blob = \"logits\"", "blob = \"logits_v2\"");
  EXPECT_NE(Error().find("'logits_v2' is not in the model"), std::string::npos);
}

TEST_F(BrokenModel, CardNamesMissingInput) {
  EditCard("blob = \"l\"", "blob = \"lightness\"");
  EXPECT_NE(Error().find("'lightness' is not an input"), std::string::npos);
}

TEST_F(BrokenModel, CentresOfTheWrongCount) {
  cv::Mat centres;
  ASSERT_TRUE(ReadNpy(dir_ + "/ab_bins.npy", &centres).ok());
  // Same file format, one bin fewer than the network's output channels.
  ASSERT_TRUE(WriteNpy(dir_ + "/ab_bins.npy", centres.rowRange(0, centres.rows - 1)).ok());
  EXPECT_NE(Error().find("centres"), std::string::npos);
}

// NaN centres gave grey output with exit 0.
TEST_F(BrokenModel, CentresThatAreNotFinite) {
  cv::Mat centres;
  ASSERT_TRUE(ReadNpy(dir_ + "/ab_bins.npy", &centres).ok());
  centres.at<float>(3, 1) = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(WriteNpy(dir_ + "/ab_bins.npy", centres).ok());
  EXPECT_NE(Error().find("centres must be finite"), std::string::npos) << Error();
  centres.at<float>(3, 1) = std::numeric_limits<float>::infinity();
  ASSERT_TRUE(WriteNpy(dir_ + "/ab_bins.npy", centres).ok());
  EXPECT_NE(Error().find("centres must be finite"), std::string::npos) << Error();
}

TEST_F(BrokenModel, TheCliGivesOneLineAndNoOutput) {
  fs::resize_file(dir_ + "/tint_hc.onnx", 5000);
  testing::RunResult r =
      testing::RunTint("colorize " + testing::TestDataPath("bridge_small.jpg") + " -o " + dir_ +
                           "/out.png --mode cnn --model " + dir_ + "/card.toml",
                       dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/out.png"));
}

TEST(ShippedModel, CliColorizesWithTheDefaultModel) {
  const std::string dir = testing::ScratchDir();
  testing::RunResult r = testing::RunTint("colorize " + testing::TestDataPath("bridge_small.jpg") +
                                              " -o " + dir + "/out.png --mode cnn",
                                          dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  cv::Mat out;
  EXPECT_TRUE(ReadImage({}, dir + "/out.png", &out).ok());
  r = testing::RunTint("colorize " + testing::TestDataPath("bridge_small.jpg") + " -o " + dir +
                           "/out2.png --mode cnn --explain",
                       dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--explain shows matched labels: method 'cnn' has none"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tint
