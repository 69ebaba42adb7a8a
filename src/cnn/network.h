// A colorization network run with OpenCV dnn, as its model card says.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "cnn/model_card.h"
#include "core/status.h"

namespace tint {

class CnnModel {
 public:
  // Reads the card's files (checking the hash when the card has one), loads
  // the network, injects layer values, and runs one small forward pass to
  // check the output blob's shape against the decoder. Every failure is a
  // one-line Status naming the file or blob.
  static Status Load(const ModelCard& card, std::unique_ptr<CnnModel>* model);

  // lightness: CV_32F 0..100, any size. ab: the decoded chroma at the
  // network's output resolution (CV_32FC2), not yet resized to the photo.
  // seconds (optional) gets "cnn_input", "cnn_forward", "cnn_decode".
  Status Predict(const cv::Mat& lightness, cv::Mat* ab,
                 std::map<std::string, double>* seconds = nullptr) const;

  // The network input size used for a photo of `photo` size.
  cv::Size InputSize(cv::Size photo) const;
  const ModelCard& card() const { return card_; }
  const cv::Mat& centres() const { return centres_; }

  // Runs the network on a ready blob and returns the named output (empty:
  // the card's output). For tests that compare with a reference framework.
  Status Forward(const cv::Mat& input_blob, const std::string& output, cv::Mat* blob) const;

 private:
  CnnModel() = default;
  ModelCard card_;
  cv::Mat centres_;  // K x 2, CV_32F (bins decoders)
  std::string output_blob_;
  // The network as the card says: read from the bytes kept below, the
  // backend set, the card's layer values injected.
  Status BuildNet(cv::dnn::Net* net) const;

  std::vector<uint8_t> model_bytes_, weight_bytes_;  // for BuildNet
  // Nets not running now; Forward takes one (or builds one) and gives it back.
  mutable std::vector<std::unique_ptr<cv::dnn::Net>> pool_;
  mutable std::mutex pool_mutex_;
};

// cv::Exception text (several lines, with the source path) as one line.
std::string OpenCvErrorLine(const cv::Exception& e);

}  // namespace tint
