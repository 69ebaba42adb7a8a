#include "transfer/transfer.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc.hpp>

#include "core/color.h"
#include "testing.h"

namespace tint {
namespace {

// Database of two flat patches: sky (blue) and earth (brown).
std::unique_ptr<PatchDatabase> TwoLabelDatabase() {
  NeighborhoodOptions f;
  f.window = 3;
  return PatchDatabase::FromPatches(f, {},
                                    {cv::Mat(8, 8, CV_8UC3, cv::Scalar(230, 170, 110)),
                                     cv::Mat(8, 8, CV_8UC3, cv::Scalar(60, 100, 140))},
                                    {"sky", "earth"});
}

struct Fixture {
  cv::Mat lightness, segments;
  Binarization bin;
  std::vector<cv::Point> points;
  Candidates cand;
};

// Two segments (left, right); every pixel is matched, with one candidate
// whose database sample is chosen by `sample_of(x)`.
Fixture Make(const PatchDatabase& db, float left_l, float right_l, int left_sample,
             int right_sample, float dark) {
  Fixture f;
  f.lightness = cv::Mat(6, 8, CV_32F, cv::Scalar(right_l));
  f.lightness(cv::Rect(0, 0, 4, 6)).setTo(left_l);
  f.segments = cv::Mat(6, 8, CV_32S, cv::Scalar(1));
  f.segments(cv::Rect(0, 0, 4, 6)).setTo(0);
  f.bin.dark_threshold = dark;
  f.cand.k = 1;
  for (int r = 0; r < 6; ++r) {
    for (int c = 0; c < 8; ++c) {
      f.points.emplace_back(c, r);
      f.cand.index.push_back(c < 4 ? left_sample : right_sample);
      f.cand.similarity.push_back(0.9f);
    }
  }
  (void)db;
  return f;
}

TransferInput Input(const Fixture& f, const PatchDatabase& db) {
  TransferInput in;
  in.lightness = &f.lightness;
  in.binarization = &f.bin;
  in.segments = &f.segments;
  in.num_segments = 2;
  in.points = &f.points;
  in.candidates = &f.cand;
  in.database = &db;
  return in;
}

int FirstSampleOf(const PatchDatabase& db, const std::string& label) {
  const int id = db.LabelId(label);
  for (int i = 0; i < db.num_samples(); ++i)
    if (db.sample_labels()[i] == id) return i;
  return -1;
}

TEST(TransferTest, SegmentsTakeTheVotedLabelAndItsChroma) {
  const auto db = TwoLabelDatabase();
  const Fixture f = Make(*db, 80, 45, FirstSampleOf(*db, "sky"), FirstSampleOf(*db, "earth"), 10);
  TransferOptions o;
  o.smoothing_radius = 0;
  TransferResult r;
  TransferChroma(o, Input(f, *db), &r);
  EXPECT_EQ(r.segment_labels[0], db->LabelId("sky"));
  EXPECT_EQ(r.segment_labels[1], db->LabelId("earth"));
  EXPECT_LT(r.ab.at<cv::Vec2f>(2, 1)[1], -10.0f);  // sky: b < 0 (blue)
  EXPECT_GT(r.ab.at<cv::Vec2f>(2, 6)[1], 5.0f);    // earth: b > 0 (brown)
}

// Very dark areas are never sky, however strongly they match it.
TEST(TransferTest, DarkSegmentIsNeverSky) {
  const auto db = TwoLabelDatabase();
  Fixture f = Make(*db, 8, 45, FirstSampleOf(*db, "sky"), FirstSampleOf(*db, "earth"), 20);
  // The dark segment has a weak earth candidate among its sky votes.
  f.cand.index[0] = FirstSampleOf(*db, "earth");
  f.cand.similarity[0] = 0.1f;
  TransferOptions o;
  TransferResult r;
  TransferChroma(o, Input(f, *db), &r);
  EXPECT_NE(r.segment_labels[0], db->LabelId("sky"));
  EXPECT_EQ(r.segment_labels[0], db->LabelId("earth"));
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 4; ++x) EXPECT_NE(r.labels.at<int>(y, x), db->LabelId("sky"));
}

TEST(TransferTest, PixelVoteKeepsEachPixelsOwnLabel) {
  const auto db = TwoLabelDatabase();
  Fixture f = Make(*db, 60, 60, FirstSampleOf(*db, "sky"), FirstSampleOf(*db, "earth"), 10);
  f.segments.setTo(0);
  TransferOptions o;
  o.segment_vote = false;
  TransferResult r;
  TransferChroma(o, Input(f, *db), &r);
  EXPECT_EQ(r.labels.at<int>(0, 0), db->LabelId("sky"));
  EXPECT_EQ(r.labels.at<int>(0, 7), db->LabelId("earth"));
}

TEST(PostStepTest, NoneIsIdentityAndAutoStretchesContrast) {
  cv::Mat img(20, 20, CV_8UC3, cv::Scalar(90, 100, 110));
  img(cv::Rect(0, 0, 10, 20)).setTo(cv::Scalar(130, 140, 150));
  PostOptions o;
  EXPECT_EQ(cv::norm(ApplyPostStep(o, img), img, cv::NORM_INF), 0.0);
  o.mode = PostMode::kAuto;
  const cv::Mat out = ApplyPostStep(o, img);
  double lo_in, hi_in, lo_out, hi_out;
  cv::minMaxLoc(ComputeLightness(img), &lo_in, &hi_in);
  cv::minMaxLoc(ComputeLightness(out), &lo_out, &hi_out);
  EXPECT_GT(hi_out - lo_out, hi_in - lo_in + 20.0);
}

TEST(SmoothChromaTest, StripsEqualOneWholeImageFilter) {
  // 1100 x 2000 px: eight strips of 238 rows and a short last one, so both
  // inner seams and the bottom edge are covered.
  cv::Mat lightness(2000, 1100, CV_32F), ab(2000, 1100, CV_32FC2);
  cv::RNG rng(::tint::testing::kSeed);
  rng.fill(lightness, cv::RNG::UNIFORM, 0, 100);
  rng.fill(ab, cv::RNG::NORMAL, 0, 30);
  cv::GaussianBlur(lightness, lightness, cv::Size(9, 9), 2);
  cv::Mat guide, expected;
  lightness.convertTo(guide, CV_32F, 0.01);
  cv::ximgproc::guidedFilter(guide, ab, expected, 6, 2e-3);
  cv::Mat smoothed = ab.clone();
  SmoothChroma(lightness, 6, 2e-3, &smoothed);
  EXPECT_LT(cv::norm(smoothed, expected, cv::NORM_INF), 1e-3);
  // It did smooth: the noise is far from the input.
  EXPECT_GT(cv::norm(smoothed, ab, cv::NORM_INF), 10);
}

// Joint upsampling strip by strip: the strips tile the photo in order, and
// together they equal cv::resize's bilinear upsampling followed by one
// guided filter over the whole image.
TEST(UpsampleChromaTest, StripsEqualResizeThenOneGuidedFilter) {
  cv::Mat lightness(2000, 1100, CV_32F), proxy(400, 220, CV_32FC2);
  cv::RNG rng(::tint::testing::kSeed);
  rng.fill(lightness, cv::RNG::UNIFORM, 0, 100);
  rng.fill(proxy, cv::RNG::NORMAL, 0, 30);
  cv::GaussianBlur(lightness, lightness, cv::Size(9, 9), 2);
  cv::Mat guide, up, expected;
  lightness.convertTo(guide, CV_32F, 0.01);
  cv::resize(proxy, up, lightness.size(), 0, 0, cv::INTER_LINEAR);
  cv::ximgproc::guidedFilter(guide, up, expected, 15, 2e-3);
  cv::Mat joined(lightness.size(), CV_32FC2, cv::Scalar(1e6, 1e6));
  int next_row = 0, strips = 0;
  UpsampleChroma(proxy, lightness, 15, 2e-3, [&](const cv::Range& rows, const cv::Mat& ab) {
    EXPECT_EQ(rows.start, next_row);
    ASSERT_EQ(ab.rows, rows.size());
    ab.copyTo(joined.rowRange(rows));
    next_row = rows.end;
    ++strips;
  });
  EXPECT_EQ(next_row, lightness.rows);
  EXPECT_GT(strips, 2);
  EXPECT_LT(cv::norm(joined, expected, cv::NORM_INF), 1e-2);
}

}  // namespace
}  // namespace tint

