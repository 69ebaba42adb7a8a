// tint colorize INPUT... -o OUTPUT [--mode classic|cnn] [--db DIR] [--model CARD] [--post
// auto|none]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/commands.h"
#include "core/color.h"
#include "core/file_util.h"
#include "core/image_io.h"
#include "core/locate.h"
#include "core/output_plan.h"
#include "core/progress.h"
#include "pipeline/explain.h"
#include "pipeline/option_table.h"
#include "pipeline/registry.h"

namespace tint {
namespace fs = std::filesystem;

namespace {

std::string WithSuffix(const fs::path& path, const std::string& suffix) {
  return (path.parent_path() / (path.stem().string() + suffix + path.extension().string()))
      .string();
}

}  // namespace

int RunColorize(int argc, char** argv) {
  const std::string cmd = "colorize";
  CLI::App app("Colorize grayscale photos. One INPUT: OUTPUT is an image file; several: a folder.",
               "colorize");
  app.footer("\nMethods (a preset's options can be overridden by the flags below):\n" +
             DescribeMethods());
  std::vector<std::string> inputs;
  std::string output, method = "classic", db_dir = DefaultDatabaseDir(), post = "none";
  std::string model = DefaultModelCard(), weights, data_root, hints_path, reference_path;
  std::vector<std::string> swatch_texts;
  HintOptions hint_options;
  bool side_by_side = false, explain = false, verbose = false, require_cache = false;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ClassicOptions classic;
  ImageReadOptions read;
  app.add_option("inputs", inputs,
                 "Input images (any format OpenCV reads; colour is reduced to luminance)")
      ->required();
  app.add_option("-o,--output", output, "Output image file (one input) or folder (several)")
      ->required();
  auto* method_opt = app.add_option("--method", method, "Method: " + RegisteredMethodNames())
                         ->check(internal::RegisteredMethod())
                         ->capture_default_str();
  app.add_option("--mode", method, "Same as --method (classic or cnn, as before the registry)")
      ->check(internal::RegisteredMethod())
      ->excludes(method_opt);
  app.add_option("--db", db_dir,
                 "Patch database folder (default: $TINT_PATCHDB or the bundled one)")
      ->capture_default_str();
  app.add_option("--model", model,
                 "Methods with a model (cnn): model card (.toml or .json; default: the shipped "
                 "tint-hc model)")
      ->capture_default_str();
  app.add_option("--weights", weights,
                 "Methods with a model (cnn): use this weights file (.caffemodel, or .onnx) "
                 "instead of the card's");
  app.add_option(
      "--data-root", data_root,
      "Where card paths starting with $data/ point (default: $TINT_DATA_ROOT or ../shared/data)");
  app.add_option("--post", post, "Post-step: auto (contrast and white balance) or none")
      ->check(CLI::IsMember({"auto", "none"}))
      ->capture_default_str();
  app.add_option("--reference", reference_path,
                 "A colour photo to take the colours from (any size): method welsh (Welsh et al. "
                 "2002), or classic with a database made from it");
  app.add_option(
      "--swatch", swatch_texts,
      "TX,TY,TW,TH:RX,RY,RW,RH: a rectangle of the photo coloured from one of the reference "
      "only (repeatable; welsh and classic); the rest is coloured from the coloured swatches");
  app.add_option("--hints", hints_path,
                 "Colour strokes drawn over the grey photo (same size; a PNG with alpha, or any "
                 "colour pixel), propagated by shade as in Levin et al. 2004 and applied to the "
                 "method's output; a folder: <folder>/<input stem>.png per input");
  app.add_option("--hint-reach", hint_options.reach,
                 "How far, in pixels of even shade, a stroke's correction of the method's output "
                 "carries (0: no limit, as in Levin et al.; a few tens keep a correction local)")
      ->capture_default_str();
  app.add_flag("--side-by-side", side_by_side,
               "Also write <output>_side.png: grey input | colour output");
  app.add_flag("--explain", explain,
               "Also write <output>_labels.png: matched label per pixel and segment borders, "
               "and <output>_confidence.png: the confidence that scales chroma (classic)");
  app.add_flag("-v,--verbose", verbose, "Print the time of each stage per image");
  app.add_option("-j,--jobs", jobs,
                 "Photos colorized at once (several inputs; default: the number of cores). Each "
                 "photo's output is the same for any value")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_flag("--require-cache", require_cache,
               "Fail unless the database's index cache is valid for these settings");
  internal::AddReadOptions(&app, &read);
  internal::AddClassicOptions(&app, &classic);
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;

  std::string error;
  if (Status cs = CheckClassicOptions(classic, OptionSpelling::kFlag); !cs.ok())
    return internal::Fail(cmd, cs.message());
  if (!read.Check(&error)) return internal::Fail(cmd, error);
  PostOptions post_options;
  ParsePostMode(post, &post_options.mode);

  // Decide the output layout and check it is writable before any work.
  std::error_code ec;
  const bool hints_folder = !hints_path.empty() && fs::is_directory(hints_path, ec);
  if (!hints_path.empty() && !hints_folder && inputs.size() > 1) {
    return internal::Fail(cmd, "--hints " + hints_path +
                                   " is one file but there are several inputs; give a folder "
                                   "of <input stem>.png");
  }
  const bool folder = inputs.size() > 1 || fs::is_directory(output, ec);
  if (folder) {
    if (fs::exists(output, ec) && !fs::is_directory(output, ec)) {
      return internal::Fail(cmd,
                            output + ": several inputs need an output folder, but this is a file");
    }
    if (!fs::exists(output, ec) && !fs::create_directories(output, ec)) {
      return internal::Fail(cmd,
                            output + ": cannot create the output folder (" + ec.message() + ")");
    }
    if (::access(output.c_str(), W_OK) != 0)
      return internal::Fail(cmd, output + ": output folder is not writable");
  } else {
    const fs::path parent =
        fs::path(output).has_parent_path() ? fs::path(output).parent_path() : fs::path(".");
    if (!fs::is_directory(parent, ec))
      return internal::Fail(cmd, output + ": folder " + parent.string() + " does not exist");
    if (::access(parent.c_str(), W_OK) != 0)
      return internal::Fail(cmd, output + ": folder " + parent.string() + " is not writable");
    if (!cv::haveImageWriter(output)) {
      return internal::Fail(cmd,
                            output + ": unknown output image type (use .png, .jpg, .tif, ...)");
    }
  }

  // Options of another kind of method are refused, never ignored.
  const MethodInfo& info = *FindMethod(method);
  if (explain && !info.explains_labels) {
    return internal::Fail(cmd, "--explain shows matched labels: method '" + method + "' has none");
  }
  if (const Status s = internal::CheckOptionsApply(app, info); !s.ok())
    return internal::Fail(cmd, s.message());
  GuidesGiven given;
  given.reference = !reference_path.empty();
  given.swatches = !swatch_texts.empty();
  given.hints = !hints_path.empty();
  given.hint_reach = app.count("--hint-reach") > 0;
  if (const Status s =
          CheckGuidesApply(info, given,
                           {"--reference FILE", "--swatch",
                            "--hints FILE (a PNG drawn over the grey photo)", "--hint-reach"});
      !s.ok()) {
    return internal::Fail(cmd, s.message());
  }
  ReferenceGuide reference;
  for (const std::string& text : swatch_texts) {
    Swatch swatch;
    if (const Status s = ParseSwatch(text, &swatch); !s.ok())
      return internal::Fail(cmd, s.message());
    reference.swatches.push_back(swatch);
  }
  if (!hint_options.Check(&error)) return internal::Fail(cmd, error);

  // Every file this run writes, planned before any is written: none may be
  // an input, another planned output or inside the patch database.
  struct Planned {
    std::string hints;  // read
    std::string main, side, labels, confidence;
  };
  std::vector<Planned> plan(inputs.size());
  {
    std::vector<std::pair<std::string, std::string>> outputs;  // (path, what writes it)
    for (size_t i = 0; i < inputs.size(); ++i) {
      Planned& p = plan[i];
      if (!hints_path.empty()) {
        p.hints =
            hints_folder
                ? (fs::path(hints_path) / (fs::path(inputs[i]).stem().string() + ".png")).string()
                : hints_path;
      }
      p.main = folder ? (fs::path(output) / (fs::path(inputs[i]).stem().string() + ".png")).string()
                      : output;
      outputs.emplace_back(p.main, "the output of " + inputs[i]);
      if (side_by_side) {
        p.side = WithSuffix(p.main, "_side");
        outputs.emplace_back(p.side, "the --side-by-side output of " + inputs[i]);
      }
      if (explain) {
        p.labels = WithSuffix(p.main, "_labels");
        outputs.emplace_back(p.labels, "the --explain output of " + inputs[i]);
        p.confidence = WithSuffix(p.main, "_confidence");
        outputs.emplace_back(p.confidence, "the --explain confidence output of " + inputs[i]);
      }
    }
    OutputPlan output_plan;
    for (const std::string& input : inputs) output_plan.AddInput(input, "the input " + input);
    for (const Planned& p : plan) {
      if (!p.hints.empty()) output_plan.AddInput(p.hints, "the input " + p.hints);
    }
    if (!reference_path.empty())
      output_plan.AddInput(reference_path, "the input " + reference_path);
    if (info.reads_database) output_plan.AddInputFolder(db_dir, "the patch database");
    if (info.takes_model) {
      output_plan.AddInput(model, "the model card " + model);
      if (!weights.empty()) output_plan.AddInput(weights, "the weights " + weights);
    }
    for (const auto& [path, what] : outputs) {
      if (const Status s = output_plan.AddOutputFile(path, what); !s.ok())
        return internal::Fail(cmd, s.message());
    }
  }

  ColorizerSpec spec;
  spec.method = method;
  spec.options = internal::GivenClassicOptions(app, classic);
  if (app.count("--model") > 0) spec.model = model;
  spec.weights = weights;
  if (!reference_path.empty()) {
    reference.what = reference_path;
    if (const Status s = ReadImage(read, reference_path, &reference.bgr); !s.ok())
      return internal::Fail(cmd, "--reference: " + s.message());
  }
  // Photo i and its strokes, read and checked against the swatches.
  auto read_input = [&](size_t i, cv::Mat* image, Hints* hints) {
    Status s = ReadImage(read, inputs[i], image);
    if (s.ok()) s = CheckSwatches(reference, image->size());
    if (s.ok() && !hints_path.empty()) {
      cv::Mat hint_image;
      s = ReadImage(read, plan[i].hints, &hint_image);
      if (s.ok()) s = ReadHints(hint_image, image->size(), plan[i].hints, hints);
    }
    return s;
  };
  // One photo is read before the method is opened (which may build the
  // index: seconds), so that a bad one is said at once. A folder run reads
  // each in turn and goes on past a bad one.
  cv::Mat single_image;
  Hints single_hints;
  if (inputs.size() == 1) {
    if (const Status s = read_input(0, &single_image, &single_hints); !s.ok())
      return internal::Fail(cmd, s.message());
  }
  std::unique_ptr<Colorizer> colorizer;
  Status status =
      internal::OpenMethod(cmd, spec, db_dir, data_root, require_cache, verbose, &colorizer);
  if (!status.ok()) return internal::Fail(cmd, status.message());

  // Photos are independent and a colorizer may be called from several
  // threads at once (Colorizer::Colorize), so `jobs` threads share it and take
  // the next photo in turn; messages and progress go out one at a time.
  Progress progress("colorize", static_cast<int>(inputs.size()));
  std::atomic<size_t> next{0};
  std::mutex report;
  int failures = 0, done = 0;
  auto work = [&] {
    for (size_t i = next++; i < inputs.size(); i = next++) {
      const std::string& input = inputs[i];
      const std::string& target = plan[i].main;
      cv::Mat image, colour;
      ColorizeDetails details;
      Hints hints;
      Status s = Status::Ok();
      if (single_image.empty()) {
        s = read_input(i, &image, &hints);
      } else {
        image = single_image;
        hints = std::move(single_hints);
      }
      PhotoGuide guide;
      guide.hint_options = hint_options;
      if (!reference.bgr.empty()) guide.reference = &reference;
      if (!hints_path.empty()) guide.hints = &hints;
      if (s.ok()) s = ColorizePhoto(*colorizer, post_options, image, &colour, &details, &guide);
      if (s.ok()) s = WriteImage(target, colour);
      if (s.ok() && side_by_side) s = WriteImage(plan[i].side, SideBySide(image, colour));
      if (s.ok() && explain) s = WriteImage(plan[i].labels, ExplainLabels(image, details));
      if (s.ok() && explain && !details.confidence.empty())
        s = WriteImage(plan[i].confidence, ExplainConfidence(image, details));
      std::lock_guard<std::mutex> lock(report);
      if (s.ok() && verbose)
        std::fprintf(stderr, "%s: %s\n", input.c_str(), details.BriefReport().c_str());
      if (!s.ok()) {
        internal::Fail(cmd, s.message());
        ++failures;
      }
      ++done;
      if (inputs.size() > 1) progress.Step(done, input);
    }
  };
  const int threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(jobs), inputs.size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (inputs.size() > 1) {
    progress.Finish();
    std::fprintf(stderr, "colorized %zu of %zu images into %s\n", inputs.size() - failures,
                 inputs.size(), output.c_str());
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace tint
