// Normalized cuts segmentation (J. Shi and J. Malik, "Normalized Cuts and
// Image Segmentation", IEEE TPAMI 22(8), 2000).
//
// The image is turned into a weighted graph whose nodes are pixels of a
// downsampled grid or SLIC superpixels. Edge weights follow the paper's
// eq. (11): w_ij = exp(-|F_i - F_j|^2 / sigma_I^2) * exp(-|X_i - X_j|^2 / sigma_X^2)
// for |X_i - X_j| < r, where F is brightness (mean L and, for superpixels,
// its standard deviation) and X the position. Each cut solves the
// generalized eigenproblem (D - W) y = lambda D y through the equivalent
// symmetric problem on D^-1/2 W D^-1/2 (Eigen for small graphs, Spectra's
// Lanczos solver for large ones), then sweeps the second eigenvector for the
// split with the smallest Ncut(A, B) = cut(A,B)/assoc(A,V) + cut(A,B)/assoc(B,V).
// Segments are split recursively, best Ncut first, while the Ncut value stays
// below max_ncut and the eigenvector passes the paper's stability test.
#pragma once

#include <string>
#include <vector>

#include <Eigen/SparseCore>
#include <opencv2/core.hpp>

namespace tint {

enum class NCutGraph {
  kPixelGrid,    // one node per pixel of the downsampled image
  kSuperpixels,  // one node per SLIC superpixel (ximgproc)
};

struct NCutOptions {
  NCutGraph graph = NCutGraph::kSuperpixels;
  // The image is first area-downsampled to at most this many pixels; labels
  // are mapped back to full size. Keeps the cost nearly independent of size.
  int working_pixels = 160'000;
  // kPixelGrid: longer side of the node grid, in nodes.
  int grid_max_side = 96;
  // kSuperpixels: SLIC region size in working pixels (the node spacing).
  int superpixel_size = 12;
  // kSuperpixels: SLIC's k-means iterations (OpenCV's customary 10; 7 meet
  // the 0.05 s target but cost CamVid colour, docs/benchmarks.md).
  int slic_iterations = 10;
  // r: nodes farther apart than r node spacings are not connected.
  double radius = 2.5;
  // sigma_I: brightness scale of the affinity, in L units (0..100).
  double sigma_intensity = 7.0;
  // sigma_X: distance scale of the affinity, in node spacings.
  double sigma_distance = 2.0;
  // Stop splitting when the best cut's Ncut value exceeds this (0..2).
  double max_ncut = 0.15;
  // Shi & Malik's stability test: a cut is rejected when the ratio of the
  // smallest to the largest bin of the eigenvector's 20-bin histogram exceeds this.
  double max_stability = 0.06;
  // Upper bound on the number of segments.
  int max_segments = 12;
  // A split must leave at least this fraction of all nodes on each side.
  double min_segment_fraction = 0.01;

  bool Check(std::string* error) const;
};

struct NCutSummary {
  int num_nodes = 0;
  int num_edges = 0;
  int num_segments = 0;
  std::vector<double> cut_values;  // Ncut of each accepted split, in order.
  std::string BriefReport() const;
};

// Segments a lightness image (CV_32F, 0..100) into labels (CV_32S, 0..n-1).
void SegmentNormalizedCuts(const NCutOptions& options, const cv::Mat& lightness, cv::Mat* labels,
                           NCutSummary* summary = nullptr);

namespace internal {

// Recursive two-way normalized cuts on a symmetric affinity matrix with
// non-negative weights. Returns node labels 0..n-1.
void PartitionGraph(const NCutOptions& options, const Eigen::SparseMatrix<double>& w,
                    std::vector<int>* node_labels, NCutSummary* summary);

// Ncut(A, B) of a node labelling with two values (0 = A, 1 = B).
double NCutValue(const Eigen::SparseMatrix<double>& w, const std::vector<int>& side);

}  // namespace internal
}  // namespace tint
