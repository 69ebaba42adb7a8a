// NumPy .npy arrays (format 1.0-3.0, little-endian, C order): read as float.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

// Reads an array of float32, float64, int32 or int64 into a CV_32F Mat
// with the file's shape (1-D arrays become 1 x n; N-D arrays keep N dims).
Status ReadNpy(const std::string& path, cv::Mat* array);
// Writes a 2-D CV_32F matrix as a float32 .npy file (atomically).
Status WriteNpy(const std::string& path, const cv::Mat& matrix);
Status ParseNpy(const std::string& name, const std::vector<uint8_t>& bytes, cv::Mat* array);

}  // namespace tint
