#include "serve/jobs.h"

#include <openssl/rand.h>

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/color.h"

namespace tint {

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kFailed:
      return "failed";
  }
  return "failed";
}

bool ParseJobState(const std::string& text, JobState* state) {
  for (JobState s : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kFailed}) {
    if (text == JobStateName(s)) {
      *state = s;
      return true;
    }
  }
  return false;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> buckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return buckets;
}

size_t LatencyBucket(double seconds) {
  const std::vector<double>& bounds = LatencyBuckets();
  return std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
}

std::string NewJobId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw CheckError("OpenSSL RAND_bytes failed");
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

bool IsJobId(const std::string& text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string EncodePng(const cv::Mat& image) {
  std::vector<uint8_t> buffer;
  if (!cv::imencode(".png", image, buffer)) return std::string();
  return std::string(buffer.begin(), buffer.end());
}

cv::Mat PreviewGrey(const cv::Mat& image, int max_side) {
  cv::Mat lightness = ComputeLightness(image);  // 0..100
  cv::Mat grey;
  lightness.convertTo(grey, CV_8U, 255.0 / 100.0);
  const int side = std::max(grey.cols, grey.rows);
  if (side > max_side) {
    const double f = static_cast<double>(max_side) / side;
    cv::resize(grey, grey, cv::Size(), f, f, cv::INTER_AREA);
  }
  return grey;
}

}  // namespace tint
