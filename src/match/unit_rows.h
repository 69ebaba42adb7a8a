// Unit vectors, the points every matcher searches, and the store that keeps
// them without a copy when they already are unit rows. Shared by the
// matcher backends (src/match/*_matcher.cc).
#pragma once

#include <cmath>

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {
namespace match_internal {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using RowMap = Eigen::Map<const RowMatrix>;

// Rows scaled to unit length; zero rows stay zero (similarity 0 to all), and
// so does a row with a NaN or infinite value, so that none reaches a search.
inline RowMatrix NormalizedRows(const cv::Mat& m) {
  TINT_CHECK(m.type() == CV_32F && m.cols > 0, "vectors must be CV_32F with at least one column");
  RowMatrix out(m.rows, m.cols);
  for (int r = 0; r < m.rows; ++r) {
    const Eigen::Map<const Eigen::RowVectorXf> row(m.ptr<float>(r), m.cols);
    const float norm = row.norm();
    out.row(r) = std::isfinite(norm) && norm > 1e-12f ? (row / norm).eval()
                                                      : Eigen::RowVectorXf::Zero(m.cols);
  }
  return out;
}

// True when every row is a unit vector (or zero), to float precision.
inline bool HasUnitRows(const cv::Mat& m) {
  if (m.type() != CV_32F || !m.isContinuous()) return false;
  for (int r = 0; r < m.rows; ++r) {
    const float n2 = Eigen::Map<const Eigen::RowVectorXf>(m.ptr<float>(r), m.cols).squaredNorm();
    if (n2 != 0.0f && !(std::abs(n2 - 1.0f) <= 1e-5f)) return false;  // NaN: not unit
  }
  return true;
}

// The database as unit rows: the caller's memory itself when its rows already
// are unit vectors (what UnitRows gives: the index cache holds them so), else
// a normalized copy. A view of memory the caller owns (a mapped cache) must
// outlive the matcher; a cv::Mat that owns its data is kept by reference.
class UnitRowStore {
 public:
  explicit UnitRowStore(const cv::Mat& m) {
    TINT_CHECK(m.type() == CV_32F && m.cols > 0, "vectors must be CV_32F with at least one column");
    if (HasUnitRows(m)) {
      kept_ = m;
    } else {
      kept_.create(m.rows, m.cols, CV_32F);
      Eigen::Map<RowMatrix>(kept_.ptr<float>(), m.rows, m.cols) = NormalizedRows(m);
    }
  }
  RowMap matrix() const { return RowMap(kept_.ptr<float>(), kept_.rows, kept_.cols); }

 private:
  cv::Mat kept_;
};

}  // namespace match_internal
}  // namespace tint
