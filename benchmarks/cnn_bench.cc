// Stage 8: the CNN mode's network, the shipped model (models/tint-hc), run
// with OpenCV dnn: the forward pass alone (warm, input size seen before),
// the whole prediction (input blob, forward, decoding), the first pass at a
// new input size, and loading the model.
#include "common.h"

#include <iostream>
#include <map>

#include "cnn/model_card.h"
#include "cnn/network.h"
#include "core/color.h"

namespace tint::bench {
namespace {

const ModelCard& Card() {
  static const ModelCard card = [] {
    ModelCard c;
    const Status s = LoadModelCard(SourcePath("models/tint-hc/card.toml"), ModelCardOptions(), &c);
    if (!s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      std::exit(2);
    }
    return c;
  }();
  return card;
}

std::unique_ptr<CnnModel> LoadModel() {
  std::unique_ptr<CnnModel> model;
  const Status s = CnnModel::Load(Card(), &model);
  if (!s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    std::exit(2);
  }
  return model;
}

void BM_CnnLoad(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(LoadModel().get());
}

void BM_CnnPredict(benchmark::State& state, double megapixels) {
  const auto model = LoadModel();
  const cv::Mat lightness = ComputeLightness(PhotoOfMegapixels(megapixels));
  cv::Mat ab;
  if (!model->Predict(lightness, &ab).ok()) return Skip(state, "predict failed");  // warm-up
  std::map<std::string, double> seconds, total;
  for (auto _ : state) {
    seconds.clear();
    if (!model->Predict(lightness, &ab, &seconds).ok()) return Skip(state, "predict failed");
    for (const auto& [k, v] : seconds) total[k] += v;
  }
  SetPixelCounters(state, lightness.total());
  const cv::Size input = model->InputSize(lightness.size());
  state.counters["net_input_px"] = double(input.area());
  for (const auto& [k, v] : total)
    state.counters["s_" + k] = benchmark::Counter(v, benchmark::Counter::kAvgIterations);
}

// A fresh model per iteration (loading untimed): the first forward pass.
void BM_CnnFirstPass(benchmark::State& state) {
  const cv::Mat lightness = ComputeLightness(SamplePhoto());
  cv::Mat ab;
  for (auto _ : state) {
    state.PauseTiming();
    auto model = LoadModel();
    state.ResumeTiming();
    if (!model->Predict(lightness, &ab).ok()) return Skip(state, "predict failed");
    state.PauseTiming();
    model.reset();
    state.ResumeTiming();
  }
  SetPixelCounters(state, lightness.total());
}

}  // namespace
}  // namespace tint::bench

int main(int argc, char** argv) {
  using namespace tint::bench;
  return Main(argc, argv, [] {
    Configure(benchmark::RegisterBenchmark("BM_CnnLoad", BM_CnnLoad));
    Configure(
        benchmark::RegisterBenchmark(("BM_CnnFirstPass/" + SizeName(0)).c_str(), BM_CnnFirstPass));
    for (double mpx : Sweep<double>({0, 0.1, 0.5, 1, 4, 12}, {0})) {
      Configure(benchmark::RegisterBenchmark(("BM_CnnPredict/" + SizeName(mpx)).c_str(),
                                             BM_CnnPredict, mpx));
    }
  });
}
