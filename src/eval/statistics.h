// Paired statistics of a method against the baseline over the same photos:
// the mean difference with a percentile bootstrap 95% interval (photos
// resampled with replacement, seeded, so the same results give the same
// bytes), and the count of photos it wins, ties and loses.
#pragma once

#include <cstdint>
#include <vector>

namespace tint {

struct PairedOptions {
  int resamples = 10000;
  uint64_t seed = 2016;
  // |difference| below this is a tie (the report's display precision: half
  // a unit of the last digit shown).
  double tie_below = 0.005;
  bool higher_is_better = true;
};

struct PairedStats {
  int photos = 0;
  double mean_difference = 0;  // method minus baseline
  double low = 0, high = 0;    // the bootstrap 95% interval of the mean difference
  int wins = 0, ties = 0, losses = 0;
  // The interval excludes zero by at least tie_below, over at least
  // kMinPhotosForSignificance photos (on fewer, the percentile bootstrap's
  // interval is too narrow to trust).
  bool significant = false;
};

constexpr int kMinPhotosForSignificance = 10;

// `method` and `baseline` hold one value per photo, in the same order.
PairedStats ComparePaired(const std::vector<double>& method, const std::vector<double>& baseline,
                          const PairedOptions& options);

}  // namespace tint
