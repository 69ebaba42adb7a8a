// Stage 1: the luminance of the input photo (CIE Lab L, and the Y/U/V view).
#include "common.h"

#include "core/color.h"

namespace tint::bench {
namespace {

void BM_Lightness(benchmark::State& state, double megapixels) {
  const cv::Mat photo = PhotoOfMegapixels(megapixels);
  for (auto _ : state) benchmark::DoNotOptimize(ComputeLightness(photo).data);
  SetPixelCounters(state, photo.total());
}

void BM_Yuv(benchmark::State& state, double megapixels) {
  const cv::Mat photo = PhotoOfMegapixels(megapixels);
  cv::Mat y, u, v;
  for (auto _ : state) {
    ComputeYuv(photo, &y, &u, &v);
    benchmark::DoNotOptimize(y.data);
  }
  SetPixelCounters(state, photo.total());
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint::bench;
  return Main(argc, argv, [] {
    for (double mpx : Sweep<double>({0, 1, 4, 12}, {0})) {
      const std::string size = SizeName(mpx);
      Configure(benchmark::RegisterBenchmark(("BM_Lightness/" + size).c_str(), BM_Lightness, mpx));
      Configure(benchmark::RegisterBenchmark(("BM_Yuv/" + size).c_str(), BM_Yuv, mpx));
    }
  });
}
