// What a service process (tint serve, tint worker) does with a job: the
// colorizers, loaded once at start, and one job from bytes to a PNG.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/image_io.h"
#include "guide/reference.h"
#include "pipeline/colorizer.h"
#include "serve/jobs.h"

namespace tint {

struct RunnerOptions {
  // Methods to load; empty: every registered method that colours without a
  // guide (strokes or a reference photo).
  std::vector<std::string> methods;
  std::string db_dir;     // classic methods' database (empty: the bundled one)
  std::string model;      // the CNN's card (empty: the shipped one)
  std::string data_root;  // "$data/" in model cards
  ImageReadOptions read;  // the CLI's upload checks (max_pixels)
  // Seconds a job may colour for (0: no limit): past it the method stops at
  // its next check (ColorizeDetails::should_stop) and the job fails saying so.
  double job_timeout = 0;
  bool Check(std::string* error) const;
};

struct ServedMethod {
  std::string name, summary;
  // The registry's stated cost: seconds for one 481x321 photo on one core
  // (0: not stated).
  double typical_seconds = 0;
  // Takes a reference photo to colour from (a job's `reference`).
  bool takes_reference = false;
};

// A job's reference photo (its `reference` bytes) decoded with the upload
// checks, as 3-channel BGR; a one-line error naming the field otherwise.
Status DecodeReference(const ImageReadOptions& read, const std::vector<uint8_t>& bytes,
                       ReferenceGuide* reference);

// The methods `names` asks for (empty: every registered method that colours
// without a guide), checked against the registry, without loading them.
Status ServableMethods(const std::vector<std::string>& names, std::vector<ServedMethod>* methods);

// With `jobs_at_once` jobs colouring in this process, each job's OpenCV
// parallel loops (the CNN's forward pass) get cores / jobs_at_once threads,
// at least 1, instead of every core each: two passes that each wanted both
// cores of a 2-core machine slowed each other. OPENCV_FOR_THREADS_NUM, when
// set, wins. Returns the threads per job.
int ShareCoresAmongJobs(int jobs_at_once);

class JobRunner {
 public:
  // Loads every method; a method that fails to load is a one-line error.
  static Status Load(const RunnerOptions& options, std::unique_ptr<JobRunner>* runner);
  // For tests: methods already made.
  JobRunner(std::vector<ServedMethod> methods,
            std::map<std::string, std::unique_ptr<Colorizer>> colorizers, ImageReadOptions read);

  const std::vector<ServedMethod>& methods() const { return methods_; }
  bool Serves(const std::string& method) const { return colorizers_.count(method) > 0; }
  const ImageReadOptions& read_options() const { return read_; }

  // The CLI's checks and decoding (a huge image is refused by its header).
  Status Decode(const std::vector<uint8_t>& bytes, cv::Mat* image) const;

  using OnStage = std::function<void(const std::string& stage, double done)>;
  // Colours the decoded `image` with the request's method and post-step;
  // *png is the result, *seconds the time of each stage.
  // `stop`, when set, is asked as the time limit is: true stops the job.
  Status Run(const JobRequest& request, const cv::Mat& image, const OnStage& on_stage,
             std::string* png, std::map<std::string, double>* seconds,
             std::function<bool()> stop = nullptr) const;
  // Seconds each Run may colour for (RunnerOptions::job_timeout; 0: none).
  void set_job_timeout(double seconds) { job_timeout_ = seconds; }

 private:
  std::vector<ServedMethod> methods_;
  std::map<std::string, std::unique_ptr<Colorizer>> colorizers_;
  ImageReadOptions read_;
  double job_timeout_ = 0;
};

}  // namespace tint
