#include "segment/ncut.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>
#include <sstream>

#include <Spectra/SymEigsShiftSolver.h>
#include <Eigen/Dense>
#include <Eigen/SparseCholesky>
#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/slic.hpp>

#include "core/status.h"

namespace tint {

bool NCutOptions::Check(std::string* error) const {
  auto fail = [&](const char* m) {
    *error = m;
    return false;
  };
  if (working_pixels < 1000) return fail("ncut working_pixels must be >= 1000");
  if (grid_max_side < 4 || grid_max_side > 2048)
    return fail("ncut grid_max_side must be in 4..2048");
  if (superpixel_size < 3 || superpixel_size > 200)
    return fail("ncut superpixel_size must be in 3..200");
  if (slic_iterations < 1 || slic_iterations > 100)
    return fail("ncut slic_iterations must be in 1..100");
  if (!(radius >= 1.0 && radius <= 20.0)) return fail("ncut radius must be in 1..20 node spacings");
  if (!(sigma_intensity > 0)) return fail("ncut sigma_intensity must be positive");
  if (!(sigma_distance > 0)) return fail("ncut sigma_distance must be positive");
  if (!(max_ncut >= 0 && max_ncut <= 2)) return fail("ncut max_ncut must be in 0..2");
  if (!(max_stability >= 0 && max_stability <= 1))
    return fail("ncut max_stability must be in 0..1");
  if (max_segments < 1 || max_segments > 1000) return fail("ncut max_segments must be in 1..1000");
  if (!(min_segment_fraction >= 0 && min_segment_fraction < 0.5))
    return fail("ncut min_segment_fraction must be in [0, 0.5)");
  return true;
}

std::string NCutSummary::BriefReport() const {
  std::ostringstream os;
  os << "ncut: " << num_nodes << " nodes, " << num_edges << " edges, " << num_segments
     << " segments";
  return os.str();
}

namespace internal {
namespace {

using SpMat = Eigen::SparseMatrix<double>;

struct Split {
  bool valid = false;
  double ncut = 0;
  std::vector<int> a, b;  // global node ids
};

// Subgraph of W on `nodes`, in local ids.
SpMat Subgraph(const SpMat& w, const std::vector<int>& nodes, const std::vector<int>& local_of) {
  std::vector<Eigen::Triplet<double>> t;
  for (int li = 0; li < static_cast<int>(nodes.size()); ++li) {
    for (SpMat::InnerIterator it(w, nodes[li]); it; ++it) {
      const int lj = local_of[it.row()];
      if (lj >= 0 && lj != li) t.emplace_back(lj, li, it.value());
    }
  }
  SpMat s(nodes.size(), nodes.size());
  s.setFromTriplets(t.begin(), t.end());
  return s;
}

std::vector<int> Components(const SpMat& s, int* count) {
  const int n = static_cast<int>(s.cols());
  std::vector<int> comp(n, -1);
  *count = 0;
  std::vector<int> stack;
  for (int i = 0; i < n; ++i) {
    if (comp[i] >= 0) continue;
    comp[i] = *count;
    stack.push_back(i);
    while (!stack.empty()) {
      const int u = stack.back();
      stack.pop_back();
      for (SpMat::InnerIterator it(s, u); it; ++it) {
        if (comp[it.row()] < 0) {
          comp[it.row()] = *count;
          stack.push_back(static_cast<int>(it.row()));
        }
      }
    }
    ++*count;
  }
  return comp;
}

// y = (A - sigma I)^-1 x for Spectra's shift-invert mode, through a sparse
// LDL^T factorization (A - sigma I is symmetric positive definite here).
class CholeskyShiftSolve {
 public:
  using Scalar = double;
  explicit CholeskyShiftSolve(const SpMat& a) : a_(a) {}
  Eigen::Index rows() const { return a_.rows(); }
  Eigen::Index cols() const { return a_.cols(); }
  void set_shift(const Scalar& sigma) {
    SpMat shifted = a_;
    for (Eigen::Index i = 0; i < a_.rows(); ++i) shifted.coeffRef(i, i) -= sigma;
    solver_.compute(shifted);
    TINT_CHECK(solver_.info() == Eigen::Success,
               "LDL^T factorization of the shifted Laplacian failed");
  }
  void perform_op(const Scalar* x_in, Scalar* y_out) const {
    Eigen::Map<const Eigen::VectorXd> x(x_in, a_.rows());
    Eigen::Map<Eigen::VectorXd> y(y_out, a_.rows());
    y.noalias() = solver_.solve(x);
  }

