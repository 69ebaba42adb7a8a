#include "pipeline/classic/sequential_vote.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/status.h"

namespace tint {

double OneSidedZ(double confidence) {
  TINT_CHECK(confidence >= 0.5 && confidence < 1, "confidence must be in [0.5, 1)");
  // P(Z > z) = erfc(z / sqrt 2) / 2, decreasing in z: bisection.
  const double tail = 1 - confidence;
  double lo = 0, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

bool VoteDecided(int first, int second, double z) {
  if (first + second <= 0) return false;
  return (first - second) / std::sqrt(static_cast<double>(first + second)) >= z;
}

bool SequentialVote(const SequentialVoteOptions& options, const std::vector<cv::Point>& points,
                    const cv::Mat& segments, int num_segments, int num_labels, int k,
                    const SequentialVoteIO& io, std::vector<cv::Point>* kept,
                    Candidates* candidates) {
  TINT_CHECK(options.confidence > 0 && options.round_points >= 1,
             "SequentialVote needs a confidence and a round size");
  const double z = OneSidedZ(std::max(0.5, options.confidence));
  // Each segment's grid points in a seeded order: Fisher-Yates over the raw
  // output of std::mt19937_64 (specified to the bit, unlike the standard
  // distributions), so the order is the same on every platform.
  std::vector<std::vector<int>> order(num_segments);
  for (int i = 0; i < static_cast<int>(points.size()); ++i)
    order[segments.at<int>(points[i])].push_back(i);
  std::mt19937_64 rng(options.seed);
  for (std::vector<int>& o : order) {
    for (size_t i = o.size(); i > 1; --i) std::swap(o[i - 1], o[rng() % i]);
  }
  std::vector<size_t> next(num_segments, 0);
  std::vector<char> decided(num_segments, 0);
  std::vector<std::vector<int>> top_counts(num_segments, std::vector<int>(num_labels, 0));
  std::vector<int> matched_rows(points.size(), -1);  // point -> row in rows_*
  std::vector<int> rows_index;
  std::vector<float> rows_similarity;
  std::vector<double> votes(num_labels);
  size_t done_points = 0;
  for (;;) {
    std::vector<int> batch;
    for (int s = 0; s < num_segments; ++s) {
      if (decided[s]) continue;
      const size_t end = std::min(order[s].size(), next[s] + options.round_points);
      for (size_t i = next[s]; i < end; ++i) batch.push_back(order[s][i]);
      next[s] = end;
    }
    if (batch.empty()) break;
    if (io.should_stop && io.should_stop()) return false;
    std::vector<cv::Point> batch_points(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) batch_points[i] = points[batch[i]];
    Candidates block;
    io.match(batch_points.data(), static_cast<int>(batch.size()), &block);
    TINT_CHECK(block.k == k && block.num_queries() == static_cast<int>(batch.size()),
               "matcher returned " << block.num_queries() << " rows of " << block.k
                                   << " candidates, expected " << batch.size() << " of " << k);
    for (size_t i = 0; i < batch.size(); ++i) {
      matched_rows[batch[i]] = static_cast<int>(rows_index.size() / std::max(1, k));
      std::fill(votes.begin(), votes.end(), 0.0);
      for (int j = 0; j < k; ++j) {
        const int idx = block.index[i * k + j];
        rows_index.push_back(idx);
        rows_similarity.push_back(block.similarity[i * k + j]);
        if (idx < 0) continue;
        const int label = io.label_of(idx);
        votes[label] += io.weight(label, block.similarity[i * k + j]);
      }
      const auto best = std::max_element(votes.begin(), votes.end());
      if (*best > 0) ++top_counts[segments.at<int>(points[batch[i]])][best - votes.begin()];
    }
    done_points += batch.size();
    for (int s = 0; s < num_segments; ++s) {
      if (decided[s]) continue;
      if (next[s] >= order[s].size()) {
        decided[s] = 1;  // every grid point of it matched
        continue;
      }
      std::vector<int> c = top_counts[s];
      std::partial_sort(c.begin(), c.begin() + std::min<size_t>(2, c.size()), c.end(),
                        std::greater<int>());
      const int first = c.empty() ? 0 : c[0], second = c.size() > 1 ? c[1] : 0;
      if (static_cast<int>(next[s]) >= options.min_points && VoteDecided(first, second, z))
        decided[s] = 1;
    }
    if (io.progress)
      io.progress(static_cast<double>(done_points) / std::max<size_t>(1, points.size()));
  }
  // The matched points in grid order, with their rows.
  kept->clear();
  candidates->k = k;
  candidates->index.clear();
  candidates->similarity.clear();
  for (size_t i = 0; i < points.size(); ++i) {
    if (matched_rows[i] < 0) continue;
    kept->push_back(points[i]);
    const size_t row = static_cast<size_t>(matched_rows[i]) * k;
    candidates->index.insert(candidates->index.end(), rows_index.begin() + row,
                             rows_index.begin() + row + k);
    candidates->similarity.insert(candidates->similarity.end(), rows_similarity.begin() + row,
                                  rows_similarity.begin() + row + k);
  }
  return true;
}

}  // namespace tint
