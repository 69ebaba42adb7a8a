// Colour strokes a user draws over a grey photo, propagated as in A. Levin,
// D. Lischinski and Y. Weiss, "Colorization using Optimization", SIGGRAPH
// 2004: neighbouring pixels of similar shade get similar chroma.
//
// Each pixel r not under a stroke takes the weighted mean of its neighbours'
// chroma, U(r) = sum_s w_rs U(s) / sum_s w_rs, with the affinity
// w_rs = exp(-(Y(r) - Y(s))^2 / sigma_r^2) and sigma_r^2 from the variance of Y
// in r's 3x3 window (the paper's eq. 2 and its published solver); pixels under
// a stroke keep the stroke's chroma. The neighbours are the 4 nearest (the
// paper's code takes the 8 of the window; on simulated strokes 8 changed
// nothing). These row-normalised weights make a non-symmetric system, solved
// by UMFPACK's sparse LU (HintWeights::kLevin, the default); the geometric
// mean of w_rs and w_sr (HintWeights::kSymmetric, tint's weights before)
// makes it symmetric positive definite, solved by one sparse Cholesky
// factorization, 1.3x faster but duller with several strokes (a flat sky
// next to a textured truck takes the truck's colour; docs/guided.md).
//
// Over an automatic colorizer's output A the same system carries the
// correction D = hint - A from the strokes, screened so that it fades with
// distance: (sum_s w_rs + 1/reach^2) D(r) = sum_s w_rs D(s); the result is A + D. With no
// automatic colour (A = 0) and reach 0 (no screening) this is Levin's method.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

struct Hints {
  cv::Mat mask;   // CV_8U, 255 under a stroke
  cv::Mat ab;     // CV_32FC2, the strokes' chroma (0 elsewhere)
  int count = 0;  // pixels under a stroke
};

// The strokes of a hints image drawn over a photo of the same size. With an
// alpha channel, every pixel of alpha >= 128 is a stroke, of its colour's
// chroma (a grey stroke asks for grey). Without one, a stroke is any pixel
// whose chroma (Lab) exceeds `min_chroma`: a colour drawn over the grey photo.
// `what` names the file in messages. A size other than `size` or an image
// with no stroke is a one-line error.
Status ReadHints(const cv::Mat& image, cv::Size size, const std::string& what, Hints* hints,
                 double min_chroma = 4.0);

// The affinities (see above): kLevin, the paper's row-normalised weights;
// kSymmetric, their geometric mean, kept for the ablation ladder.
enum class HintWeights { kLevin, kSymmetric };
// "levin" or "symmetric"; false for another name.
bool ParseHintWeights(const std::string& name, HintWeights* weights);
const char* HintWeightsName(HintWeights weights);

struct HintOptions {
  // How far, in pixels of even shade, a stroke's correction of an automatic
  // colorizer's output carries: it fades as exp(-distance / reach) (the
  // screening 1/reach^2). 0: no limit, as in Levin et al. The default: on
  // BSDS500 val with 5 simulated strokes per photo, no limit gave the best
  // AuC over classic and over the CNN of reaches 10, 20, 40, 80, 160
  // (experiments/strokes_val.toml); a few tens keep a correction local.
  double reach = 0;
  // A photo of more pixels is solved at this size and the correction resized
  // back: the factorization's time and memory grow faster than the pixel
  // count (figures in docs/decisions.md).
  double working_pixels = 160'000;
  HintWeights weights = HintWeights::kLevin;  // --hint-weights
  bool Check(std::string* error) const;
};

// Replaces *ab (CV_32FC2, the automatic chroma, or zeros) by the chroma the
// strokes ask for, propagated over `lightness` (CV_32F, 0..100).
Status PropagateHints(const cv::Mat& lightness, const Hints& hints, const HintOptions& options,
                      cv::Mat* ab);

}  // namespace tint