 private:
  const SpMat& a_;
  Eigen::SimplicialLDLT<SpMat> solver_;
};

// Second largest eigenvector of D^-1/2 W D^-1/2, mapped back to y = D^-1/2 z.
bool SecondEigenvector(const SpMat& s, const Eigen::VectorXd& d, Eigen::VectorXd* y) {
  const int n = static_cast<int>(s.cols());
  const Eigen::VectorXd dis = d.cwiseSqrt().cwiseInverse();
  SpMat m = dis.asDiagonal() * s * dis.asDiagonal();
  Eigen::VectorXd z;
  if (n <= 64) {
    const Eigen::MatrixXd dense(m);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(dense);
    if (es.info() != Eigen::Success) return false;
    z = es.eigenvectors().col(n - 2);  // eigenvalues ascend
  } else {
    // Shift-invert on the normalized Laplacian L = I - M, which is positive
    // semi-definite: with sigma just below 0, (L - sigma I)^-1 maps the two
    // smallest eigenvalues of L to the two largest, well separated from the
    // rest, so Lanczos converges in a few iterations even when the top of
    // M's spectrum is clustered.
    SpMat lap = -m;
    for (int i = 0; i < n; ++i) lap.coeffRef(i, i) += 1.0;
    lap.makeCompressed();
    CholeskyShiftSolve op(lap);
    Spectra::SymEigsShiftSolver<CholeskyShiftSolve> eigs(op, 2, std::min(n, 20), -1e-3);
    eigs.init();
    eigs.compute(Spectra::SortRule::LargestMagn, 1000, 1e-8);
    if (eigs.info() != Spectra::CompInfo::Successful) return false;
    const Eigen::VectorXd values = eigs.eigenvalues();
    const int second = values[0] > values[1] ? 0 : 1;  // the larger of the two smallest
    z = eigs.eigenvectors().col(second);
  }
  *y = dis.cwiseProduct(z);
  return true;
}

double StabilityRatio(const Eigen::VectorXd& y) {
  constexpr int kBins = 20;
  const double lo = y.minCoeff(), hi = y.maxCoeff();
  if (hi - lo <= 0) return 1.0;
  int hist[kBins] = {};
  for (int i = 0; i < y.size(); ++i) {
    const int b = std::min(kBins - 1, static_cast<int>((y[i] - lo) / (hi - lo) * kBins));
    ++hist[b];
  }
  const auto [mn, mx] = std::minmax_element(hist, hist + kBins);
  return static_cast<double>(*mn) / *mx;
}

Split BestSplit(const NCutOptions& options, const SpMat& w, const std::vector<int>& nodes,
                int min_nodes, std::vector<int>* local_of) {
  Split split;
  const int n = static_cast<int>(nodes.size());
  if (n < 2 * std::max(min_nodes, 1)) return split;
  for (int i = 0; i < n; ++i) (*local_of)[nodes[i]] = i;
  SpMat s = Subgraph(w, nodes, *local_of);
  for (int i = 0; i < n; ++i) (*local_of)[nodes[i]] = -1;

  int num_comp = 0;
  std::vector<int> comp = Components(s, &num_comp);
  std::vector<int> active(n);
  std::iota(active.begin(), active.end(), 0);
  std::vector<int> detached;  // small disconnected pieces, kept with side A
  if (num_comp > 1) {
    std::vector<int> size(num_comp, 0);
    for (int c : comp) ++size[c];
    const int largest = static_cast<int>(std::max_element(size.begin(), size.end()) - size.begin());
    if (n - size[largest] >= min_nodes) {
      // A disconnected piece has Ncut 0: split it off directly.
      split.valid = true;
      split.ncut = 0.0;
      for (int i = 0; i < n; ++i) (comp[i] == largest ? split.a : split.b).push_back(nodes[i]);
      return split;
    }
    active.clear();
    for (int i = 0; i < n; ++i) (comp[i] == largest ? active : detached).push_back(i);
    std::vector<int> sub_nodes;
    for (int i : active) sub_nodes.push_back(nodes[i]);
    for (int i = 0; i < static_cast<int>(sub_nodes.size()); ++i) (*local_of)[sub_nodes[i]] = i;
    s = Subgraph(w, sub_nodes, *local_of);
    for (int g : sub_nodes) (*local_of)[g] = -1;
  }
  const int m = static_cast<int>(active.size());
  if (m < 2 * std::max(min_nodes, 1)) return split;
  Eigen::VectorXd d = Eigen::VectorXd::Zero(m);
  for (int k = 0; k < m; ++k)
    for (SpMat::InnerIterator it(s, k); it; ++it) d[k] += it.value();
  if (d.minCoeff() <= 0) return split;
  Eigen::VectorXd y;
  if (!SecondEigenvector(s, d, &y)) return split;
  if (StabilityRatio(y) > options.max_stability) return split;

  // Sweep the sorted eigenvector: moving one node to A changes the cut by
  // its weight to B minus its weight to A.
  std::vector<int> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int i, int j) { return y[i] < y[j]; });
  std::vector<char> in_a(m, 0);
  const double total = d.sum();
  double cut = 0, assoc_a = 0, best = std::numeric_limits<double>::infinity();
  int best_pos = -1;
  for (int i = 0; i < m - 1; ++i) {
    const int u = order[i];
    for (SpMat::InnerIterator it(s, u); it; ++it) cut += in_a[it.row()] ? -it.value() : it.value();
    in_a[u] = 1;
    assoc_a += d[u];
    if (i + 1 < min_nodes || m - (i + 1) < min_nodes) continue;
    if (y[order[i]] == y[order[i + 1]]) continue;
    const double ncut = cut / assoc_a + cut / (total - assoc_a);
    if (ncut < best) {
      best = ncut;
      best_pos = i;
    }
  }
  if (best_pos < 0) return split;
  split.valid = true;
  split.ncut = best;
  for (int i = 0; i < m; ++i) {
    const int g = nodes[active[order[i]]];
    (i <= best_pos ? split.a : split.b).push_back(g);
  }
  for (int i : detached) split.a.push_back(nodes[i]);
  return split;
}

}  // namespace

