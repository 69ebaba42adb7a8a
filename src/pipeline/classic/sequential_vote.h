// The sequential vote: match a segment's pixels in a seeded random order,
// a round at a time, and stop matching it as soon as its leading label is
// decided at a stated confidence, instead of matching every pixel of the
// query grid. The vote and the chroma transfer then run on the pixels
// matched (the others take their segment's chroma, as the grid's gaps do).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <opencv2/core.hpp>

#include "match/matcher.h"

namespace tint {

struct SequentialVoteOptions {
  // One-sided confidence of the sign test that ends a segment (0 = off).
  double confidence = 0;
  // Points drawn per undecided segment and round; no segment is decided on
  // fewer than min_points matched pixels.
  int round_points = 32;
  int min_points = 32;
  uint64_t seed = 2016;
};

// The normal quantile z with P(Z > z) = 1 - confidence, for 0.5 <= confidence < 1.
double OneSidedZ(double confidence);

// Whether a segment's leading label is decided: its matched pixels' own top
// labels counted, `first` and `second` the two largest counts, the sign
// test of first against second at z (normal approximation):
// (first - second) / sqrt(first + second) >= z.
bool VoteDecided(int first, int second, double z);

// Matches `points` (the query grid, row-major) segment by segment as above.
// match(subset, n, &block) makes and matches the vectors of n points.
// label_of(candidate index) is a database sample's label; weight(label,
// similarity) a candidate's vote. On return *kept holds the points matched,
// in their grid order, and *candidates their rows. should_stop is asked
// between rounds (true: stop, *kept incomplete, returns false).
struct SequentialVoteIO {
  std::function<void(const cv::Point* points, int n, Candidates* block)> match;
  std::function<int(int index)> label_of;
  std::function<double(int label, float similarity)> weight;
  std::function<bool()> should_stop;
  std::function<void(double done)> progress;
};
bool SequentialVote(const SequentialVoteOptions& options, const std::vector<cv::Point>& points,
                    const cv::Mat& segments, int num_segments, int num_labels, int k,
                    const SequentialVoteIO& io, std::vector<cv::Point>* kept,
                    Candidates* candidates);

}  // namespace tint
