#include "transfer/transfer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/edge_filter.hpp>
#include <opencv2/xphoto/white_balance.hpp>

#include "core/color.h"
#include "core/status.h"

namespace tint {

bool TransferOptions::Check(std::string* error) const {
  if (!(similarity_power >= 0 && similarity_power <= 64)) {
    *error = "similarity_power must be in 0..64";
    return false;
  }
  if (smoothing_radius < 0 || smoothing_radius > 100) {
    *error = "smoothing_radius must be in 0..100";
    return false;
  }
  if (!(smoothing_eps > 0)) {
    *error = "smoothing_eps must be positive";
    return false;
  }
  if (!(confidence_fade >= 0 && confidence_fade <= 1)) {
    *error = "confidence_fade must be in 0..1";
    return false;
  }
  if (!(confidence_full >= 0 && confidence_full <= 1)) {
    *error = "confidence_full must be in 0..1";
    return false;
  }
  if (!(abstain_below >= 0 && abstain_below <= 1)) {
    *error = "abstain_below must be in 0..1";
    return false;
  }
  return true;
}

namespace {

// The best of n votes (the first on ties; label -1 when none is positive;
// label `skip` never counts) and its margin over the second best,
// (best - second) / best (0 when none is positive).
struct TopVote {
  int label = -1;
  double margin = 0;
};

TopVote BestVote(const double* votes, int n, int skip) {
  TopVote top;
  double best = 0, second = 0;
  for (int l = 0; l < n; ++l) {
    if (l == skip) continue;
    if (votes[l] > best) {
      second = best;
      best = votes[l];
      top.label = l;
    } else if (votes[l] > second) {
      second = votes[l];
    }
  }
  if (best > 0) top.margin = (best - second) / best;
  return top;
}

}  // namespace

double CalibratedSimilarity(const std::vector<float>& q, float s) {
  if (q.size() < 2) return 1.0;
  if (!(s > q.front())) return 0.0;
  if (s >= q.back()) return 1.0;
  // First quantile above s; s lies in [q[i - 1], q[i]).
  const size_t i = static_cast<size_t>(std::upper_bound(q.begin(), q.end(), s) - q.begin());
  const double lo = q[i - 1], hi = q[i];
  const double t = hi > lo ? (s - lo) / (hi - lo) : 0.0;
  return (double(i - 1) + t) / double(q.size() - 1);
}

namespace {

// Rows an output pixel of the guided filter depends on, each side: two box
// filters of `radius`.
int GuidedMargin(int radius) { return 2 * radius + 1; }

// The strip-wise guided filter of SmoothChroma and UpsampleChroma: strips of
// about 256 kpx (at least two margins, so that the margins stay at most half
// of the work); for each, `input(rows, span)` gives the chroma of `span`
// (the strip's rows and their margins inside the photo), which is filtered
// with lightness / 100 as guide, and the strip's own rows go to `sink`.
using StripInput = std::function<cv::Mat(const cv::Range& rows, const cv::Range& span)>;
void GuidedFilterInStrips(const cv::Mat& lightness, int radius, double eps, const StripInput& input,
                          const ChromaStripSink& sink) {
  TINT_CHECK(radius >= 1, "radius must be positive");
  constexpr int kStripPixels = 1 << 18;
  const int margin = GuidedMargin(radius);
  const int strip_rows = std::max(2 * margin, kStripPixels / std::max(1, lightness.cols));
  for (int r = 0; r < lightness.rows; r += strip_rows) {
    const int end = std::min(lightness.rows, r + strip_rows);
    const int lo = std::max(0, r - margin), hi = std::min(lightness.rows, end + margin);
    const cv::Mat chroma = input(cv::Range(r, end), cv::Range(lo, hi));
    cv::Mat guide, filtered;
    lightness.rowRange(lo, hi).convertTo(guide, CV_32F, 0.01);
    cv::ximgproc::guidedFilter(guide, chroma, filtered, radius, eps);
    sink(cv::Range(r, end), filtered.rowRange(r - lo, end - lo));
  }
}

}  // namespace

// The guided filter of ab with L / 100 as guide, in place, in strips of rows
// with a margin of 2 * radius + 1 (an output pixel depends on inputs at most
// 2 * radius away: two box filters of that radius). ximgproc holds about 20
// float planes at once; strips keep that to a few MB at any photo size, and
// working in place saves a second full-size ab. The input rows a strip's
// successor needs above it are kept before the strip is overwritten.
void SmoothChroma(const cv::Mat& lightness, int radius, double eps, cv::Mat* ab) {
  TINT_CHECK(lightness.type() == CV_32F && ab->type() == CV_32FC2 && ab->size() == lightness.size(),
             "SmoothChroma needs CV_32F lightness and CV_32FC2 ab of one size");
  cv::Mat kept;  // original rows [r - margin, r) of the strip being filtered
  GuidedFilterInStrips(
      lightness, radius, eps,
      [&](const cv::Range& rows, const cv::Range& span) {
        cv::Mat chroma;
        if (rows.start > span.start)
          cv::vconcat(kept, ab->rowRange(rows.start, span.end), chroma);
        else
          chroma = ab->rowRange(rows.start, span.end).clone();
        ab->rowRange(std::max(rows.start, rows.end - GuidedMargin(radius)), rows.end).copyTo(kept);
        return chroma;
      },
      [&](const cv::Range& rows, const cv::Mat& filtered) { filtered.copyTo(ab->rowRange(rows)); });
}

namespace {

// Rows [lo, hi) of proxy_ab upsampled bilinearly to `size`: the source of
// output pixel x is (x + 0.5) * src / dst - 0.5, clamped to the proxy.
cv::Mat UpsampleRows(const cv::Mat& proxy_ab, const cv::Size& size, int lo, int hi) {
  const double sx = static_cast<double>(proxy_ab.cols) / size.width;
  const double sy = static_cast<double>(proxy_ab.rows) / size.height;
  std::vector<int> x0(size.width), x1(size.width);
  std::vector<float> wx(size.width);
  for (int x = 0; x < size.width; ++x) {
    const double f = std::clamp((x + 0.5) * sx - 0.5, 0.0, proxy_ab.cols - 1.0);
    x0[x] = static_cast<int>(f);
    x1[x] = std::min(x0[x] + 1, proxy_ab.cols - 1);
    wx[x] = static_cast<float>(f - x0[x]);
  }
  cv::Mat out(hi - lo, size.width, CV_32FC2);
  for (int y = lo; y < hi; ++y) {
    const double f = std::clamp((y + 0.5) * sy - 0.5, 0.0, proxy_ab.rows - 1.0);
    const int y0 = static_cast<int>(f), y1 = std::min(y0 + 1, proxy_ab.rows - 1);
    const float wy = static_cast<float>(f - y0);
    const cv::Vec2f* p0 = proxy_ab.ptr<cv::Vec2f>(y0);
    const cv::Vec2f* p1 = proxy_ab.ptr<cv::Vec2f>(y1);
    cv::Vec2f* o = out.ptr<cv::Vec2f>(y - lo);
    for (int x = 0; x < size.width; ++x) {
      const cv::Vec2f top = p0[x0[x]] + (p0[x1[x]] - p0[x0[x]]) * wx[x];
      const cv::Vec2f bottom = p1[x0[x]] + (p1[x1[x]] - p1[x0[x]]) * wx[x];
      o[x] = top + (bottom - top) * wy;
    }
  }
  return out;
}

}  // namespace

// Strips as SmoothChroma's, each upsampled afresh with its margins.
void UpsampleChroma(const cv::Mat& proxy_ab, const cv::Mat& lightness, int radius, double eps,
                    const ChromaStripSink& sink) {
  TINT_CHECK(lightness.type() == CV_32F && proxy_ab.type() == CV_32FC2 && !proxy_ab.empty(),
             "UpsampleChroma needs CV_32F lightness and a non-empty CV_32FC2 proxy");
  GuidedFilterInStrips(
      lightness, radius, eps,
      [&](const cv::Range&, const cv::Range& span) {
        return UpsampleRows(proxy_ab, lightness.size(), span.start, span.end);
      },
      sink);
}

namespace {

// Weighted sums of candidates' chroma; Average() keeps saturation when asked
// (see keep_saturation).
struct ChromaSum {
  double a = 0, b = 0, m = 0, w = 0;
  void Add(double weight, float ca, float cb) {
    a += weight * ca;
    b += weight * cb;
    m += weight * std::hypot(ca, cb);
    w += weight;
  }
  void Merge(const ChromaSum& o) {
    a += o.a;
    b += o.b;
    m += o.m;
    w += o.w;
  }
  cv::Vec2f Average(bool keep_saturation) const {
    if (w <= 0) return cv::Vec2f(0, 0);
    double ma = a / w, mb = b / w;
    const double norm = std::hypot(ma, mb);
    if (keep_saturation && norm > 1e-9) {
      const double scale = (m / w) / norm;
      ma *= scale;
      mb *= scale;
    }
    return cv::Vec2f(float(ma), float(mb));
  }
};

// One transfer's inputs, unpacked, and what its steps hand on: the votes
// and chroma sums per (segment, label), each segment's darkness and vote
// margin, and the sums behind each segment's confidence.
struct TransferState {
  TransferState(const TransferOptions& o, const TransferInput& input)
      : options(o),
        in(input),
        lightness(*input.lightness),
        segments(*input.segments),
        db(*input.database),
        cand(*input.candidates),
        points(*input.points),
        num_labels(static_cast<int>(db.label_names().size())),
        sky(db.LabelId("sky")),
        ns(input.num_segments),
        k(cand.k) {}

