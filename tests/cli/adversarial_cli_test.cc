// The adversarial corpus: each scenario an attacker or an unlucky
// user found, driven through the real `tint` binary. Every one must end in a
// one-line error and a non-zero exit (or a correct result), never a crash, a
// hang, a write outside the database or the loss of a user's file.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/run_tint.h"
#include "core/file_util.h"
#include "patchdb/lock.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;
using testing::RunResult;
using testing::RunTint;

// Every run here is bounded: a hang shows as exit 124, not a stuck test.
constexpr char kBounded[] = "timeout 60 ";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class AdversarialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    db_ = dir_ + "/db";
    fs::create_directories(db_);
    image_ = dir_ + "/street.png";
    fs::copy_file(testing::TestDataPath("street_small.png"), image_);  // 160x120
  }
  RunResult Tint(const std::string& args, const std::string& prefix = "") {
    return RunTint(args, dir_, prefix + kBounded);
  }
  RunResult Db(const std::string& args, const std::string& prefix = "") {
    return Tint("db --db " + db_ + " " + args, prefix);
  }
  void ExpectOneLineFailure(const RunResult& r, const std::string& fragment) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.exit_code, 124) << "hung";
    EXPECT_EQ(r.ErrLines(), 1) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos)
        << "expected \"" << fragment << "\" in: " << r.err;
  }
  void AddSome() {
    ASSERT_EQ(
        Db("add --label sky --image " + image_ + " --rect 0,0,40,24 --rect 60,0,40,24").exit_code,
        0);
    ASSERT_EQ(Db("add --label earth --image " + image_ + " --rect 40,90,40,28").exit_code, 0);
  }
  // Every regular file under `root`, relative, sorted.
  static std::vector<std::string> Files(const std::string& root) {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file()) files.push_back(fs::relative(e.path(), root).string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  std::string dir_, db_, image_;
};

// ---- 1. Paths the writer builds --------------------------------------------

TEST_F(AdversarialTest, DatasetNamesThatClimbOutOfTheDatabaseAreRefused) {
  AddSome();
  const std::string before = Slurp(db_ + "/manifest.json");
  for (const std::string dataset : {"../../../../victim/ds", "..", "a/b", ".hidden", "x y"}) {
    SCOPED_TRACE(dataset);
    ExpectOneLineFailure(
        Db("add --label sky --image " + image_ + " --rect 0,40,30,30 --dataset '" + dataset + "'"),
        "dataset");
    cv::imwrite(dir_ + "/labels.png", cv::Mat(120, 160, CV_8U, cv::Scalar(1)));
    ExpectOneLineFailure(Db("import --labels " + dir_ + "/labels.png --image " + image_ +
                            " --classes 1=sky --dataset '" + dataset + "'"),
                         "dataset");
  }
  EXPECT_EQ(Slurp(db_ + "/manifest.json"), before);
  EXPECT_FALSE(fs::exists(dir_ + "/victim"));
  EXPECT_FALSE(fs::exists(fs::path(dir_).parent_path() / "victim"));
  EXPECT_EQ(Db("verify").exit_code, 0);
}

TEST_F(AdversarialTest, AnImageNamedWithDotsGivesASafePatchThatLaterCommandsRead) {
  const std::string odd = dir_ + "/a..b.png";
  fs::copy_file(image_, odd);
  const RunResult r = Db("add --label sky --image " + odd + " --rect 0,0,40,24");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("user-a__b-sky-0-0"), std::string::npos) << r.out;
  EXPECT_EQ(Db("list").exit_code, 0);
  EXPECT_EQ(Db("verify").exit_code, 0) << Db("verify").err;
  EXPECT_EQ(Db("remove user-a__b-sky-0-0").exit_code, 0);
  EXPECT_EQ(Files(db_ + "/patches").size(), 0u);
}

TEST_F(AdversarialTest, AManifestNamingAFileOutsideIsRefusedByEveryCommand) {
  AddSome();
  const std::string good = Slurp(db_ + "/manifest.json");
  for (const std::string bad :
       {"../victim.png", "/etc/passwd", "patches/sky/../../../x.png", "patches/../x.png",
        "patches/sky/.hidden.png", "patches//x.png", "other/sky/x.png"}) {
    SCOPED_TRACE(bad);
    std::string text = good;
    const size_t at = text.find("patches/sky/user-street-sky-0-0.png");
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, std::string("patches/sky/user-street-sky-0-0.png").size(), bad);
    Spit(db_ + "/manifest.json", text);
    for (const std::string cmd : {"list", "verify", "remove user-street-sky-0-0", "stats"}) {
      ExpectOneLineFailure(Db(cmd), "patches/<folder>/<name>");
    }
  }
}

// ---- 2. Outputs that would overwrite inputs -----------------------------------

TEST_F(AdversarialTest, ColorizeNeverOverwritesItsInputs) {
  const std::string before = Slurp(image_);
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + image_), "would overwrite the input");
  // Through another spelling, a link and a hard link.
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/./street.png"),
                       "would overwrite the input");
  fs::create_symlink(image_, dir_ + "/link.png");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/link.png"),
                       "would overwrite the input");
  fs::create_hard_link(image_, dir_ + "/hard.png");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/hard.png"),
                       "would overwrite the input");
  // Several inputs into their own folder.
  fs::copy_file(image_, dir_ + "/second.png");
  ExpectOneLineFailure(Tint("colorize " + image_ + " " + dir_ + "/second.png -o " + dir_),
                       "would overwrite the input");
  EXPECT_EQ(Slurp(image_), before);
  EXPECT_EQ(Slurp(dir_ + "/second.png"), before);
}

