// `tint eval` on the project's own photos: the methods table (with the
// rebalanced AuC and the CNN mode) and the BSDS-layout region benchmark.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "cli/run_tint.h"
#include "core/file_util.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using testing::RunResult;
using testing::RunTint;

TEST(EvalCliTest, ReportsEveryMethodBesideTheBaseline) {
  const std::string dir = testing::ScratchDir();
  const RunResult r = RunTint("eval --images " + testing::SourceDir() +
                                  "/tests/data --methods classic,cnn --csv " + dir + "/rows.csv",
                              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("AuC-rb"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("grayscale"), std::string::npos);
  EXPECT_NE(r.out.find("classic"), std::string::npos);
  EXPECT_NE(r.out.find("cnn:tint-mnv2-ft"), std::string::npos);  // the default card
  std::vector<uint8_t> csv;
  ASSERT_TRUE(ReadFileBytes(dir + "/rows.csv", &csv).ok());
  const std::string text(csv.begin(), csv.end());
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            1 + 2 * 3);  // header + 2 photos x 3 methods
}

// Presets and variants of classic are rows of their own, named as
// registered; a method named twice is a one-line error.
TEST(EvalCliTest, PresetsAreRowsOfTheirOwn) {
  const std::string dir = testing::ScratchDir();
  const std::string images = testing::SourceDir() + "/tests/data";
  RunResult r =
      RunTint("eval --images " + images + " --limit 1 --methods classic,classic:seed-flann --csv " +
                  dir + "/rows.csv",
              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nclassic:seed-flann "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nclassic "), std::string::npos) << r.out;
  std::vector<uint8_t> csv;
  ASSERT_TRUE(ReadFileBytes(dir + "/rows.csv", &csv).ok());
  const std::string text(csv.begin(), csv.end());
  EXPECT_NE(text.find(",classic:seed-flann,"), std::string::npos) << text;
  // Naming the baseline gives it no second row (its scores were summed
  // twice under one name: AuC 178).
  r = RunTint("eval --images " + images + " --limit 1 --methods grayscale,classic", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t rows = 0;
  for (size_t at = r.out.find("\ngrayscale "); at != std::string::npos;
       at = r.out.find("\ngrayscale ", at + 1))
    ++rows;
  EXPECT_EQ(rows, 1u) << r.out;
  const size_t row = r.out.find("\ngrayscale ");
  ASSERT_NE(row, std::string::npos);
  EXPECT_LE(std::stod(r.out.substr(row + 11, 20)), 100.0) << r.out;  // AuC in 0..100
  r = RunTint("eval --images " + images + " --limit 1 --methods classic,classic", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("twice"), std::string::npos) << r.err;
}