namespace tint {
namespace {

// The two-segment fixture whose left segment's candidates alternate between
// sky and earth at equal similarity (no vote margin); the right one is earth.
Fixture EvenSplit(const PatchDatabase& db) {
  const int sky = FirstSampleOf(db, "sky"), earth = FirstSampleOf(db, "earth");
  Fixture f = Make(db, 80, 45, sky, earth, 10);
  for (size_t i = 0; i < f.points.size(); ++i)
    if (f.points[i].x < 4) f.cand.index[i] = (f.points[i].x + f.points[i].y) % 2 ? sky : earth;
  return f;
}

// Confidence: a segment whose candidates split evenly between two labels has
// no vote margin, so with confidence_full (and confidence_fade 0) its chroma
// goes to grey; a unanimous segment keeps its chroma. Off (0), chroma is
// untouched.
TEST(ConfidenceTest, AnEvenSplitStaysGreyAUnanimousSegmentKeepsItsColour) {
  const auto db = TwoLabelDatabase();
  const Fixture f = EvenSplit(*db);
  TransferOptions off, on;
  off.smoothing_radius = on.smoothing_radius = 0;
  off.confidence_full = 0;
  on.confidence_full = 0.5;
  on.confidence_fade = 0;  // fade to grey
  TransferResult a, b;
  TransferChroma(off, Input(f, *db), &a);
  TransferChroma(on, Input(f, *db), &b);
  ASSERT_EQ(a.confidence.size(), f.lightness.size());
  EXPECT_NEAR(a.confidence.at<float>(2, 1), 0.0f, 1e-6);  // no margin
  EXPECT_NEAR(a.confidence.at<float>(2, 6), 1.0f, 1e-6);  // unanimous, no quantiles
  EXPECT_GT(cv::norm(a.ab.at<cv::Vec2f>(2, 1)), 5.0);     // off: coloured anyway
  EXPECT_NEAR(cv::norm(b.ab.at<cv::Vec2f>(2, 1)), 0.0, 1e-6);
  EXPECT_EQ(a.ab.at<cv::Vec2f>(2, 6), b.ab.at<cv::Vec2f>(2, 6));
  EXPECT_EQ(a.labels.at<int>(2, 1), b.labels.at<int>(2, 1));  // labels do not change
}

// The calibrated similarity ranks a match among the database's own best
// matches: below them all it is 0, above them all 1, and weak matches
// lower the confidence (and so the chroma) of a unanimous segment.
TEST(ConfidenceTest, CalibratedSimilarityRanksAmongTheDatabasesOwnMatches) {
  std::vector<float> q(101);
  for (int i = 0; i <= 100; ++i) q[i] = 0.5f + 0.004f * i;  // 0.5 .. 0.9
  EXPECT_EQ(CalibratedSimilarity(q, 0.2f), 0.0);
  EXPECT_EQ(CalibratedSimilarity(q, 0.95f), 1.0);
  EXPECT_NEAR(CalibratedSimilarity(q, 0.7f), 0.5, 1e-4);
  EXPECT_NEAR(CalibratedSimilarity(q, 0.502f), 0.005, 1e-4);
  EXPECT_EQ(CalibratedSimilarity({}, 0.2f), 1.0);
  const auto db = TwoLabelDatabase();
  const Fixture f = Make(*db, 80, 45, FirstSampleOf(*db, "sky"), FirstSampleOf(*db, "earth"), 10);
  TransferInput in = Input(f, *db);
  in.similarity_quantiles = &q;  // the fixture's similarity is 0.9: the top
  TransferOptions o;
  o.smoothing_radius = 0;
  o.confidence_full = 0.5;
  TransferResult strong, weak;
  TransferChroma(o, in, &strong);
  std::vector<float> higher(101);
  for (int i = 0; i <= 100; ++i) higher[i] = 0.8f + 0.002f * i;  // 0.9 is the median here
  in.similarity_quantiles = &higher;
  TransferChroma(o, in, &weak);
  // Confidence is the geometric mean of margin (1), similarity and
  // agreement (1): cbrt(0.5) for the median match.
  const float median = std::cbrt(0.5f);
  EXPECT_NEAR(strong.confidence.at<float>(3, 3), 1.0f, 1e-5);
  EXPECT_NEAR(weak.confidence.at<float>(3, 3), median, 1e-3);
  EXPECT_NEAR(cv::norm(weak.ab.at<cv::Vec2f>(3, 3)), cv::norm(strong.ab.at<cv::Vec2f>(3, 3)),
              1e-3 * cv::norm(strong.ab.at<cv::Vec2f>(3, 3)));  // above 0.5: still whole
  o.confidence_full = 1.0;
  o.confidence_fade = 0;  // fade to grey: the chroma scales with confidence
  TransferChroma(o, in, &weak);
  EXPECT_NEAR(cv::norm(weak.ab.at<cv::Vec2f>(3, 3)),
              median * cv::norm(strong.ab.at<cv::Vec2f>(3, 3)),
              1e-2 * cv::norm(strong.ab.at<cv::Vec2f>(3, 3)));
  TransferOptions bad;
  bad.confidence_full = 1.5;
  std::string error;
  EXPECT_FALSE(bad.Check(&error));
}

}  // namespace
}  // namespace tint