TEST_F(AdversarialTest, SideOutputsMayNotHitAnInputOrAnotherOutput) {
  fs::create_directories(dir_ + "/in");
  fs::copy_file(image_, dir_ + "/in/p.png");
  fs::copy_file(image_, dir_ + "/in/p_side.png");
  const std::string before = Slurp(dir_ + "/in/p_side.png");
  // p's side-by-side output is p_side.png: an input of the same run.
  ExpectOneLineFailure(Tint("colorize " + dir_ + "/in/p.png " + dir_ + "/in/p_side.png -o " + dir_ +
                            "/in --side-by-side"),
                       "would overwrite the input");
  // Into another folder: p's side output and p_side's output collide.
  ExpectOneLineFailure(Tint("colorize " + dir_ + "/in/p.png " + dir_ + "/in/p_side.png -o " + dir_ +
                            "/out --side-by-side"),
                       "are both");
  // Two inputs of one name from different folders.
  fs::create_directories(dir_ + "/other");
  fs::copy_file(image_, dir_ + "/other/p.png");
  ExpectOneLineFailure(
      Tint("colorize " + dir_ + "/in/p.png " + dir_ + "/other/p.png -o " + dir_ + "/out"),
      "are both");
  EXPECT_EQ(Slurp(dir_ + "/in/p_side.png"), before);
  EXPECT_TRUE(!fs::exists(dir_ + "/out") || fs::is_empty(dir_ + "/out"));
}

// ---- 3. Outputs inside the database --------------------------------------------

TEST_F(AdversarialTest, NoOutputIsWrittenIntoTheDatabase) {
  AddSome();
  const std::string patch = db_ + "/patches/sky/user-street-sky-0-0.png";
  const std::string before = Slurp(patch);
  ExpectOneLineFailure(Db("sheet --label sky -o " + patch), "inside the patch database");
  ExpectOneLineFailure(Db("sheet --label sky -o " + db_ + "/manifest.json.png"),
                       "inside the patch database");
  ExpectOneLineFailure(Tint("colorize " + image_ + " --db " + db_ + " -o " + patch),
                       "inside the patch database");
  EXPECT_EQ(Slurp(patch), before);
  EXPECT_EQ(Db("verify").exit_code, 0);
}

// ---- 4. Records sharing a file ---------------------------------------------------

TEST_F(AdversarialTest, RecordsSharingAFileFailVerifyAndRemovingOneKeepsIt) {
  AddSome();
  std::string text = Slurp(db_ + "/manifest.json");
  // Point the second sky record at the first one's file (and hash).
  const std::string first = "patches/sky/user-street-sky-0-0.png",
                    second = "patches/sky/user-street-sky-60-0.png";
  const std::string hash_first = [&] {
    std::string h;
    EXPECT_TRUE(Sha256OfFile(db_ + "/" + first, &h).ok());
    return h;
  }();
  std::string hash_second;
  ASSERT_TRUE(Sha256OfFile(db_ + "/" + second, &hash_second).ok());
  text.replace(text.find(second), second.size(), first);
  text.replace(text.find(hash_second), hash_second.size(), hash_first);
  Spit(db_ + "/manifest.json", text);
  fs::remove(db_ + "/" + second);
  ExpectOneLineFailure(Db("verify"), "share a patch file");
  ASSERT_EQ(Db("remove user-street-sky-60-0").exit_code, 0);
  EXPECT_TRUE(fs::exists(db_ + "/" + first));  // still named by user-street-sky-0-0
  EXPECT_EQ(Db("verify").exit_code, 0) << Db("verify").err;
}

TEST_F(AdversarialTest, AWriterNeverOverwritesAFileAnotherRecordNames) {
  AddSome();
  // A record (edited by hand) that names the file the next add would create.
  std::string text = Slurp(db_ + "/manifest.json");
  const std::string file = "patches/earth/user-street-earth-40-90.png";
  text.replace(text.find(file), file.size(), "patches/sky/user-street-sky-0-40.png");
  fs::rename(db_ + "/" + file, db_ + "/patches/sky/user-street-sky-0-40.png");
  Spit(db_ + "/manifest.json", text);
  const std::string before = Slurp(db_ + "/patches/sky/user-street-sky-0-40.png");
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --rect 0,40,30,30"),
                       "already uses the file");
  EXPECT_EQ(Slurp(db_ + "/patches/sky/user-street-sky-0-40.png"), before);
}

// ---- 5. The lock ------------------------------------------------------------------

TEST_F(AdversarialTest, AHeldLockRefusesEveryWriterAndAFreeLockFileIsNoObstacle) {
  AddSome();
  {
    std::unique_ptr<DatabaseLock> held;
    ASSERT_TRUE(DatabaseLock::Acquire(db_, &held).ok());
    ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --rect 100,0,30,20"),
                         "another writer");
    ExpectOneLineFailure(Db("remove user-street-sky-0-0"), "another writer");
    ExpectOneLineFailure(Db("build --calibration-step 0"), "another writer");
  }
  // Left by a writer killed long ago, by an old tint (pid text), empty, or
  // naming a pid above pid_max: none of these holds the lock.
  for (const std::string text : {"", "1 somehost 0\n", "4194305 host 0\n", "garbage"}) {
    Spit(DatabaseLock::LockPath(db_), text);
    const RunResult r = Db("add --label sky --image " + image_ + " --rect 100,0,30,20");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(Db("remove user-street-sky-100-0").exit_code, 0);
  }
}

