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

#include "app/colorize_request.h"
#include "cli/commands.h"
#include "core/color.h"
#include "core/file_util.h"
#include "core/image_io.h"
#include "core/locate.h"
#include "core/output_plan.h"
#include "core/progress.h"
#include "guide/reference.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/explain.h"
#include "pipeline/registry.h"

namespace tint {
namespace fs = std::filesystem;

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
                 "tint-mnv2-ft model)")
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
  std::string hint_weights = HintWeightsName(hint_options.weights);
  app.add_option("--hint-weights", hint_weights,
                 "The strokes' affinities: levin (row-normalised, as published) or symmetric "
                 "(their geometric mean: a Cholesky solve; the ablation ladder's old weights)")
      ->check([](const std::string& name) {
        HintWeights weights;
        return ParseHintWeights(name, &weights) ? "" : "must be levin or symmetric";
      })
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
  nlohmann::json given;
  internal::AddMethodOptions(&app, internal::RegisteredOptionTables(), &given);
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;

  // Options of another kind of method are refused, never ignored.
  if (const Status s = internal::CheckOptionsApply(app, *FindMethod(method), given); !s.ok())
    return internal::Fail(cmd, s.message());

  ColorizeRequest request;
  request.inputs = inputs;
  request.output = output;
  request.spec.method = method;
  request.spec.options = given;
  if (app.count("--model") > 0) request.spec.model = model;
  request.spec.weights = weights;
  if (const Status s = PrepareSpec(&request.spec, OptionSpelling::kFlag); !s.ok())
    return internal::Fail(cmd, s.message());
  request.db_dir = db_dir;
  request.data_root = data_root;
  request.require_cache = require_cache;
  ParsePostMode(post, &request.post.mode);
  request.read = read;
  request.reference_path = reference_path;
  request.swatches = swatch_texts;
  request.hints_path = hints_path;
  ParseHintWeights(hint_weights, &hint_options.weights);  // checked above
  request.hint_options = hint_options;
  request.hint_reach_given = app.count("--hint-reach") > 0;
  request.side_by_side = side_by_side;
  request.explain = explain;
  request.verbose = verbose;
  request.jobs = jobs;
  int failures = 0;
  if (const Status s = RunColorizeRequest(request, cmd, &failures); !s.ok())
    return internal::Fail(cmd, s.message());
  return failures == 0 ? 0 : 1;
}

}  // namespace tint
