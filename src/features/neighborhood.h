// Neighborhood vectors: for each pixel, the shades in a square window around
// it, the "vector of the surroundings" the classic colorizer matches. The
// luminance mean and standard deviation of the window may be appended, as in
// Welsh, Ashikhmin and Mueller, "Transferring Color to Greyscale Images",
// SIGGRAPH 2002.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "features/deep.h"

namespace tint {

enum class VectorNormalization {
  kRaw,       // the window's L values / 100
  kZeroMean,  // L values minus the window mean, / 100
  kUnitNorm,  // zero-mean values scaled to unit length (flat windows stay 0)
};

// What a neighbourhood vector is made of: the shades of the window (the
// original tool's, and the default), or what a pretrained backbone sees
// there (features/deep.h).
enum class FeatureKind { kShades, kDeep };

struct NeighborhoodOptions {
  FeatureKind kind = FeatureKind::kShades;
  // Side of the square window, in pixels; odd, 3..31.
  int window = 7;
  VectorNormalization normalization = VectorNormalization::kZeroMean;
  // Append the window's mean and standard deviation of L (Welsh et al. 2002).
  bool append_statistics = true;
  // Weight of the appended mean and std relative to one window element,
  // times sqrt(window^2) so the balance does not change with the window.
  double statistics_weight = 1.0;

  // Weight of the pixel's vertical position in its frame (row / height,
  // 0 = top), appended as one more element; 0 = off. The original tool's
  // patches came in "several positions": in outdoor photos sky sits high and
  // ground low, a cue luminance windows alone do not carry.
  double position_weight = 0.0;

  // Deep vectors: kDeepDimension (features/deep.h); window, normalization
  // and statistics apply to shades only.
  int Dimension() const {
    return (kind == FeatureKind::kDeep ? kDeepDimension
                                       : window * window + (append_statistics ? 2 : 0)) +
           (position_weight > 0 ? 1 : 0);
  }
  bool Check(std::string* error) const;
};

const char* ToString(VectorNormalization n);
bool ParseVectorNormalization(const std::string& text, VectorNormalization* n);

// Where an image sits in the frame its position is measured in: a patch
// cropped at row offset_y of a source image of frame_height rows. The
// default (frame_height 0) is the image itself.
struct PositionFrame {
  double offset_y = 0;
  double frame_height = 0;
  // Deep vectors of a crop: the map of its whole source photo, in which the
  // crop starts at (offset_x, offset_y); null: the crop's own map.
  double offset_x = 0;
  std::shared_ptr<const DeepMap> source_deep;
};

// Computes vectors of one lightness image in as many calls as wanted: the
// border is padded once, so a caller can work in blocks of points and keep
// only one block of vectors in memory (a 12 Mpx photo has 600 MB of them).
class NeighborhoodExtractor {
 public:
  NeighborhoodExtractor(const NeighborhoodOptions& options, const cv::Mat& lightness,
                        const PositionFrame& frame = PositionFrame());
  // Vectors at points[0..n) (CV_32F, n x Dimension()), in parallel.
  void Compute(const cv::Point* points, int n, cv::Mat* vectors) const;
  int dimension() const { return options_.Dimension(); }

 private:
  NeighborhoodOptions options_;
  cv::Size size_;
  cv::Mat padded_;
  PositionFrame frame_;
  std::shared_ptr<const DeepMap> deep_;  // kDeep: the map read (the frame's source or the image's)
  void ComputeDeep(const cv::Point* points, int n, cv::Mat* vectors) const;
};

// Vectors at the given pixels of a lightness image (CV_32F, 0..100), one row
// each (CV_32F, points.size() x Dimension()). Windows crossing the border are
// mirrored (BORDER_REFLECT_101).
void ComputeNeighborhoodVectors(const NeighborhoodOptions& options, const cv::Mat& lightness,
                                const std::vector<cv::Point>& points, cv::Mat* vectors,
                                const PositionFrame& frame = PositionFrame());

// Vectors at every pixel where mask is non-zero (every pixel when the mask is
// empty), in row-major order; `points` receives their positions.
void ComputeNeighborhoodVectors(const NeighborhoodOptions& options, const cv::Mat& lightness,
                                const cv::Mat& mask, cv::Mat* vectors,
                                std::vector<cv::Point>* points);

}  // namespace tint