// A BSDS-shaped folder with one photo and two "human" segmentations drawn
// by hand: the run prints the ODS/OIS row; a photo without segmentations is
// reported on one line, counted, and the run goes on (exit 1).
TEST(EvalCliTest, RegionBenchmarkOnABsdsLayout) {
  const std::string dir = testing::ScratchDir();
  const fs::path root = fs::path(dir) / "bsds";
  fs::create_directories(root / "images" / "test");
  fs::create_directories(root / "segmentations" / "test");
  cv::Mat photo = cv::imread(testing::TestDataPath("bridge_small.jpg"), cv::IMREAD_COLOR);
  ASSERT_FALSE(photo.empty());
  ASSERT_TRUE(cv::imwrite((root / "images" / "test" / "1.jpg").string(), photo));
  cv::Mat halves(photo.size(), CV_16U, cv::Scalar(1));
  halves.rowRange(photo.rows / 2, photo.rows).setTo(2);
  cv::Mat quarters = halves.clone();
  quarters.colRange(photo.cols / 2, photo.cols) += 2;
  ASSERT_TRUE(cv::imwrite((root / "segmentations" / "test" / "1_1.png").string(), halves));
  ASSERT_TRUE(cv::imwrite((root / "segmentations" / "test" / "1_2.png").string(), quarters));

  RunResult r = RunTint("eval --bsds-regions " + root.string() +
                            " --split test --segment-counts 2,4,8 --csv " + dir + "/regions.csv",
                        dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tint normalized cuts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Cov ODS"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir + "/regions.csv"));

  ASSERT_TRUE(
      cv::imwrite((root / "images" / "test" / "2.jpg").string(), photo));  // no segmentations
  r = RunTint("eval --bsds-regions " + root.string() + " --split test --segment-counts 2,4", dir);
  EXPECT_EQ(r.exit_code, 1);
  // One error line (the progress line also goes to stderr).
  size_t errors = 0;
  for (size_t at = r.err.find("error:"); at != std::string::npos; at = r.err.find("error:", at + 1))
    ++errors;
  EXPECT_EQ(errors, 1u) << r.err;
  EXPECT_NE(r.err.find("no human segmentations 2_"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 photos of test"), std::string::npos) << r.out;

  // The same benchmark inside a configured run (the photo without human
  // segmentations is reported and skipped).
  ASSERT_TRUE(
      WriteFileAtomic(dir + "/r.toml",
                      "name = \"r\"\n[[dataset]]\nname = \"b\"\nkind = \"bsds500\"\npath = \"" +
                          root.string() +
                          "\"\nsplit = \"test\"\nregions = true\nsegment_counts = [2, 4]\n")
          .ok());
  r = RunTint("eval --config " + dir + "/r.toml --out " + dir + "/rrun", dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("normalized cuts vs human segmentations: covering ODS"), std::string::npos)
      << r.out;
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(ReadFileBytes(dir + "/rrun/summary.json", &bytes).ok());
  const nlohmann::json summary = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
  const auto& regions = summary["datasets"][0]["regions"];
  EXPECT_GT(regions["covering"]["ods"].get<double>(), 0.0);
  EXPECT_LE(regions["covering"]["ois"].get<double>(), 1.0);
  EXPECT_GE(regions["covering"]["ois"].get<double>(), regions["covering"]["ods"].get<double>());
  ASSERT_TRUE(ReadFileBytes(dir + "/rrun/report.html", &bytes).ok());
  EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("Covering ODS"), std::string::npos);

  r = RunTint("eval --bsds-regions " + root.string() + " --split train", dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  r = RunTint("eval --bsds-regions " + root.string() + " --split test --segment-counts 0", dir);
  EXPECT_EQ(r.exit_code, 1);
}

// A config over a folder data set: the project's two photos plus a file that
// is not an image.
class ConfiguredEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    photos_ = dir_ + "/photos";
    fs::create_directories(photos_);
    fs::copy_file(testing::TestDataPath("bridge_small.jpg"), photos_ + "/a.jpg");
    fs::copy_file(testing::TestDataPath("street_small.png"), photos_ + "/b.png");
    ASSERT_TRUE(WriteFileAtomic(photos_ + "/c.png", std::string("not an image")).ok());
    WriteConfig("");
  }
  void WriteConfig(const std::string& extra) {
    const std::string text =
        "name = \"t\"\n" + extra + "[[dataset]]\nname = \"mine\"\nkind = \"folder\"\npath = \"" +
        photos_ +
        "\"\n[[method]]\nname = \"classic\"\nmode = \"classic\"\n"
        // Exact matching and no label calibration keep each process quick (no
        // index is built); the seeded FLANN build repeats too, which
        // cli/determinism_cli_test checks across processes.
        "options = { query_stride = 3, matcher = \"exact\", calibration_step = 0 }\n"
        "[[method]]\nname = \"hc\"\nmode = \"cnn\"\nmodel = \"" +
        testing::SourceDir() + "/models/tint-hc/card.toml\"\n";
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/c.toml", text).ok());
  }
  RunResult Eval(const std::string& args) {
    return RunTint("eval --config " + dir_ + "/c.toml " + args, dir_);
  }
  // The config `text` stops the run before any work: one line holding
  // `expect`, exit 1, no summary.
  void ExpectRefused(const std::string& text, const std::string& expect) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/c.toml", text).ok());
    const RunResult r = Eval("--out " + dir_ + "/bad");
    EXPECT_EQ(r.exit_code, 1) << expect;
    EXPECT_EQ(r.ErrLines(), 1) << r.err;
    EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ + "/bad/summary.json"));
  }
  std::string Read(const std::string& path) {
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(ReadFileBytes(path, &bytes).ok()) << path;
    return std::string(bytes.begin(), bytes.end());
  }
  static int Count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  std::string dir_, photos_;
};

