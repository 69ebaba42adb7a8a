// Decoders from a network's output blob to a chroma field (a, b).
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace tint {

// Zhang et al. 2016's annealed mean. scores: 4-D blob (1, K, h, w) of
// logits z (logits = true) or probabilities p; centres: K x 2 CV_32F (a, b).
// Per pixel, q_k = softmax(z / T) (for logits) or p_k^(1/T) / sum (for
// probabilities), and ab = sum_k q_k * centre_k. T = 1 is the mean, T -> 0 the
// mode. Returns h x w CV_32FC2.
Status DecodeBins(const cv::Mat& scores, const cv::Mat& centres, double temperature, bool logits,
                  cv::Mat* ab);

// "(1, 313, 56, 56)": a blob's shape for messages.
std::string BlobShapeText(const cv::Mat& blob);

// Direct regression: blob (1, 2, h, w) -> h x w CV_32FC2 of scale * blob.
Status DecodeAb(const cv::Mat& blob, double scale, cv::Mat* ab);

}  // namespace tint
