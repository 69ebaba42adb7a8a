#include "cnn/model_card.h"

#include <cstdlib>
#include <filesystem>

#include "core/config.h"
#include "core/locate.h"

namespace tint {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string Resolve(const std::string& card_path, const std::string& data_root,
                    const std::string& file) {
  if (file.rfind("$data/", 0) == 0) return (fs::path(data_root) / file.substr(6)).string();
  fs::path p(file);
  if (p.is_absolute()) return file;
  return (fs::path(card_path).parent_path() / p).lexically_normal().string();
}

// [input]: the blob, how the photo is resized, and L's offset and scale.
Status ParseCardInput(const json& tree, const std::string& where, ModelCard* card) {
  long long v = 0;
  if (!tree.contains("input")) return Status::Error(where + ": missing [input]");
  const json& in = tree["input"];
  const std::string win = where + " [input]";
  TINT_RETURN_IF_ERROR(CheckKeys(
      in, win,
      {"blob", "resize", "width", "height", "max_side", "multiple", "l_offset", "l_scale"}));
  TINT_RETURN_IF_ERROR(GetString(in, win, "blob", false, &card->input.blob));
  std::string resize = "fixed";
  TINT_RETURN_IF_ERROR(GetString(in, win, "resize", false, &resize));
  if (resize == "fixed") {
    card->input.resize = InputResize::kFixed;
    TINT_RETURN_IF_ERROR(GetInt(in, win, "width", true, 1, 8192, &v));
    card->input.width = static_cast<int>(v);
    TINT_RETURN_IF_ERROR(GetInt(in, win, "height", true, 1, 8192, &v));
    card->input.height = static_cast<int>(v);
  } else if (resize == "fit") {
    card->input.resize = InputResize::kFit;
    TINT_RETURN_IF_ERROR(GetInt(in, win, "max_side", true, 1, 8192, &v));
    card->input.max_side = static_cast<int>(v);
    v = 1;
    TINT_RETURN_IF_ERROR(GetInt(in, win, "multiple", false, 1, 1024, &v));
    card->input.multiple = static_cast<int>(v);
    if (card->input.max_side < card->input.multiple)
      return Status::Error(win + ": max_side is below multiple");
  } else {
    return Status::Error(win + ": resize '" + resize + "' is not fixed or fit");
  }
  TINT_RETURN_IF_ERROR(GetNumber(in, win, "l_offset", false, &card->input.l_offset));
  TINT_RETURN_IF_ERROR(GetNumber(in, win, "l_scale", false, &card->input.l_scale));
  return Status::Ok();
}

// [output]: the blob and its decoder (bins or zhang313 over ab centres, or
// ab directly).
Status ParseCardOutput(const std::string& path, const json& tree, const std::string& where,
                       const ModelCardOptions& options, ModelCard* card) {
  if (!tree.contains("output")) return Status::Error(where + ": missing [output]");
  const json& o = tree["output"];
  const std::string wout = where + " [output]";
  TINT_RETURN_IF_ERROR(
      CheckKeys(o, wout, {"blob", "decoder", "centres", "activation", "temperature", "ab_scale"}));
  TINT_RETURN_IF_ERROR(GetString(o, wout, "blob", false, &card->output.blob));
  std::string decoder, centres, activation = "logits";
  TINT_RETURN_IF_ERROR(GetString(o, wout, "decoder", true, &decoder));
  TINT_RETURN_IF_ERROR(GetString(o, wout, "centres", false, &centres));
  TINT_RETURN_IF_ERROR(GetString(o, wout, "activation", false, &activation));
  TINT_RETURN_IF_ERROR(GetNumber(o, wout, "temperature", false, &card->output.temperature));
  TINT_RETURN_IF_ERROR(GetNumber(o, wout, "ab_scale", false, &card->output.ab_scale));
  if (decoder == "bins" || decoder == "zhang313") {
    card->output.decoder = decoder == "bins" ? DecoderKind::kBins : DecoderKind::kZhang313;
    if (centres.empty()) {
      if (card->output.decoder == DecoderKind::kBins)
        return Status::Error(wout + ": the bins decoder needs 'centres'");
      centres = "$data/zhang2016/pts_in_hull.npy";
    }
    card->output.centres_path = Resolve(path, options.data_root, centres);
    if (activation != "logits" && activation != "probabilities") {
      return Status::Error(wout + ": activation '" + activation +
                           "' is not logits or probabilities");
    }
    card->output.logits = activation == "logits";
    if (!(card->output.temperature > 0.0 && card->output.temperature <= 100.0)) {
      return Status::Error(wout + ": temperature must be in (0, 100]");
    }
  } else if (decoder == "ab") {
    card->output.decoder = DecoderKind::kAb;
    if (!centres.empty()) card->output.centres_path = Resolve(path, options.data_root, centres);
  } else {
    return Status::Error(wout + ": decoder '" + decoder + "' is not bins, zhang313 or ab");
  }
  return Status::Ok();
}

// [[inject]]: constants or the centres fed to layers.
Status ParseCardInjections(const json& tree, const std::string& where, ModelCard* card) {
  long long v = 0;
  if (!tree.contains("inject")) return Status::Ok();
  const json& list = tree["inject"];
  if (!list.is_array()) return Status::Error(where + ": 'inject' must be a list of tables");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string wi = where + " [[inject]] #" + std::to_string(i + 1);
    const json& item = list[i];
    TINT_RETURN_IF_ERROR(CheckKeys(item, wi, {"layer", "value", "constant", "count"}));
    LayerInjection inj;
    TINT_RETURN_IF_ERROR(GetString(item, wi, "layer", true, &inj.layer));
    std::string value;
    TINT_RETURN_IF_ERROR(GetString(item, wi, "value", false, &value));
    if (value == "centres") {
      if (card->output.centres_path.empty())
        return Status::Error(wi + ": injects centres, but [output] has none");
      inj.centres = true;
    } else if (!value.empty()) {
      return Status::Error(wi + ": value '" + value + "' is not 'centres' (use constant + count)");
    } else {
      TINT_RETURN_IF_ERROR(GetNumber(item, wi, "constant", true, &inj.constant));
      TINT_RETURN_IF_ERROR(GetInt(item, wi, "count", true, 1, 1 << 20, &v));
      inj.count = static_cast<int>(v);
    }
    card->injections.push_back(inj);
  }
  return Status::Ok();
}

}  // namespace

