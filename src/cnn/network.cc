#include "cnn/network.h"

#include <chrono>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "cnn/decoder.h"
#include "cnn/npy.h"
#include "core/file_util.h"

namespace tint {
namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::string OpenCvErrorLine(const cv::Exception& e) {
  // e.err is the message proper; fall back to what() squeezed to one line.
  std::string text = e.err.empty() ? std::string(e.what()) : e.err;
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > 300) out = out.substr(0, 300) + "...";
  return out;
}

Status CnnModel::BuildNet(cv::dnn::Net* net) const {
  const std::string& loaded_path =
      card_.framework == ModelFramework::kCaffe ? card_.weights_path : card_.model_path;
  try {
    if (card_.framework == ModelFramework::kOnnx) {
      *net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(model_bytes_.data()),
                                      model_bytes_.size());
    } else {
      *net = cv::dnn::readNetFromCaffe(
          reinterpret_cast<const char*>(model_bytes_.data()), model_bytes_.size(),
          reinterpret_cast<const char*>(weight_bytes_.data()), weight_bytes_.size());
    }
  } catch (const cv::Exception& e) {
    return Status::Error("cannot load model " + loaded_path + ": " + OpenCvErrorLine(e));
  }
  if (net->empty()) return Status::Error("cannot load model " + loaded_path + ": no layers");
  net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);

  // Injections, as the released Zhang deploy model needs.
  for (const LayerInjection& inj : card_.injections) {
    int id = net->getLayerId(inj.layer);
    if (id < 0) {
      return Status::Error(card_.path + ": injects into layer '" + inj.layer +
                           "', which the model does not have");
    }
    cv::Mat value;
    if (inj.centres) {
      // (K, 2) -> a 1x1 convolution kernel (2, K, 1, 1).
      cv::Mat t = centres_.t();
      int shape[] = {2, t.cols, 1, 1};
      value = t.clone().reshape(1, 4, shape);
    } else {
      value = cv::Mat(1, inj.count, CV_32F, cv::Scalar(inj.constant));
    }
    net->getLayer(id)->blobs = {value};
  }
  return Status::Ok();
}

Status CnnModel::Load(const ModelCard& card, std::unique_ptr<CnnModel>* out) {
  std::unique_ptr<CnnModel> model(new CnnModel());
  model->card_ = card;

  std::vector<uint8_t> model_bytes, weight_bytes;
  TINT_RETURN_IF_ERROR(ReadFileBytes(card.model_path, &model_bytes));
  if (card.framework == ModelFramework::kCaffe) {
    TINT_RETURN_IF_ERROR(ReadFileBytes(card.weights_path, &weight_bytes));
  }
  if (!card.sha256.empty()) {
    const auto& hashed = card.framework == ModelFramework::kCaffe ? weight_bytes : model_bytes;
    const std::string& hashed_path =
        card.framework == ModelFramework::kCaffe ? card.weights_path : card.model_path;
    if (Sha256Hex(hashed.data(), hashed.size()) != card.sha256) {
      return Status::Error(hashed_path + ": SHA-256 differs from the model card " + card.path +
                           " (a damaged or different file)");
    }
  }
  if (card.output.decoder != DecoderKind::kAb || !card.output.centres_path.empty()) {
    TINT_RETURN_IF_ERROR(ReadNpy(card.output.centres_path, &model->centres_));
    if (model->centres_.dims != 2 || model->centres_.cols != 2) {
      return Status::Error(card.output.centres_path + ": centres must have shape (K, 2)");
    }
    if (!cv::checkRange(model->centres_, true, nullptr, -1000.0, 1000.0)) {
      return Status::Error(card.output.centres_path +
                           ": centres must be finite (a, b) values within +-1000");
    }
    if (card.output.decoder == DecoderKind::kZhang313 && model->centres_.rows != 313) {
      return Status::Error(card.output.centres_path +
                           ": the zhang313 decoder needs 313 centres, found " +
                           std::to_string(model->centres_.rows));
    }
  }

  const std::string& loaded_path =
      card.framework == ModelFramework::kCaffe ? card.weights_path : card.model_path;
  model->model_bytes_ = std::move(model_bytes);
  model->weight_bytes_ = std::move(weight_bytes);
  cv::dnn::Net net;
  TINT_RETURN_IF_ERROR(model->BuildNet(&net));

  // Output blob: named by the card, or the network's last output.
  std::vector<std::string> outs = net.getUnconnectedOutLayersNames();
  if (card.output.blob.empty()) {
    if (outs.empty()) return Status::Error(loaded_path + ": the model has no output");
    model->output_blob_ = outs.back();
  } else {
    if (net.getLayerId(card.output.blob) < 0) {
      std::string list;
      for (const auto& o : outs) list += (list.empty() ? "" : ", ") + o;
      return Status::Error(card.path + ": output blob '" + card.output.blob +
                           "' is not in the model (outputs: " + list + ")");
    }
    model->output_blob_ = card.output.blob;
  }

  // Input blob name, when given, must be one of the network's inputs.
  if (!card.input.blob.empty()) {
    cv::Ptr<cv::dnn::Layer> data = net.getLayer(0);
    if (data.empty() || data->outputNameToIndex(card.input.blob) < 0) {
      return Status::Error(card.path + ": input blob '" + card.input.blob +
                           "' is not an input of the model");
    }
  }

  // The checked net is the pool's first; the dry run below runs it.
  model->pool_.push_back(std::make_unique<cv::dnn::Net>(net));

  // A dry run: catches wrong shapes, missing layer values and a decoder that
  // does not fit the output. Its input is one a photo could give (the fixed
  // size, or a strip 10 times wider than high fitted to max_side), and a
  // small one: a square fitted to max_side made a full 320x320 pass, and
  // "ready" went from 77 to 29 ms when it stopped (README, speed).
  const int short_side = 2 * std::max(card.input.multiple, 16);
  const cv::Size probe = model->InputSize(cv::Size(10 * short_side, short_side));
  int shape[] = {1, 1, probe.height, probe.width};
  cv::Mat zeros(4, shape, CV_32F, cv::Scalar(0));
  cv::Mat blob;
  TINT_RETURN_IF_ERROR(model->Forward(zeros, "", &blob));
  cv::Mat ab;
  Status decoded =
      card.output.decoder == DecoderKind::kAb
          ? DecodeAb(blob, card.output.ab_scale, &ab)
          : DecodeBins(blob, model->centres_, card.output.temperature, card.output.logits, &ab);
  if (!decoded.ok()) return Status::Error(card.path + ": " + decoded.message());
  *out = std::move(model);
  return Status::Ok();
}