TEST_F(ConfiguredEvalTest, RunsReportsTheUnreadablePhotoAndGoesOn) {
  RunResult r = Eval("--out " + dir_ + "/run --jobs 2");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // one photo could not be read
  EXPECT_EQ(Count(r.err, "error:"), 1) << r.err;
  EXPECT_NE(r.err.find("c.png"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("2 of 3 photos, 1 unreadable"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hc"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ + "/run/photos/mine/a.jpg.json"));
  EXPECT_TRUE(fs::exists(dir_ + "/run/photos/mine/c.png.error"));
  const std::string csv = Read(dir_ + "/run/per_photo.csv");
  EXPECT_EQ(Count(csv, "\n"), 1 + 2 * 3);  // header + 2 photos x (grayscale, classic, hc)
  nlohmann::json summary = nlohmann::json::parse(Read(dir_ + "/run/summary.json"));
  EXPECT_EQ(summary["datasets"][0]["done"], 2);
  EXPECT_EQ(summary["datasets"][0]["methods"][0]["name"], "grayscale");
  EXPECT_FALSE(summary["provenance"]["config_sha256"].get<std::string>().empty());
  EXPECT_TRUE(summary["provenance"]["models"].contains("hc"));
  EXPECT_EQ(summary["datasets"][0]["methods"][0]["minus_baseline"]["auc"], 0.0);
  // The report: table, curves, and 3 rows (best, median, worst) of 3 methods + truth.
  const std::string html = Read(dir_ + "/run/report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("tint experiment: t"), std::string::npos);
  EXPECT_EQ(Count(html, "<img src='thumbs/"), 12);
  EXPECT_TRUE(fs::exists(dir_ + "/run/thumbs/mine_worst_3.png"));
}

// Same config, same numbers: a second run, one with --jobs 1 and resume,
// and shards merged all give identical per-photo results.
// --save-outputs (or save_outputs = true) keeps every output and writes the
// gallery; --resume redoes a photo whose outputs are not all there.
TEST_F(ConfiguredEvalTest, SavedOutputsAndTheGallery) {
  ASSERT_TRUE(fs::remove(photos_ + "/c.png"));
  RunResult r = Eval("--out " + dir_ + "/g --jobs 2 --save-outputs");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The plan comes before the first photo, from the methods' stated costs.
  EXPECT_NE(r.err.find("tint eval: plan: 2 photos x 3 methods; expected per photo (stated "
                       "cost): grayscale "),
            std::string::npos)
      << r.err;
  EXPECT_LT(r.err.find("plan:"), r.err.find("mine 1/2"));
  for (const std::string method : {"grayscale", "classic", "hc"}) {
    const cv::Mat out = cv::imread(dir_ + "/g/outputs/mine/" + method + "/a.jpg.png");
    const cv::Mat photo = cv::imread(photos_ + "/a.jpg");
    EXPECT_EQ(out.size(), photo.size()) << method;
    EXPECT_TRUE(fs::exists(dir_ + "/g/outputs/mine/" + method + "/b.png")) << method;
    EXPECT_TRUE(fs::exists(dir_ + "/g/gallery/mine/b.png/" + method + ".jpg")) << method;
  }
  EXPECT_TRUE(fs::exists(dir_ + "/g/gallery/mine/a.jpg/truth.jpg"));
  const std::string page = Read(dir_ + "/g/gallery.html");
  EXPECT_NE(page.find("data-photo='a.jpg'"), std::string::npos);
  EXPECT_NE(page.find("data-photo='b.png'"), std::string::npos);
  EXPECT_NE(page.find("<option value='k0'>classic: AuC - grayscale</option>"), std::string::npos);
  EXPECT_NE(page.find("src='gallery/mine/a.jpg/hc.jpg'"), std::string::npos);
  EXPECT_NE(Read(dir_ + "/g/report.html").find("href='gallery.html'"), std::string::npos);
  ASSERT_TRUE(fs::remove(dir_ + "/g/outputs/mine/hc/b.png"));
  r = Eval("--out " + dir_ + "/g --resume --save-outputs");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 photos done, 1 already done"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir_ + "/g/outputs/mine/hc/b.png"));
  // Without it, nothing is kept.
  ASSERT_EQ(Eval("--out " + dir_ + "/plain").exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ + "/plain/outputs"));
  EXPECT_FALSE(fs::exists(dir_ + "/plain/gallery.html"));
}

TEST_F(ConfiguredEvalTest, ResumeJobsAndShardsGiveTheSameNumbers) {
  ASSERT_TRUE(fs::remove(photos_ + "/c.png"));
  ASSERT_EQ(Eval("--out " + dir_ + "/one --jobs 2").exit_code, 0);
  const std::string reference = Read(dir_ + "/one/per_photo.csv");

  RunResult r = Eval("--out " + dir_ + "/one --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("0 photos done, 2 already done"), std::string::npos) << r.err;

  ASSERT_TRUE(fs::remove(dir_ + "/one/photos/mine/b.png.json"));
  r = Eval("--out " + dir_ + "/one --resume --jobs 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 photos done, 1 already done"), std::string::npos) << r.err;

  r = Eval("--out " + dir_ + "/s0 --shard 0/2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Eval("--out " + dir_ + "/s1 --shard 1/2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ + "/s0/photos/mine/a.jpg.json"));
  EXPECT_FALSE(fs::exists(dir_ + "/s0/photos/mine/b.png.json"));
  r = Eval("--out " + dir_ + "/s0 --merge " + dir_ + "/s1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Seconds differ from run to run; every other column must match.
  auto without_seconds = [](const std::string& csv) {
    std::string out;
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> cells;
      std::istringstream ls(line);
      for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
      cells.erase(cells.begin() + 10);  // "seconds"
      for (const auto& c : cells) out += c + ",";
      out += "\n";
    }
    return out;
  };
  EXPECT_EQ(without_seconds(Read(dir_ + "/one/per_photo.csv")), without_seconds(reference));
  EXPECT_EQ(without_seconds(Read(dir_ + "/s0/per_photo.csv")), without_seconds(reference));
}

// --resume after one method's options changed keeps the other two methods'
// results as they were (to the byte, their seconds too) and reruns that one.
TEST_F(ConfiguredEvalTest, ResumeKeepsTwoMethodsAndRerunsOne) {
  ASSERT_TRUE(fs::remove(photos_ + "/c.png"));
  ASSERT_EQ(Eval("--out " + dir_ + "/r").exit_code, 0);
  auto rows = [&](const std::string& method) {
    std::string out;
    std::istringstream in(Read(dir_ + "/r/per_photo.csv"));
    for (std::string line; std::getline(in, line);)
      if (line.find("," + method + ",") != std::string::npos) out += line + "\n";
    return out;
  };
  const std::string grayscale = rows("grayscale"), classic = rows("classic"), hc = rows("hc");
  ASSERT_EQ(Count(hc, "\n"), 2);
  std::string text = Read(dir_ + "/c.toml");
  const size_t at = text.find("query_stride = 3");
  ASSERT_NE(at, std::string::npos);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/c.toml", text.replace(at, 16, "query_stride = 4")).ok());
  const RunResult r = Eval("--out " + dir_ + "/r --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resume keeps the stored results of grayscale (2 of 2 photos kept), hc (2 "
                       "of 2 photos kept)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("4 method results of the photos done were kept"), std::string::npos)
      << r.err;
  EXPECT_EQ(rows("grayscale"), grayscale);
  EXPECT_EQ(rows("hc"), hc);
  EXPECT_NE(rows("classic"), classic);
  EXPECT_EQ(Count(rows("classic"), "\n"), 2);
}

// A method with strokes per photo (<hints>/<stem>.png); a photo
// without its strokes is an error of that photo; bad hints keys stop the run.
TEST_F(ConfiguredEvalTest, HintsPerPhotoAndBadHintsKeys) {
  ASSERT_TRUE(fs::remove(photos_ + "/c.png"));
  fs::create_directories(dir_ + "/hints");
  for (const char* name : {"a.jpg", "b.png"}) {
    const cv::Mat photo = cv::imread(photos_ + "/" + name);
    cv::Mat strokes(photo.size(), CV_8UC4, cv::Scalar(0, 0, 0, 0));
    strokes(cv::Rect(5, 5, 10, 3)).setTo(cv::Scalar(40, 40, 210, 255));
    cv::imwrite(dir_ + "/hints/" + fs::path(name).stem().string() + ".png", strokes);
  }
  const std::string levin =
      "[[method]]\nname = \"levin\"\nmode = \"levin\"\nhints = \"" + dir_ + "/hints\"\n";
  std::string text = Read(dir_ + "/c.toml");
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/c.toml", text + levin).ok());
  RunResult r = Eval("--out " + dir_ + "/h");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json result = nlohmann::json::parse(Read(dir_ + "/h/photos/mine/a.jpg.json"));
  EXPECT_GT(result["methods"]["levin"]["colorfulness"].get<double>(), 1.0) << result.dump();
  EXPECT_EQ(Count(Read(dir_ + "/h/report.html"), "<img src='thumbs/"), 3 * 5);

  ASSERT_TRUE(fs::remove(dir_ + "/hints/b.png"));
  r = Eval("--out " + dir_ + "/h2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(Read(dir_ + "/h2/photos/mine/b.png.error").find("b.png"), std::string::npos);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[[method]]\nname = \"l\"\nmode = \"levin\"\n", "colours only from strokes"},
      {"[[method]]\nname = \"l\"\nmode = \"levin\"\nhints = \"" + dir_ + "/nowhere\"\n",
       "does not exist"},
      {"[[method]]\nname = \"l\"\nmode = \"grayscale\"\nhint_reach = 4\n",
       "baseline is always run"},
      {"[[method]]\nname = \"l\"\nmode = \"classic\"\nhint_reach = 4\n", "needs hints"},
      {"[[method]]\nname = \"l\"\nmode = \"classic\"\nhints = \"" + dir_ +
           "/hints\"\nhint_reach = -4\n",
       "hint_reach must be"},
      {"[[method]]\nname = \"l\"\nmode = \"levin\"\nhints = \"" + dir_ +
           "/hints\"\nhint_weights = \"geometric\"\n",
       "hint_weights must be \"levin\" or \"symmetric\""},
      {"[[method]]\nname = \"l\"\nmode = \"classic\"\nhint_weights = \"levin\"\n", "needs hints"},
  };
  for (const auto& [method, expect] : bad) ExpectRefused(text + method, expect);
}

// Methods with a reference photo per photo from a pairs file; a
// photo without a pair is an error of that photo; bad reference keys stop the run.
TEST_F(ConfiguredEvalTest, ReferencePairsAndBadReferenceKeys) {
  ASSERT_TRUE(fs::remove(photos_ + "/c.png"));
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/pairs.tsv", "# dataset\tphoto\treference\nmine\ta.jpg\t" +
                                                       photos_ + "/b.png\nmine\tb.png\t" + photos_ +
                                                       "/a.jpg\n")
                  .ok());
  const std::string methods =
      "[[method]]\nname = \"welsh\"\nmode = \"welsh\"\nreference = \"" + dir_ +
      "/pairs.tsv\"\n[[method]]\nname = \"classic-ref\"\nmode = \"classic\"\nreference = \"" +
      dir_ + "/pairs.tsv\"\n";
  const std::string text = Read(dir_ + "/c.toml");
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/c.toml", text + methods).ok());
  RunResult r = Eval("--out " + dir_ + "/r");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json result = nlohmann::json::parse(Read(dir_ + "/r/photos/mine/a.jpg.json"));
  EXPECT_GT(result["methods"]["welsh"]["colorfulness"].get<double>(), 1.0) << result.dump();
  EXPECT_NE(result["methods"]["classic-ref"]["auc"], result["methods"]["classic"]["auc"]);

  ASSERT_TRUE(WriteFileAtomic(dir_ + "/pairs.tsv", "mine\ta.jpg\t" + photos_ + "/b.png\n").ok());
  r = Eval("--out " + dir_ + "/r2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(Read(dir_ + "/r2/photos/mine/b.png.error").find("has no reference for mine b.png"),
            std::string::npos);

  ASSERT_TRUE(WriteFileAtomic(dir_ + "/bad.tsv", "mine a.jpg b.png\n").ok());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[[method]]\nname = \"w\"\nmode = \"welsh\"\n", "colours from a reference photo"},
      {"[[method]]\nname = \"w\"\nmode = \"cnn\"\nmodel = \"" + testing::SourceDir() +
           "/models/tint-hc/card.toml\"\nreference = \"" + dir_ + "/pairs.tsv\"\n",
       "takes no reference"},
      {"[[method]]\nname = \"w\"\nmode = \"welsh\"\nreference = \"" + dir_ + "/bad.tsv\"\n",
       "bad.tsv:1: expected dataset<TAB>photo<TAB>reference"},
      {"[[method]]\nname = \"w\"\nmode = \"welsh\"\nreference = \"" + dir_ + "/none.tsv\"\n",
       "none.tsv"},
  };
  for (const auto& [method, expect] : bad) ExpectRefused(text + method, expect);
}

