#include "pipeline/welsh.h"

#include "core/timer.h"

namespace tint {
namespace {

class WelshColorizer : public Colorizer {
 public:
  explicit WelshColorizer(const WelshOptions& options) : options_(options) {}
  std::string name() const override { return "welsh"; }
  Status Colorize(const cv::Mat&, cv::Mat*, ColorizeDetails*) const override {
    return Status::Error("method 'welsh' colours from a reference photo: give --reference FILE");
  }
  Status ColorizeFromReference(const cv::Mat& lightness, const ReferenceGuide& reference,
                               cv::Mat* ab, ColorizeDetails* details) const override {
    Timer timer;
    TINT_RETURN_IF_ERROR(WelshTransfer(lightness, reference, options_, ab));
    if (details != nullptr) details->seconds["welsh"] = timer.Lap();
    return Status::Ok();
  }

 private:
  WelshOptions options_;
};

const std::vector<OptionEntry<WelshOptions>>& WelshTable() {
  using O = WelshOptions;
  static const std::vector<OptionEntry<O>> table = [] {
    std::vector<OptionEntry<O>> t;
    t.push_back(NumberOption<O, int>(
        "jitter_samples", OptionType::kInt, 1, 100000,
        "Cells of the jittered grid the reference is sampled on (per swatch with --swatch)",
        [](O& o) -> int& { return o.samples; }));
    t.push_back(NumberOption<O, int>("stats_window", OptionType::kInt, 3, 31,
                                     "Side of the window of the standard deviation of L (px)",
                                     [](O& o) -> int& { return o.window; }));
    t.back().rule = "odd";
    t.push_back(NumberOption<O, uint64_t>("jitter_seed", OptionType::kUInt64, 0,
                                          18446744073709551615.0, "Seed of the jitter",
                                          [](O& o) -> uint64_t& { return o.seed; }));
    return t;
  }();
  return table;
}

}  // namespace

const TypedOptionTable<WelshOptions>& WelshMethodOptions() {
  static const TypedOptionTable<WelshOptions> table("welsh", WelshTable(), nullptr);
  return table;
}

std::unique_ptr<Colorizer> CreateWelshColorizer(const WelshOptions& options) {
  return std::make_unique<WelshColorizer>(options);
}

Status CreateWelshMethod(const MethodSpec& spec, const ColorizerContext&,
                         std::unique_ptr<Colorizer>* colorizer) {
  // The registry hands a prepared spec: the options built by the table.
  const WelshOptions* options = spec.built.As<WelshOptions>();
  if (options == nullptr) return Status::Error("method 'welsh' was not given its options");
  *colorizer = CreateWelshColorizer(*options);
  return Status::Ok();
}

}  // namespace tint
