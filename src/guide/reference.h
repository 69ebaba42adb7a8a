// Colour from a reference photo: T. Welsh, M. Ashikhmin and K. Mueller,
// "Transferring Color to Greyscale Images", SIGGRAPH 2002.
//
// The reference's lightness is remapped to the grey photo's mean and
// standard deviation; about 200 samples are taken on a jittered grid of the
// reference; each sample and each grey pixel is described by its lightness
// and the standard deviation of lightness in its 5x5 window, and every grey
// pixel takes the chroma (a, b) of the sample nearest in that pair (equal
// weights), keeping its own L. The paper works in l-alpha-beta; tint works in
// CIE Lab, as everywhere else.
//
// Swatches (the paper's section 3; classic --reference takes them too, see
// pipeline/colorizer.cc): pairs of rectangles, target <- reference.
// Each target swatch is coloured from samples of its reference swatch only
// (with the remapping computed between the two swatches); then the rest of
// the photo is coloured from samples of the coloured target swatches. The
// paper's second phase compares 5x5 neighbourhoods by L2 distance; tint uses
// the same (L, sigma) pair as the first phase.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

struct Swatch {
  cv::Rect target, reference;
};

// "TX,TY,TW,TH:RX,RY,RW,RH" (pixels; the target photo's rectangle, then the
// reference's). A malformed text is a one-line error naming it.
Status ParseSwatch(const std::string& text, Swatch* swatch);

// The reference a user gives beside a grey photo.
struct ReferenceGuide {
  cv::Mat bgr;       // any size; colour (a grey reference gives grey)
  std::string what;  // the file, for messages
  std::vector<Swatch> swatches;
};

// Every swatch inside its photo (target of `target_size`, the reference) and
// at least 5x5; a one-line error otherwise.
Status CheckSwatches(const ReferenceGuide& reference, cv::Size target_size);

struct WelshOptions {
  int samples = 200;  // the jittered grid's cells (per swatch with swatches)
  int window = 5;     // the neighbourhood of the standard deviation
  uint64_t seed = 0;  // the jitter
};

// The chroma (CV_32FC2) Welsh et al.'s transfer gives `lightness` (CV_32F,
// 0..100) from the reference.
Status WelshTransfer(const cv::Mat& lightness, const ReferenceGuide& reference,
                     const WelshOptions& options, cv::Mat* ab);

}  // namespace tint
