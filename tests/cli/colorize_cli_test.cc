// Runs the real `tint` binary: good runs write their output; every bad input
// gives exactly one line on stderr, a non-zero exit, and no output file.
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "cli/run_tint.h"
#include "core/color.h"
#include "core/file_util.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using testing::RunResult;
using testing::RunTint;

// Files in `dir` (temporaries included), recursively.
int FileCount(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST(ColorizeCliTest, OneInputWritesTheOutputAndKeepsLightness) {
  const std::string dir = testing::ScratchDir();
  const std::string in = testing::TestDataPath("bridge_small.jpg"), out = dir + "/out.png";
  const RunResult r = RunTint("colorize " + in + " -o " + out + " --side-by-side", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(out));
  EXPECT_TRUE(fs::exists(dir + "/out_side.png"));
  const cv::Mat result = cv::imread(out, cv::IMREAD_UNCHANGED),
                input = cv::imread(in, cv::IMREAD_UNCHANGED);
  EXPECT_LT(cv::norm(ComputeLightness(result), ComputeLightness(input), cv::NORM_INF), 1.0);
}

// --explain writes the labels and the confidence pictures; with
// --confidence-full 1 and --confidence-fade 0 every pixel below full
// confidence loses chroma towards grey, so the output is less colourful than
// the default, and L is kept. --confidence-fade changes the
// output, and a bad value is a one-line error naming the flag.
TEST(ColorizeCliTest, ExplainShowsConfidenceAndConfidenceScalesChroma) {
  const std::string dir = testing::ScratchDir();
  const std::string in = testing::TestDataPath("bridge_small.jpg");
  RunResult r = RunTint("colorize " + in + " -o " + dir + "/a.png --explain", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const cv::Mat input = cv::imread(in), labels = cv::imread(dir + "/a_labels.png"),
                confidence = cv::imread(dir + "/a_confidence.png");
  ASSERT_FALSE(confidence.empty());
  EXPECT_EQ(labels.cols, input.cols);
  EXPECT_GT(labels.rows, input.rows);  // the legend below
  EXPECT_EQ(confidence.cols, input.cols);
  EXPECT_GT(confidence.rows, input.rows);  // the key strip below
  r = RunTint("colorize " + in + " -o " + dir + "/b.png --confidence-full 1 --confidence-fade 0",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  cv::Mat la, aba, lb, abb;
  SplitLab(cv::imread(dir + "/a.png"), &la, &aba);
  SplitLab(cv::imread(dir + "/b.png"), &lb, &abb);
  EXPECT_LT(cv::norm(la, lb, cv::NORM_INF), 1.0);
  const double chroma_a = cv::norm(aba, cv::NORM_L1), chroma_b = cv::norm(abb, cv::NORM_L1);
  EXPECT_LT(chroma_b, 0.9 * chroma_a);
  EXPECT_GT(chroma_b, 0.0);
  r = RunTint("colorize " + in + " -o " + dir + "/c.png --confidence-full 2", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--confidence-full"), std::string::npos) << r.err;
  r = RunTint("colorize " + in + " -o " + dir + "/d.png --confidence-fade 0", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  cv::Mat ld, abd;
  SplitLab(cv::imread(dir + "/d.png"), &ld, &abd);
  EXPECT_GT(cv::norm(aba, abd, cv::NORM_L1), 0.01 * chroma_a);  // the fade target matters
  r = RunTint("colorize " + in + " -o " + dir + "/e.png --confidence-fade 2", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--confidence-fade"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ColorizeCliTest, SeveralInputsGoToAFolderWithProgress) {
  const std::string dir = testing::ScratchDir();
  const RunResult r =
      RunTint("colorize " + testing::TestDataPath("bridge_small.jpg") + " " +
                  testing::TestDataPath("street_small.png") + " -o " + dir + "/outs",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/outs/bridge_small.png"));
  EXPECT_TRUE(fs::exists(dir + "/outs/street_small.png"));
  EXPECT_NE(r.err.find("2/2"), std::string::npos) << r.err;
}

// A folder run with several jobs (threads sharing one colorizer) writes
// exactly the bytes of a one-job run for every photo, and a failing photo
// among them fails alone.
TEST(ColorizeCliTest, JobsGiveTheSameBytesAsOneJob) {
  const std::string dir = testing::ScratchDir();
  std::string inputs;
  for (int i = 0; i < 3; ++i) {
    for (const char* name : {"bridge_small.jpg", "street_small.png"}) {
      const std::string copy = dir + "/" + std::to_string(i) + "_" + name;
      fs::copy_file(testing::TestDataPath(name), copy);
      inputs += " " + copy;
    }
  }
  std::ofstream(dir + "/broken.png") << "not an image";
  inputs += " " + dir + "/broken.png";
  for (const std::string& method : {"classic", "cnn"}) {
    const RunResult one = RunTint(
        "colorize" + inputs + " -o " + dir + "/one_" + method + " -j 1 --method " + method, dir);
    const RunResult three = RunTint(
        "colorize" + inputs + " -o " + dir + "/three_" + method + " -j 3 --method " + method, dir);
    EXPECT_EQ(one.exit_code, 1) << one.err;
    EXPECT_EQ(three.exit_code, 1) << three.err;
    EXPECT_NE(three.err.find("colorized 6 of 7"), std::string::npos) << three.err;
    int compared = 0;
    for (const auto& e : fs::directory_iterator(dir + "/one_" + method)) {
      std::vector<uint8_t> a, b;
      ASSERT_TRUE(ReadFileBytes(e.path().string(), &a).ok());
      ASSERT_TRUE(
          ReadFileBytes(dir + "/three_" + method + "/" + e.path().filename().string(), &b).ok());
      EXPECT_EQ(a, b) << method << " " << e.path().filename();
      ++compared;
    }
    EXPECT_EQ(compared, 6) << method;
  }
}

TEST(ColorizeCliTest, PostAutoRuns) {
  const std::string dir = testing::ScratchDir();
  const RunResult r = RunTint(
      "colorize " + testing::TestDataPath("street_small.png") + " -o " + dir + "/o.jpg --post auto",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/o.jpg"));
}

TEST(ColorizeCliTest, HelpWorks) {
  const std::string dir = testing::ScratchDir();
  EXPECT_EQ(RunTint("--help", dir).exit_code, 0);
  EXPECT_EQ(RunTint("colorize --help", dir).exit_code, 0);
  EXPECT_EQ(RunTint("db --help", dir).exit_code, 0);
}

// The presets: listed by --help with the options they set; the
// seed runs (exactly matched, and with FLANN), keeps L like every method,
// gives another picture than classic, and a flag overrides its preset.
TEST(ColorizeCliTest, SeedPresetsAreListedRunAndKeepLightness) {
  const std::string dir = testing::ScratchDir();
  const RunResult help = RunTint("colorize --help", dir);
  ASSERT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("classic:seed:"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("preset: "), std::string::npos);
  EXPECT_NE(help.out.find("color_space=yuv"), std::string::npos);
  const std::string in = testing::TestDataPath("bridge_small.jpg");
  const cv::Mat input = cv::imread(in);
  std::map<std::string, cv::Mat> out;
  for (const std::string run : {"classic", "classic:seed-flann", "classic:seed --query-stride 4"}) {
    const std::string file = dir + "/" + std::to_string(out.size()) + ".png";
    const RunResult r = RunTint("colorize " + in + " -o " + file + " --method " + run, dir);
    ASSERT_EQ(r.exit_code, 0) << run << ": " << r.err;
    out[run] = cv::imread(file);
    ASSERT_EQ(out[run].size(), input.size()) << run;
    EXPECT_LT(cv::norm(ComputeLightness(out[run]), ComputeLightness(input), cv::NORM_INF), 1.0)
        << run;
  }
  EXPECT_GT(cv::norm(out["classic"], out["classic:seed-flann"], cv::NORM_L1), 0.0);
  // The seed is not grey.
  cv::Mat l, ab;
  SplitLab(out["classic:seed-flann"], &l, &ab);
  EXPECT_GT(cv::norm(ab, cv::NORM_L1) / ab.total(), 0.5);
}

// A hints PNG (BGRA) of `size` with a red stroke at `where`; elsewhere transparent.
std::string RedStroke(const std::string& path, cv::Size size, cv::Rect where) {
  cv::Mat h(size, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  h(where).setTo(cv::Scalar(40, 40, 210, 255));
  cv::imwrite(path, h);
  return path;
}

cv::Size GoodSize() {
  const cv::Mat m = cv::imread(testing::TestDataPath("bridge_small.jpg"));
  return m.size();
}

// Strokes: levin colours the grey photo from them alone, keeps L,
// and puts the stroke's colour under it; over classic they correct the
// output near the stroke and leave it as it was far away.
TEST(ColorizeCliTest, StrokesColourAndCorrectAndKeepLightness) {
  const std::string dir = testing::ScratchDir();
  const std::string in = testing::TestDataPath("bridge_small.jpg");
  const cv::Mat input = cv::imread(in);
  const cv::Rect stroke(10, 60, 12, 3);
  const std::string hints = RedStroke(dir + "/strokes.png", input.size(), stroke);
  RunResult r = RunTint(
      "colorize " + in + " --method levin --hints " + hints + " -o " + dir + "/levin.png -v", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("hints"), std::string::npos) << r.err;  // the stage's time
  const cv::Mat levin = cv::imread(dir + "/levin.png");
  EXPECT_LT(cv::norm(ComputeLightness(levin), ComputeLightness(input), cv::NORM_INF), 1.0);
  cv::Mat l, ab;
  SplitLab(levin, &l, &ab);
  EXPECT_GT(ab.at<cv::Vec2f>(61, 15)[0], 25.0f);  // red: a well above 0
  EXPECT_GT(cv::mean(ab)[0], 5.0);                // and it spread beyond the stroke
  // The old, symmetric weights on request: another propagation; a bad name
  // is a one-line error.
  r = RunTint("colorize " + in + " --method levin --hints " + hints +
                  " --hint-weights symmetric -o " + dir + "/symmetric.png",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(cv::norm(cv::imread(dir + "/symmetric.png"), levin, cv::NORM_INF), 0);
  r = RunTint("colorize " + in + " --method levin --hints " + hints +
                  " --hint-weights geometric -o " + dir + "/bad.png",
              dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("levin or symmetric"), std::string::npos) << r.err;

  r = RunTint("colorize " + in + " -o " + dir + "/auto.png", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTint("colorize " + in + " --hints " + hints + " --hint-reach 5 -o " + dir + "/fixed.png",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const cv::Mat automatic = cv::imread(dir + "/auto.png"), fixed = cv::imread(dir + "/fixed.png");
  cv::Mat auto_ab, fixed_ab;
  SplitLab(automatic, &l, &auto_ab);
  SplitLab(fixed, &l, &fixed_ab);
  EXPECT_GT(fixed_ab.at<cv::Vec2f>(61, 15)[0], 25.0f);
  EXPECT_LT(
      cv::norm(automatic(cv::Rect(100, 0, 60, 40)), fixed(cv::Rect(100, 0, 60, 40)), cv::NORM_INF),
      2.0);  // far from the stroke, as before
  EXPECT_LT(cv::norm(ComputeLightness(fixed), ComputeLightness(input), cv::NORM_INF), 1.0);

  // A folder of hints: one per input stem; the output never replaces a hints file.
  fs::create_directories(dir + "/hints");
  fs::copy_file(in, dir + "/a.jpg");
  RedStroke(dir + "/hints/a.png", input.size(), stroke);
  r = RunTint("colorize " + dir + "/a.jpg --method levin --hints " + dir + "/hints -o " + dir +
                  "/hints/a.png",
              dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("would overwrite the input"), std::string::npos) << r.err;
  EXPECT_EQ(cv::imread(dir + "/hints/a.png", cv::IMREAD_UNCHANGED).channels(), 4);
  fs::create_directories(dir + "/out");
  r = RunTint(
      "colorize " + dir + "/a.jpg --method levin --hints " + dir + "/hints -o " + dir + "/out",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/out/a.png"));
}

// A reference photo: welsh and classic colour from it, keep L,
// and differ from classic's own colours; the reference is an input no output
// may replace; swatches reach welsh.
TEST(ColorizeCliTest, AReferencePhotoColoursWelshAndClassic) {
  const std::string dir = testing::ScratchDir();
  const std::string in = testing::TestDataPath("bridge_small.jpg");
  const std::string ref = testing::TestDataPath("street_small.png");
  const cv::Mat input = cv::imread(in);
  for (const std::string& method : {"welsh", "classic"}) {
    const RunResult r = RunTint("colorize " + in + " --method " + method + " --reference " + ref +
                                    " -o " + dir + "/" + method + ".png -v",
                                dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const cv::Mat out = cv::imread(dir + "/" + method + ".png");
    EXPECT_LT(cv::norm(ComputeLightness(out), ComputeLightness(input), cv::NORM_INF), 1.0);
  }
  ASSERT_EQ(RunTint("colorize " + in + " -o " + dir + "/own.png", dir).exit_code, 0);
  EXPECT_GT(cv::norm(cv::imread(dir + "/own.png"), cv::imread(dir + "/classic.png"), cv::NORM_L1),
            0.0);
  // welsh's own knob from its flag: fewer jittered samples, other colours.
  RunResult r = RunTint("colorize " + in + " --method welsh --reference " + ref +
                            " --jitter-samples 4 -o " + dir + "/welsh4.png",
                        dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(cv::norm(cv::imread(dir + "/welsh.png"), cv::imread(dir + "/welsh4.png"), cv::NORM_L1),
            0.0);
  r = RunTint("colorize " + in + " --method welsh --reference " + ref +
                  " --swatch 0,0,40,40:0,0,30,30 -o " + dir + "/swatch.png",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(cv::norm(cv::imread(dir + "/welsh.png"), cv::imread(dir + "/swatch.png"), cv::NORM_L1),
            0.0);
  r = RunTint("colorize " + in + " --reference " + ref + " --swatch 0,0,60,60:0,0,40,40 -o " + dir +
                  "/classic-swatch.png",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(cv::norm(cv::imread(dir + "/classic.png"), cv::imread(dir + "/classic-swatch.png"),
                     cv::NORM_L1),
            0.0);
  fs::copy_file(ref, dir + "/ref.png");
  r = RunTint(
      "colorize " + in + " --method welsh --reference " + dir + "/ref.png -o " + dir + "/ref.png",
      dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("would overwrite the input"), std::string::npos) << r.err;
}

struct BadCase {
  std::string name;
  // Builds the arguments in a scratch folder; output goes to OUT.
  std::function<std::string(const std::string& dir)> args;
};

class ColorizeBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ColorizeBadInputTest, OneLineNonZeroExitNoOutput) {
  const std::string dir = testing::ScratchDir();
  const std::string work = dir + "/work";
  fs::create_directories(work);
  const std::string args = GetParam().args(work);
  const int files_before = FileCount(dir);
  const RunResult r = RunTint("colorize " + args, dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(work + "/out.png"));
  EXPECT_EQ(FileCount(dir), files_before) << "a file (temporary?) was left behind";
}

std::string Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string Good() { return testing::TestDataPath("bridge_small.jpg"); }

std::string Truncated(const std::string& dir, const std::string& ext) {
  std::vector<uint8_t> buf;
  cv::imencode(ext, cv::imread(Good()), buf);
  buf.resize(buf.size() / 2);
  return Write(dir + "/cut" + ext, std::string(buf.begin(), buf.end()));
}

std::string CorruptDb(const std::string& dir) {
  fs::create_directories(dir + "/db");
  Write(dir + "/db/manifest.json",
        "{\"format\": \"tint-patchdb\", \"version\": 1, \"patches\": [{\"id\"");
  return dir + "/db";
}

INSTANTIATE_TEST_SUITE_P(
    All, ColorizeBadInputTest,
    ::testing::Values(
        BadCase{"missing_file",
                [](const std::string& d) { return d + "/nope.png -o " + d + "/out.png"; }},
        BadCase{"directory", [](const std::string& d) { return d + " -o " + d + "/out.png"; }},
        BadCase{
            "zero_bytes",
            [](const std::string& d) { return Write(d + "/z.png", "") + " -o " + d + "/out.png"; }},
        BadCase{"text_named_png",
                [](const std::string& d) {
                  return Write(d + "/t.png", "hello, I am text\n") + " -o " + d + "/out.png";
                }},
        BadCase{
            "truncated_png",
            [](const std::string& d) { return Truncated(d, ".png") + " -o " + d + "/out.png"; }},
        BadCase{
            "truncated_jpeg",
            [](const std::string& d) { return Truncated(d, ".jpg") + " -o " + d + "/out.png"; }},
        BadCase{
            "levin_without_hints",
            [](const std::string& d) { return Good() + " --method levin -o " + d + "/out.png"; }},
        BadCase{"hints_missing",
                [](const std::string& d) {
                  return Good() + " --method levin --hints " + d + "/nope.png -o " + d + "/out.png";
                }},
        BadCase{"hints_wrong_size",
                [](const std::string& d) {
                  return Good() + " --hints " + RedStroke(d + "/h.png", {50, 40}, {2, 2, 5, 5}) +
                         " --method levin -o " + d + "/out.png";
                }},
        BadCase{"hints_without_strokes",
                [](const std::string& d) {
                  return Good() + " --hints " + RedStroke(d + "/h.png", GoodSize(), {0, 0, 0, 0}) +
                         " -o " + d + "/out.png";
                }},
        BadCase{"hints_not_an_image",
                [](const std::string& d) {
                  return Good() + " --hints " + Write(d + "/h.png", "not a png") + " -o " + d +
                         "/out.png";
                }},
        BadCase{
            "hint_reach_without_hints",
            [](const std::string& d) { return Good() + " --hint-reach 5 -o " + d + "/out.png"; }},
        BadCase{"hint_reach_negative",
                [](const std::string& d) {
                  return Good() + " --hints " + RedStroke(d + "/h.png", GoodSize(), {2, 2, 5, 5}) +
                         " --hint-reach -3 -o " + d + "/out.png";
                }},
        BadCase{"one_hints_file_for_two_inputs",
                [](const std::string& d) {
                  return Good() + " " + Good() + " --hints " +
                         RedStroke(d + "/h.png", GoodSize(), {2, 2, 5, 5}) + " -o " + d +
                         "/out.png";
                }},
        BadCase{"welsh_without_reference",
                [](const std::string& d) { return Good() + " --method welsh -o " + d + "/out.png"; }},
        BadCase{"reference_missing",
                [](const std::string& d) {
                  return Good() + " --method welsh --reference " + d + "/nope.png -o " + d +
                         "/out.png";
                }},
        BadCase{"reference_not_an_image",
                [](const std::string& d) {
                  return Good() + " --method welsh --reference " + Write(d + "/r.png", "text") +
                         " -o " + d + "/out.png";
                }},
        BadCase{"reference_for_cnn",
                [](const std::string& d) {
                  return Good() + " --method cnn --reference " + Good() + " -o " + d + "/out.png";
                }},
        BadCase{"swatch_without_reference",
                [](const std::string& d) {
                  return Good() + " --swatch 0,0,9,9:0,0,9,9 -o " + d + "/out.png";
                }},
        BadCase{"swatch_malformed",
                [](const std::string& d) {
                  return Good() + " --method welsh --reference " + Good() + " --swatch 0,0,9:0 -o " +
                         d + "/out.png";
                }},
        BadCase{"swatch_outside_the_photo",
                [](const std::string& d) {
                  return Good() + " --method welsh --reference " + Good() +
                         " --swatch 150,100,40,40:0,0,9,9 -o " + d + "/out.png";
                }},
        BadCase{"too_large",
                [](const std::string& d) {
                  return Good() + " --max-pixels 1000 -o " + d + "/out.png";
                }},
        BadCase{"output_folder_missing",
                [](const std::string& d) { return Good() + " -o " + d + "/no/such/out.png"; }},
        BadCase{"output_unwritable",
                [](const std::string&) { return Good() + " -o /proc/tint-out.png"; }},
        BadCase{"output_bad_extension",
                [](const std::string& d) { return Good() + " -o " + d + "/out.xyz"; }},
        BadCase{"invalid_window",
                [](const std::string& d) { return Good() + " --window 4 -o " + d + "/out.png"; }},
        BadCase{
            "not_a_number",
            [](const std::string& d) { return Good() + " --window seven -o " + d + "/out.png"; }},
        BadCase{"unknown_mode",
                [](const std::string& d) { return Good() + " --mode magic -o " + d + "/out.png"; }},
        BadCase{"unknown_flag",
                [](const std::string& d) { return Good() + " --frobnicate -o " + d + "/out.png"; }},
        BadCase{"missing_db",
                [](const std::string&
                       d) { return Good() + " --db " + d + "/nodb -o " + d + "/out.png"; }},
        BadCase{"corrupt_db",
                [](const std::string&
                       d) { return Good() + " --db " + CorruptDb(d) + " -o " + d + "/out.png"; }}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

// One photo is read before the method is opened (which may build the index,
// seconds), so a bad photo or bad strokes are said at once: with a database
// that does not exist, the error names the photo, not the database.
TEST(ColorizeOrderTest, ABadPhotoIsSaidBeforeTheMethodIsOpened) {
  const std::string dir = testing::ScratchDir();
  const std::string no_db = " --db " + dir + "/nodb -o " + dir + "/out.png";
  RunResult r = RunTint("colorize " + Write(dir + "/z.png", "") + no_db, dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("z.png: empty file"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("nodb"), std::string::npos) << r.err;
  r = RunTint("colorize " + Good() + " --hints " +
                  RedStroke(dir + "/h.png", GoodSize(), {0, 0, 0, 0}) + no_db,
              dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("h.png"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("nodb"), std::string::npos) << r.err;
  // Two photos: the method first, then each photo in turn.
  r = RunTint("colorize " + Good() + " " + dir + "/z.png" + no_db, dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nodb"), std::string::npos) << r.err;
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
}

}  // namespace
}  // namespace tint