double NCutValue(const SpMat& w, const std::vector<int>& side) {
  double cut = 0, assoc[2] = {0, 0};
  for (int j = 0; j < w.outerSize(); ++j) {
    for (SpMat::InnerIterator it(w, j); it; ++it) {
      assoc[side[j]] += it.value();
      if (side[it.row()] != side[j]) cut += it.value();
    }
  }
  cut /= 2;  // every cut edge was seen from both ends
  if (assoc[0] <= 0 || assoc[1] <= 0) return 2.0;
  return cut / assoc[0] + cut / assoc[1];
}

void PartitionGraph(const NCutOptions& options, const SpMat& w, std::vector<int>* node_labels,
                    NCutSummary* summary) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(w.rows() == w.cols(), "affinity must be square");
  const int n = static_cast<int>(w.cols());
  const int min_nodes = std::max(1, static_cast<int>(std::ceil(options.min_segment_fraction * n)));
  std::vector<int> local_of(n, -1);

  std::vector<std::vector<int>> leaves(1);
  leaves[0].resize(n);
  std::iota(leaves[0].begin(), leaves[0].end(), 0);
  std::vector<Split> splits = {BestSplit(options, w, leaves[0], min_nodes, &local_of)};
  while (static_cast<int>(leaves.size()) < options.max_segments) {
    int pick = -1;
    for (int i = 0; i < static_cast<int>(leaves.size()); ++i) {
      if (splits[i].valid && splits[i].ncut <= options.max_ncut &&
          (pick < 0 || splits[i].ncut < splits[pick].ncut)) {
        pick = i;
      }
    }
    if (pick < 0) break;
    Split chosen = std::move(splits[pick]);
    if (summary != nullptr) summary->cut_values.push_back(chosen.ncut);
    leaves[pick] = std::move(chosen.a);
    leaves.push_back(std::move(chosen.b));
    splits[pick] = BestSplit(options, w, leaves[pick], min_nodes, &local_of);
    splits.push_back(BestSplit(options, w, leaves.back(), min_nodes, &local_of));
  }
  node_labels->assign(n, 0);
  for (int l = 0; l < static_cast<int>(leaves.size()); ++l)
    for (int g : leaves[l]) (*node_labels)[g] = l;
  if (summary != nullptr) {
    summary->num_nodes = n;
    summary->num_edges = static_cast<int>(w.nonZeros() / 2);
    summary->num_segments = static_cast<int>(leaves.size());
  }
}

}  // namespace internal

