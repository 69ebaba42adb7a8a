// tint colorize-sequence: a clip coloured from a keyframe and
// scored; bad keyframes, frames and options give one line and write nothing.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/run_tint.h"
#include "core/color.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using testing::RunResult;
using testing::RunTint;

// A clip of 4 frames: the project's photo panned by 2 px per frame; the
// keyframe is the frame before the first.
std::string MakeClip(const std::string& dir) {
  const cv::Mat photo = cv::imread(testing::TestDataPath("bridge_small.jpg"));
  fs::create_directories(dir + "/frames");
  for (int t = 0; t <= 4; ++t) {
    const cv::Mat frame = photo(cv::Rect(2 * t, 0, photo.cols - 10, photo.rows)).clone();
    cv::imwrite(t == 0 ? dir + "/key.png" : dir + "/frames/f" + std::to_string(t) + ".png", frame);
  }
  return dir + "/frames";
}

TEST(SequenceCliTest, ColoursEveryFrameKeepsLightnessAndScores) {
  const std::string dir = testing::ScratchDir();
  const std::string frames = MakeClip(dir);
  for (const std::string& method : {"welsh", "classic"}) {
    const std::string out = dir + "/out-" + method;
    const RunResult r = RunTint("colorize-sequence " + frames + " --keyframe " + dir +
                                    "/key.png -o " + out + " --method " + method + " --score",
                                dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("4 frames:"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("colorize-sequence 4/4 ("), std::string::npos) << r.err;  // progress
    for (int t = 1; t <= 4; ++t) {
      const std::string name = "/f" + std::to_string(t) + ".png";
      const cv::Mat in = cv::imread(frames + name), got = cv::imread(out + name);
      ASSERT_FALSE(got.empty()) << out + name;
      EXPECT_LT(cv::norm(ComputeLightness(in), ComputeLightness(got), cv::NORM_INF), 1.0);
    }
    std::ifstream file(out + "/scores.json");
    const nlohmann::json scores = nlohmann::json::parse(file);
    EXPECT_EQ(scores["frames"].size(), 4u);
    EXPECT_EQ(scores["pairs"].size(), 3u);
    EXPECT_GT(scores["mean"]["auc"].get<double>(), 50.0);
    EXPECT_GE(scores["mean"]["flicker"].get<double>(), 0.0);
  }
  // The temporal term off gives other colours than on (the default, 0.5).
  const RunResult r = RunTint("colorize-sequence " + frames + " --keyframe " + dir +
                                  "/key.png -o " + dir + "/off --method welsh --temporal 0",
                              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(
      cv::norm(cv::imread(dir + "/off/f4.png"), cv::imread(dir + "/out-welsh/f4.png"), cv::NORM_L1),
      0.0);
  EXPECT_EQ(
      cv::norm(cv::imread(dir + "/off/f1.png"), cv::imread(dir + "/out-welsh/f1.png"), cv::NORM_L1),
      0.0);  // the first frame has no previous one
  // From the previous coloured frame instead of the keyframe: the first
  // frame as before, the later ones otherwise.
  const RunResult p = RunTint("colorize-sequence " + frames + " --keyframe " + dir +
                                  "/key.png -o " + dir + "/prev --method welsh --from-previous",
                              dir);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(cv::norm(cv::imread(dir + "/prev/f1.png"), cv::imread(dir + "/out-welsh/f1.png"),
                     cv::NORM_L1),
            0.0);
  EXPECT_GT(cv::norm(cv::imread(dir + "/prev/f3.png"), cv::imread(dir + "/out-welsh/f3.png"),
                     cv::NORM_L1),
            0.0);
}

TEST(SequenceCliTest, BadClipsGiveOneLineAndWriteNothing) {
  const std::string dir = testing::ScratchDir();
  const std::string frames = MakeClip(dir);
  cv::imwrite(dir + "/small.png", cv::Mat(10, 10, CV_8UC3, cv::Scalar(1, 2, 3)));
  fs::create_directories(dir + "/empty");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {frames + " --keyframe " + dir + "/nope.png -o " + dir + "/out", "--keyframe"},
      {frames + " --keyframe " + dir + "/small.png -o " + dir + "/out",
       "but the keyframe is 10x10"},
      {dir + "/empty --keyframe " + dir + "/key.png -o " + dir + "/out", "no frames"},
      {dir + "/nowhere --keyframe " + dir + "/key.png -o " + dir + "/out", "not a folder"},
      {frames + " --keyframe " + dir + "/key.png -o " + dir + "/out --method cnn",
       "takes no reference"},
      {frames + " --keyframe " + dir + "/key.png -o " + dir + "/out --temporal 2", "--temporal"},
      {frames + " --keyframe " + dir + "/key.png -o " + frames, "the frames folder"},
      {frames + " -o " + dir + "/out", "--keyframe"},
  };
  for (const auto& [args, expect] : cases) {
    const RunResult r = RunTint("colorize-sequence " + args, dir);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(r.ErrLines(), 1) << r.err;
    EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    if (expect != "but the keyframe is 10x10") EXPECT_FALSE(fs::exists(dir + "/out")) << args;
  }
  // Frames never replaced: 4 frames, no output among them.
  int n = 0;
  for (const auto& e : fs::directory_iterator(frames)) n += e.is_regular_file();
  EXPECT_EQ(n, 4);
}

}  // namespace
}  // namespace tint
