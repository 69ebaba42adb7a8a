// Guided modes: the strokes propagation (Levin et al. 2004), the
// sparse system built and solved for a and b, on the sample photo with 20
// strokes of its own colours (12 x 3 px each, on a fixed grid) and at larger
// sizes (solved at HintOptions::working_pixels and resized back). The guided modes'
// target: 481x321 in <= 0.5 s.
#include "common.h"

#include "core/color.h"
#include "guide/hints.h"
#include "guide/reference.h"

namespace tint::bench {
namespace {

void BM_Strokes(benchmark::State& state, double megapixels, double reach) {
  const cv::Mat photo = PhotoOfMegapixels(megapixels);
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
  return Main(argc, argv, [] {
    for (double mpx : Sweep<double>({0, 1, 12}, {0})) {
      for (double reach : {0.0, 40.0}) {
        const std::string name =
            "BM_Strokes/" + SizeName(mpx) + "/reach:" + std::to_string(static_cast<int>(reach));
        Configure(benchmark::RegisterBenchmark(name.c_str(), BM_Strokes, mpx, reach));
      }
      Configure(benchmark::RegisterBenchmark(("BM_Welsh/" + SizeName(mpx)).c_str(), BM_Welsh, mpx));
    }
  });
}
