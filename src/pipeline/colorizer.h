// The interface every colorization method implements: given the lightness of
// a photo, predict its chroma. The CLI, experiments, the service and the
// benchmarks see methods only through it (and the registry, registry.h).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

struct ReferenceGuide;  // guide/reference.h

// What a colorizer can tell about one run, beyond the chroma.
// The per-pixel fields are at the size the method worked at: the photo's,
// or a smaller proxy's for a large photo (classic's proxy_pixels);
// FieldAtSize brings one to another size.
struct ColorizeDetails {
  cv::Mat labels;      // CV_32S label id per pixel (-1: none); classic mode only
  cv::Mat segments;    // CV_32S normalized-cuts segment per pixel; classic mode only
  cv::Mat confidence;  // CV_32F 0..1 per pixel (TransferOptions::confidence_full); classic only
  std::vector<std::string> label_names;
  std::map<std::string, double> seconds;  // per stage
  // In, when set: told as each stage of the work begins, with the part of
  // the whole work done so far (0..1): the service's job progress. Called on
  // the colorizing thread; it must be cheap.
  std::function<void(const std::string& stage, double done)> on_stage;
  void Stage(const std::string& stage, double done) const {
    if (on_stage) on_stage(stage, done);
  }
  // In, when set: asked between stages and between blocks of work; when it
  // says true the method stops and returns StoppedStatus() (the service's
  // job time limit). A stage that is one library call (the Ncut eigen-solve,
  // the network's forward pass) is not interrupted: the check follows it.
  std::function<bool()> should_stop;
  bool Stopped() const { return should_stop && should_stop(); }
  std::string BriefReport() const;
};

// A details field (labels, segments, confidence) at `size`: itself when it
// has that size, else resized by nearest neighbour (labels stay labels).
cv::Mat FieldAtSize(const cv::Mat& field, cv::Size size);

// The error a method returns when ColorizeDetails::should_stop said so.
Status StoppedStatus();

class Colorizer {
 public:
  virtual ~Colorizer() = default;
  virtual std::string name() const = 0;
  // lightness: CV_32F, 0..100. ab: CV_32FC2 of the same size. Safe to call
  // from several threads at once.
  virtual Status Colorize(const cv::Mat& lightness, cv::Mat* ab,
                          ColorizeDetails* details) const = 0;
  // The same, with colour from a reference photo instead of the method's own
  // examples (methods with MethodInfo::takes_reference); others refuse.
  virtual Status ColorizeFromReference(const cv::Mat& lightness, const ReferenceGuide& reference,
                                       cv::Mat* ab, ColorizeDetails* details) const;
  // Colorize, then the photo's L joined with the chroma into 8-bit BGR: the
  // bytes of JoinLab(lightness, ab). A method that works on a proxy joins
  // strip by strip instead, so a large photo never has a full-size ab.
  virtual Status ColorizeJoined(const cv::Mat& lightness, cv::Mat* bgr8,
                                ColorizeDetails* details) const;
};

}  // namespace tint