TEST_F(ConfiguredEvalTest, BadConfigsGiveOneLineAndWriteNothing) {
  struct Case {
    std::string config_extra, args, expect;
  };
  const std::vector<Case> cases = {
      {"colour = 1\n", "", "unknown key 'colour'"},
      {"", "--shard 2/2", "--shard '2/2'"},
      {"", "--shard x", "--shard 'x'"},
      {"", "--jobs 0", "--jobs"},
  };
  for (const Case& c : cases) {
    WriteConfig(c.config_extra);
    RunResult r = Eval("--out " + dir_ + "/bad " + c.args);
    EXPECT_EQ(r.exit_code, 1) << c.expect;
    EXPECT_EQ(r.ErrLines(), 1) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ + "/bad/summary.json"));
    EXPECT_FALSE(fs::exists(dir_ + "/bad/report.html"));
  }
  // A data set that is not there, and a method option that does not exist.
  std::string text = Read(dir_ + "/c.toml");
  ASSERT_TRUE(WriteFileAtomic(
                  dir_ + "/c.toml",
                  std::string(text).replace(text.find(photos_), photos_.size(), dir_ + "/nowhere"))
                  .ok());
  RunResult r = Eval("--out " + dir_ + "/bad");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("data set 'mine' not found"), std::string::npos) << r.err;
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/c.toml", std::string(text).replace(text.find("query_stride"),
                                                                          12, "query_strid"))
                  .ok());
  r = Eval("--out " + dir_ + "/bad");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("method 'classic'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/bad/summary.json"));
}

