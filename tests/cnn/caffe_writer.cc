#include "cnn/caffe_writer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>

#include <opencv2/core.hpp>

#include "core/file_util.h"

namespace tint::testing {
namespace {

// --- a minimal protobuf text-format reader ---------------------------------
struct Node {
  std::multimap<std::string, std::string> values;
  std::multimap<std::string, std::shared_ptr<Node>> children;
  std::string Get(const std::string& key, const std::string& fallback = "") const {
    auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
  }
  std::vector<std::string> All(const std::string& key) const {
    std::vector<std::string> out;
    for (auto [a, b] = values.equal_range(key); a != b; ++a) out.push_back(a->second);
    return out;
  }
  const Node* Child(const std::string& key) const {
    auto it = children.find(key);
    return it == children.end() ? nullptr : it->second.get();
  }
};

class TextReader {
 public:
  explicit TextReader(std::string text) : s_(std::move(text)) {}
  bool Parse(Node* node, bool top) {
    while (true) {
      Skip();
      if (i_ >= s_.size()) return top;
      if (s_[i_] == '}') {
        ++i_;
        return !top;
      }
      std::string key = Word();
      if (key.empty()) return false;
      Skip();
      if (i_ < s_.size() && s_[i_] == ':') {
        ++i_;
        Skip();
      }
      if (i_ < s_.size() && s_[i_] == '{') {
        ++i_;
        auto child = std::make_shared<Node>();
        if (!Parse(child.get(), false)) return false;
        node->children.emplace(key, child);
      } else {
        std::string value = Value();
        node->values.emplace(key, value);
      }
    }
  }

 private:
  void Skip() {
    while (i_ < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(s_[i_]))) {
        ++i_;
      } else if (s_[i_] == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }
  std::string Word() {
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
      ++i_;
    return s_.substr(b, i_ - b);
  }
  std::string Value() {
    if (s_[i_] == '"' || s_[i_] == '\'') {
      char q = s_[i_++];
      size_t b = i_;
      while (i_ < s_.size() && s_[i_] != q) ++i_;
      std::string v = s_.substr(b, i_ - b);
      ++i_;
      return v;
    }
    size_t b = i_;
    while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) && s_[i_] != '}')
      ++i_;
    return s_.substr(b, i_ - b);
  }
  std::string s_;
  size_t i_ = 0;
};

// --- a minimal protobuf binary writer --------------------------------------
void Varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void Bytes(std::string* out, int field, const std::string& payload) {
  Varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  Varint(out, payload.size());
  out->append(payload);
}

std::string Blob(const std::vector<int>& shape, const std::vector<float>& data) {
  std::string dims;
  for (int d : shape) Varint(&dims, static_cast<uint64_t>(d));
  std::string shape_msg;
  Bytes(&shape_msg, 1, dims);  // BlobShape.dim, packed int64
  std::string blob;
  Bytes(&blob, 7, shape_msg);  // BlobProto.shape
  std::string raw(data.size() * sizeof(float), '\0');
  std::memcpy(raw.data(), data.data(), raw.size());
  Bytes(&blob, 5, raw);  // BlobProto.data, packed float
  return blob;
}

}  // namespace

Status WriteRandomCaffeModel(const std::string& prototxt, const std::string& caffemodel,
                             const RandomCaffeOptions& options) {
  std::vector<uint8_t> bytes;
  TINT_RETURN_IF_ERROR(ReadFileBytes(prototxt, &bytes));
  Node root;
  if (!TextReader(std::string(bytes.begin(), bytes.end())).Parse(&root, true)) {
    return Status::Error(prototxt + ": cannot parse");
  }
  cv::RNG rng(options.seed);
  std::map<std::string, int> channels;
  std::string net;
  for (auto [it, end] = root.children.equal_range("layer"); it != end; ++it) {
    const Node& layer = *it->second;
    const std::string name = layer.Get("name"), type = layer.Get("type");
    const std::vector<std::string> bottoms = layer.All("bottom"), tops = layer.All("top");
    int in = bottoms.empty() ? 0 : channels[bottoms[0]];
    int out = in;
    std::vector<std::string> blobs;
    if (type == "Input") {
      const Node* p = layer.Child("input_param");
      const Node* shape = p ? p->Child("shape") : nullptr;
      std::vector<std::string> dims = shape ? shape->All("dim") : std::vector<std::string>{};
      if (dims.size() != 4) return Status::Error(name + ": Input layer without a 4-d shape");
      out = std::stoi(dims[1]);
    } else if (type == "Convolution" || type == "Deconvolution") {
      const Node* p = layer.Child("convolution_param");
      if (!p) return Status::Error(name + ": no convolution_param");
      out = std::stoi(p->Get("num_output", "0"));
      int k = std::stoi(p->Get("kernel_size", "1"));
      int group = std::stoi(p->Get("group", "1"));
      bool bias = p->Get("bias_term", "true") != "false";
      std::vector<int> shape = type == "Convolution" ? std::vector<int>{out, in / group, k, k}
                                                     : std::vector<int>{in, out / group, k, k};
      if (name == options.corrupt_layer) shape[1] += 1;
      size_t n = static_cast<size_t>(shape[0]) * shape[1] * shape[2] * shape[3];
      double fan_in = type == "Convolution" ? static_cast<double>(in / group) * k * k
                                            : static_cast<double>(in) * k * k / 4.0;
      std::vector<float> w(n);
      float sd = static_cast<float>(std::sqrt(2.0 / std::max(1.0, fan_in)));
      for (float& v : w) v = static_cast<float>(rng.gaussian(sd));
      blobs.push_back(Blob(shape, w));
      if (bias) blobs.push_back(Blob({out}, std::vector<float>(out, 0.f)));
    } else if (type == "BatchNorm") {
      blobs.push_back(Blob({in}, std::vector<float>(in, 0.f)));
      blobs.push_back(Blob({in}, std::vector<float>(in, 1.f)));
      blobs.push_back(Blob({1}, {1.f}));
    }
    for (const auto& t : tops) channels[t] = out;
    if (blobs.empty() || std::find(options.skip_layers.begin(), options.skip_layers.end(), name) !=
                             options.skip_layers.end()) {
      continue;
    }
    std::string msg;
    Bytes(&msg, 1, name);
    Bytes(&msg, 2, type);
    for (const auto& b : blobs) Bytes(&msg, 7, b);
    Bytes(&net, 100, msg);  // NetParameter.layer
  }
  return WriteFileAtomic(caffemodel, net.data(), net.size());
}

}  // namespace tint::testing
