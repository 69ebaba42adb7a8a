#include "serve/runner.h"
#include "core/locate.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "guide/hints.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/registry.h"

namespace tint {

int ShareCoresAmongJobs(int jobs_at_once) {
  if (std::getenv("OPENCV_FOR_THREADS_NUM") != nullptr) return cv::getNumThreads();
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int per_job = std::max(1, cores / std::max(1, jobs_at_once));
  cv::setNumThreads(per_job);
  return per_job;
}

Status ServableMethods(const std::vector<std::string>& names, std::vector<ServedMethod>* methods) {
  methods->clear();
  std::vector<std::string> wanted;
  for (std::string name : names) {  // "a, b" as well as "a,b"
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty()) wanted.push_back(name);
  }
  // By default the methods themselves, not the presets (classic:seed took
  // over a minute on a flat 300x300 photo): a preset is served when named.
  if (wanted.empty()) {
    for (const MethodInfo& m : RegisteredMethods())
      if (!m.colours_from_hints && !m.colours_from_reference && m.preset.empty())
        wanted.push_back(m.name);
  }
  for (const std::string& name : wanted) {
    const MethodInfo* info = FindMethod(name);
    if (info == nullptr) {
      return Status::Error("unknown method '" + name + "' (methods: " + RegisteredMethodNames() +
                           ")");
    }
    if (info->colours_from_hints || info->colours_from_reference) {
      return Status::Error("method '" + name +
                           "' colours only from strokes or a reference photo, which the service "
                           "does not take");
    }
    bool seen = false;
    for (const ServedMethod& m : *methods) seen = seen || m.name == name;
    if (!seen)
      methods->push_back({name, info->summary, info->typical_seconds, info->takes_reference});
  }
  return Status::Ok();
}

Status DecodeReference(const ImageReadOptions& read, const std::vector<uint8_t>& bytes,
                       ReferenceGuide* reference) {
  cv::Mat image;
  TINT_RETURN_IF_ERROR(DecodeImage(read, "field 'reference'", bytes, &image));
  if (image.channels() == 1) cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
  if (image.channels() == 4) cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
  if (image.depth() != CV_8U)
    image.convertTo(image, CV_8U, image.depth() == CV_16U ? 1.0 / 257 : 1.0);
  reference->bgr = image;
  reference->what = "the reference photo";
  return Status::Ok();
}

Status JobRunner::Load(const RunnerOptions& options, std::unique_ptr<JobRunner>* runner) {
  std::string error;
  if (!options.Check(&error)) return Status::Error(error);
  std::vector<ServedMethod> methods;
  TINT_RETURN_IF_ERROR(ServableMethods(options.methods, &methods));
  ColorizerContext context;
  context.db_dir = options.db_dir.empty() ? DefaultDatabaseDir() : options.db_dir;
  context.data_root = options.data_root;
  context.default_model = options.model.empty() ? DefaultModelCard() : options.model;
  std::map<std::string, std::unique_ptr<Colorizer>> colorizers;
  for (const ServedMethod& m : methods) {
    MethodSpec spec;
    spec.method = m.name;
    std::unique_ptr<Colorizer> colorizer;
    TINT_RETURN_IF_ERROR(PrefixError(m.name + ": ", CreateColorizer(spec, context, &colorizer)));
    colorizers[m.name] = std::move(colorizer);
  }
  runner->reset(new JobRunner(std::move(methods), std::move(colorizers), options.read));
  (*runner)->set_job_timeout(options.job_timeout);
  return Status::Ok();
}

JobRunner::JobRunner(std::vector<ServedMethod> methods,
                     std::map<std::string, std::unique_ptr<Colorizer>> colorizers,
                     ImageReadOptions read)
    : methods_(std::move(methods)), colorizers_(std::move(colorizers)), read_(read) {}

bool RunnerOptions::Check(std::string* error) const {
  if (!(job_timeout >= 0 && job_timeout <= 7 * 24 * 3600)) {
    *error = "job-timeout must be 0 (none) or at most a week (604800 s)";
    return false;
  }
  return read.Check(error);
}

Status JobRunner::Decode(const std::vector<uint8_t>& bytes, cv::Mat* image) const {
  return DecodeImage(read_, "upload", bytes, image);
}

Status JobRunner::Run(const JobRequest& request, const cv::Mat& image, const OnStage& on_stage,
                      std::string* png, std::map<std::string, double>* seconds,
                      std::function<bool()> stop) const {
  auto it = colorizers_.find(request.method);
  if (it == colorizers_.end()) return Status::Error("method '" + request.method + "' not served");
  PostOptions post;
  if (!ParsePostMode(request.post, &post.mode)) {
    return Status::Error("post-step must be none or auto, not '" + request.post + "'");
  }
  ColorizeDetails details;
  details.on_stage = on_stage;
  if (job_timeout_ > 0) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(job_timeout_));
    details.should_stop = [deadline, stop] {
      return std::chrono::steady_clock::now() > deadline || (stop && stop());
    };
  } else if (stop) {
    details.should_stop = stop;
  }
  Hints hints;
  PhotoGuide guide;
  ReferenceGuide reference;
  if (!request.reference.empty()) {
    TINT_RETURN_IF_ERROR(DecodeReference(read_, request.reference, &reference));
    guide.reference = &reference;
  }
  if (!request.hints.empty()) {
    cv::Mat drawn;
    TINT_RETURN_IF_ERROR(DecodeImage(read_, "hints", request.hints, &drawn));
    TINT_RETURN_IF_ERROR(ReadHints(drawn, image.size(), "hints", &hints));
    guide.hints = &hints;
    guide.hint_options.reach = request.hint_reach;
    std::string error;
    if (!guide.hint_options.Check(&error)) return Status::Error(error);
  }
  cv::Mat colour;
  // A method's broken precondition fails this job, never the service.
  try {
    TINT_RETURN_IF_ERROR(ColorizePhoto(*it->second, post, image, &colour, &details, &guide));
  } catch (const std::exception& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    return Status::Error("internal error: " + what);
  }
  if (on_stage) on_stage("encoding", 0.98);
  *png = EncodePng(colour);
  if (png->empty()) return Status::Error("cannot encode the result as PNG");
  *seconds = details.seconds;
  return Status::Ok();
}

}  // namespace tint
