#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "patchdb/edit.h"
#include "patchdb/import.h"
#include "patchdb/journal.h"
#include "patchdb/lock.h"
#include "patchdb/manifest.h"
#include "testing.h"

namespace tint {
namespace {
namespace fs = std::filesystem;

// A database with three sky patches and one grass patch.
std::string MakeDatabase() {
  const std::string dir = testing::ScratchDir();
  const std::string db = dir + "/db", image = dir + "/photo.png";
  fs::create_directories(db);
  cv::Mat img(64, 96, CV_8UC3, cv::Scalar(210, 160, 90));
  img(cv::Rect(0, 32, 96, 32)).setTo(cv::Scalar(40, 150, 60));
  cv::imwrite(image, img);
  AddPatchOptions o;
  o.image = image;
  o.label = "sky";
  o.rects = {cv::Rect(0, 0, 16, 16), cv::Rect(20, 0, 16, 16), cv::Rect(40, 0, 16, 16)};
  EXPECT_TRUE(AddPatches(o, db, nullptr).ok());
  o.label = "grass";
  o.rects = {cv::Rect(0, 40, 16, 16)};
  EXPECT_TRUE(AddPatches(o, db, nullptr).ok());
  return db;
}

TEST(RemoveTest, RemovesRecordsAndFiles) {
  const std::string db = MakeDatabase();
  Manifest m;
  ASSERT_TRUE(LoadManifest(db, &m).ok());
  const std::string id = m.patches[1].id, file = db + "/" + m.patches[1].file;
  ASSERT_TRUE(fs::exists(file));
  ASSERT_TRUE(RemovePatches(db, {id}).ok());
  ASSERT_TRUE(LoadManifest(db, &m).ok());
  EXPECT_EQ(m.patches.size(), 3u);
  EXPECT_FALSE(fs::exists(file));
}

TEST(RemoveTest, UnknownIdChangesNothing) {
  const std::string db = MakeDatabase();
  const std::string before = SerializeManifest([&] {
    Manifest m;
    LoadManifest(db, &m);
    return m;
  }());
  const Status s = RemovePatches(db, {"no-such-id"});
  EXPECT_NE(s.message().find("no-such-id"), std::string::npos);
  Manifest after;
  ASSERT_TRUE(LoadManifest(db, &after).ok());
  EXPECT_EQ(SerializeManifest(after), before);
}

// A failure at the commit point (the manifest's rename) leaves the database
// exactly as it was.
TEST(RemoveTest, InjectedFailureLeavesTheDatabaseIntact) {
  const std::string db = MakeDatabase();
  std::string before;
  ASSERT_TRUE(Sha256OfFile(ManifestPath(db), &before).ok());
  Manifest m;
  ASSERT_TRUE(LoadManifest(db, &m).ok());
  internal::SetAtomicWriteFailureForTesting(true);
  const Status s = RemovePatches(db, {m.patches[0].id});
  internal::SetAtomicWriteFailureForTesting(false);
  EXPECT_FALSE(s.ok());
  std::string after;
  ASSERT_TRUE(Sha256OfFile(ManifestPath(db), &after).ok());
  EXPECT_EQ(before, after);
  EXPECT_TRUE(fs::exists(db + "/" + m.patches[0].file));
  std::unique_ptr<DatabaseLock> lock;
  EXPECT_TRUE(DatabaseLock::Acquire(db, &lock).ok());  // the lock is released on failure
}

TEST(AddTest, InjectedFailureLeavesTheManifestIntact) {
  const std::string db = MakeDatabase();
  std::string before;
  ASSERT_TRUE(Sha256OfFile(ManifestPath(db), &before).ok());
  AddPatchOptions o;
  o.image = fs::path(db).parent_path().string() + "/photo.png";
  o.label = "earth";
  o.rects = {cv::Rect(60, 40, 16, 16)};
  internal::SetAtomicWriteFailureForTesting(true);
  EXPECT_FALSE(AddPatches(o, db, nullptr).ok());
  internal::SetAtomicWriteFailureForTesting(false);
  std::string after;
  ASSERT_TRUE(Sha256OfFile(ManifestPath(db), &after).ok());
  EXPECT_EQ(before, after);
  // No stray patch file either (an empty label folder may remain).
  EXPECT_TRUE(!fs::exists(db + "/patches/earth") || fs::is_empty(db + "/patches/earth"));
}

TEST(LockTest, SecondWriterIsRefusedUntilTheFirstReleases) {
  const std::string db = MakeDatabase();
  std::unique_ptr<DatabaseLock> a, b;
  ASSERT_TRUE(DatabaseLock::Acquire(db, &a).ok());
  const Status s = DatabaseLock::Acquire(db, &b);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("another writer"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << s.message();
  EXPECT_FALSE(RemovePatches(db, {"x"}).ok());
  a.reset();
  // The file stays (deleting it would open a race) but nobody holds it.
  EXPECT_TRUE(fs::exists(DatabaseLock::LockPath(db)));
  EXPECT_TRUE(DatabaseLock::Acquire(db, &b).ok());
}

// A lock file's content never decides: left by a dead writer, by an older
// tint (pid text, even pid 1 which always runs), empty, or naming a pid above
// pid_max, it is taken when no process holds the flock.
TEST(LockTest, LeftoverLockFilesAreNoObstacle) {
  const std::string db = MakeDatabase();
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  for (const std::string text : {std::string(), "1 " + std::string(host) + " 0\n",
                                 std::string("4194305 x 0\n"), std::string("garbage")}) {
    std::ofstream(DatabaseLock::LockPath(db)) << text;
    std::unique_ptr<DatabaseLock> lock;
    EXPECT_TRUE(DatabaseLock::Acquire(db, &lock).ok()) << text;
  }
}

// Stray files are reported, and a change removes none of them: only tint's
// own temporary names of the manifest and index cache go.
TEST(OrphanTest, FoundButNeverRemovedByAChange) {
  const std::string db = MakeDatabase();
  Manifest m;
  ASSERT_TRUE(LoadManifest(db, &m).ok());
  EXPECT_TRUE(FindOrphans(db, m).empty());
  std::ofstream(db + "/patches/sky/stray.png") << "x";  // a user's photo, say
  std::ofstream(db + "/patches/sky/.stray.png.tmp42") << "x";
  std::ofstream(db + "/.manifest.json.tmp7") << "x";
  std::ofstream(db + "/.index.cache.tmp123456") << "x";
  std::ofstream(db + "/notes.txt") << "x";              // not tint's
  std::ofstream(db + "/patches/sky/notes.txt") << "x";  // not a patch
  std::ofstream(db + "/.manifest.json.tmpx") << "x";    // not tint's temporary name
  EXPECT_EQ(FindOrphans(db, m),
            (std::vector<std::string>{".index.cache.tmp123456", ".manifest.json.tmp7",
                                      "patches/sky/.stray.png.tmp42", "patches/sky/stray.png"}));
  ASSERT_TRUE(RemovePatches(db, {m.patches[0].id}).ok());
  EXPECT_EQ(FindOrphans(db, m),
            (std::vector<std::string>{"patches/sky/.stray.png.tmp42", "patches/sky/stray.png"}));
  for (const char* f : {"/notes.txt", "/patches/sky/notes.txt", "/.manifest.json.tmpx",
                        "/patches/sky/stray.png", "/patches/sky/.stray.png.tmp42"}) {
    EXPECT_TRUE(fs::exists(db + f)) << f;
  }
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// What a change killed midway left is undone from its journal: a file it
// wrote whose bytes are still its own goes; a file the manifest names, one
// whose bytes changed since, and every file the journal does not name stay.
TEST(JournalTest, RecoveryRemovesOnlyWhatTheJournalProves) {
  const std::string db = MakeDatabase();
  Manifest m;
  ASSERT_TRUE(LoadManifest(db, &m).ok());
  std::ofstream(db + "/patches/sky/written.png") << "tint wrote this";
  std::ofstream(db + "/patches/sky/changed.png") << "a user's bytes now";
  std::ofstream(db + "/patches/sky/mine.png") << "never journalled";
  std::ofstream(db + "/patches/sky/.written.png.tmp99") << "half";
  std::ofstream(JournalPath(db)) << "tint-journal 1\n"
                                 << Sha256Hex(std::string("tint wrote this"))
                                 << " patches/sky/written.png\n"
                                 << Sha256Hex(std::string("tint wrote that"))
                                 << " patches/sky/changed.png\n"
                                 << m.patches[0].sha256 << " " << m.patches[0].file << "\n"
                                 << "0123 patches/sky/mine.png\n"  // a torn line
                                 << "deadbeef";
  ASSERT_TRUE(RecoverInterruptedChange(db, m).ok());
  EXPECT_FALSE(fs::exists(db + "/patches/sky/written.png"));
  EXPECT_FALSE(fs::exists(db + "/patches/sky/.written.png.tmp99"));
  EXPECT_EQ(ReadText(db + "/patches/sky/changed.png"), "a user's bytes now");
  EXPECT_TRUE(fs::exists(db + "/patches/sky/mine.png"));
  EXPECT_TRUE(fs::exists(db + "/" + m.patches[0].file));
  EXPECT_FALSE(fs::exists(JournalPath(db)));
}

// A removal killed after its manifest was saved: its files go on recovery.
TEST(JournalTest, KilledRemovalIsFinishedByTheNextChange) {
  const std::string db = MakeDatabase();
  Manifest m;
  ASSERT_TRUE(LoadManifest(db, &m).ok());
  const PatchRecord gone = m.patches[1];
  m.patches.erase(m.patches.begin() + 1);
  ASSERT_TRUE(SaveManifest(db, m).ok());
  std::ofstream(JournalPath(db)) << "tint-journal 1\n" << gone.sha256 << " " << gone.file << "\n";
  ASSERT_TRUE(RemovePatches(db, {m.patches[0].id}).ok());
  EXPECT_FALSE(fs::exists(db + "/" + gone.file));
  EXPECT_FALSE(fs::exists(JournalPath(db)));
}

// A folder with patches but no manifest (moved away, or not a database yet)
// is refused, and nothing in it is touched.
TEST(JournalTest, MissingManifestBesidePatchesIsRefused) {
  const std::string db = MakeDatabase();
  fs::rename(db + "/manifest.json", db + "/manifest.json.bak");
  size_t before = 0;
  for (const auto& e : fs::recursive_directory_iterator(db)) before += e.is_regular_file();
  AddPatchOptions o;
  o.image = fs::path(db).parent_path().string() + "/photo.png";
  o.label = "earth";
  o.rects = {cv::Rect(60, 0, 16, 16)};
  const Status s = AddPatches(o, db, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no manifest.json"), std::string::npos) << s.message();
  size_t after = 0;
  for (const auto& e : fs::recursive_directory_iterator(db)) after += e.is_regular_file();
  EXPECT_EQ(after, before);
}

// A user's file where a new patch would go is never replaced.
TEST(JournalTest, AUsersFileAtAPatchPathIsNeverReplaced) {
  const std::string db = MakeDatabase();
  const std::string image = fs::path(db).parent_path().string() + "/photo.png";
  const std::string mine = db + "/patches/earth/user-photo-earth-60-0.png";
  fs::create_directories(fs::path(mine).parent_path());
  std::ofstream(mine) << "my own picture";
  AddPatchOptions o;
  o.image = image;
  o.label = "earth";
  o.rects = {cv::Rect(60, 0, 16, 16)};
  const Status s = AddPatches(o, db, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not replace it"), std::string::npos) << s.message();
  EXPECT_EQ(ReadText(mine), "my own picture");
  EXPECT_FALSE(fs::exists(JournalPath(db)));
}

// A failed change (its second patch cannot be written) removes its first
// file again, and leaves no journal.
TEST(JournalTest, FailedChangeRollsBack) {
  const std::string db = MakeDatabase();
  const std::string image = fs::path(db).parent_path().string() + "/photo.png";
  const std::string blocker = db + "/patches/earth/user-photo-earth-70-0.png";
  fs::create_directories(fs::path(blocker).parent_path());
  std::ofstream(blocker) << "x";
  AddPatchOptions o;
  o.image = image;
  o.label = "earth";
  o.rects = {cv::Rect(50, 0, 16, 16), cv::Rect(70, 0, 16, 16)};
  ASSERT_FALSE(AddPatches(o, db, nullptr).ok());
  EXPECT_FALSE(fs::exists(db + "/patches/earth/user-photo-earth-50-0.png"));
  EXPECT_TRUE(fs::exists(blocker));
  EXPECT_FALSE(fs::exists(JournalPath(db)));
}

TEST(ClassTableTest, RepeatedOrSpacedIdsAreRefused) {
  std::map<int, std::string> classes;
  EXPECT_FALSE(ParseClassTable("1=sky,1=grass", &classes).ok());
  classes.clear();
  EXPECT_FALSE(ParseClassTable(" 1=sky", &classes).ok());
  classes.clear();
  EXPECT_FALSE(ParseClassTable("-1=sky", &classes).ok());
  classes.clear();
  EXPECT_TRUE(ParseClassTable("0=sky,3=earth", &classes).ok());
  EXPECT_EQ(classes.size(), 2u);
}

TEST(SheetTest, DrawsOneTilePerPatch) {
  const std::string db = MakeDatabase();
  SheetOptions o;
  o.label = "sky";
  o.tile = 32;
  o.columns = 2;
  cv::Mat sheet;
  ASSERT_TRUE(DrawContactSheet(o, db, &sheet).ok());
  EXPECT_EQ(sheet.cols, 2 * 32);
  EXPECT_EQ(sheet.rows, 24 + 2 * (32 + 22));  // two caption lines per row
  // The first tile shows the sky colour.
  const cv::Vec3b px = sheet.at<cv::Vec3b>(24 + 16, 16);
  EXPECT_NEAR(px[0], 210, 3);
  o.label = "lava";
  EXPECT_FALSE(DrawContactSheet(o, db, &sheet).ok());
}

TEST(LabelMapImportTest, TakesPatchesThroughTheClassTable) {
  const std::string dir = testing::ScratchDir();
  const std::string db = dir + "/db";
  fs::create_directories(db);
  cv::Mat img(64, 64, CV_8UC3, cv::Scalar(200, 150, 100)), map(64, 64, CV_8U, cv::Scalar(7));
  img(cv::Rect(0, 32, 64, 32)).setTo(cv::Scalar(40, 150, 60));
  map(cv::Rect(0, 32, 64, 32)).setTo(2);
  cv::imwrite(dir + "/img.png", img);
  cv::imwrite(dir + "/map.png", map);
  LabelMapSource source;
  source.image = dir + "/img.png";
  source.label_map = dir + "/map.png";
  ASSERT_TRUE(ParseClassTable("7=sky,2=grass", &source.classes).ok());
  CamVidImportOptions o;
  o.patch_size = 16;
  o.patches_per_image = 2;
  ImportSummary summary;
  ASSERT_TRUE(ImportLabelMap(o, source, db, &summary).ok());
  EXPECT_EQ(summary.patches_per_label["sky"], 2);
  EXPECT_EQ(summary.patches_per_label["grass"], 2);
  Manifest m;
  ASSERT_TRUE(LoadManifest(db, &m).ok());
  for (const PatchRecord& r : m.patches) EXPECT_EQ(r.region.y < 32, r.label == "sky") << r.id;
}

TEST(LabelMapImportTest, BadClassTables) {
  std::map<int, std::string> c;
  EXPECT_FALSE(ParseClassTable("", &c).ok());
  EXPECT_FALSE(ParseClassTable("sky", &c).ok());
  EXPECT_FALSE(ParseClassTable("x=sky", &c).ok());
  EXPECT_FALSE(ParseClassTable("1=Sky!", &c).ok());
}

}  // namespace
}  // namespace tint
