// Stage 2: Otsu binarization of the lightness (threshold and useful mask).
#include "common.h"

#include "binarize/otsu.h"
#include "core/color.h"

namespace tint::bench {
namespace {

void BM_Otsu(benchmark::State& state, double megapixels, int bins) {
  const cv::Mat lightness = ComputeLightness(PhotoOfMegapixels(megapixels));
  OtsuOptions options;
  options.num_bins = bins;
  Binarization bin;
  for (auto _ : state) {
    BinarizeOtsu(options, lightness, &bin);
    benchmark::DoNotOptimize(bin.useful.data);
  }
  SetPixelCounters(state, lightness.total());
  state.counters["useful_share"] = cv::countNonZero(bin.useful) / double(lightness.total());
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint::bench;
  return Main(argc, argv, [] {
    for (double mpx : Sweep<double>({0, 1, 4, 12}, {0})) {
      for (int bins : Sweep<int>({64, 256, 1024}, {256})) {
        const std::string size = SizeName(mpx);
        Configure(benchmark::RegisterBenchmark(
            ("BM_Otsu/" + size + "/bins:" + std::to_string(bins)).c_str(), BM_Otsu, mpx, bins));
      }
    }
  });
}