TEST_F(AdversarialTest, TwoRacingWritersNeverBothSucceedWithALostUpdate) {
  AddSome();
  // A lock file left by a dead writer, as in the race an adversary found: two
  // writers both took it over as stale and one update was lost.
  Spit(DatabaseLock::LockPath(db_), "4194305 host 0\n");
  // Each writer holds the lock 1.5 s once it has it: they overlap surely.
  const std::string dir_a = dir_ + "/a", dir_b = dir_ + "/b";
  fs::create_directories(dir_a);
  fs::create_directories(dir_b);
  RunResult a, b;
  const std::string hold = "TINT_TEST_LOCK_HOLD_MS=1500 ";
  std::thread ta([&] {
    a = RunTint("db --db " + db_ + " add --label sky --image " + image_ + " --rect 100,0,30,20",
                dir_a, hold + kBounded);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::thread tb([&] {
    b = RunTint("db --db " + db_ + " add --label sky --image " + image_ + " --rect 0,40,30,30",
                dir_b, hold + kBounded);
  });
  ta.join();
  tb.join();
  const std::string manifest = Slurp(db_ + "/manifest.json");
  const bool a_in = manifest.find("user-street-sky-100-0") != std::string::npos;
  const bool b_in = manifest.find("user-street-sky-0-40") != std::string::npos;
  EXPECT_EQ(a.exit_code == 0, a_in) << a.err;
  EXPECT_EQ(b.exit_code == 0, b_in) << b.err;
  EXPECT_TRUE(a.exit_code == 0 || b.exit_code == 0);
  if (a.exit_code != 0) EXPECT_NE(a.err.find("another writer"), std::string::npos) << a.err;
  if (b.exit_code != 0) EXPECT_NE(b.err.find("another writer"), std::string::npos) << b.err;
  EXPECT_EQ(Db("verify").exit_code, 0) << Db("verify").err;
}

TEST_F(AdversarialTest, AWriterKilledWhileHoldingTheLockReleasesIt) {
  AddSome();
  // Started in the background, killed with SIGKILL while it holds the lock.
  const std::string cmd = "TINT_TEST_LOCK_HOLD_MS=20000 " + testing::BinaryDir() +
                          "/bin/tint db --db " + db_ + " add --label sky --image " + image_ +
                          " --rect 100,0,30,20 >/dev/null 2>&1 & pid=$!; "
                          "sleep 1; kill -9 $pid; wait $pid";
  ASSERT_NE(std::system(cmd.c_str()), -1);
  const RunResult r = Db("add --label sky --image " + image_ + " --rect 0,40,30,30");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Db("verify").exit_code, 0);
}

TEST_F(AdversarialTest, ALockThatIsNoRegularFileIsRefusedWithoutHanging) {
  AddSome();
  fs::remove(DatabaseLock::LockPath(db_));
  ASSERT_EQ(::mkfifo(DatabaseLock::LockPath(db_).c_str(), 0644), 0);
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --rect 100,0,30,20"), ".lock");
  fs::remove(DatabaseLock::LockPath(db_));
  fs::create_symlink(dir_ + "/victim.txt", DatabaseLock::LockPath(db_));
  Spit(dir_ + "/victim.txt", "mine");
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --rect 100,0,30,20"),
                       "symbolic link");
  EXPECT_EQ(Slurp(dir_ + "/victim.txt"), "mine");
}

// ---- 6. What a killed change leaves ---------------------------------------------

TEST_F(AdversarialTest, StrayFilesFailVerifyAndNoWriterRemovesThem) {
  AddSome();
  // Files no record names: a copy of a patch, a temporary patch file (the
  // name of tint's, but no journal proves tint wrote it), a user's photo.
  fs::copy_file(db_ + "/patches/sky/user-street-sky-0-0.png",
                db_ + "/patches/sky/user-street-sky-9-9.png");
  Spit(db_ + "/patches/sky/.user-street-sky-8-8.png.tmp12345", "partial");
  fs::copy_file(image_, db_ + "/patches/sky/my_photo.png");
  Spit(db_ + "/.manifest.json.tmp777", "{\"partial");  // tint's own temporary name
  Spit(db_ + "/notes.txt", "mine");
  ExpectOneLineFailure(Db("verify"), "4 files");
  for (const std::string& change :
       std::vector<std::string>{"add --label earth --image " + image_ + " --rect 100,90,30,28",
                                "remove user-street-earth-100-90", "build --calibration-step 0"}) {
    const RunResult r = Db(change);
    ASSERT_EQ(r.exit_code, 0) << change << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(db_ + "/.manifest.json.tmp777"));
  EXPECT_EQ(Slurp(db_ + "/patches/sky/my_photo.png"), Slurp(image_));
  EXPECT_TRUE(fs::exists(db_ + "/patches/sky/user-street-sky-9-9.png"));
  EXPECT_TRUE(fs::exists(db_ + "/patches/sky/.user-street-sky-8-8.png.tmp12345"));
  EXPECT_EQ(Slurp(db_ + "/notes.txt"), "mine");
  ExpectOneLineFailure(Db("verify"), "3 files");
}

// ---- 7-9. Tiny images, FIFOs, huge files ----------------------------------------