  float Weight(float s) const { return CandidateWeight(options, s); }
  void AddSample(ChromaSum* sum, double weight, int idx) const {
    sum->Add(weight, db.chroma().at<float>(idx, 0), db.chroma().at<float>(idx, 1));
  }
  size_t Cell(int segment, int label) const { return size_t(segment) * num_labels + label; }

  const TransferOptions& options;
  const TransferInput& in;
  const cv::Mat& lightness;
  const cv::Mat& segments;
  const PatchDatabase& db;
  const Candidates& cand;
  const std::vector<cv::Point>& points;
  const int num_labels, sky, ns, k;

  std::vector<char> seg_dark;
  std::vector<double> votes;      // [segment * num_labels + label]
  std::vector<ChromaSum> chroma;  // likewise
  std::vector<double> seg_margin;
  std::vector<float> point_confidence;
  std::vector<double> seg_similarity, seg_agreement, seg_points;
};

// Very dark segments (mean L under the binarization's dark threshold) are
// never sky, nor is sky's chroma their fade target.
void FindDarkSegments(TransferState* t) {
  std::vector<double> seg_sum(t->ns, 0.0), seg_count(t->ns, 0.0);
  for (int r = 0; r < t->lightness.rows; ++r) {
    const float* lp = t->lightness.ptr<float>(r);
    const int* sp = t->segments.ptr<int>(r);
    for (int c = 0; c < t->lightness.cols; ++c) {
      seg_sum[sp[c]] += lp[c];
      seg_count[sp[c]] += 1;
    }
  }
  t->seg_dark.assign(t->ns, 0);
  for (int s = 0; s < t->ns; ++s)
    t->seg_dark[s] =
        seg_count[s] > 0 && seg_sum[s] / seg_count[s] < t->in.binarization->dark_threshold;
}

// Every candidate votes for its label in its point's segment (weighted by
// similarity^p and the label's calibration) and adds its chroma to the
// (segment, label) sum; each segment takes its best label and margin.
void VoteBySegment(TransferState* t, TransferResult* result) {
  t->votes.assign(size_t(t->ns) * t->num_labels, 0.0);
  t->chroma.assign(t->votes.size(), ChromaSum());
  for (size_t i = 0; i < t->points.size(); ++i) {
    const int s = t->segments.at<int>(t->points[i]);
    for (int j = 0; j < t->k; ++j) {
      const int idx = t->cand.index[i * t->k + j];
      if (idx < 0) continue;
      const int label = t->db.sample_labels()[idx];
      const double w = t->Weight(t->cand.similarity[i * t->k + j]);
      const size_t cell = t->Cell(s, label);
      t->votes[cell] += w * (t->in.label_weights != nullptr ? (*t->in.label_weights)[label] : 1.0);
      t->AddSample(&t->chroma[cell], w, idx);
    }
  }
  result->segment_labels.assign(t->ns, -1);
  t->seg_margin.assign(t->ns, 0.0);  // (best - second) / best
  for (int s = 0; s < t->ns; ++s) {
    const TopVote top =
        BestVote(&t->votes[t->Cell(s, 0)], t->num_labels, t->seg_dark[s] ? t->sky : -1);
    result->segment_labels[s] = top.label;
    t->seg_margin[s] = top.margin;
  }
}

// Every pixel takes its segment's label and the mean chroma of that label's
// candidates in the segment (what a pixel that was not matched keeps).
cv::Mat PaintSegments(const TransferState& t, TransferResult* result) {
  cv::Mat ab(t.lightness.size(), CV_32FC2, cv::Scalar(0, 0));
  result->labels.create(t.lightness.size(), CV_32S);
  for (int r = 0; r < t.lightness.rows; ++r) {
    const int* sp = t.segments.ptr<int>(r);
    int* lp = result->labels.ptr<int>(r);
    cv::Vec2f* ap = ab.ptr<cv::Vec2f>(r);
    for (int c = 0; c < t.lightness.cols; ++c) {
      const int l = result->segment_labels[sp[c]];
      lp[c] = l;
      if (l < 0) continue;
      ap[c] = t.chroma[t.Cell(sp[c], l)].Average(t.options.keep_saturation);
    }
  }
  return ab;
}

// Matched pixels take the chroma of their own candidates of the chosen label
// (their own vote's label without segment_vote), and their own confidence;
// segments sum the calibrated similarity and the agreement of their points.
void PaintMatchedPoints(TransferState* t, TransferResult* result, cv::Mat* ab) {
  const std::vector<float> no_quantiles;
  const std::vector<float>& quantiles =
      t->in.similarity_quantiles != nullptr ? *t->in.similarity_quantiles : no_quantiles;
  const int k = t->k;
  t->point_confidence.assign(t->points.size(), 0.0f);
  t->seg_similarity.assign(t->ns, 0.0);
  t->seg_agreement.assign(t->ns, 0.0);
  t->seg_points.assign(t->ns, 0.0);
  std::vector<double> pixel_votes(t->num_labels);  // without the segment vote
  for (size_t i = 0; i < t->points.size(); ++i) {
    const cv::Point p = t->points[i];
    const int s = t->segments.at<int>(p);
    int label = result->labels.at<int>(p);
    double margin = t->seg_margin[s];
    if (!t->options.segment_vote) {
      std::fill(pixel_votes.begin(), pixel_votes.end(), 0.0);
      const bool dark = t->lightness.at<float>(p) < t->in.binarization->dark_threshold;
      for (int j = 0; j < k; ++j) {
        const int idx = t->cand.index[i * k + j];
        if (idx >= 0)
          pixel_votes[t->db.sample_labels()[idx]] += t->Weight(t->cand.similarity[i * k + j]);
      }
      const TopVote top = BestVote(pixel_votes.data(), t->num_labels, dark ? t->sky : -1);
      if (top.label >= 0) label = top.label;
      result->labels.at<int>(p) = label;
      margin = top.margin;
    }
    if (label < 0) continue;
    ChromaSum own;
    double all_weight = 0;
    for (int j = 0; j < k; ++j) {
      const int idx = t->cand.index[i * k + j];
      if (idx < 0) continue;
      const double w = t->Weight(t->cand.similarity[i * k + j]);
      all_weight += w;
      if (t->db.sample_labels()[idx] == label) t->AddSample(&own, w, idx);
    }
    if (own.w > 0) ab->at<cv::Vec2f>(p) = own.Average(t->options.keep_saturation);
    const double similarity = t->cand.index[i * k] >= 0
                                  ? CalibratedSimilarity(quantiles, t->cand.similarity[i * k])
                                  : 0.0;
    const double agreement = all_weight > 0 ? own.w / all_weight : 0.0;
    t->point_confidence[i] = static_cast<float>(std::cbrt(margin * similarity * agreement));
    t->seg_similarity[s] += similarity;
    t->seg_agreement[s] += agreement;
    t->seg_points[s] += 1;
  }
}

// Segments whose matched pixels' mean calibrated similarity is under
// abstain_below lose their label and chroma ("none of mine"); the mask says
// where. Their matched points then count as unlabelled (confidence 0).
void Abstain(TransferState* t, TransferResult* result, cv::Mat* ab) {
  result->abstained = cv::Mat::zeros(t->lightness.size(), CV_8U);
  if (t->options.abstain_below <= 0) return;
  std::vector<char> none(t->ns, 0);
  for (int s = 0; s < t->ns; ++s) {
    none[s] =
        t->seg_points[s] > 0 && t->seg_similarity[s] / t->seg_points[s] < t->options.abstain_below;
    if (none[s]) result->segment_labels[s] = -1;
  }
  for (int r = 0; r < t->lightness.rows; ++r) {
    const int* sp = t->segments.ptr<int>(r);
    int* lp = result->labels.ptr<int>(r);
    uint8_t* mp = result->abstained.ptr<uint8_t>(r);
    cv::Vec2f* ap = ab->ptr<cv::Vec2f>(r);
    for (int c = 0; c < t->lightness.cols; ++c) {
      if (!none[sp[c]]) continue;
      lp[c] = -1;
      mp[c] = 255;
      ap[c] = cv::Vec2f(0, 0);
    }
  }
}

// What low confidence fades towards, per segment (confidence_fade): the
// plain mean chroma of all the segment's candidates whatever their label
// (never sky's in a dark segment), times confidence_fade and times
// min(1, mean calibrated similarity / confidence_full), so that a segment
// that matches nothing well still fades to grey.
std::vector<cv::Vec2f> FadeTargets(const TransferState& t) {
  std::vector<cv::Vec2f> seg_fade(t.ns, cv::Vec2f(0, 0));
  for (int s = 0; s < t.ns; ++s) {
    if (t.seg_points[s] <= 0) continue;
    ChromaSum all;
    for (int l = 0; l < t.num_labels; ++l) {
      if (!(t.seg_dark[s] && l == t.sky)) all.Merge(t.chroma[t.Cell(s, l)]);
    }
    const double similarity = t.seg_similarity[s] / t.seg_points[s];
    seg_fade[s] = all.Average(false) *
                  static_cast<float>(t.options.confidence_fade *
                                     std::min(1.0, similarity / t.options.confidence_full));
  }
  return seg_fade;
}

// Confidence: the geometric mean of the three terms, the segment's (margin,
// mean similarity, mean agreement), matched pixels their own. Below
// confidence_full a pixel's chroma is scaled down (and, with
// confidence_fade, moved towards its segment's fade target).
void ApplyConfidence(const TransferState& t, TransferResult* result, cv::Mat* ab) {
  std::vector<float> seg_confidence(t.ns, 0.0f);
  for (int s = 0; s < t.ns; ++s) {
    if (t.seg_points[s] > 0)
      seg_confidence[s] =
          static_cast<float>(std::cbrt(t.seg_margin[s] * (t.seg_similarity[s] / t.seg_points[s]) *
                                       (t.seg_agreement[s] / t.seg_points[s])));
  }
  const bool fade_to_candidates = t.options.confidence_full > 0 && t.options.confidence_fade > 0;
  const std::vector<cv::Vec2f> seg_fade =
      fade_to_candidates ? FadeTargets(t) : std::vector<cv::Vec2f>(t.ns, cv::Vec2f(0, 0));
  cv::Mat confidence(t.lightness.size(), CV_32F);
  for (int r = 0; r < t.lightness.rows; ++r) {
    const int* sp = t.segments.ptr<int>(r);
    const int* lp = result->labels.ptr<int>(r);
    float* cp = confidence.ptr<float>(r);
    for (int c = 0; c < t.lightness.cols; ++c) cp[c] = lp[c] < 0 ? 0.0f : seg_confidence[sp[c]];
  }
  for (size_t i = 0; i < t.points.size(); ++i) {
    if (result->labels.at<int>(t.points[i]) >= 0)
      confidence.at<float>(t.points[i]) = t.point_confidence[i];
  }
  if (t.options.confidence_full > 0) {
    const float full = static_cast<float>(t.options.confidence_full);
    for (int r = 0; r < ab->rows; ++r) {
      const float* cp = confidence.ptr<float>(r);
      const int* sp = t.segments.ptr<int>(r);
      const int* lp = result->labels.ptr<int>(r);
      cv::Vec2f* ap = ab->ptr<cv::Vec2f>(r);
      for (int c = 0; c < ab->cols; ++c) {
        const float f = std::min(1.0f, cp[c] / full);
        ap[c] *= f;
        if (fade_to_candidates && lp[c] >= 0) ap[c] += (1.0f - f) * seg_fade[sp[c]];
      }
    }
  }
  result->confidence = confidence;
}

}  // namespace

float CandidateWeight(const TransferOptions& options, float similarity) {
  return std::pow(std::max(0.0f, similarity), float(options.similarity_power));
}

void TransferChroma(const TransferOptions& options, const TransferInput& in,
                    TransferResult* result) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(in.segments->type() == CV_32S && in.segments->size() == in.lightness->size(),
             "segments must be CV_32S of image size");
  TINT_CHECK(in.candidates->num_queries() == static_cast<int>(in.points->size()),
             "one candidate row per point");
  TransferState state(options, in);
  FindDarkSegments(&state);
  VoteBySegment(&state, result);
  cv::Mat ab = PaintSegments(state, result);
  PaintMatchedPoints(&state, result, &ab);
  Abstain(&state, result, &ab);
  ApplyConfidence(state, result, &ab);
  if (options.smoothing_radius > 0)
    SmoothChroma(*in.lightness, options.smoothing_radius, options.smoothing_eps, &ab);
  result->ab = ab;
}