namespace {

using SpMat = Eigen::SparseMatrix<double>;

struct Node {
  double x, y;  // position in node spacings
  double f[2];  // brightness features (L units)
};

// Edges between nodes closer than the radius, found through a bucket grid
// so the cost stays linear in the node count.
SpMat BuildAffinity(const NCutOptions& o, const std::vector<Node>& nodes) {
  const double r = o.radius, r2 = r * r;
  const double si2 = o.sigma_intensity * o.sigma_intensity;
  const double sx2 = o.sigma_distance * o.sigma_distance;
  double max_x = 0, max_y = 0;
  for (const Node& n : nodes) {
    max_x = std::max(max_x, n.x);
    max_y = std::max(max_y, n.y);
  }
  const int bw = static_cast<int>(max_x / r) + 1, bh = static_cast<int>(max_y / r) + 1;
  std::vector<std::vector<int>> buckets(static_cast<size_t>(bw) * bh);
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    buckets[static_cast<int>(nodes[i].y / r) * bw + static_cast<int>(nodes[i].x / r)].push_back(i);
  }
  auto weight = [&](int i, int j) {
    const double dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
    const double df0 = nodes[i].f[0] - nodes[j].f[0], df1 = nodes[i].f[1] - nodes[j].f[1];
    return std::exp(-(df0 * df0 + df1 * df1) / si2) * std::exp(-(dx * dx + dy * dy) / sx2);
  };
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(nodes.size() * 24);
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    const int bx = static_cast<int>(nodes[i].x / r), by = static_cast<int>(nodes[i].y / r);
    for (int yy = std::max(0, by - 1); yy <= std::min(bh - 1, by + 1); ++yy) {
      for (int xx = std::max(0, bx - 1); xx <= std::min(bw - 1, bx + 1); ++xx) {
        for (int j : buckets[yy * bw + xx]) {
          if (j <= i) continue;
          const double dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
          if (dx * dx + dy * dy >= r2) continue;
          const double wij = weight(i, j);
          if (wij < 1e-8) continue;  // numerically disconnected
          t.emplace_back(i, j, wij);
          t.emplace_back(j, i, wij);
        }
      }
    }
  }
  SpMat w(nodes.size(), nodes.size());
  w.setFromTriplets(t.begin(), t.end());
  return w;
}

}  // namespace