TEST_F(AdversarialTest, TinyAndThinPhotosDoNotStopAFolderRun) {
  fs::create_directories(dir_ + "/in");
  cv::RNG rng(testing::kSeed);
  std::vector<std::string> inputs;
  for (const cv::Size& size :
       {cv::Size(1, 1), cv::Size(3, 3), cv::Size(6, 6), cv::Size(300, 6), cv::Size(2, 500)}) {
    cv::Mat grey(size, CV_8U);
    rng.fill(grey, cv::RNG::UNIFORM, 0, 256);
    const std::string path =
        dir_ + "/in/t" + std::to_string(size.width) + "x" + std::to_string(size.height) + ".png";
    ASSERT_TRUE(cv::imwrite(path, grey));
    inputs.push_back(path);
  }
  std::string args;
  for (const std::string& in : inputs) args += in + " ";
  for (const std::string mode : {"classic", "cnn"}) {
    SCOPED_TRACE(mode);
    const std::string out = dir_ + "/out_" + mode;
    const RunResult r = Tint("colorize " + args + "-o " + out + " --mode " + mode +
                             (mode == "classic" ? " --calibration-step 0" : ""));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const std::string& in : inputs) {
      const cv::Mat result = cv::imread(out + "/" + fs::path(in).filename().string());
      EXPECT_EQ(result.size(), cv::imread(in).size()) << in;
    }
  }
  // The quick eval over the same folder (colour truth of a grey photo is grey).
  const RunResult e = Tint("eval --images " + dir_ + "/in --methods classic --calibration-step 0");
  EXPECT_EQ(e.exit_code, 0) << e.err;
}

TEST_F(AdversarialTest, FifosAndDevicesAreRefusedWithoutHanging) {
  AddSome();
  const std::string fifo = dir_ + "/fifo.png";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  ExpectOneLineFailure(Tint("colorize " + fifo + " -o " + dir_ + "/o.png --db " + db_),
                       "not a regular file");
  ExpectOneLineFailure(Tint("colorize /dev/zero -o " + dir_ + "/o.png --db " + db_),
                       "not a regular file");
  ExpectOneLineFailure(Db("add --label sky --image " + fifo + " --rect 0,0,10,10"),
                       "not a regular file");
  // A FIFO as manifest and as model card.
  fs::rename(db_ + "/manifest.json", dir_ + "/manifest.saved");
  ASSERT_EQ(::mkfifo((db_ + "/manifest.json").c_str(), 0644), 0);
  ExpectOneLineFailure(Db("list"), "not a regular file");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --db " + db_),
                       "not a regular file");
  const std::string card = dir_ + "/card.toml";
  ASSERT_EQ(::mkfifo(card.c_str(), 0644), 0);
  ExpectOneLineFailure(
      Tint("colorize " + image_ + " -o " + dir_ + "/o.png --mode cnn --model " + card),
      "not a regular file");
  // /proc/self/mem reads as an empty regular file.
  ExpectOneLineFailure(Tint("colorize /proc/self/mem -o " + dir_ + "/o.png --mode cnn"),
                       "empty file");
}

TEST_F(AdversarialTest, AHugeFileIsRefusedBeforeItIsRead) {
  // A real JPEG header in front of 4.5 GB (sparse: no disk is used).
  const std::string big = dir_ + "/big.jpg";
  ASSERT_TRUE(cv::imwrite(big, cv::imread(image_)));
  fs::resize_file(big, uint64_t{4500} << 20);
  ExpectOneLineFailure(Tint("colorize " + big + " -o " + dir_ + "/o.png --mode cnn"),
                       "over the limit");
  // A header that claims too many pixels is refused by its header alone.
  std::string png = Slurp(testing::TestDataPath("street_small.png"));
  png[16] = 0x00, png[17] = 0x01, png[18] = 0x00, png[19] = 0x00;  // width 65536
  png[20] = 0x00, png[21] = 0x01, png[22] = 0x00, png[23] = 0x00;  // height 65536
  Spit(dir_ + "/claims.png", png);
  ExpectOneLineFailure(Tint("colorize " + dir_ + "/claims.png -o " + dir_ + "/o.png --mode cnn"),
                       "over the limit");
  EXPECT_FALSE(fs::exists(dir_ + "/o.png"));
}

// ---- 10-11. The index cache --------------------------------------------------------

TEST_F(AdversarialTest, EveryByteOfTheCacheIsHashed) {
  AddSome();
  ASSERT_EQ(Db("build --calibration-step 4").exit_code, 0);
  std::string cache = Slurp(db_ + "/index.cache");
  const size_t at = cache.find("\"label_weights\":[");
  ASSERT_NE(at, std::string::npos);
  const size_t digit = cache.find_first_of("123456789", at + 17);
  cache[digit] = cache[digit] == '9' ? '8' : static_cast<char>(cache[digit] + 1);
  Spit(db_ + "/index.cache", cache);
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --db " + db_ +
                            " --calibration-step 4 --require-cache"),
                       "content hash");
  ExpectOneLineFailure(Db("verify --calibration-step 4"), "content hash");
}

TEST_F(AdversarialTest, AValidCacheDoesNotStandInForMissingOrChangedPatches) {
  AddSome();
  ASSERT_EQ(Db("build --calibration-step 0").exit_code, 0);
  const std::string out = dir_ + "/o.png", colorize = "colorize " + image_ + " -o " + out +
                                                      " --db " + db_ +
                                                      " --calibration-step 0 --require-cache";
  ASSERT_EQ(Tint(colorize).exit_code, 0);
  const std::string patch = db_ + "/patches/earth/user-street-earth-40-90.png";
  fs::rename(patch, patch + ".away");
  ExpectOneLineFailure(Tint(colorize), "user-street-earth-40-90");
  fs::copy_file(db_ + "/patches/sky/user-street-sky-0-0.png", patch);  // replaced
  ExpectOneLineFailure(Tint(colorize), "content hash does not match the manifest");
  fs::remove(patch);
  fs::rename(patch + ".away", patch);
  EXPECT_EQ(Tint(colorize).exit_code, 0);
}

// ---- 12-13. Resumed experiments -----------------------------------------------------

