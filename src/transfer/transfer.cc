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

// The guided filter of ab with L / 100 as guide, in place, in strips of rows
// with a margin of 2 * radius + 1 (an output pixel depends on inputs at most
// 2 * radius away: two box filters of that radius). ximgproc holds about 20
// float planes at once; strips keep that to a few MB at any photo size, and
// working in place saves a second full-size ab. The input rows a strip's
// successor needs above it are kept before the strip is overwritten.
void SmoothChroma(const cv::Mat& lightness, int radius, double eps, cv::Mat* ab) {
  TINT_CHECK(lightness.type() == CV_32F && ab->type() == CV_32FC2 && ab->size() == lightness.size(),
             "SmoothChroma needs CV_32F lightness and CV_32FC2 ab of one size");
  TINT_CHECK(radius >= 1, "radius must be positive");
  constexpr int kStripPixels = 1 << 20;
  const int margin = 2 * radius + 1;
  const int strip_rows = std::max(4 * margin, kStripPixels / std::max(1, lightness.cols));
  cv::Mat kept;  // original rows [r - margin, r) of the strip being filtered
  for (int r = 0; r < lightness.rows; r += strip_rows) {
    const int end = std::min(lightness.rows, r + strip_rows);
    const int lo = std::max(0, r - margin), hi = std::min(lightness.rows, end + margin);
    cv::Mat input;
    if (r > lo)
      cv::vconcat(kept, ab->rowRange(r, hi), input);
    else
      input = ab->rowRange(r, hi).clone();
    const int keep_from = std::max(r, end - margin);
    ab->rowRange(keep_from, end).copyTo(kept);
    cv::Mat guide, filtered;
    lightness.rowRange(lo, hi).convertTo(guide, CV_32F, 0.01);
    cv::ximgproc::guidedFilter(guide, input, filtered, radius, eps);
    filtered.rowRange(r - lo, end - lo).copyTo(ab->rowRange(r, end));
  }
}