cv::Size CnnModel::InputSize(cv::Size photo) const {
  const ModelInputSpec& in = card_.input;
  if (in.resize == InputResize::kFixed) return cv::Size(in.width, in.height);
  double s = static_cast<double>(in.max_side) / std::max(photo.width, photo.height);
  auto side = [&](int v) {
    int r = static_cast<int>(std::lround(v * s / in.multiple)) * in.multiple;
    return std::max(in.multiple, r);
  };
  return cv::Size(side(photo.width), side(photo.height));
}

Status CnnModel::Forward(const cv::Mat& input_blob, const std::string& output,
                         cv::Mat* blob) const {
  const std::string& name = output.empty() ? output_blob_ : output;
  // One net per concurrent caller (a net's forward() is not thread-safe):
  // taken from the pool, or built when every one is busy, and given back.
  std::unique_ptr<cv::dnn::Net> net;
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      net = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (net == nullptr) {
    net = std::make_unique<cv::dnn::Net>();
    TINT_RETURN_IF_ERROR(BuildNet(net.get()));
  }
  Status status;
  try {
    net->setInput(input_blob, card_.input.blob);
    cv::Mat result = net->forward(name);
    *blob = result.clone();  // the net reuses its buffers
  } catch (const cv::Exception& e) {
    status = Status::Error("model " + card_.path + ": forward pass failed for input " +
                           BlobShapeText(input_blob) + ": " + OpenCvErrorLine(e));
  }
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(net));
  return status;
}

Status CnnModel::Predict(const cv::Mat& lightness, cv::Mat* ab,
                         std::map<std::string, double>* seconds) const {
  TINT_CHECK(lightness.type() == CV_32F && !lightness.empty(),
             "lightness must be non-empty CV_32F");
  auto t0 = std::chrono::steady_clock::now();
  cv::Size size = InputSize(lightness.size());
  cv::Mat resized;
  int interp = size.area() < lightness.size().area() ? cv::INTER_AREA : cv::INTER_LINEAR;
  cv::resize(lightness, resized, size, 0, 0, interp);
  int shape[] = {1, 1, size.height, size.width};
  cv::Mat input(4, shape, CV_32F);
  cv::Mat plane(size.height, size.width, CV_32F, input.ptr<float>());
  resized.convertTo(plane, CV_32F, card_.input.l_scale, card_.input.l_offset * card_.input.l_scale);
  if (seconds) (*seconds)["cnn_input"] += Since(t0);

  auto t1 = std::chrono::steady_clock::now();
  cv::Mat blob;
  TINT_RETURN_IF_ERROR(Forward(input, "", &blob));
  if (seconds) (*seconds)["cnn_forward"] += Since(t1);

  auto t2 = std::chrono::steady_clock::now();
  if (card_.output.decoder == DecoderKind::kAb) {
    TINT_RETURN_IF_ERROR(DecodeAb(blob, card_.output.ab_scale, ab));
  } else {
    TINT_RETURN_IF_ERROR(
        DecodeBins(blob, centres_, card_.output.temperature, card_.output.logits, ab));
  }
  if (seconds) (*seconds)["cnn_decode"] += Since(t2);
  return Status::Ok();
}

}  // namespace tint
