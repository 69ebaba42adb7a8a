// Guided modes: the strokes propagation (Levin et al. 2004), the
// sparse system built and solved for a and b, on the sample photo with 20
// strokes of its own colours (12 x 3 px each, on a fixed grid) and at larger
// sizes (solved at HintOptions::working_pixels and resized back). The guided modes'
// target: 481x321 in <= 0.5 s.
#include "common.h"

#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "guide/hints.h"
#include "guide/reference.h"

namespace tint::bench {
namespace {

// `megapixels` < 0: the sample at -megapixels times its size (-3: 1443x963).
cv::Mat StrokesPhoto(double megapixels) {
  if (megapixels >= 0) return PhotoOfMegapixels(megapixels);
  cv::Mat photo;
  cv::resize(PhotoOfMegapixels(0), photo, cv::Size(), -megapixels, -megapixels, cv::INTER_CUBIC);
  return photo;
}

void BM_Strokes(benchmark::State& state, double megapixels, double reach, HintWeights weights) {
  const cv::Mat photo = StrokesPhoto(megapixels);
  cv::Mat lightness, truth_ab;
  SplitLab(photo, &lightness, &truth_ab);
  Hints hints;
  hints.mask = cv::Mat::zeros(photo.size(), CV_8U);
  hints.ab = cv::Mat::zeros(photo.size(), CV_32FC2);
  for (int i = 0; i < 20; ++i) {
    const cv::Rect stroke(photo.cols * (1 + i % 5) / 7, photo.rows * (1 + i / 5) / 6, 12, 3);
    hints.mask(stroke).setTo(255);
    truth_ab(stroke).copyTo(hints.ab(stroke));
    hints.count += stroke.area();
  }
  HintOptions options;
  options.reach = reach;
  options.weights = weights;
  const cv::Mat start = cv::Mat::zeros(photo.size(), CV_32FC2);
  ResetPeakMemory();
  for (auto _ : state) {
    cv::Mat ab = start.clone();
    if (!PropagateHints(lightness, hints, options, &ab).ok()) Skip(state, "solve failed");
    benchmark::DoNotOptimize(ab.data);
  }
  SetPixelCounters(state, photo.total());
  state.counters["peak_mb"] = PeakMemoryMb();
}

// Welsh et al.'s transfer: the photo from a reference of the same size (the
// photo itself flipped, so that the content differs). The guided modes' target for
// the whole process at 481x321: <= 0.3 s (benchmarks/process.py, case welsh).
void BM_Welsh(benchmark::State& state, double megapixels) {
  const cv::Mat photo = PhotoOfMegapixels(megapixels);
  ReferenceGuide reference;
  cv::flip(photo, reference.bgr, 1);
  const cv::Mat lightness = ComputeLightness(photo);
  cv::Mat ab;
  for (auto _ : state) {
    if (!WelshTransfer(lightness, reference, WelshOptions(), &ab).ok()) Skip(state, "failed");
    benchmark::DoNotOptimize(ab.data);
  }
  SetPixelCounters(state, photo.total());
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint::bench;
  using tint::HintWeights;
  using tint::HintWeightsName;
  return Main(argc, argv, [] {
    // The strokes at the sample's size, 3x it (1443x963: the size of the
    // comparison with a Python port of Levin's code), 1 and 12 Mpx; both
    // weightings (HintWeights).
    for (double mpx : Sweep<double>({0, -3, 1, 12}, {0})) {
      const std::string size = mpx < 0 ? "1443x963" : SizeName(mpx);
      for (double reach : {0.0, 40.0}) {
        for (HintWeights weights : {HintWeights::kLevin, HintWeights::kSymmetric}) {
          const std::string name = "BM_Strokes/" + size +
                                   "/reach:" + std::to_string(static_cast<int>(reach)) +
                                   "/weights:" + HintWeightsName(weights);
          Configure(benchmark::RegisterBenchmark(name.c_str(), BM_Strokes, mpx, reach, weights));
        }
      }
      if (mpx >= 0)
        Configure(
            benchmark::RegisterBenchmark(("BM_Welsh/" + SizeName(mpx)).c_str(), BM_Welsh, mpx));
    }
  });
}
