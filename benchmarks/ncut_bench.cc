// Stage 3: normalized-cuts segmentation (Shi & Malik 2000) over image sizes,
// the affinity radius, and the two graphs (pixel grid, SLIC superpixels).
// The DESIGN target (<= 0.3 s) is for the default settings at 481 x 321.
#include "common.h"

#include "core/color.h"
#include "segment/ncut.h"

namespace tint::bench {
namespace {

void BM_NCut(benchmark::State& state, double megapixels, NCutOptions options) {
  const cv::Mat lightness = ComputeLightness(PhotoOfMegapixels(megapixels));
  cv::Mat labels;
  NCutSummary summary;
  for (auto _ : state) {
    SegmentNormalizedCuts(options, lightness, &labels, &summary);
    benchmark::DoNotOptimize(labels.data);
  }
  SetPixelCounters(state, lightness.total());
  state.counters["nodes"] = summary.num_nodes;
  state.counters["edges"] = summary.num_edges;
  state.counters["segments"] = summary.num_segments;
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint;
  using namespace tint::bench;
  return Main(argc, argv, [] {
    for (NCutGraph graph : {NCutGraph::kSuperpixels, NCutGraph::kPixelGrid}) {
      const std::string g = graph == NCutGraph::kSuperpixels ? "superpixels" : "grid";
      for (double mpx : Sweep<double>({0, 1, 4, 12}, {0})) {
        for (double radius : Sweep<double>({1.5, 2.5, 4.0}, {2.5})) {
          NCutOptions o;
          o.graph = graph;
          o.radius = radius;
          char name[128];
          std::snprintf(name, sizeof(name), "BM_NCut/%s/%s/radius:%g", g.c_str(),
                        SizeName(mpx).c_str(), radius);
          Configure(benchmark::RegisterBenchmark(name, BM_NCut, mpx, o));
        }
      }
    }
  });
}