void TransferChroma(const TransferOptions& options, const TransferInput& in,
                    TransferResult* result) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  const cv::Mat& lightness = *in.lightness;
  const cv::Mat& segments = *in.segments;
  const PatchDatabase& db = *in.database;
  const Candidates& cand = *in.candidates;
  const std::vector<cv::Point>& points = *in.points;
  TINT_CHECK(segments.type() == CV_32S && segments.size() == lightness.size(),
             "segments must be CV_32S of image size");
  TINT_CHECK(cand.num_queries() == static_cast<int>(points.size()), "one candidate row per point");
  const int num_labels = static_cast<int>(db.label_names().size());
  const int sky = db.LabelId("sky");
  const int ns = in.num_segments, k = cand.k;

  // Mean L per segment, for the dark-area rule.
  std::vector<double> seg_sum(ns, 0.0), seg_count(ns, 0.0);
  for (int r = 0; r < lightness.rows; ++r) {
    const float* lp = lightness.ptr<float>(r);
    const int* sp = segments.ptr<int>(r);
    for (int c = 0; c < lightness.cols; ++c) {
      seg_sum[sp[c]] += lp[c];
      seg_count[sp[c]] += 1;
    }
  }
  // Very dark segments are never sky (nor is sky's chroma their fade target).
  std::vector<char> seg_dark(ns);
  for (int s = 0; s < ns; ++s)
    seg_dark[s] = seg_count[s] > 0 && seg_sum[s] / seg_count[s] < in.binarization->dark_threshold;

  auto weight = [&](float s) {
    return std::pow(std::max(0.0f, s), float(options.similarity_power));
  };
  // Weighted sums of candidates' chroma; Average() keeps saturation when
  // asked (see keep_saturation).
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
  auto add_sample = [&](ChromaSum* sum, double weight, int idx) {
    sum->Add(weight, db.chroma().at<float>(idx, 0), db.chroma().at<float>(idx, 1));
  };
  // votes[seg][label], and weighted chroma sums per (seg, label).
  std::vector<double> votes(size_t(ns) * num_labels, 0.0);
  std::vector<ChromaSum> chroma(votes.size());
  const bool fade_to_candidates = options.confidence_full > 0 && options.confidence_fade > 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const int s = segments.at<int>(points[i]);
    for (int j = 0; j < k; ++j) {
      const int idx = cand.index[i * k + j];
      if (idx < 0) continue;
      const int label = db.sample_labels()[idx];
      const double w = weight(cand.similarity[i * k + j]);
      const size_t cell = size_t(s) * num_labels + label;
      votes[cell] += w * (in.label_weights != nullptr ? (*in.label_weights)[label] : 1.0);
      add_sample(&chroma[cell], w, idx);
    }
  }
  result->segment_labels.assign(ns, -1);
  // The margin of each segment's vote: (best - second) / best.
  std::vector<double> seg_margin(ns, 0.0);
  for (int s = 0; s < ns; ++s) {
    const TopVote top =
        BestVote(&votes[size_t(s) * num_labels], num_labels, seg_dark[s] ? sky : -1);
    result->segment_labels[s] = top.label;
    seg_margin[s] = top.margin;
  }
  const std::vector<float> no_quantiles;
  const std::vector<float>& quantiles =
      in.similarity_quantiles != nullptr ? *in.similarity_quantiles : no_quantiles;

  cv::Mat ab(lightness.size(), CV_32FC2, cv::Scalar(0, 0));
  result->labels.create(lightness.size(), CV_32S);
  // Pixels that were not matched take their segment's label and mean chroma.
  for (int r = 0; r < lightness.rows; ++r) {
    const int* sp = segments.ptr<int>(r);
    int* lp = result->labels.ptr<int>(r);
    cv::Vec2f* ap = ab.ptr<cv::Vec2f>(r);
    for (int c = 0; c < lightness.cols; ++c) {
      const int l = result->segment_labels[sp[c]];
      lp[c] = l;
      if (l < 0) continue;
      const size_t cell = size_t(sp[c]) * num_labels + l;
      ap[c] = chroma[cell].Average(options.keep_saturation);
    }
  }
  // Matched pixels take the chroma of their own candidates of the chosen
  // label, and their own confidence; segments sum the calibrated similarity
  // and the agreement of their points for the others.
  std::vector<float> point_confidence(points.size(), 0.0f);
  std::vector<double> pixel_votes(num_labels);  // without the segment vote
  std::vector<double> seg_similarity(ns, 0.0), seg_agreement(ns, 0.0), seg_points(ns, 0.0);
  for (size_t i = 0; i < points.size(); ++i) {
    const cv::Point p = points[i];
    const int s = segments.at<int>(p);
    int label = result->labels.at<int>(p);
    double margin = seg_margin[s];
    if (!options.segment_vote) {
      std::fill(pixel_votes.begin(), pixel_votes.end(), 0.0);
      const bool dark = lightness.at<float>(p) < in.binarization->dark_threshold;
      for (int j = 0; j < k; ++j) {
        const int idx = cand.index[i * k + j];
        if (idx >= 0) pixel_votes[db.sample_labels()[idx]] += weight(cand.similarity[i * k + j]);
      }
      const TopVote top = BestVote(pixel_votes.data(), num_labels, dark ? sky : -1);
      if (top.label >= 0) label = top.label;
      result->labels.at<int>(p) = label;
      margin = top.margin;
    }
    if (label < 0) continue;
    ChromaSum own;
    double all_weight = 0;
    for (int j = 0; j < k; ++j) {
      const int idx = cand.index[i * k + j];
      if (idx < 0) continue;
      const double w = weight(cand.similarity[i * k + j]);
      all_weight += w;
      if (db.sample_labels()[idx] == label) add_sample(&own, w, idx);
    }
    if (own.w > 0) ab.at<cv::Vec2f>(p) = own.Average(options.keep_saturation);
    const double similarity =
        cand.index[i * k] >= 0 ? CalibratedSimilarity(quantiles, cand.similarity[i * k]) : 0.0;
    const double agreement = all_weight > 0 ? own.w / all_weight : 0.0;
    point_confidence[i] = static_cast<float>(std::cbrt(margin * similarity * agreement));
    seg_similarity[s] += similarity;
    seg_agreement[s] += agreement;
    seg_points[s] += 1;
  }

  // Confidence: the geometric mean of the three terms, the segment's
  // (margin, mean similarity, mean agreement),
  // matched pixels their own.
  std::vector<float> seg_confidence(ns, 0.0f);
  for (int s = 0; s < ns; ++s) {
    if (seg_points[s] > 0)
      seg_confidence[s] =
          static_cast<float>(std::cbrt(seg_margin[s] * (seg_similarity[s] / seg_points[s]) *
                                       (seg_agreement[s] / seg_points[s])));
  }
  // What low confidence fades towards, per segment (confidence_fade): the
  // plain mean chroma of all the segment's candidates whatever their label
  // (never sky's in a dark segment), times confidence_fade and times
  // min(1, mean calibrated similarity / confidence_full), so that a segment
  // that matches nothing well still fades to grey.
  std::vector<cv::Vec2f> seg_fade(ns, cv::Vec2f(0, 0));
  for (int s = 0; s < ns && fade_to_candidates; ++s) {
    if (seg_points[s] <= 0) continue;
    ChromaSum all;
    for (int l = 0; l < num_labels; ++l) {
      if (!(seg_dark[s] && l == sky)) all.Merge(chroma[size_t(s) * num_labels + l]);
    }
    const double similarity = seg_similarity[s] / seg_points[s];
    seg_fade[s] = all.Average(false) *
                  static_cast<float>(options.confidence_fade *
                                     std::min(1.0, similarity / options.confidence_full));
  }
  cv::Mat confidence(lightness.size(), CV_32F);
  for (int r = 0; r < lightness.rows; ++r) {
    const int* sp = segments.ptr<int>(r);
    const int* lp = result->labels.ptr<int>(r);
    float* cp = confidence.ptr<float>(r);
    for (int c = 0; c < lightness.cols; ++c) cp[c] = lp[c] < 0 ? 0.0f : seg_confidence[sp[c]];
  }
  for (size_t i = 0; i < points.size(); ++i) {
    if (result->labels.at<int>(points[i]) >= 0)
      confidence.at<float>(points[i]) = point_confidence[i];
  }
  if (options.confidence_full > 0) {
    const float full = static_cast<float>(options.confidence_full);
    for (int r = 0; r < ab.rows; ++r) {
      const float* cp = confidence.ptr<float>(r);
      const int* sp = segments.ptr<int>(r);
      const int* lp = result->labels.ptr<int>(r);
      cv::Vec2f* ap = ab.ptr<cv::Vec2f>(r);
      for (int c = 0; c < ab.cols; ++c) {
        const float f = std::min(1.0f, cp[c] / full);
        ap[c] *= f;
        if (fade_to_candidates && lp[c] >= 0) ap[c] += (1.0f - f) * seg_fade[sp[c]];
      }
    }
  }
  result->confidence = confidence;

  if (options.smoothing_radius > 0) {
    SmoothChroma(lightness, options.smoothing_radius, options.smoothing_eps, &ab);
  }
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
