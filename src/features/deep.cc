#include "features/deep.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "core/file_util.h"

namespace tint {
namespace {

struct DeepNetwork {
  std::mutex mutex;  // one forward pass at a time; guards everything below
  bool tried = false;
  Status loaded = Status::Error("deep features not loaded");
  cv::dnn::Net net;
};

DeepNetwork& Network() {
  static DeepNetwork* network = new DeepNetwork();  // never destroyed: used at exit by threads
  return *network;
}

cv::Mat Forward(cv::dnn::Net& net, const cv::Mat& padded) {
  const int shape[] = {1, 1, padded.rows, padded.cols};
  cv::Mat blob(4, shape, CV_32F);
  padded.copyTo(cv::Mat(padded.rows, padded.cols, CV_32F, blob.ptr<float>()));
  net.setInput(blob);
  return net.forward();
}

}  // namespace

void DeepMap::Sample(double x, double y, float* out) const {
  const double u = std::clamp((x + 0.5) * scale - 0.5, 0.0, cols - 1.0);
  const double v = std::clamp((y + 0.5) * scale - 0.5, 0.0, rows - 1.0);
  const int u0 = static_cast<int>(u), v0 = static_cast<int>(v);
  const int u1 = std::min(u0 + 1, cols - 1), v1 = std::min(v0 + 1, rows - 1);
  const float fu = static_cast<float>(u - u0), fv = static_cast<float>(v - v0);
  double norm2 = 0;
  for (int k = 0; k < kDeepDimension; ++k) {
    const float* r0 = planes.ptr<float>(k * rows + v0);
    const float* r1 = planes.ptr<float>(k * rows + v1);
    const float top = r0[u0] + fu * (r0[u1] - r0[u0]);
    const float bottom = r1[u0] + fu * (r1[u1] - r1[u0]);
    out[k] = top + fv * (bottom - top);
    norm2 += double(out[k]) * out[k];
  }
  const float inv = norm2 > 1e-24 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
  for (int k = 0; k < kDeepDimension; ++k) out[k] *= inv;
}

Status LoadDeepFeatures(const std::string& path) {
  DeepNetwork& n = Network();
  std::lock_guard<std::mutex> lock(n.mutex);
  if (n.tried && n.loaded.ok()) return n.loaded;
  n.tried = true;
  std::vector<uint8_t> bytes;
  Status s = ReadFileBytes(path, &bytes, uint64_t{256} << 20);
  if (!s.ok()) {
    n.loaded = Status::Error("deep features: " + s.message());
    return n.loaded;
  }
  try {
    n.net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    n.net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    const cv::Mat out = Forward(n.net, cv::Mat(32, 32, CV_32F, cv::Scalar(50)));
    if (out.dims != 4 || out.size[1] != kDeepDimension || out.size[2] != 8 || out.size[3] != 8) {
      n.loaded = Status::Error(path + ": not tint's deep features network (expected " +
                               std::to_string(kDeepDimension) + " channels at 1/4)");
      return n.loaded;
    }
  } catch (const cv::Exception& e) {
    n.loaded = Status::Error(path + ": cannot read the deep features network (" +
                             std::string(e.err) + ")");
    return n.loaded;
  }
  n.loaded = Status::Ok();
  return n.loaded;
}

DeepMap ComputeDeepMap(const cv::Mat& lightness) {
  TINT_CHECK(lightness.type() == CV_32F && !lightness.empty(), "lightness must be CV_32F");
  DeepNetwork& n = Network();
  cv::Mat l = lightness;
  double s = 1.0;
  const int side = std::max(lightness.cols, lightness.rows);
  if (side > kDeepMaxSide) {
    s = static_cast<double>(kDeepMaxSide) / side;
    cv::resize(lightness, l,
               cv::Size(std::max(1, static_cast<int>(std::lround(lightness.cols * s))),
                        std::max(1, static_cast<int>(std::lround(lightness.rows * s)))),
               0, 0, cv::INTER_AREA);
  }
  // Reflection needs a border no larger than the image: pad in steps.
  cv::Mat padded = l;
  while (padded.rows % 32 != 0 || padded.cols % 32 != 0) {
    const int bottom = std::min((32 - padded.rows % 32) % 32, padded.rows - 1);
    const int right = std::min((32 - padded.cols % 32) % 32, padded.cols - 1);
    if (bottom == 0 && right == 0 && (padded.rows % 32 != 0 || padded.cols % 32 != 0)) {
      cv::copyMakeBorder(padded, padded, 0, (32 - padded.rows % 32) % 32, 0,
                         (32 - padded.cols % 32) % 32, cv::BORDER_REPLICATE);
      break;
    }
    cv::copyMakeBorder(padded, padded, 0, bottom, 0, right, cv::BORDER_REFLECT_101);
  }
  DeepMap map;
  map.scale = s / 4.0;
  {
    std::lock_guard<std::mutex> lock(n.mutex);
    TINT_CHECK(n.tried && n.loaded.ok(), "deep features used before LoadDeepFeatures succeeded");
    // forward() hands back the network's own output blob, which the next
    // pass overwrites: copied before another thread may run one.
    const cv::Mat out = Forward(n.net, padded);
    map.rows = out.size[2];
    map.cols = out.size[3];
    map.planes =
        cv::Mat(kDeepDimension * map.rows, map.cols, CV_32F, const_cast<float*>(out.ptr<float>()))
            .clone();
  }
  return map;
}

}  // namespace tint