Status ParseModelCard(const std::string& path, const json& tree, const ModelCardOptions& options,
                      ModelCard* out) {
  ModelCard card;
  card.path = path;
  const std::string& where = path;
  TINT_RETURN_IF_ERROR(CheckKeys(tree, where,
                                 {"format", "version", "name", "framework", "model", "weights",
                                  "sha256", "input", "output", "inject", "about"}));
  std::string format;
  TINT_RETURN_IF_ERROR(GetString(tree, where, "format", true, &format));
  if (format != "tint-model-card")
    return Status::Error(where + ": format is '" + format + "', not 'tint-model-card'");
  long long version = 0;
  TINT_RETURN_IF_ERROR(GetInt(tree, where, "version", true, 0, 1 << 20, &version));
  if (version != 1)
    return Status::Error(where + ": card version " + std::to_string(version) +
                         " (this tint reads 1)");
  TINT_RETURN_IF_ERROR(GetString(tree, where, "name", true, &card.name));

  std::string framework, model, weights;
  TINT_RETURN_IF_ERROR(GetString(tree, where, "framework", true, &framework));
  TINT_RETURN_IF_ERROR(GetString(tree, where, "model", true, &model));
  TINT_RETURN_IF_ERROR(GetString(tree, where, "weights", false, &weights));
  TINT_RETURN_IF_ERROR(GetString(tree, where, "sha256", false, &card.sha256));
  if (framework == "onnx") {
    card.framework = ModelFramework::kOnnx;
    if (!weights.empty()) return Status::Error(where + ": an onnx model has no separate 'weights'");
  } else if (framework == "caffe") {
    card.framework = ModelFramework::kCaffe;
    if (weights.empty())
      return Status::Error(where + ": a caffe model needs 'weights' (the .caffemodel)");
  } else {
    return Status::Error(where + ": framework '" + framework + "' is not onnx or caffe");
  }
  card.model_path = Resolve(path, options.data_root, model);
  if (!weights.empty()) card.weights_path = Resolve(path, options.data_root, weights);
  if (!options.weights_override.empty()) {
    (card.framework == ModelFramework::kCaffe ? card.weights_path : card.model_path) =
        options.weights_override;
    card.sha256.clear();  // the card's hash is of its own file
  }

  TINT_RETURN_IF_ERROR(ParseCardInput(tree, where, &card));
  TINT_RETURN_IF_ERROR(ParseCardOutput(path, tree, where, options, &card));
  TINT_RETURN_IF_ERROR(ParseCardInjections(tree, where, &card));
  if (tree.contains("about")) card.about = tree["about"];
  *out = std::move(card);
  return Status::Ok();
}

Status LoadModelCard(const std::string& path, const ModelCardOptions& options, ModelCard* card) {
  json tree;
  TINT_RETURN_IF_ERROR(ReadConfigFile(path, &tree));
  ModelCardOptions opts = options;
  if (opts.data_root.empty()) opts.data_root = DefaultDataRoot();
  return ParseModelCard(path, tree, opts, card);
}

}  // namespace tint
