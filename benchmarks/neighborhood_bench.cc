// Stage 4: neighborhood vectors at every pixel, for each variant and window.
// The DESIGN target (>= 50 Mpx/s) is for the default variant (window 7,
// zero-mean, mean and sd appended) at 481 x 321, every pixel.
#include "common.h"

#include <algorithm>

#include "core/color.h"
#include "features/neighborhood.h"

namespace tint::bench {
namespace {

// block 0: all vectors of the photo into one matrix (204 bytes per pixel for
// the default, so the figure is bound by memory bandwidth). block n: n
// vectors at a time into one reused buffer, as the classic pipeline consumes
// them (each block is matched before the next is made).
void BM_Neighborhood(benchmark::State& state, NeighborhoodOptions options, int stride, int block) {
  const cv::Mat lightness = ComputeLightness(SamplePhoto());
  std::vector<cv::Point> points;
  for (int r = 0; r < lightness.rows; r += stride)
    for (int c = 0; c < lightness.cols; c += stride) points.emplace_back(c, r);
  cv::Mat vectors;
  for (auto _ : state) {
    // Padding is part of the cost, as in the pipeline.
    const NeighborhoodExtractor extractor(options, lightness);
    const int n = static_cast<int>(points.size());
    const int step = block > 0 ? block : n;
    for (int begin = 0; begin < n; begin += step) {
      extractor.Compute(points.data() + begin, std::min(step, n - begin), &vectors);
      benchmark::DoNotOptimize(vectors.data);
    }
  }
  // Pixels of the photo covered per second (the query grid's share of them).
  SetPixelCounters(state, lightness.total());
  state.counters["vectors/s"] =
      benchmark::Counter(double(points.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["dim"] = options.Dimension();
  state.counters["bytes/s"] = benchmark::Counter(
      double(points.size() * options.Dimension() * sizeof(float)),
      benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1024);
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint;
  using namespace tint::bench;
  return Main(argc, argv, [] {
    for (int window : Sweep<int>({3, 5, 7, 9, 11, 15}, {3, 7})) {
      for (auto norm : {VectorNormalization::kRaw, VectorNormalization::kZeroMean,
                        VectorNormalization::kUnitNorm}) {
        for (bool stats : {false, true}) {
          NeighborhoodOptions o;
          o.window = window;
          o.normalization = norm;
          o.append_statistics = stats;
          const std::string name = "BM_Neighborhood/window:" + std::to_string(window) + "/" +
                                   ToString(norm) + (stats ? "+stats" : "") + "/stride:1/block:all";
          Configure(benchmark::RegisterBenchmark(name.c_str(), BM_Neighborhood, o, 1, 0));
        }
      }
    }
    // The default vectors in cache-sized blocks, every pixel and on query
    // grids (the classic pipeline's default is stride 3).
    for (int stride : {1, 2, 3}) {
      for (int block : Sweep<int>({1024, 4096, 16384, 65536}, {4096})) {
        const std::string name =
            "BM_Neighborhood/window:7/zero-mean+stats/stride:" + std::to_string(stride) +
            "/block:" + std::to_string(block);
        Configure(benchmark::RegisterBenchmark(name.c_str(), BM_Neighborhood, NeighborhoodOptions(),
                                               stride, block));
      }
    }
  });
}
