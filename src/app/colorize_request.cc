#include "app/colorize_request.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include <opencv2/imgcodecs.hpp>

#include "app/open_method.h"
#include "core/file_util.h"
#include "core/locate.h"
#include "core/output_plan.h"
#include "core/progress.h"
#include "core/workers.h"
#include "guide/reference.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/explain.h"

namespace tint {
namespace fs = std::filesystem;
namespace {

std::string WithSuffix(const fs::path& path, const std::string& suffix) {
  return (path.parent_path() / (path.stem().string() + suffix + path.extension().string()))
      .string();
}

Status Fail(const std::string& message) { return Status::Error(message); }

// The files of one photo: its strokes (read) and what the run writes.
struct Planned {
  std::string hints;
  std::string main, side, labels, confidence;
};

// The output layout: a folder for several inputs (or an existing folder),
// else one image file; checked writable before any work. *hints_folder:
// --hints names a folder of <input stem>.png.
Status CheckOutputLayout(const ColorizeRequest& request, bool* folder, bool* hints_folder) {
  const std::string& output = request.output;
  const std::string& hints_path = request.hints_path;
  std::error_code ec;
  *hints_folder = !hints_path.empty() && fs::is_directory(hints_path, ec);
  if (!hints_path.empty() && !*hints_folder && request.inputs.size() > 1) {
    return Fail("--hints " + hints_path +
                " is one file but there are several inputs; give a folder of <input stem>.png");
  }
  *folder = request.inputs.size() > 1 || fs::is_directory(output, ec);
  if (*folder) {
    if (fs::exists(output, ec) && !fs::is_directory(output, ec)) {
      return Fail(output + ": several inputs need an output folder, but this is a file");
    }
    if (!fs::exists(output, ec) && !fs::create_directories(output, ec)) {
      return Fail(output + ": cannot create the output folder (" + ec.message() + ")");
    }
    if (::access(output.c_str(), W_OK) != 0)
      return Fail(output + ": output folder is not writable");
    return Status::Ok();
  }
  const fs::path parent =
      fs::path(output).has_parent_path() ? fs::path(output).parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    return Fail(output + ": folder " + parent.string() + " does not exist");
  if (::access(parent.c_str(), W_OK) != 0)
    return Fail(output + ": folder " + parent.string() + " is not writable");
  if (!cv::haveImageWriter(output)) {
    return Fail(output + ": unknown output image type (use .png, .jpg, .tif, ...)");
  }
  return Status::Ok();
}

// Guides and outputs the method cannot take are refused, never ignored;
// the swatches are parsed into *reference.
Status CheckGuides(const ColorizeRequest& request, const MethodInfo& info,
                   ReferenceGuide* reference) {
  if (request.explain && !info.explains_labels) {
    return Fail("--explain shows matched labels: method '" + request.spec.method + "' has none");
  }
  GuidesGiven given;
  given.reference = !request.reference_path.empty();
  given.swatches = !request.swatches.empty();
  given.hints = !request.hints_path.empty();
  given.hint_reach = request.hint_reach_given;
  if (const Status s = CheckGuidesApply(info, given, request.spelling); !s.ok()) {
    return Fail(s.message());
  }
  for (const std::string& text : request.swatches) {
    Swatch swatch;
    if (const Status s = ParseSwatch(text, &swatch); !s.ok()) return Fail(s.message());
    reference->swatches.push_back(swatch);
  }
  std::string error;
  if (!request.hint_options.Check(&error)) return Fail(error);
  return Status::Ok();
}

// Every file this run writes, planned before any is written: none may be an
// input, another planned output or inside the patch database.
Status PlanFiles(const ColorizeRequest& request, const MethodInfo& info, bool folder,
                 bool hints_folder, std::vector<Planned>* plan) {
  const std::vector<std::string>& inputs = request.inputs;
  const std::string& hints_path = request.hints_path;
  plan->assign(inputs.size(), Planned());
  std::vector<std::pair<std::string, std::string>> outputs;  // (path, what writes it)
  for (size_t i = 0; i < inputs.size(); ++i) {
    Planned& p = (*plan)[i];
    const std::string stem_png = fs::path(inputs[i]).stem().string() + ".png";
    if (!hints_path.empty())
      p.hints = hints_folder ? (fs::path(hints_path) / stem_png).string() : hints_path;
    p.main = folder ? (fs::path(request.output) / stem_png).string() : request.output;
    outputs.emplace_back(p.main, "the output of " + inputs[i]);
    if (request.side_by_side) {
      p.side = WithSuffix(p.main, "_side");
      outputs.emplace_back(p.side, "the --side-by-side output of " + inputs[i]);
    }
    if (request.explain) {
      p.labels = WithSuffix(p.main, "_labels");
      outputs.emplace_back(p.labels, "the --explain output of " + inputs[i]);
      p.confidence = WithSuffix(p.main, "_confidence");
      outputs.emplace_back(p.confidence, "the --explain confidence output of " + inputs[i]);
    }
  }
  OutputPlan output_plan;
  for (const std::string& input : inputs) output_plan.AddInput(input, "the input " + input);
  for (const Planned& p : *plan) {
    if (!p.hints.empty()) output_plan.AddInput(p.hints, "the input " + p.hints);
  }
  if (!request.reference_path.empty())
    output_plan.AddInput(request.reference_path, "the input " + request.reference_path);
  if (info.reads_database) output_plan.AddInputFolder(request.db_dir, "the patch database");
  if (info.takes_model) {
    const MethodSpec& spec = request.spec;
    const std::string model = spec.model.empty() ? DefaultModelCard() : spec.model;
    output_plan.AddInput(model, "the model card " + model);
    if (!spec.weights.empty()) output_plan.AddInput(spec.weights, "the weights " + spec.weights);
  }
  for (const auto& [path, what] : outputs) {
    if (const Status s = output_plan.AddOutputFile(path, what); !s.ok()) return Fail(s.message());
  }
  return Status::Ok();
}

// Photo i and its strokes, read and checked against the swatches.
Status ReadInput(const ColorizeRequest& request, const ReferenceGuide& reference,
                 const std::vector<Planned>& plan, size_t i, cv::Mat* image, Hints* hints) {
  Status s = ReadImage(request.read, request.inputs[i], image);
  if (s.ok()) s = CheckSwatches(reference, image->size());
  if (s.ok() && !request.hints_path.empty()) {
    cv::Mat hint_image;
    s = ReadImage(request.read, plan[i].hints, &hint_image);
    if (s.ok()) s = ReadHints(hint_image, image->size(), plan[i].hints, hints);
  }
  return s;
}

// Photos are independent and a colorizer may be called from several threads
// at once (Colorizer::Colorize), so `jobs` threads share it and take the next
// photo in turn; messages and progress go out one at a time. The first photo
// may come read already (single_image). Returns the photos that failed.
int ColorizeAll(const ColorizeRequest& request, const std::string& command,
                const Colorizer& colorizer, const ReferenceGuide& reference,
                const std::vector<Planned>& plan, cv::Mat single_image, Hints single_hints) {
  const std::vector<std::string>& inputs = request.inputs;
  Progress progress(command, static_cast<int>(inputs.size()));
  std::mutex report;
  int failures = 0, done = 0;
  // Photos are independent: each thread takes the next in turn.
  ForEachOnThreads(inputs.size(), request.jobs, [&](size_t i) {
    cv::Mat image, colour;
    ColorizeDetails details;
    Hints hints;
    Status s = Status::Ok();
    if (single_image.empty()) {
      s = ReadInput(request, reference, plan, i, &image, &hints);
    } else {
      image = single_image;
      hints = std::move(single_hints);
    }
    PhotoGuide guide;
    guide.hint_options = request.hint_options;
    if (!reference.bgr.empty()) guide.reference = &reference;
    if (!request.hints_path.empty()) guide.hints = &hints;
    if (s.ok()) s = ColorizePhoto(colorizer, request.post, image, &colour, &details, &guide);
    if (s.ok()) s = WriteImage(plan[i].main, colour);
    if (s.ok() && request.side_by_side) s = WriteImage(plan[i].side, SideBySide(image, colour));
    if (s.ok() && request.explain) s = WriteImage(plan[i].labels, ExplainLabels(image, details));
    if (s.ok() && request.explain && !details.confidence.empty())
      s = WriteImage(plan[i].confidence, ExplainConfidence(image, details));
    std::lock_guard<std::mutex> lock(report);
    if (s.ok() && request.verbose)
      std::fprintf(stderr, "%s: %s\n", inputs[i].c_str(), details.BriefReport().c_str());
    if (!s.ok()) {
      std::fprintf(stderr, "tint %s: error: %s\n", command.c_str(), s.message().c_str());
      ++failures;
    }
    ++done;
    if (inputs.size() > 1) progress.Step(done, inputs[i]);
  });
  if (inputs.size() > 1) {
    progress.Finish();
    std::fprintf(stderr, "colorized %zu of %zu images into %s\n", inputs.size() - failures,
                 inputs.size(), request.output.c_str());
  }
  return failures;
}

}  // namespace

Status RunColorizeRequest(const ColorizeRequest& request, const std::string& command,
                          int* failures) {
  const MethodSpec& spec = request.spec;
  *failures = 0;
  if (request.inputs.empty()) return Fail("no input photo");
  if (request.jobs < 1) return Fail("jobs must be at least 1");
  const MethodInfo* info = FindMethod(spec.method);
  if (info == nullptr)
    return Fail("unknown method '" + spec.method + "' (registered: " + RegisteredMethodNames() +
                ")");
  std::string error;
  if (!request.read.Check(&error)) return Fail(error);
  bool folder = false, hints_folder = false;
  if (Status s = CheckOutputLayout(request, &folder, &hints_folder); !s.ok()) return s;
  ReferenceGuide reference;
  if (Status s = CheckGuides(request, *info, &reference); !s.ok()) return s;
  std::vector<Planned> plan;
  if (Status s = PlanFiles(request, *info, folder, hints_folder, &plan); !s.ok()) return s;

  if (!request.reference_path.empty()) {
    reference.what = request.reference_path;
    if (const Status s = ReadImage(request.read, request.reference_path, &reference.bgr); !s.ok())
      return Fail("--reference: " + s.message());
  }
  // One photo is read before the method is opened (which may build the
  // index: seconds), so that a bad one is said at once. A folder run reads
  // each in turn and goes on past a bad one.
  cv::Mat single_image;
  Hints single_hints;
  if (request.inputs.size() == 1) {
    if (Status s = ReadInput(request, reference, plan, 0, &single_image, &single_hints); !s.ok())
      return Fail(s.message());
  }
  std::unique_ptr<Colorizer> colorizer;
  if (Status s = OpenMethod(command, spec, request.db_dir, request.data_root, request.require_cache,
                            request.verbose, &colorizer);
      !s.ok())
    return Fail(s.message());
  *failures = ColorizeAll(request, command, *colorizer, reference, plan, std::move(single_image),
                          std::move(single_hints));
  return Status::Ok();
}

}  // namespace tint