// tint eval --compare A B: the comparison page of two results folders
// (per-photo results written by hand), flags of other forms refused, and
// runs with no photo in common refused in one line.
TEST(EvalCliTest, CompareWritesAPageForTwoRuns) {
  const std::string dir = testing::ScratchDir();
  for (const std::string run : {"a", "b"}) {
    fs::create_directories(dir + "/" + run + "/photos/set");
    for (int i = 0; i < 3; ++i) {
      const double auc = 80 + i + (run == "b" ? 1 : 0);
      std::ofstream(dir + "/" + run + "/photos/set/p" + std::to_string(i) + ".json")
          << "{\"photo\": \"p" << i << ".jpg\", \"methods\": {\"classic\": {\"auc\": " << auc
          << "}}}";
    }
  }
  RunResult r = RunTint("eval --compare " + dir + "/a " + dir + "/b --out " + dir + "/cmp", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("set: 3 photos in both"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("AuC        A      81.00  B      82.00  +1.00 [+1.00, +1.00] 3/0/0"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::is_regular_file(dir + "/cmp/compare.html"));
  EXPECT_TRUE(fs::is_regular_file(dir + "/cmp/compare.csv"));
  r = RunTint("eval --compare " + dir + "/a " + dir + "/b --jobs 2", dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("--jobs does not apply with --compare"), std::string::npos) << r.err;
  fs::rename(dir + "/b/photos/set", dir + "/b/photos/other");
  r = RunTint("eval --compare " + dir + "/a " + dir + "/b --out " + dir + "/cmp2", dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("no photo in common"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/cmp2"));
}

}  // namespace
}  // namespace tint