TEST_F(AdversarialTest, ResumeRerunsOnlyChangedMethodsAndRedoesCorruptOnes) {
  AddSome();
  fs::create_directories(dir_ + "/photos");
  fs::copy_file(image_, dir_ + "/photos/a.png");
  fs::copy_file(testing::TestDataPath("bridge_small.jpg"), dir_ + "/photos/b.jpg");
  auto config = [&](const std::string& window) {
    Spit(dir_ + "/exp.toml",
         "name = \"adv\"\n[[dataset]]\nname = \"mine\"\nkind = \"folder\"\npath = \"" + dir_ +
             "/photos\"\n[[method]]\nname = \"classic\"\nmode = \"classic\"\n[method.options]\n"
             "calibration_step = 0\nwindow = " +
             window + "\n");
  };
  config("7");
  const std::string run =
      "eval --config " + dir_ + "/exp.toml --db " + db_ + " --out " + dir_ + "/res";
  ASSERT_EQ(Tint(run).exit_code, 0) << Tint(run).err;
  const std::string before = Slurp(dir_ + "/res/photos/mine/a.png.json");
  // Other method options into the same folder: the summary alone refuses
  // to mix them; --resume keeps the baseline and reruns the method.
  config("5");
  ExpectOneLineFailure(Tint(run + " --merge"), "method 'classic' was made with other settings");
  RunResult r = Tint(run + " --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resume keeps the stored results of grayscale (2 of 2 photos kept)\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 photos done, 0 already done"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 method results of the photos done were kept"), std::string::npos)
      << r.err;
  const nlohmann::json was = nlohmann::json::parse(before),
                       now = nlohmann::json::parse(Slurp(dir_ + "/res/photos/mine/a.png.json"));
  EXPECT_EQ(now["methods"]["grayscale"], was["methods"]["grayscale"]);
  EXPECT_NE(now["methods"]["classic"]["key"], was["methods"]["classic"]["key"]);
  // A corrupt result is redone, not trusted.
  Spit(dir_ + "/res/photos/mine/a.png.json", "{\"methods\": ");
  r = Tint(run + " --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("redoing it"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 photos done, 1 already done"), std::string::npos) << r.err;
}

// A method's own database (db = in its [[method]]) is read by that method
// only, recorded in the provenance, and part of that method's key: a change
// to it reruns that method alone.
TEST_F(AdversarialTest, AMethodsOwnDatabaseIsItsAloneAndPartOfItsKey) {
  AddSome();
  const std::string other = dir_ + "/other-db";
  fs::create_directories(other);
  ASSERT_EQ(Tint("db --db " + other + " add --label grass --image " + image_ +
                 " --rect 40,90,40,28 --rect 100,90,40,28")
                .exit_code,
            0);
  ASSERT_EQ(Tint("db --db " + other + " add --label sky --image " + image_ + " --rect 0,0,40,24")
                .exit_code,
            0);
  fs::create_directories(dir_ + "/photos");
  fs::copy_file(image_, dir_ + "/photos/a.png");
  fs::copy_file(testing::TestDataPath("bridge_small.jpg"), dir_ + "/photos/b.jpg");
  const std::string method = "mode = \"classic\"\noptions = { calibration_step = 0 }\n";
  Spit(dir_ + "/exp.toml",
       "name = \"db-ab\"\n[[dataset]]\nname = \"mine\"\nkind = \"folder\"\n"
       "path = \"photos\"\n[[method]]\nname = \"run-db\"\n" +
           method + "[[method]]\nname = \"own-db\"\ndb = \"other-db\"\n" + method);
  const std::string run =
      "eval --config " + dir_ + "/exp.toml --db " + db_ + " --out " + dir_ + "/res";
  RunResult r = Tint(run);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json summary = nlohmann::json::parse(Slurp(dir_ + "/res/summary.json"));
  const nlohmann::json& dbs = summary["provenance"]["patchdbs"];
  EXPECT_EQ(dbs["run-db"]["dir"], db_);
  EXPECT_EQ(dbs["own-db"]["dir"], other);
  EXPECT_NE(dbs["run-db"]["manifest_sha256"], dbs["own-db"]["manifest_sha256"]);
  const nlohmann::json& methods = summary["datasets"][0]["methods"];
  EXPECT_NE(methods[1]["mean"]["auc"], methods[2]["mean"]["auc"]);  // two databases, two rows
  // The method's own database changes: --resume reruns that method only.
  ASSERT_EQ(Tint("db --db " + other + " add --label earth --image " + image_ + " --rect 0,60,30,30")
                .exit_code,
            0);
  ExpectOneLineFailure(Tint(run + " --merge"), "method 'own-db' was made with other settings");
  r = Tint(run + " --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resume keeps the stored results of grayscale (2 of 2 photos kept), run-db "
                       "(2 of 2 photos kept)\n"),
            std::string::npos)
      << r.err;
  // Only methods that read a database take one.
  Spit(dir_ + "/bad.toml",
       "name = \"bad\"\n[[dataset]]\nname = \"mine\"\nkind = \"folder\"\n"
       "path = \"photos\"\n[[method]]\nname = \"w\"\nmode = \"cnn\"\n"
       "db = \"other-db\"\n");
  ExpectOneLineFailure(Tint("eval --config " + dir_ + "/bad.toml --out " + dir_ + "/bad"),
                       "method 'cnn' reads no patch database ('db')");
}

