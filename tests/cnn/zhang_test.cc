// Zhang et al. 2016's released deploy prototxt, run through tint's cards with
// weights of the right shapes drawn at random (the real 129 MB weights are
// not available here). Checks shapes, that tint's zhang313 decoder agrees with
// the deploy model's own injected annealed mean, the CLI path, and bad files.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/run_tint.h"
#include "cnn/caffe_writer.h"
#include "cnn/decoder.h"
#include "cnn/network.h"
#include "core/color.h"
#include "core/file_util.h"
#include "core/image_io.h"
#include "eval/metrics.h"
#include "pipeline/colorizer.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

class Zhang : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string root = testing::SharedDataRoot();
    if (root.empty()) return;
    dir_ = new std::string(testing::BinaryDir() + "/test_scratch/zhang_weights");
    fs::create_directories(*dir_);
    testing::RandomCaffeOptions options;
    options.seed = testing::kSeed;
    options.skip_layers = {"class8_ab"};  // injected, as with the released weights
    status_ = new Status(WriteRandomCaffeModel(root + "/zhang2016/colorization_deploy_v2.prototxt",
                                               *dir_ + "/random.caffemodel", options));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete status_;
    dir_ = nullptr;
    status_ = nullptr;
  }
  void SetUp() override {
    root_ = testing::SharedDataRoot();
    if (root_.empty())
      GTEST_SKIP() << "shared data not found: set TINT_DATA_ROOT to the folder holding zhang2016/";
    ASSERT_TRUE(status_->ok()) << status_->message();
  }
  Status Load(const std::string& card_name, std::unique_ptr<CnnModel>* model,
              const std::string& weights = "") {
    ModelCardOptions options;
    options.data_root = root_;
    options.weights_override = weights.empty() ? *dir_ + "/random.caffemodel" : weights;
    ModelCard card;
    TINT_RETURN_IF_ERROR(
        LoadModelCard(testing::SourceDir() + "/models/zhang2016/" + card_name, options, &card));
    return CnnModel::Load(card, model);
  }
  static std::string* dir_;
  static Status* status_;
  std::string root_;
};
std::string* Zhang::dir_ = nullptr;
Status* Zhang::status_ = nullptr;

TEST_F(Zhang, ShapesOfTheDeployNet) {
  std::unique_ptr<CnnModel> model;
  Status s = Load("card.json", &model);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(model->centres().rows, 313);
  EXPECT_EQ(model->InputSize(cv::Size(481, 321)), cv::Size(224, 224));
  int shape[] = {1, 1, 224, 224};
  cv::Mat input(4, shape, CV_32F);
  cv::randu(input, -50, 50);
  cv::Mat logits, ab_net;
  ASSERT_TRUE(model->Forward(input, "conv8_313", &logits).ok());
  ASSERT_TRUE(model->Forward(input, "class8_ab", &ab_net).ok());
  ASSERT_EQ(logits.dims, 4);
  EXPECT_EQ(logits.size[1], 313);
  EXPECT_EQ(logits.size[2], 56);
  EXPECT_EQ(logits.size[3], 56);
  ASSERT_EQ(ab_net.dims, 4);
  EXPECT_EQ(ab_net.size[1], 2);
  EXPECT_EQ(ab_net.size[2], 56);
}

// The deploy net computes softmax(2.606 z) . centres in its last layers;
// tint's decoder on the logits z at T = 1/2.606 must give the same field.
TEST_F(Zhang, DecoderAgreesWithTheInjectedAnnealedMean) {
  std::unique_ptr<CnnModel> model;
  ASSERT_TRUE(Load("card.json", &model).ok());
  int shape[] = {1, 1, 224, 224};
  cv::Mat input(4, shape, CV_32F);
  cv::randu(input, -50, 50);
  cv::Mat logits, ab_net, ab_tint, ab_plane;
  ASSERT_TRUE(model->Forward(input, "conv8_313", &logits).ok());
  ASSERT_TRUE(model->Forward(input, "class8_ab", &ab_net).ok());
  ASSERT_TRUE(DecodeBins(logits, model->centres(), 1.0 / 2.606, true, &ab_tint).ok());
  ASSERT_TRUE(DecodeAb(ab_net, 1.0, &ab_plane).ok());
  double spread = cv::norm(ab_tint, cv::NORM_INF);
  EXPECT_GT(spread, 1.0) << "random weights gave a flat field; the check would be empty";
  EXPECT_LE(cv::norm(ab_tint, ab_plane, cv::NORM_INF), 1e-3 * std::max(1.0, spread));
}

