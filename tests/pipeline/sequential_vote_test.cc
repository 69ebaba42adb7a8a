#include "pipeline/classic/sequential_vote.h"

#include <gtest/gtest.h>

namespace tint {
namespace {

TEST(SequentialVoteTest, NormalQuantiles) {
  EXPECT_NEAR(OneSidedZ(0.5), 0.0, 1e-9);
  EXPECT_NEAR(OneSidedZ(0.95), 1.644854, 1e-5);
  EXPECT_NEAR(OneSidedZ(0.99), 2.326348, 1e-5);
  EXPECT_NEAR(OneSidedZ(0.999), 3.090232, 1e-5);
}

TEST(SequentialVoteTest, SignTest) {
  EXPECT_FALSE(VoteDecided(0, 0, 1.64));
  EXPECT_TRUE(VoteDecided(32, 0, 1.64));    // 32 / sqrt(32) = 5.7
  EXPECT_FALSE(VoteDecided(20, 12, 1.64));  // 8 / sqrt(32) = 1.41
  EXPECT_TRUE(VoteDecided(22, 10, 1.64));   // 12 / sqrt(32) = 2.12
  EXPECT_FALSE(VoteDecided(22, 10, 2.33));
}

// Two segments on a 40x40 grid: the left one's pixels all vote label 0; the
// right one's match with similarity 0, so they give no vote and it is never
// decided. The fake matcher returns as candidate index the point's own grid
// id, so the rows can be checked.
struct Fixture {
  cv::Mat segments = cv::Mat(40, 40, CV_32S, cv::Scalar(0));
  std::vector<cv::Point> points;
  int calls = 0;
  Fixture() {
    segments.colRange(20, 40).setTo(1);
    for (int r = 0; r < 40; ++r)
      for (int c = 0; c < 40; ++c) points.emplace_back(c, r);
  }
  SequentialVoteIO Io() {
    SequentialVoteIO io;
    io.match = [this](const cv::Point* p, int n, Candidates* block) {
      ++calls;
      block->k = 1;
      block->index.clear();
      block->similarity.clear();
      for (int i = 0; i < n; ++i) {
        block->index.push_back(p[i].y * 40 + p[i].x);
        block->similarity.push_back(p[i].x < 20 ? 0.9f : 0.0f);
      }
    };
    io.label_of = [](int index) {
      const int x = index % 40, y = index / 40;
      return x < 20 ? 0 : (x + y) % 2;  // the right's labels, unweighted
    };
    io.weight = [](int, float s) { return double(s); };
    return io;
  }
};

TEST(SequentialVoteTest, StopsADecidedSegmentAndMatchesAllOfAnUndecidedOne) {
  Fixture f;
  SequentialVoteOptions o;
  o.confidence = 0.99;
  std::vector<cv::Point> kept;
  Candidates cand;
  ASSERT_TRUE(SequentialVote(o, f.points, f.segments, 2, 2, 1, f.Io(), &kept, &cand));
  int left = 0, right = 0;
  for (const cv::Point& p : kept) (p.x < 20 ? left : right)++;
  EXPECT_EQ(left, o.min_points);  // unanimous: decided at the first test
  EXPECT_EQ(right, 800);          // no vote: matched to the last point
  ASSERT_EQ(cand.num_queries(), static_cast<int>(kept.size()));
  for (size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(cand.index[i], kept[i].y * 40 + kept[i].x);  // rows follow the points
    if (i > 0) {
      EXPECT_LT(kept[i - 1].y * 40 + kept[i - 1].x, kept[i].y * 40 + kept[i].x);  // grid order
    }
  }
}

TEST(SequentialVoteTest, SameSeedSamePointsOtherSeedOthers) {
  SequentialVoteOptions o;
  o.confidence = 0.95;
  std::vector<cv::Point> a, b, c;
  Candidates ca, cb, cc;
  Fixture f1, f2, f3;
  ASSERT_TRUE(SequentialVote(o, f1.points, f1.segments, 2, 2, 1, f1.Io(), &a, &ca));
  ASSERT_TRUE(SequentialVote(o, f2.points, f2.segments, 2, 2, 1, f2.Io(), &b, &cb));
  o.seed += 1;
  ASSERT_TRUE(SequentialVote(o, f3.points, f3.segments, 2, 2, 1, f3.Io(), &c, &cc));
  EXPECT_EQ(a, b);
  EXPECT_EQ(ca.index, cb.index);
  EXPECT_NE(a, c);
}

TEST(SequentialVoteTest, StopsWhenTold) {
  Fixture f;
  SequentialVoteOptions o;
  o.confidence = 0.99;
  SequentialVoteIO io = f.Io();
  io.should_stop = [&f] { return f.calls >= 2; };
  std::vector<cv::Point> kept;
  Candidates cand;
  EXPECT_FALSE(SequentialVote(o, f.points, f.segments, 2, 2, 1, io, &kept, &cand));
  EXPECT_EQ(f.calls, 2);
}

}  // namespace
}  // namespace tint
