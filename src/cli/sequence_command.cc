// tint colorize-sequence FRAMES_DIR --keyframe COLOUR.png -o OUT_DIR [--method welsh|classic]
// [--temporal W] [--from-previous] [--score]
#include <cstdio>

#include "app/open_method.h"
#include "cli/commands.h"
#include "core/locate.h"
#include "eval/sequence_run.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"

namespace tint {

int RunColorizeSequence(int argc, char** argv) {
  const std::string cmd = "colorize-sequence";
  CLI::App app(
      "Colour a folder of grey frames (sorted by name) from one colour keyframe, with a temporal "
      "term so that colours do not flicker.",
      cmd);
  SequenceRun run;
  std::string method = "classic", db_dir = DefaultDatabaseDir();
  bool verbose = false;
  app.add_option("frames", run.frames_dir, "Folder of frames (any image type OpenCV reads)")
      ->required();
  app.add_option("--keyframe", run.keyframe, "The colour frame the clip is coloured from")
      ->required();
  app.add_option("-o,--output", run.out_dir, "Output folder: <frame stem>.png per frame")
      ->required();
  app.add_option("--method", method, "A method that takes a reference photo: classic, welsh, ...")
      ->check(internal::RegisteredMethod())
      ->capture_default_str();
  app.add_option("--db", db_dir, "Patch database folder (classic methods)")->capture_default_str();
  app.add_option("--temporal", run.sequence.temporal,
                 "Weight of the previous frame's colour, carried along the motion (optical flow), "
                 "where its shade agrees: 0 = each frame alone, up to 0.95")
      ->capture_default_str();
  app.add_flag("--from-previous", run.sequence.from_previous,
               "Colour each frame from the previous coloured frame instead of the keyframe");
  app.add_flag("--score", run.score,
               "The frames are the colour truth: score every output (AuC, ...) and every pair of "
               "consecutive outputs (flicker) into <output>/scores.json");
  app.add_flag("-v,--verbose", verbose, "Say when the method is ready");
  internal::AddReadOptions(&app, &run.read);
  nlohmann::json given;
  internal::AddMethodOptions(&app, internal::RegisteredOptionTables(), &given);
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;

  const MethodInfo& info = *FindMethod(method);
  GuidesGiven guides;
  guides.reference = true;  // the keyframe
  if (const Status s = CheckGuidesApply(info, guides, {"reference photo (--keyframe)", "", "", ""});
      !s.ok()) {
    return internal::Fail(cmd, s.message());
  }
  if (const Status s = internal::CheckOptionsApply(app, info, given); !s.ok())
    return internal::Fail(cmd, s.message());
  std::string error;
  if (!run.sequence.Check(&error) || !run.read.Check(&error)) return internal::Fail(cmd, error);
  run.progress = cmd;
  MethodSpec spec;
  spec.method = method;
  spec.options = given;
  if (const Status s = PrepareSpec(&spec, OptionSpelling::kFlag); !s.ok())
    return internal::Fail(cmd, s.message());
  std::unique_ptr<Colorizer> colorizer;
  if (const Status s = OpenMethod(cmd, spec, db_dir, "", false, verbose, &colorizer); !s.ok()) {
    return internal::Fail(cmd, s.message());
  }
  nlohmann::json scores;
  if (const Status s = RunSequence(*colorizer, run, &scores); !s.ok())
    return internal::Fail(cmd, s.message());
  if (run.score) {
    std::printf("%zu frames:", scores["frames"].size());
    for (const auto& [key, value] : scores["mean"].items())
      std::printf(" %s %.3f", key.c_str(), value.get<double>());
    std::printf("\n");
  }
  return 0;
}

}  // namespace tint