TEST_F(AdversarialTest, OptionsOfTheOtherEvalFormAreRefused) {
  Spit(dir_ + "/exp.toml",
       "name = \"adv\"\n[[dataset]]\nname = \"mine\"\nkind = \"folder\"\npath = \"" + dir_ +
           "\"\n[[method]]\nname = \"cnn\"\nmode = \"cnn\"\n");
  for (const std::string flag :
       {"--limit 3", "--methods cnn", "--window 5", "--csv x.csv", "--split val"}) {
    ExpectOneLineFailure(Tint("eval --config " + dir_ + "/exp.toml " + flag),
                         "does not apply with --config");
  }
  ExpectOneLineFailure(Tint("eval --images " + dir_ + " --resume"), "applies with --config only");
  // A --csv that cannot be written is said before any photo is colorized.
  ExpectOneLineFailure(Tint("eval --images " + dir_ + " --csv " + dir_ + "/no/such/folder/x.csv"),
                       "does not exist");
}

// One name per knob; an error names the form the user wrote.
TEST_F(AdversarialTest, OptionErrorsNameTheFlagOrTheConfigKey) {
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --smooth-radius 200"),
                       "--smooth-radius must be an integer in 0..100, got '200'");
  ExpectOneLineFailure(
      Tint("colorize " + image_ + " -o " + dir_ + "/o.png --no-keep-saturation --window 8"),
      "--window must be an integer in 3..31 (odd)");
  Spit(dir_ + "/exp.toml",
       "name = \"adv\"\n[[dataset]]\nname = \"mine\"\nkind = \"folder\"\npath = \"" + dir_ +
           "\"\n[[method]]\nname = \"plain\"\nmode = \"classic\"\n"
           "options = { keep_saturation = false, smooth_radius = 200 }\n");
  ExpectOneLineFailure(Tint("eval --config " + dir_ + "/exp.toml"),
                       "(method 'plain'): smooth_radius must be an integer in 0..100, got '200'");
}

// ---- 14. Odd inputs that used to pass ---------------------------------------------

TEST_F(AdversarialTest, OddInputsGiveClearAnswers) {
  // Options of another kind of method: model options for classic, classic
  // options for cnn.
  ExpectOneLineFailure(
      Tint("colorize " + image_ + " -o " + dir_ + "/o.png --method cnn --window 9"),
      "--window is an option of the classic methods, not of 'cnn'");
  // A method with a table of its own (welsh): its flags, checked by its
  // table, and refused for the others.
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --jitter-samples 9"),
                       "--jitter-samples is an option of welsh, not of 'classic'");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ +
                            "/o.png --method welsh --reference " + image_ + " --stats-window 4"),
                       "--stats-window must be an integer in 3..31 (odd), got '4'");
  ExpectOneLineFailure(Tint("eval --images " + dir_ + " --methods cnn --window 9"),
                       "--window is an option of none of --methods");
  // Abstention's rules between options.
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --fallback cnn"),
                       "fallback applies to segments that abstain: set abstain_below > 0");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ +
                            "/o.png --abstain-below 0.2 --calibration-step 0"),
                       "abstain_below needs the label calibration's similarities");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --fallback blue"),
                       "--fallback must be one of");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --features cnn"),
                       "--features must be one of shades, deep, got 'cnn'");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --method nosuch"),
                       "unknown method 'nosuch'");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --model x.toml"),
                       "applies to methods with a model");
  ExpectOneLineFailure(Tint("colorize " + image_ + " -o " + dir_ + "/o.png --weights x.onnx"),
                       "applies to methods with a model");
  // A test split in any case.
  for (const std::string split : {"TEST", "Test", "my-test"}) {
    ExpectOneLineFailure(
        Db("add --label sky --image " + image_ + " --rect 0,0,30,30 --split " + split),
        "test split");
  }
  // A JPEG with data after its end marker (a "motion photo") is read.
  const std::string jpeg = dir_ + "/motion.jpg";
  ASSERT_TRUE(cv::imwrite(jpeg, cv::imread(image_)));
  std::ofstream(jpeg, std::ios::app | std::ios::binary) << std::string(5000, '\x42') << "ftypmp42";
  RunResult r = Tint("colorize " + jpeg + " -o " + dir_ + "/m.png --mode cnn");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // ... and one cut short is not.
  const std::string cut = dir_ + "/cut.jpg";
  ASSERT_TRUE(cv::imwrite(cut, cv::imread(image_)));
  fs::resize_file(cut, fs::file_size(cut) / 2);
  ExpectOneLineFailure(Tint("colorize " + cut + " -o " + dir_ + "/c.png --mode cnn"), "truncated");
  // A PNG with bytes after IEND is read; a cut one is not.
  const std::string png = dir_ + "/trail.png";
  fs::copy_file(image_, png);
  std::ofstream(png, std::ios::app | std::ios::binary) << std::string(3000, '\0');
  r = Tint("colorize " + png + " -o " + dir_ + "/t.png --mode cnn");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::copy_file(image_, dir_ + "/cut.png");
  fs::resize_file(dir_ + "/cut.png", fs::file_size(image_) - 20);
  ExpectOneLineFailure(Tint("colorize " + dir_ + "/cut.png -o " + dir_ + "/c.png --mode cnn"),
                       "truncated");
}

// ---- 15. The surfaces added since the first attack --------------------

// A folder of patches whose manifest went missing is refused by every
// writer, and not one file in it is deleted.
TEST_F(AdversarialTest, AMissingManifestBesidePatchesLosesNothing) {
  AddSome();
  fs::copy_file(image_, db_ + "/patches/sky/my_photo.png");
  fs::rename(db_ + "/manifest.json", dir_ + "/manifest.away");
  const std::vector<std::string> before = Files(db_);
  ExpectOneLineFailure(Db("add --label sky --image " + image_ + " --rect 100,0,30,20"),
                       "no manifest.json");
  cv::imwrite(dir_ + "/labels.png", cv::Mat(120, 160, CV_8U, cv::Scalar(1)));
  ExpectOneLineFailure(
      Db("import --labels " + dir_ + "/labels.png --image " + image_ + " --classes 1=sky"),
      "no manifest.json");
  EXPECT_EQ(Files(db_), before);
}

