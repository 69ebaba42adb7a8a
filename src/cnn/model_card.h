// Model cards: a small JSON or TOML file beside a network's files that says
// how tint runs it (format, input size and L normalization, output blob and
// decoder, values injected into layers). Schema in README "CNN mode".
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tint {

enum class ModelFramework { kCaffe, kOnnx };
enum class InputResize { kFixed, kFit };
// bins: annealed mean over any set of ab bin centres; zhang313: the same
// with Zhang et al.'s 313 centres (checked); ab: the net regresses (a, b).
enum class DecoderKind { kBins, kZhang313, kAb };

struct ModelInputSpec {
  std::string blob;  // empty: the network's only input
  InputResize resize = InputResize::kFixed;
  int width = 0, height = 0;       // kFixed
  int max_side = 0, multiple = 1;  // kFit: longest side = max_side, sides rounded to `multiple`
  double l_offset = 0.0, l_scale = 1.0;  // network input = (L + l_offset) * l_scale
};

struct ModelOutputSpec {
  std::string blob;  // empty: the network's last output
  DecoderKind decoder = DecoderKind::kBins;
  std::string centres_path;   // bins / zhang313: (K, 2) .npy of (a, b)
  bool logits = true;         // bins: the blob holds logits (else probabilities)
  double temperature = 0.38;  // bins: annealed-mean temperature
  double ab_scale = 1.0;      // ab: (a, b) = blob * ab_scale
};

// A value written into a layer's blobs after loading: the decoder's centres
// as a (2, K, 1, 1) kernel, or a constant vector of `count` values.
struct LayerInjection {
  std::string layer;
  bool centres = false;
  double constant = 0.0;
  int count = 0;
};

struct ModelCard {
  std::string path;  // of the card itself
  std::string name;
  ModelFramework framework = ModelFramework::kOnnx;
  std::string model_path;    // .onnx, or the Caffe .prototxt
  std::string weights_path;  // Caffe .caffemodel
  std::string sha256;        // of model_path (ONNX) or weights_path (Caffe); empty: unchecked
  ModelInputSpec input;
  ModelOutputSpec output;
  std::vector<LayerInjection> injections;
  nlohmann::json about;  // free-form provenance
};

struct ModelCardOptions {
  // A card path starting with "$data/" is resolved against this folder;
  // other relative paths against the card's folder.
  std::string data_root;
  // Replaces the card's weights (Caffe) or model (ONNX) file when set.
  std::string weights_override;
};

Status LoadModelCard(const std::string& path, const ModelCardOptions& options, ModelCard* card);
Status ParseModelCard(const std::string& path, const nlohmann::json& tree,
                      const ModelCardOptions& options, ModelCard* card);

}  // namespace tint
