// Stage 6 and 7: label voting and chroma transfer from match candidates
// (with and without the guided-filter smoothing), and the optional
// post-step (automatic contrast and white balance). Inputs are the real
// intermediate results of the classic pipeline on the sample photo,
// computed once before timing; larger sizes repeat the sample's candidates
// over a resized photo.
#include "common.h"

#include <iostream>

#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "pipeline/classic/classic.h"
#include "pipeline/colorizer.h"
#include "transfer/transfer.h"

namespace tint::bench {
namespace {

struct Inputs {
  cv::Mat lightness, segments;
  int num_segments = 0;
  Binarization bin;
  std::vector<cv::Point> points;
  Candidates candidates;
};

// The pipeline's stages up to matching, at a photo size.
std::unique_ptr<Inputs> MakeInputs(double megapixels) {
  auto in = std::make_unique<Inputs>();
  const ClassicOptions options;
  in->lightness = ComputeLightness(PhotoOfMegapixels(megapixels));
  BinarizeOtsu(options.otsu, in->lightness, &in->bin);
  NCutSummary summary;
  SegmentNormalizedCuts(options.ncut, in->lightness, &in->segments, &summary);
  in->num_segments = summary.num_segments;
  in->points = QueryPoints(in->bin.useful, options.query_stride);
  cv::Mat vectors;
  ComputeNeighborhoodVectors(options.features, in->lightness, in->points, &vectors);
  ShippedDatabase().matcher->Match(vectors, &in->candidates);
  return in;
}

void BM_Transfer(benchmark::State& state, double megapixels, int smoothing_radius) {
  const auto in = MakeInputs(megapixels);
  TransferOptions options;
  options.smoothing_radius = smoothing_radius;
  TransferInput input;
  input.lightness = &in->lightness;
  input.binarization = &in->bin;
  input.segments = &in->segments;
  input.num_segments = in->num_segments;
  input.points = &in->points;
  input.candidates = &in->candidates;
  input.database = ShippedDatabase().database.get();
  input.label_weights = &ShippedDatabase().label_weights;
  TransferResult result;
  for (auto _ : state) {
    TransferChroma(options, input, &result);
    benchmark::DoNotOptimize(result.ab.data);
  }
  SetPixelCounters(state, in->lightness.total());
  state.counters["queries"] = double(in->points.size());
}

void BM_PostStep(benchmark::State& state, double megapixels) {
  const cv::Mat photo = PhotoOfMegapixels(megapixels);
  PostOptions options;
  options.mode = PostMode::kAuto;
  for (auto _ : state) benchmark::DoNotOptimize(ApplyPostStep(options, photo).data);
  SetPixelCounters(state, photo.total());
}

void BM_JoinLab(benchmark::State& state, double megapixels) {
  cv::Mat lightness, ab;
  SplitLab(PhotoOfMegapixels(megapixels), &lightness, &ab);
  for (auto _ : state) benchmark::DoNotOptimize(JoinLab(lightness, ab).data);
  SetPixelCounters(state, lightness.total());
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint;
  using namespace tint::bench;
  return Main(argc, argv, [] {
    for (double mpx : Sweep<double>({0, 1, 4}, {0})) {
      for (int radius : {0, TransferOptions().smoothing_radius}) {
        const std::string name =
            "BM_Transfer/" + SizeName(mpx) + "/smoothing:" + std::to_string(radius);
        Configure(benchmark::RegisterBenchmark(name.c_str(), BM_Transfer, mpx, radius));
      }
    }
    for (double mpx : Sweep<double>({0, 1, 4, 12}, {0})) {
      Configure(
          benchmark::RegisterBenchmark(("BM_JoinLab/" + SizeName(mpx)).c_str(), BM_JoinLab, mpx));
      Configure(
          benchmark::RegisterBenchmark(("BM_PostStep/" + SizeName(mpx)).c_str(), BM_PostStep, mpx));
    }
  });
}