TEST_F(Zhang, BothCardsColorizeAPhoto) {
  for (const char* card : {"card.json", "card_ab.json"}) {
    std::unique_ptr<CnnModel> model;
    Status s = Load(card, &model);
    ASSERT_TRUE(s.ok()) << card << ": " << s.message();
    cv::Mat image, ab;
    ASSERT_TRUE(ReadImage({}, testing::TestDataPath("bridge_small.jpg"), &image).ok());
    ASSERT_TRUE(model->Predict(ComputeLightness(image), &ab).ok());
    EXPECT_EQ(ab.size(), cv::Size(56, 56));
    EXPECT_TRUE(cv::checkRange(ab, true, nullptr, -128, 128));
  }
}

TEST_F(Zhang, CliRunsTheWholePath) {
  const std::string dir = testing::ScratchDir();
  testing::RunResult r =
      testing::RunTint("colorize " + testing::TestDataPath("street_small.png") + " -o " + dir +
                           "/out.png --mode cnn --model " + testing::SourceDir() +
                           "/models/zhang2016/card.json --weights " + *dir_ +
                           "/random.caffemodel --data-root " + root_,
                       dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  cv::Mat in, out;
  ASSERT_TRUE(ReadImage({}, testing::TestDataPath("street_small.png"), &in).ok());
  ASSERT_TRUE(ReadImage({}, dir + "/out.png", &out).ok());
  EXPECT_EQ(out.size(), in.size());
  EXPECT_LE(MaxLightnessDifference(ComputeLightness(in), ComputeLightness(out)), 1.0);
}

TEST_F(Zhang, MissingWeightsNameTheFile) {
  const std::string dir = testing::ScratchDir();
  testing::RunResult r =
      testing::RunTint("colorize " + testing::TestDataPath("street_small.png") + " -o " + dir +
                           "/out.png --mode cnn --model " + testing::SourceDir() +
                           "/models/zhang2016/card.json --data-root " + root_,
                       dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("colorization_release_v2.caffemodel"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/out.png"));
}

TEST_F(Zhang, TruncatedWeightsGiveOneLine) {
  const std::string path = testing::ScratchDir() + "/truncated.caffemodel";
  fs::copy_file(*dir_ + "/random.caffemodel", path);
  fs::resize_file(path, fs::file_size(path) / 2);
  std::unique_ptr<CnnModel> model;
  Status s = Load("card.json", &model, path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot load model"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST_F(Zhang, WeightsOfTheWrongShapeGiveOneLine) {
  const std::string path = testing::ScratchDir() + "/wrong.caffemodel";
  testing::RandomCaffeOptions options;
  options.skip_layers = {"class8_ab"};
  options.corrupt_layer = "conv2_1";
  ASSERT_TRUE(
      WriteRandomCaffeModel(root_ + "/zhang2016/colorization_deploy_v2.prototxt", path, options)
          .ok());
  std::unique_ptr<CnnModel> model;
  Status s = Load("card.json", &model, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
}

TEST_F(Zhang, InjectionIntoAMissingLayerIsNamed) {
  const std::string dir = testing::ScratchDir();
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(ReadFileBytes(testing::SourceDir() + "/models/zhang2016/card.json", &bytes).ok());
  std::string text(bytes.begin(), bytes.end());
  text.replace(text.find("\"layer\": \"conv8_313_rh\""), 23, "\"layer\": \"conv8_313_xx\"");
  ASSERT_TRUE(WriteFileAtomic(dir + "/card.json", text).ok());
  ModelCardOptions options;
  options.data_root = root_;
  options.weights_override = *dir_ + "/random.caffemodel";
  ModelCard card;
  ASSERT_TRUE(LoadModelCard(dir + "/card.json", options, &card).ok());
  std::unique_ptr<CnnModel> model;
  Status s = CnnModel::Load(card, &model);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("conv8_313_xx"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tint