std::vector<double> ComputeLabelCalibration(const PatchDatabase& db, const Matcher& matcher,
                                            int step, std::vector<float>* similarity_quantiles) {
  TINT_CHECK(step >= 1, "step must be positive");
  const int num_labels = static_cast<int>(db.label_names().size());
  std::vector<int> rows;
  for (int i = 0; i < db.num_samples(); i += step) rows.push_back(i);
  cv::Mat queries(static_cast<int>(rows.size()), db.vectors().cols, CV_32F);
  for (size_t r = 0; r < rows.size(); ++r)
    db.vectors().row(rows[r]).copyTo(queries.row(static_cast<int>(r)));
  Candidates cand;
  matcher.Match(queries, &cand);
  std::vector<double> truth(num_labels, 0.0), predicted(num_labels, 0.0);
  // The similarity quantiles come from the first candidate from another
  // source photo: patches of one photo are near copies of each other, and a
  // new photo's pixels are matched against photos they are not part of. (A
  // database of one photo: from another patch.)
  std::vector<int> photo_of_patch;
  if (similarity_quantiles != nullptr) {
    std::map<std::string, int> photo_ids;
    for (const PatchRecord& p : db.manifest().patches)
      photo_of_patch.push_back(
          photo_ids.emplace(p.dataset + "/" + p.image, static_cast<int>(photo_ids.size()))
              .first->second);
  }
  // (A database made in memory without a manifest: each patch its own photo.)
  const auto photo = [&](int p) {
    return static_cast<size_t>(p) < photo_of_patch.size()
               ? photo_of_patch[p]
               : static_cast<int>(photo_of_patch.size()) + p;
  };
  const auto patch = [&](int p) { return p; };
  // The slot of row r's first candidate from another group (patch or photo)
  // than its own; -1 when there is none.
  const auto first_other = [&](size_t r, const auto& group) {
    const int own = group(db.sample_patch()[rows[r]]);
    for (int j = 0; j < cand.k; ++j) {
      const int idx = cand.index[r * cand.k + j];
      if (idx >= 0 && group(db.sample_patch()[idx]) != own) return j;
    }
    return -1;
  };
  std::vector<float> other_patch;   // first similarity from another patch
  std::vector<float> similarities;  // first similarity from another photo
  for (size_t r = 0; r < rows.size(); ++r) {
    const int j = first_other(r, patch);
    if (j >= 0) {
      truth[db.sample_labels()[rows[r]]] += 1;
      predicted[db.sample_labels()[cand.index[r * cand.k + j]]] += 1;
      other_patch.push_back(cand.similarity[r * cand.k + j]);
    }
    if (similarity_quantiles == nullptr) continue;
    const int jp = first_other(r, photo);
    if (jp >= 0) similarities.push_back(cand.similarity[r * cand.k + jp]);
  }
  if (similarity_quantiles != nullptr) {
    similarity_quantiles->clear();
    if (similarities.empty()) similarities = std::move(other_patch);
    std::sort(similarities.begin(), similarities.end());
    if (!similarities.empty()) {
      const size_t n = similarities.size();
      for (int q = 0; q <= 100; ++q)
        similarity_quantiles->push_back(similarities[std::min(n - 1, (n - 1) * q / 100)]);
    }
  }
  std::vector<double> weights(num_labels, 1.0);
  for (int l = 0; l < num_labels; ++l) {
    if (predicted[l] > 0 && truth[l] > 0) weights[l] = truth[l] / predicted[l];
  }
  return weights;
}