TEST_F(AdversarialTest, StrictRectsClassTablesAndSeeds) {
  AddSome();
  const std::string before = Slurp(db_ + "/manifest.json");
  for (const std::string rect : {"' 0,0,32,32'", "'0, 0,32,32'", "0,0,32,32,", "+0,0,32,32",
                                 "0,0,32", "2147483647,0,40,40", "0,0,99999999999,8"}) {
    SCOPED_TRACE(rect);
    const RunResult r = Db("add --label sky --image " + image_ + " --rect " + rect);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.ErrLines(), 1) << r.err;
  }
  cv::imwrite(dir_ + "/labels.png", cv::Mat(120, 160, CV_8U, cv::Scalar(1)));
  const std::string import = "import --labels " + dir_ + "/labels.png --image " + image_;
  ExpectOneLineFailure(Db(import + " --classes 1=sky,1=grass"), "given twice");
  ExpectOneLineFailure(Db(import + " --classes 1=sky --seed -1"), "--seed");
  EXPECT_EQ(Slurp(db_ + "/manifest.json"), before);
}

// A link in a train folder to a test image is still a test image.
TEST_F(AdversarialTest, ATestImageReachedThroughALinkIsRefused) {
  fs::create_directories(dir_ + "/data/test");
  fs::create_directories(dir_ + "/data/train");
  fs::copy_file(image_, dir_ + "/data/test/x.png");
  fs::create_symlink(dir_ + "/data/test/x.png", dir_ + "/data/train/y.png");
  ExpectOneLineFailure(Db("add --label sky --image " + dir_ + "/data/train/y.png --rect 0,0,30,30"),
                       "test split");
  EXPECT_FALSE(fs::exists(db_ + "/manifest.json"));
}

// eval's outputs: never over an input, a model, a database file or a file
// that is not regular; never into a data set or the database.
TEST_F(AdversarialTest, EvalNeverWritesOverWhatItReads) {
  AddSome();
  fs::create_directories(dir_ + "/photos");
  fs::copy_file(image_, dir_ + "/photos/a.png");
  const std::string photo = Slurp(dir_ + "/photos/a.png"), manifest = Slurp(db_ + "/manifest.json");
  const std::string quick = "eval --images " + dir_ + "/photos --db " + db_ + " --csv ";
  ExpectOneLineFailure(Tint(quick + dir_ + "/photos/a.png"), "data set folder");
  ExpectOneLineFailure(Tint(quick + db_ + "/manifest.json"), "patch database");
  const std::string card = testing::SourceDir() + "/models/tint-hc/card.toml";
  ExpectOneLineFailure(Tint(quick + card + " --model " + card), "model");
  ASSERT_EQ(::mkfifo((dir_ + "/fifo.csv").c_str(), 0644), 0);
  ExpectOneLineFailure(Tint(quick + dir_ + "/fifo.csv"), "not a regular file");
  ExpectOneLineFailure(Tint(quick + "/dev/full"), "not a regular file");
  EXPECT_TRUE(fs::is_fifo(dir_ + "/fifo.csv"));
  // --out of a configured run.
  Spit(dir_ + "/exp.toml",
       "name = \"adv\"\n[[dataset]]\nname = \"mine\"\nkind = \"folder\"\npath = \"" + dir_ +
           "/photos\"\n[[method]]\nname = \"classic\"\nmode = "
           "\"classic\"\n[method.options]\ncalibration_step = 0\n");
  const std::string run = "eval --config " + dir_ + "/exp.toml --db " + db_ + " --out ";
  ExpectOneLineFailure(Tint(run + dir_ + "/photos"), "data set 'mine'");
  ExpectOneLineFailure(Tint(run + db_), "patch database");
  ExpectOneLineFailure(Tint(run + db_ + "/patches/results"), "patch database");
  EXPECT_EQ(Slurp(dir_ + "/photos/a.png"), photo);
  EXPECT_EQ(Slurp(db_ + "/manifest.json"), manifest);
  EXPECT_EQ(Files(dir_ + "/photos"), std::vector<std::string>{"a.png"});
  EXPECT_EQ(Db("verify").exit_code, 0) << Db("verify").err;
}

TEST_F(AdversarialTest, SequenceOutputInsideTheDatabaseIsRefused) {
  AddSome();
  fs::create_directories(dir_ + "/frames");
  fs::copy_file(image_, dir_ + "/frames/f1.png");
  ExpectOneLineFailure(Tint("colorize-sequence " + dir_ + "/frames --keyframe " + image_ + " -o " +
                            db_ + "/patches/sky"),
                       "patch database");
  EXPECT_EQ(Db("verify").exit_code, 0) << Db("verify").err;
}