void SegmentNormalizedCuts(const NCutOptions& options, const cv::Mat& lightness, cv::Mat* labels,
                           NCutSummary* summary) {
  std::string error;
  TINT_CHECK(options.Check(&error), error);
  TINT_CHECK(lightness.type() == CV_32F && !lightness.empty(),
             "lightness must be non-empty CV_32F");

  cv::Mat work = lightness;
  const double pixels = static_cast<double>(lightness.total());
  if (pixels > options.working_pixels) {
    const double s = std::sqrt(options.working_pixels / pixels);
    cv::resize(lightness, work, cv::Size(), s, s, cv::INTER_AREA);
  }

  std::vector<Node> nodes;
  cv::Mat node_map;  // CV_32S node id per working pixel (or per grid cell)
  // SLIC needs room for a few superpixels in each direction (OpenCV's SLIC
  // crashes on a side under 7 px): a smaller image, or a thin strip, is cut
  // on the pixel grid instead, which works down to a single pixel.
  const bool slic_fits = std::min(work.rows, work.cols) >= 2 * options.superpixel_size;
  if (options.graph == NCutGraph::kPixelGrid || !slic_fits) {
    const double s = std::min(1.0, double(options.grid_max_side) / std::max(work.cols, work.rows));
    cv::Mat grid;
    cv::resize(work, grid,
               cv::Size(std::max(1, int(std::lround(work.cols * s))),
                        std::max(1, int(std::lround(work.rows * s)))),
               0, 0, cv::INTER_AREA);
    node_map.create(grid.size(), CV_32S);
    for (int r = 0; r < grid.rows; ++r) {
      for (int c = 0; c < grid.cols; ++c) {
        node_map.at<int>(r, c) = static_cast<int>(nodes.size());
        nodes.push_back({double(c), double(r), {grid.at<float>(r, c), 0.0}});
      }
    }
  } else {
    cv::Mat l8;
    work.convertTo(l8, CV_8U, 2.55);
    auto slic =
        cv::ximgproc::createSuperpixelSLIC(l8, cv::ximgproc::SLICO, options.superpixel_size);
    slic->iterate(options.slic_iterations);
    slic->enforceLabelConnectivity(25);
    slic->getLabels(node_map);
    const int n = slic->getNumberOfSuperpixels();
    std::vector<double> sx(n, 0), sy(n, 0), sl(n, 0), sl2(n, 0), cnt(n, 0);
    for (int r = 0; r < work.rows; ++r) {
      const int* lp = node_map.ptr<int>(r);
      const float* wp = work.ptr<float>(r);
      for (int c = 0; c < work.cols; ++c) {
        const int k = lp[c];
        sx[k] += c;
        sy[k] += r;
        sl[k] += wp[c];
        sl2[k] += double(wp[c]) * wp[c];
        cnt[k] += 1;
      }
    }
    const double spacing = options.superpixel_size;
    for (int k = 0; k < n; ++k) {
      const double c = std::max(cnt[k], 1.0);
      const double mean = sl[k] / c;
      const double var = std::max(0.0, sl2[k] / c - mean * mean);
      nodes.push_back({sx[k] / c / spacing, sy[k] / c / spacing, {mean, std::sqrt(var)}});
    }
  }

  std::vector<int> node_labels;
  if (nodes.size() < 2) {
    node_labels.assign(nodes.size(), 0);  // one node is one segment
    if (summary != nullptr) {
      summary->num_nodes = static_cast<int>(nodes.size());
      summary->num_segments = 1;
    }
  } else {
    internal::PartitionGraph(options, BuildAffinity(options, nodes), &node_labels, summary);
  }

  cv::Mat work_labels(node_map.size(), CV_32S);
  for (int r = 0; r < node_map.rows; ++r) {
    const int* np = node_map.ptr<int>(r);
    int* op = work_labels.ptr<int>(r);
    for (int c = 0; c < node_map.cols; ++c) op[c] = node_labels[np[c]];
  }
  cv::resize(work_labels, *labels, lightness.size(), 0, 0, cv::INTER_NEAREST);
}

}  // namespace tint