bool ParsePostMode(const std::string& text, PostMode* mode) {
  if (text == "none")
    *mode = PostMode::kNone;
  else if (text == "auto")
    *mode = PostMode::kAuto;
  else
    return false;
  return true;
}

bool PostOptions::Check(std::string* error) const {
  if (!(stretch_percent >= 0 && stretch_percent <= 20)) {
    *error = "stretch_percent must be in 0..20";
    return false;
  }
  return true;
}

cv::Mat ApplyPostStep(const PostOptions& options, const cv::Mat& bgr8) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(bgr8.type() == CV_8UC3, "post-step works on 8-bit BGR");
  if (options.mode == PostMode::kNone) return bgr8;
  cv::Mat balanced;
  cv::xphoto::createGrayworldWB()->balanceWhite(bgr8, balanced);
  cv::Mat lightness, ab;
  SplitLab(balanced, &lightness, &ab);
  // Percentile stretch of L from a 1000-bin histogram.
  std::vector<int> hist(1000, 0);
  for (int r = 0; r < lightness.rows; ++r) {
    const float* p = lightness.ptr<float>(r);
    for (int c = 0; c < lightness.cols; ++c) ++hist[std::clamp(int(p[c] * 10), 0, 999)];
  }
  const double cut = lightness.total() * options.stretch_percent / 100.0;
  int lo = 0, hi = 999;
  for (double acc = 0; lo < 999 && acc + hist[lo] <= cut; ++lo) acc += hist[lo];
  for (double acc = 0; hi > 0 && acc + hist[hi] <= cut; --hi) acc += hist[hi];
  if (hi > lo) {
    const double l0 = lo / 10.0, l1 = (hi + 1) / 10.0;
    lightness.convertTo(lightness, CV_32F, 100.0 / (l1 - l0), -100.0 * l0 / (l1 - l0));
    cv::min(cv::max(lightness, 0.0), 100.0, lightness);
  }
  return JoinLab(lightness, ab);
}

}  // namespace tint