// --merge checks every shard file before it writes one; --resume redoes a
// photo whose bytes changed since its result was made.
TEST_F(AdversarialTest, MergeRefusesFirstAndResumeSeesReplacedPhotos) {
  AddSome();
  fs::create_directories(dir_ + "/photos");
  fs::copy_file(image_, dir_ + "/photos/a.png");
  fs::copy_file(testing::TestDataPath("bridge_small.jpg"), dir_ + "/photos/b.jpg");
  auto config = [&](const std::string& file, const std::string& window) {
    Spit(dir_ + "/" + file,
         "name = \"adv\"\n[[dataset]]\nname = \"mine\"\nkind = \"folder\"\npath = \"" + dir_ +
             "/photos\"\n[[method]]\nname = \"classic\"\nmode = \"classic\"\n[method.options]\n"
             "calibration_step = 0\nwindow = " +
             window + "\n");
  };
  config("exp.toml", "7");
  config("other.toml", "5");
  const std::string db = " --db " + db_;
  ASSERT_EQ(Tint("eval --config " + dir_ + "/exp.toml" + db + " --out " + dir_ + "/res").exit_code,
            0);
  ASSERT_EQ(
      Tint("eval --config " + dir_ + "/other.toml" + db + " --out " + dir_ + "/shard").exit_code,
      0);
  const std::string a = Slurp(dir_ + "/res/photos/mine/a.png.json"),
                    b = Slurp(dir_ + "/res/photos/mine/b.jpg.json");
  ExpectOneLineFailure(Tint("eval --config " + dir_ + "/exp.toml" + db + " --out " + dir_ +
                            "/res --merge " + dir_ + "/shard"),
                       "made with other settings");
  EXPECT_EQ(Slurp(dir_ + "/res/photos/mine/a.png.json"), a);
  EXPECT_EQ(Slurp(dir_ + "/res/photos/mine/b.jpg.json"), b);
  // The photo replaced in place, same name: its result is redone.
  fs::remove(dir_ + "/photos/a.png");
  cv::Mat other = cv::imread(testing::TestDataPath("bridge_small.jpg"));
  cv::resize(other, other, cv::Size(160, 120));
  ASSERT_TRUE(cv::imwrite(dir_ + "/photos/a.png", other));
  const RunResult r =
      Tint("eval --config " + dir_ + "/exp.toml" + db + " --out " + dir_ + "/res --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("other bytes of the photo"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 photos done, 1 already done"), std::string::npos) << r.err;
  EXPECT_NE(Slurp(dir_ + "/res/photos/mine/a.png.json"), a);
}

TEST_F(AdversarialTest, SwatchesNearIntMaxAreRefusedNotACrash) {
  for (const std::string method : {"welsh", "classic"}) {
    SCOPED_TRACE(method);
    for (const std::string swatch :
         {"2147483600,0,100,10:0,0,10,10", "0,0,10,10:2147483600,2147483600,100,100",
          "0,0,-10,10:0,0,10,10", "0, 0,10,10:0,0,10,10"}) {
      const RunResult r = Tint("colorize " + image_ + " -o " + dir_ + "/o.png --method " + method +
                               " --reference " + image_ + " --swatch " + swatch +
                               (method == "classic" ? " --db " + db_ : std::string()));
      EXPECT_NE(r.exit_code, 0) << swatch;
      EXPECT_NE(r.exit_code, 124) << "hung";
      EXPECT_LT(r.exit_code, 128) << "crashed: " << r.err;
      EXPECT_EQ(r.ErrLines(), 1) << r.err;
    }
  }
}

// An output name of 244 or 255 characters is valid on ext4: its temporary
// name must be too.
TEST_F(AdversarialTest, LongOutputNamesAreWritten) {
  for (const size_t length : {244u, 255u}) {
    const std::string name = std::string(length - 4, 'n') + ".png";
    const RunResult r = Tint("colorize " + image_ + " -o " + dir_ + "/" + name + " --mode cnn");
    EXPECT_EQ(r.exit_code, 0) << length << ": " << r.err;
    EXPECT_TRUE(fs::exists(dir_ + "/" + name)) << length;
  }
}

// `-o=FILE` is `-o FILE`, for a name that starts with a dash too, and so is
// `-j=N`; the value never keeps the '='.
TEST_F(AdversarialTest, ShortOptionsTakeTheirValueAfterAnEqualsSign) {
  const RunResult r = Tint("colorize " + image_ + " -o=" + dir_ + "/-dash.png -j=1 --mode cnn");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ + "/-dash.png"));
  const RunResult bad = Tint("colorize " + image_ + " -j=x --mode cnn");
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_EQ(bad.ErrLines(), 1) << bad.err;
}

// A data set with broken, empty, int16, directory and NaN-holding entries
// among good photos: the good one is scored, each bad one is one line (a
// NaN value is refused, naming it).
TEST_F(AdversarialTest, BadEntriesOfADataSetAreListedAndTheRestScored) {
  fs::create_directories(dir_ + "/ds/dir.png");
  fs::copy_file(image_, dir_ + "/ds/good.png");
  Spit(dir_ + "/ds/empty.png", "");
  Spit(dir_ + "/ds/broken.jpg", "junk");
  ASSERT_TRUE(cv::imwrite(dir_ + "/ds/int16.tiff", cv::Mat(20, 30, CV_16S, cv::Scalar(-5))));
  cv::Mat nan(40, 50, CV_32FC3, cv::Scalar(0.2, 0.4, 0.6));
  nan.at<cv::Vec3f>(3, 3) = cv::Vec3f(std::nanf(""), 0.5f, INFINITY);
  ASSERT_TRUE(cv::imwrite(dir_ + "/ds/nan.tiff", nan, {cv::IMWRITE_TIFF_COMPRESSION, 1}));
  const RunResult r = Tint("eval --images " + dir_ + "/ds --methods cnn");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("1 of 6 photos, 5 unreadable"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("nan.tiff: 1 pixel value(s) are NaN"), std::string::npos) << r.err;
  for (const char* bad : {"dir.png", "empty.png", "broken.jpg", "int16.tiff"})
    EXPECT_NE(r.err.find(bad), std::string::npos) << bad << ": " << r.err;
}

}  // namespace
}  // namespace tint