namespace tint {
namespace {

// confidence_fade: a segment split evenly between sky and earth fades to the
// plain mean of its candidates' chroma (half of each), not to grey; a
// unanimous one keeps its chroma; with confidence_fade 0.5 it fades to half
// that mean; and when its matches are weak (calibrated similarity below
// confidence_full) the target shrinks with them, down to grey.
TEST(ConfidenceTest, ASplitSegmentFadesToItsCandidatesMeanAndWeakMatchesToGrey) {
  const auto db = TwoLabelDatabase();
  const int sky = FirstSampleOf(*db, "sky"), earth = FirstSampleOf(*db, "earth");
  const Fixture f = EvenSplit(*db);
  const cv::Vec2f sky_ab(db->chroma().at<float>(sky, 0), db->chroma().at<float>(sky, 1));
  const cv::Vec2f earth_ab(db->chroma().at<float>(earth, 0), db->chroma().at<float>(earth, 1));
  const cv::Vec2f mean = 0.5f * (sky_ab + earth_ab);
  ASSERT_GT(cv::norm(sky_ab - earth_ab), 20.0);  // the test needs two distinct hues
  TransferOptions o;
  o.smoothing_radius = 0;
  o.confidence_full = 0.5;
  o.confidence_fade = 1.0;
  TransferResult r;
  TransferChroma(o, Input(f, *db), &r);
  for (const cv::Point p : {cv::Point(1, 2), cv::Point(2, 2), cv::Point(0, 5)}) {
    EXPECT_NEAR(r.ab.at<cv::Vec2f>(p)[0], mean[0], 1e-3);
    EXPECT_NEAR(r.ab.at<cv::Vec2f>(p)[1], mean[1], 1e-3);
  }
  EXPECT_NEAR(r.ab.at<cv::Vec2f>(2, 6)[0], earth_ab[0], 1e-3);  // unanimous: its own
  EXPECT_NEAR(r.ab.at<cv::Vec2f>(2, 6)[1], earth_ab[1], 1e-3);
  o.confidence_fade = 0.5;
  TransferChroma(o, Input(f, *db), &r);
  EXPECT_NEAR(r.ab.at<cv::Vec2f>(2, 1)[1], 0.5f * mean[1], 1e-3);
  // Weak matches: the fixture's similarity 0.9 is the 25% quantile here, so
  // the target is mean * 0.25 / 0.5; below every quantile it is grey.
  std::vector<float> q(101);
  for (int i = 0; i <= 100; ++i) q[i] = 0.85f + 0.002f * i;  // 0.85 .. 1.05
  TransferInput in = Input(f, *db);
  in.similarity_quantiles = &q;
  o.confidence_fade = 1.0;
  TransferChroma(o, in, &r);
  EXPECT_NEAR(r.ab.at<cv::Vec2f>(2, 1)[0], 0.5f * mean[0], 1e-2);
  EXPECT_NEAR(r.ab.at<cv::Vec2f>(2, 1)[1], 0.5f * mean[1], 1e-2);
  for (int i = 0; i <= 100; ++i) q[i] = 0.95f + 0.0005f * i;
  TransferChroma(o, in, &r);
  EXPECT_NEAR(cv::norm(r.ab.at<cv::Vec2f>(2, 1)), 0.0, 1e-6);
  TransferOptions bad;
  bad.confidence_fade = 1.5;
  std::string error;
  EXPECT_FALSE(bad.Check(&error));
  EXPECT_NE(error.find("confidence_fade"), std::string::npos);
}

// Abstention: a segment whose mean calibrated similarity is under
// abstain_below says "none of mine": no label, no chroma, marked in the
// mask; the other segment keeps its label and colour.
TEST(AbstainTest, ASegmentThatMatchesWeaklyIsNoneOfMine) {
  const auto db = TwoLabelDatabase();
  Fixture f = Make(*db, 80, 45, FirstSampleOf(*db, "sky"), FirstSampleOf(*db, "earth"), 10);
  for (size_t i = 0; i < f.points.size(); ++i) {
    if (f.points[i].x >= 4) f.cand.similarity[i] = 0.6f;  // the right segment matches weakly
  }
  std::vector<float> q(101);
  for (int i = 0; i <= 100; ++i) q[i] = 0.5f + 0.004f * i;  // 0.6 calibrates to 0.25, 0.9 to 1
  TransferInput in = Input(f, *db);
  in.similarity_quantiles = &q;
  TransferOptions o;
  o.smoothing_radius = 0;
  TransferResult off, on;
  TransferChroma(o, in, &off);
  EXPECT_EQ(cv::countNonZero(off.abstained), 0);
  EXPECT_EQ(off.segment_labels[1], db->LabelId("earth"));
  o.abstain_below = 0.3;
  TransferChroma(o, in, &on);
  EXPECT_EQ(on.segment_labels[0], db->LabelId("sky"));
  EXPECT_EQ(on.segment_labels[1], -1);
  EXPECT_EQ(cv::countNonZero(on.abstained), 24);
  EXPECT_EQ(on.abstained.at<uint8_t>(2, 6), 255);
  EXPECT_EQ(on.labels.at<int>(2, 6), -1);
  EXPECT_EQ(on.ab.at<cv::Vec2f>(2, 6), cv::Vec2f(0, 0));
  EXPECT_EQ(on.confidence.at<float>(2, 6), 0.0f);
  EXPECT_EQ(on.ab.at<cv::Vec2f>(2, 1), off.ab.at<cv::Vec2f>(2, 1));  // sky untouched
  o.abstain_below = 0.2;  // 0.25 is above it: no abstention
  TransferChroma(o, in, &on);
  EXPECT_EQ(cv::countNonZero(on.abstained), 0);
}

}  // namespace
}  // namespace tint
