#include "eval/statistics.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/status.h"

namespace tint {

PairedStats ComparePaired(const std::vector<double>& method, const std::vector<double>& baseline,
                          const PairedOptions& options) {
  TINT_CHECK(method.size() == baseline.size(), "one baseline value per photo");
  TINT_CHECK(options.resamples >= 1, "at least one resample");
  PairedStats s;
  const size_t n = method.size();
  s.photos = static_cast<int>(n);
  if (n == 0) return s;
  std::vector<double> d(n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    d[i] = method[i] - baseline[i];
    sum += d[i];
    const double better = options.higher_is_better ? d[i] : -d[i];
    if (std::abs(d[i]) < options.tie_below)
      ++s.ties;
    else
      (better > 0 ? s.wins : s.losses) += 1;
  }
  s.mean_difference = sum / n;
  // Photo indices drawn as floor(u * n) from 53-bit uniforms of the 64-bit
  // Mersenne twister: the same draws on every platform (the standard's
  // distributions are not specified bit for bit).
  std::mt19937_64 rng(options.seed);
  std::vector<double> means(options.resamples);
  for (int r = 0; r < options.resamples; ++r) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
      total += d[std::min(n - 1, static_cast<size_t>(u * n))];
    }
    means[r] = total / n;
  }
  std::sort(means.begin(), means.end());
  // Percentile interval, nearest rank: the 2.5% and 97.5% points.
  const auto rank = [&](double q) {
    const double at = q * (options.resamples - 1);
    return means[static_cast<size_t>(std::lround(at))];
  };
  s.low = rank(0.025);
  s.high = rank(0.975);
  s.significant = static_cast<int>(n) >= kMinPhotosForSignificance &&
                  (s.low >= options.tie_below || s.high <= -options.tie_below);
  return s;
}

}  // namespace tint
