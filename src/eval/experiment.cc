#include "eval/experiment.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "core/config.h"
#include "core/file_util.h"
#include "core/locate.h"
#include "core/progress.h"
#include "core/workers.h"
#include "eval/metric_table.h"
#include "eval/metrics.h"
#include "eval/region_benchmark.h"
#include "eval/statistics.h"
#include "guide/reference.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/registry.h"

namespace tint {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Where a config's paths point: "$data/..." into the data root, other
// relative paths from the config file's folder (as a path in a CMake or
// Cargo file is), absolute ones as they are.
struct ConfigPaths {
  std::string data_root, config_dir;
  std::string Resolve(const std::string& p) const {
    if (p.rfind("$data/", 0) == 0) return (fs::path(data_root) / p.substr(6)).string();
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(config_dir) / p).lexically_normal().string();
  }
};

bool SafeName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                              c == '.';
                     }) &&
         name[0] != '.';
}

}  // namespace

bool ParseShard(const std::string& text, int* shard, int* shards) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    size_t a = 0, b = 0;
    const int i = std::stoi(text.substr(0, slash), &a), n = std::stoi(text.substr(slash + 1), &b);
    if (a != slash || b != text.size() - slash - 1 || n < 1 || i < 0 || i >= n) return false;
    *shard = i;
    *shards = n;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

Status ResolveDataset(const std::string& w, DatasetSpec* dataset) {
  DatasetSpec& s = *dataset;
  if (s.kind == "bsds500") {
    if (s.split.empty()) return Status::Error(w + ": a bsds500 data set needs 'split'");
    s.images_dir = (fs::path(s.path) / "images" / s.split).string();
    if (s.regions) s.segmentations_dir = (fs::path(s.path) / "segmentations" / s.split).string();
  } else if (s.kind == "camvid") {
    if (s.split.empty()) return Status::Error(w + ": a camvid data set needs 'split'");
    s.images_dir = (fs::path(s.path) / s.split).string();
    s.labels_dir = (fs::path(s.path) / (s.split + "annot")).string();
  } else if (s.kind == "folder") {
    if (!s.split.empty()) return Status::Error(w + ": a folder data set has no 'split'");
    s.images_dir = s.path;
  } else {
    return Status::Error(w + ": kind '" + s.kind + "' is not bsds500, camvid or folder");
  }
  if (s.regions && s.kind != "bsds500")
    return Status::Error(w + ": regions needs a bsds500 data set");
  std::error_code ec;
  if (!s.segmentations_dir.empty() && !fs::is_directory(s.segmentations_dir, ec)) {
    return Status::Error(w + ": " + s.segmentations_dir + " is not a folder");
  }
  if (!fs::is_directory(s.images_dir, ec)) {
    return Status::Error(w + ": data set '" + s.name + "' not found: " + s.images_dir +
                         " is not a folder");
  }
  return Status::Ok();
}

namespace {

// One [[dataset]] table (`w` names it in messages), after the `before` ones.
Status ParseDataset(const json& d, const std::string& w, const ConfigPaths& paths,
                    const std::vector<DatasetSpec>& before, DatasetSpec* out) {
  DatasetSpec s;
  TINT_RETURN_IF_ERROR(
      CheckKeys(d, w, {"name", "kind", "path", "split", "limit", "regions", "segment_counts"}));
  TINT_RETURN_IF_ERROR(GetString(d, w, "name", true, &s.name));
  TINT_RETURN_IF_ERROR(GetString(d, w, "kind", true, &s.kind));
  TINT_RETURN_IF_ERROR(GetString(d, w, "path", true, &s.path));
  TINT_RETURN_IF_ERROR(GetString(d, w, "split", false, &s.split));
  long long limit = 0;
  TINT_RETURN_IF_ERROR(GetInt(d, w, "limit", false, 0, 1'000'000, &limit));
  s.limit = static_cast<int>(limit);
  TINT_RETURN_IF_ERROR(GetBool(d, w, "regions", false, &s.regions));
  if (d.contains("segment_counts")) {
    const json& counts = d["segment_counts"];
    if (!counts.is_array() || counts.empty())
      return Status::Error(w + ": segment_counts must be a list of integers");
    s.segment_counts.clear();
    for (const json& v : counts) {
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 1000) {
        return Status::Error(w + ": segment_counts must hold integers in 1..1000");
      }
      s.segment_counts.push_back(v.get<int>());
    }
  }
  if (!SafeName(s.name)) return Status::Error(w + ": name must be 1..64 of [A-Za-z0-9._-]");
  for (const auto& other : before) {
    if (other.name == s.name)
      return Status::Error(w + ": duplicate data set name '" + s.name + "'");
  }
  s.path = paths.Resolve(s.path);
  TINT_RETURN_IF_ERROR(ResolveDataset(w, &s));
  *out = std::move(s);
  return Status::Ok();
}

// A method's reference file: dataset<TAB>photo<TAB>reference per line.
Status ReadReferencePairs(const std::string& w, const ConfigPaths& paths, ExperimentMethod* s) {
  std::vector<uint8_t> bytes;
  TINT_RETURN_IF_ERROR(PrefixError(w + ": reference: ", ReadFileBytes(s->reference, &bytes)));
  std::istringstream lines(std::string(bytes.begin(), bytes.end()));
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::istringstream cell(line);
    for (std::string c; std::getline(cell, c, '\t');) cells.push_back(c);
    if (cells.size() != 3 || cells[0].empty() || cells[1].empty() || cells[2].empty()) {
      return Status::Error(s->reference + ":" + std::to_string(number) +
                           ": expected dataset<TAB>photo<TAB>reference");
    }
    s->reference_of[{cells[0], cells[1]}] = paths.Resolve(cells[2]);
  }
  if (s->reference_of.empty()) return Status::Error(s->reference + ": no pairs");
  return Status::Ok();
}

// One [[method]] table (`w` names it in messages), after the `before` ones.
Status ParseMethod(const json& m, const std::string& w, const ConfigPaths& paths,
                   const std::vector<ExperimentMethod>& before, ExperimentMethod* out) {
  ExperimentMethod s;
  TINT_RETURN_IF_ERROR(CheckKeys(m, w,
                                 {"name", "mode", "model", "db", "options", "hints", "hint_reach",
                                  "hint_weights", "reference"}));
  TINT_RETURN_IF_ERROR(GetString(m, w, "name", true, &s.name));
  TINT_RETURN_IF_ERROR(GetString(m, w, "mode", true, &s.spec.method));
  if (!SafeName(s.name) || s.name == "grayscale") {
    return Status::Error(w + ": name must be 1..64 of [A-Za-z0-9._-] and not 'grayscale'");
  }
  for (const auto& other : before) {
    if (other.name == s.name) return Status::Error(w + ": duplicate method name '" + s.name + "'");
  }
  // The mode is a registered method; what it takes decides the keys.
  const MethodInfo* info = FindMethod(s.spec.method);
  if (s.spec.method == "grayscale")
    return Status::Error(w + ": the grayscale baseline is always run; leave it out of [[method]]");
  if (info == nullptr) {
    return Status::Error(w + ": mode '" + s.spec.method + "' is not a registered method (" +
                         RegisteredMethodNames() + ")");
  }
  if (info->takes_model) {
    // Without one, the card the CLI uses by default (core/locate.h).
    TINT_RETURN_IF_ERROR(GetString(m, w, "model", false, &s.spec.model));
    s.spec.model = s.spec.model.empty() ? DefaultModelCard() : paths.Resolve(s.spec.model);
  } else if (m.contains("model")) {
    return Status::Error(w + ": method '" + s.spec.method + "' takes no 'model'");
  }
  if (m.contains("db")) {
    if (!info->reads_database)
      return Status::Error(w + ": method '" + s.spec.method + "' reads no patch database ('db')");
    TINT_RETURN_IF_ERROR(GetString(m, w, "db", true, &s.db));
    s.db = paths.Resolve(s.db);
  }
  if (m.contains("hints")) {
    TINT_RETURN_IF_ERROR(GetString(m, w, "hints", true, &s.hints));
    s.hints = paths.Resolve(s.hints);
    std::error_code ec;
    if (!fs::is_directory(s.hints, ec))
      return Status::Error(w + ": hints folder " + s.hints + " does not exist");
  }
  GuidesGiven given;
  given.reference = m.contains("reference");
  given.hints = m.contains("hints");
  TINT_RETURN_IF_ERROR(
      PrefixError(w + ": ", CheckGuidesApply(*info, given,
                                             {"reference = \"PAIRS.tsv\"", "",
                                              "hints = \"FOLDER\" (<photo stem>.png each)", ""})));
  if (m.contains("reference")) {
    TINT_RETURN_IF_ERROR(GetString(m, w, "reference", true, &s.reference));
    s.reference = paths.Resolve(s.reference);
    TINT_RETURN_IF_ERROR(ReadReferencePairs(w, paths, &s));
  }
  if (m.contains("hint_reach")) {
    const json& r = m["hint_reach"];
    HintOptions check;
    std::string error;
    if (!r.is_number() || s.hints.empty() || !(check.reach = r.get<double>(), check.Check(&error)))
      return Status::Error(w + ": hint_reach must be a number in 0..1000000 and needs hints");
    s.hint_reach = check.reach;
  }
  if (m.contains("hint_weights")) {
    const json& v = m["hint_weights"];
    if (!v.is_string() || s.hints.empty() ||
        !ParseHintWeights(v.get<std::string>(), &s.hint_weights))
      return Status::Error(w + ": hint_weights must be \"levin\" or \"symmetric\" and needs hints");
  }
  if (m.contains("options")) {
    if (info->options == nullptr)
      return Status::Error(w + ": method '" + s.spec.method + "' takes no 'options'");
    const json& o = m["options"];
    if (!o.is_object()) return Status::Error(w + ": 'options' must be a table");
    s.spec.options = o;
  }
  // Keys are the option table's names; each value is parsed and checked
  // now, once, so a bad one stops the run before any work and names the
  // key, and the built options travel with the spec to the factory.
  TINT_RETURN_IF_ERROR(
      PrefixError(w + " (method '" + s.name + "'): ", PrepareSpec(&s.spec, OptionSpelling::kKey)));
  *out = std::move(s);
  return Status::Ok();
}

}  // namespace

Status LoadExperimentConfig(const std::string& path, const std::string& data_root,
                            ExperimentConfig* out) {
  ExperimentConfig c;
  c.path = path;
  const ConfigPaths paths{data_root, fs::path(path).parent_path().string()};
  TINT_RETURN_IF_ERROR(ReadConfigFile(path, &c.tree));
  TINT_RETURN_IF_ERROR(Sha256OfFile(path, &c.text_sha256));
  const json& t = c.tree;
  TINT_RETURN_IF_ERROR(
      CheckKeys(t, path, {"name", "description", "dataset", "method", "save_outputs"}));
  TINT_RETURN_IF_ERROR(GetBool(t, path, "save_outputs", false, &c.save_outputs));
  TINT_RETURN_IF_ERROR(GetString(t, path, "name", true, &c.name));
  if (!SafeName(c.name)) return Status::Error(path + ": name must be 1..64 of [A-Za-z0-9._-]");
  if (!t.contains("dataset") || !t["dataset"].is_array() || t["dataset"].empty()) {
    return Status::Error(path + ": needs at least one [[dataset]]");
  }
  for (size_t i = 0; i < t["dataset"].size(); ++i) {
    DatasetSpec s;
    TINT_RETURN_IF_ERROR(ParseDataset(
        t["dataset"][i], path + " [[dataset]] #" + std::to_string(i + 1), paths, c.datasets, &s));
    c.datasets.push_back(s);
  }
  if (t.contains("method")) {
    if (!t["method"].is_array()) return Status::Error(path + ": 'method' must be a list of tables");
    for (size_t i = 0; i < t["method"].size(); ++i) {
      ExperimentMethod s;
      TINT_RETURN_IF_ERROR(ParseMethod(
          t["method"][i], path + " [[method]] #" + std::to_string(i + 1), paths, c.methods, &s));
      c.methods.push_back(s);
    }
  }
  *out = std::move(c);
  return Status::Ok();
}

Status ListPhotos(const DatasetSpec& dataset, std::vector<std::string>* photos) {
  photos->clear();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dataset.images_dir, ec)) {
    if (HasImageExtension(e.path().string())) photos->push_back(e.path().string());
  }
  if (ec) return Status::Error(dataset.images_dir + ": " + ec.message());
  std::sort(photos->begin(), photos->end());
  if (dataset.limit > 0 && static_cast<int>(photos->size()) > dataset.limit)
    photos->resize(dataset.limit);
  if (photos->empty())
    return Status::Error("data set '" + dataset.name + "': no photos in " + dataset.images_dir);
  return Status::Ok();
}

Status ColorizeWithGuide(const ExperimentConfig& config, size_t m, const Colorizer& colorizer,
                         const std::string& dataset, const std::string& photo, const cv::Mat& image,
                         const ImageReadOptions& read, cv::Mat* out8, ColorizeDetails* details) {
  const ExperimentMethod* spec =
      m > 0 && m <= config.methods.size() ? &config.methods[m - 1] : nullptr;
  Hints hints;
  ReferenceGuide reference;
  PhotoGuide guide;
  if (spec != nullptr && !spec->reference.empty()) {
    const std::string name = fs::path(photo).filename().string();
    const auto it = spec->reference_of.find({dataset, name});
    if (it == spec->reference_of.end()) {
      return Status::Error(spec->reference + " has no reference for " + dataset + " " + name);
    }
    reference.what = it->second;
    TINT_RETURN_IF_ERROR(ReadImage(read, it->second, &reference.bgr));
    guide.reference = &reference;
  }
  if (spec != nullptr && !spec->hints.empty()) {
    const std::string path =
        (fs::path(spec->hints) / (fs::path(photo).stem().string() + ".png")).string();
    cv::Mat hint_image;
    TINT_RETURN_IF_ERROR(ReadImage(read, path, &hint_image));
    TINT_RETURN_IF_ERROR(ReadHints(hint_image, image.size(), path, &hints));
    guide.hints = &hints;
    guide.hint_options.reach = spec->hint_reach;
    guide.hint_options.weights = spec->hint_weights;
  }
  return ColorizePhoto(colorizer, PostOptions(), image, out8, details, &guide);
}

namespace {

// Metrics of one photo for every method, as JSON.
// A thumbnail kGalleryThumbWidth wide, as JPEG (atomically).
Status WriteThumb(const cv::Mat& bgr8, const std::string& path) {
  cv::Mat thumb;
  const double s = static_cast<double>(kGalleryThumbWidth) / bgr8.cols;
  cv::resize(
      bgr8, thumb,
      cv::Size(kGalleryThumbWidth, std::max(1, static_cast<int>(std::lround(bgr8.rows * s)))), 0, 0,
      cv::INTER_AREA);
  std::vector<uint8_t> bytes;
  if (!cv::imencode(".jpg", thumb, bytes, {cv::IMWRITE_JPEG_QUALITY, 88}))
    return Status::Error(path + ": cannot encode");
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::Error(path + ": cannot create its folder (" + ec.message() + ")");
  return WriteFileAtomic(path, bytes.data(), bytes.size());
}

// save_outputs: the output as PNG and its thumbnail.
Status SaveOutput(const std::string& out_dir, const std::string& dataset, const std::string& method,
                  const std::string& photo, const cv::Mat& out8) {
  const std::string path = SavedOutputPath(out_dir, dataset, method, photo);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::Error(path + ": cannot create its folder (" + ec.message() + ")");
  std::vector<uint8_t> png;
  if (!cv::imencode(".png", out8, png)) return Status::Error(path + ": cannot encode");
  TINT_RETURN_IF_ERROR(WriteFileAtomic(path, png.data(), png.size()));
  return WriteThumb(out8, GalleryThumbPath(out_dir, dataset, photo, method));
}

// Scores the methods marked in `run` on one photo into *result, which holds
// the scores kept of the others (resume) or is empty; with `save_dir`
// (RunOptions::save_outputs), keeps each output and thumbnail there.
Status ScorePhoto(const ExperimentConfig& config, const DatasetSpec& dataset,
                  const std::string& photo, const std::vector<const Colorizer*>& methods,
                  const std::vector<std::string>& names, const std::vector<char>& run,
                  const AbPrior& prior, const ImageReadOptions& read, const std::string& save_dir,
                  json* result) {
  cv::Mat image;
  TINT_RETURN_IF_ERROR(ReadImage(read, photo, &image));
  cv::Mat truth_l, truth_ab, truth8;
  SplitLab(image, &truth_l, &truth_ab);
  ToFloatBgr(image).convertTo(truth8, CV_8UC3, 255.0);
  cv::Mat annot;
  if (!dataset.labels_dir.empty()) {
    const fs::path annot_path = fs::path(dataset.labels_dir) / fs::path(photo).filename();
    TINT_RETURN_IF_ERROR(ReadImage(read, annot_path.string(), &annot));
    if (annot.size() != image.size() || annot.type() != CV_8U) {
      return Status::Error(annot_path.string() + ": label map does not match the photo");
    }
  }
  json r = result->is_object() ? *result : json::object();
  r["photo"] = fs::path(photo).filename().string();
  r["width"] = image.cols;
  r["height"] = image.rows;
  r["colorfulness_truth"] = Colorfulness(truth8);
  if (!save_dir.empty())
    TINT_RETURN_IF_ERROR(
        WriteThumb(truth8, GalleryThumbPath(save_dir, dataset.name, photo, "truth")));
  json ms = r.contains("methods") && r["methods"].is_object() ? r["methods"] : json::object();
  for (size_t m = 0; m < methods.size(); ++m) {
    if (!run[m]) continue;
    const auto t0 = std::chrono::steady_clock::now();
    cv::Mat out8;
    ColorizeDetails details;
    const Status cs = ColorizeWithGuide(config, m, *methods[m], dataset.name, photo, image, read,
                                        &out8, &details);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!cs.ok()) return Status::Error(photo + ": " + names[m] + ": " + cs.message());
    if (!save_dir.empty())
      TINT_RETURN_IF_ERROR(SaveOutput(save_dir, dataset.name, names[m], photo, out8));
    PhotoScoreInput in;
    in.out8 = out8;
    SplitLab(out8, &in.out_l, &in.out_ab);
    in.truth8 = truth8;
    in.truth_l = truth_l;
    in.truth_ab = truth_ab;
    in.prior = &prior;
    in.seconds = seconds;
    json j;
    for (const MetricInfo& metric : MetricTable()) j[metric.key] = metric.compute(in);
    std::vector<double> curve;
    AbAuc(in.out_ab, truth_ab, &curve);
    // The cumulative error curve at t = 0, 5, ..., 150 (for plots).
    json c = json::array();
    for (size_t t = 0; t < curve.size(); t += 5) c.push_back(std::round(curve[t] * 1e5) / 1e5);
    j["auc_curve_step5"] = c;
    if (!annot.empty() && !details.labels.empty()) {
      std::vector<std::vector<double>> conf;
      AccumulateCamVidConfusion(annot, FieldAtSize(details.labels, annot.size()),
                                details.label_names, &conf);
      j["label_confusion"] = conf;
    }
    ms[names[m]] = j;
  }
  r["methods"] = ms;
  // Region scores depend on the data set's settings only, as the baseline's
  // key does: kept with it, made again with it.
  if (dataset.regions && (run[0] || !r.contains("regions"))) {
    std::vector<cv::Mat> truths;
    TINT_RETURN_IF_ERROR(ReadBsdsHumanSegmentations(dataset.segmentations_dir,
                                                    fs::path(photo).stem().string(), &truths));
    if (truths[0].size() != image.size())
      return Status::Error(photo + ": human segmentations have another size");
    NCutSweep sweep;
    sweep.segment_counts = dataset.segment_counts;
    json regions = json::array();
    for (const RegionScores& rs : ScoreNCutSweep(sweep, truth_l, truths)) {
      regions.push_back({{"covering_sum", rs.covering_sum},
                         {"covering_pixels", rs.covering_pixels},
                         {"pri", rs.pri},
                         {"voi", rs.voi}});
    }
    r["regions"] = regions;
  }
  *result = std::move(r);
  return Status::Ok();
}

std::string ResultStem(const std::string& photo) { return fs::path(photo).filename().string(); }

// A method's output and thumbnail that save_outputs keeps of a photo are
// there.
bool OutputSaved(const std::string& out_dir, const std::string& dataset, const std::string& name,
                 const std::string& photo) {
  std::error_code ec;
  return fs::exists(SavedOutputPath(out_dir, dataset, name, photo), ec) &&
         fs::exists(GalleryThumbPath(out_dir, dataset, photo, name), ec);
}

// SHA-256 of a photo's bytes, which every result records ("photo_sha256"),
// so that a photo replaced in place, or a data set pointed at other photos
// of the same names, never keeps another photo's result. Empty when the
// photo cannot be read (its result is then never reused).
std::string PhotoSha256(const std::string& photo) {
  std::string hex;
  return Sha256OfFile(photo, &hex).ok() ? hex : std::string();
}

// A stored result as --resume, the summary and --merge see it.
struct StoredResult {
  json r;
  // Why none of it can be used ("": it can): not a readable result, or the
  // result of other bytes of the photo. --resume redoes such a result.
  std::string problem;
  // Per method (baseline first): its scores are there, with every metric,
  // under its key; `unusable` says why the first that is not cannot be used.
  std::vector<char> usable;
  std::string unusable;
};

StoredResult ReadStoredResult(const fs::path& path, const std::vector<std::string>& keys,
                              const std::string& photo_sha256,
                              const std::vector<std::string>& names) {
  StoredResult s;
  s.usable.assign(names.size(), 0);
  json& r = s.r;
  if (!ReadConfigFile(path.string(), &r).ok() || !r.is_object() || !r.contains("methods") ||
      !r["methods"].is_object()) {
    s.problem = path.string() + ": not a readable result";
    return s;
  }
  if (photo_sha256.empty() || r.value("photo_sha256", std::string()) != photo_sha256) {
    s.problem = path.string() + " was made from other bytes of the photo (replaced since?)";
    return s;
  }
  for (size_t m = 0; m < names.size(); ++m) {
    const std::string& name = names[m];
    std::string why;
    const json& methods = r["methods"];
    if (!methods.contains(name) || !methods[name].is_object()) {
      why = "has no result for method '" + name + "'";
    } else if (methods[name].value("key", std::string()) != keys[m]) {
      why = "method '" + name +
            "' was made with other settings (options, data set, patch database or model)";
    } else {
      for (const MetricInfo& metric : MetricTable()) {
        if (!methods[name].contains(metric.key) || !methods[name][metric.key].is_number()) {
          why = "has no '" + std::string(metric.key) + "' for method '" + name + "'";
          break;
        }
      }
    }
    s.usable[m] = why.empty();
    if (!why.empty() && s.unusable.empty()) s.unusable = path.string() + ": " + why;
  }
  return s;
}

}  // namespace

std::string SavedOutputPath(const std::string& out_dir, const std::string& dataset,
                            const std::string& method, const std::string& photo) {
  // The photo's name, with ".png" unless it has it: a.jpg and a.png stay apart.
  const std::string name = fs::path(photo).filename().string();
  const bool png = fs::path(name).extension() == ".png";
  return (fs::path(out_dir) / "outputs" / dataset / method / (png ? name : name + ".png")).string();
}

std::string GalleryThumbPath(const std::string& out_dir, const std::string& dataset,
                             const std::string& photo, const std::string& method) {
  return (fs::path(out_dir) / "gallery" / dataset / fs::path(photo).filename() / (method + ".jpg"))
      .string();
}

std::vector<std::string> MethodKeys(const ExperimentConfig& config, const DatasetSpec& dataset,
                                    const std::vector<std::string>& contexts) {
  const json d = {{"kind", dataset.kind},
                  {"split", dataset.split},
                  {"regions", dataset.regions},
                  {"segment_counts", dataset.segment_counts}};
  auto context = [&](size_t m) { return m < contexts.size() ? contexts[m] : std::string(); };
  std::vector<std::string> keys;
  keys.push_back(
      Sha256Hex(json({{"name", "grayscale"}, {"dataset", d}, {"context", context(0)}}).dump()));
  for (size_t i = 0; i < config.methods.size(); ++i) {
    const ExperimentMethod& m = config.methods[i];
    json method = {{"name", m.name},        {"mode", m.spec.method}, {"options", m.spec.options},
                   {"model", m.spec.model}, {"dataset", d},          {"context", context(i + 1)}};
    if (!m.hints.empty()) {
      method.update({{"hints", m.hints},
                     {"hint_reach", m.hint_reach},
                     {"hint_weights", HintWeightsName(m.hint_weights)}});
    }
    if (!m.reference.empty()) method["reference"] = m.reference_of;
    keys.push_back(Sha256Hex(method.dump()));
  }
  return keys;
}

namespace {

// One photo to score: which methods to run (baseline first), and the
// stored result whose other methods' scores are kept (resume), or null.
struct PhotoWork {
  size_t photo = 0;
  std::vector<char> run;
  json kept;
};

// Before the first photo: what the run will do and, from each method's
// stated cost scaled by the first photo's pixels, about how long; with
// --resume, which methods it keeps and which it reruns.
void PrintPlan(const ExperimentConfig& config, const std::vector<std::string>& names,
               const RunOptions& options, const std::vector<std::vector<std::string>>& lists,
               const std::vector<std::vector<PhotoWork>>& work) {
  int photos = 0;
  double pixels = 0;
  std::vector<int> runs(names.size(), 0);  // photos each method runs on
  for (size_t d = 0; d < work.size(); ++d) {
    if (work[d].empty()) continue;
    const int mine = static_cast<int>(work[d].size());
    photos += mine;
    for (const PhotoWork& w : work[d])
      for (size_t m = 0; m < names.size(); ++m) runs[m] += w.run[m];
    cv::Mat first;
    if (ReadImage(options.read, lists[d][work[d][0].photo], &first).ok())
      pixels += static_cast<double>(first.total()) * mine;
  }
  if (photos == 0) return;
  const double scale = pixels / photos / kTypicalPixels;  // the mean photo's size
  std::string each, kept;
  double total = 0;
  bool unstated = false;
  for (size_t m = 0; m < names.size(); ++m) {
    const MethodInfo* info =
        FindMethod(m == 0 ? std::string("grayscale") : config.methods[m - 1].spec.method);
    const double s = info != nullptr ? info->typical_seconds * scale : 0;
    unstated = unstated || (s <= 0 && runs[m] > 0);
    total += s * runs[m];
    char text[128];
    if (s <= 0)
      std::snprintf(text, sizeof text, "%s ?", names[m].c_str());
    else
      std::snprintf(text, sizeof text, "%s %.2g s%s", names[m].c_str(), s,
                    info->typical_seconds >= kSlowSeconds ? " (slow)" : "");
    each += (each.empty() ? "" : ", ") + std::string(text);
    if (runs[m] < photos) {
      std::snprintf(text, sizeof text, "%s (%d of %d photos kept)", names[m].c_str(),
                    photos - runs[m], photos);
      kept += (kept.empty() ? "" : ", ") + std::string(text);
    }
  }
  const double seconds = total / std::max(1, options.jobs);
  char when[48];
  if (seconds < 1)
    std::snprintf(when, sizeof when, "under 1 s");
  else if (seconds < 120)
    std::snprintf(when, sizeof when, "%.0f s", seconds);
  else if (seconds < 7200)
    std::snprintf(when, sizeof when, "%.0f min", seconds / 60);
  else
    std::snprintf(when, sizeof when, "%.1f h", seconds / 3600);
  std::fprintf(stderr,
               "tint eval: plan: %d photos x %zu methods; expected per photo (stated cost): %s; "
               "about %s at %d job(s)%s\n",
               photos, names.size(), each.c_str(), when, std::max(1, options.jobs),
               unstated ? ", more for the methods marked ?" : "");
  if (!kept.empty())
    std::fprintf(stderr, "tint eval: resume keeps the stored results of %s\n", kept.c_str());
}

// A data set's photos and, of them, this shard's work. With --resume a
// stored method result is kept when its key is keys' (and, with
// save_outputs, its output is there); a photo with nothing to rerun is
// skipped, a corrupt result (or one of other bytes) is redone whole.
Status PhotosToDo(const DatasetSpec& dataset, const std::vector<std::string>& names,
                  const std::vector<std::string>& keys, const RunOptions& options,
                  RunCounts* counts, std::vector<std::string>* photos_out,
                  std::vector<PhotoWork>* work_out) {
  std::vector<std::string> photos;
  TINT_RETURN_IF_ERROR(ListPhotos(dataset, &photos));
  const fs::path dir = fs::path(options.out_dir) / "photos" / dataset.name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Error(dir.string() + ": cannot create (" + ec.message() + ")");

  std::vector<PhotoWork> work;
  for (size_t i = 0; i < photos.size(); ++i) {
    if (static_cast<int>(i % options.shards) != options.shard) continue;
    PhotoWork w;
    w.photo = i;
    w.run.assign(names.size(), 1);
    const fs::path result = dir / (ResultStem(photos[i]) + ".json");
    if (options.resume && fs::exists(result, ec)) {
      StoredResult stored = ReadStoredResult(result, keys, PhotoSha256(photos[i]), names);
      if (!stored.problem.empty()) {
        std::fprintf(stderr, "tint eval: %s; redoing it\n", stored.problem.c_str());
      } else {
        bool any = options.save_outputs &&
                   !fs::exists(GalleryThumbPath(options.out_dir, dataset.name, photos[i], "truth"));
        for (size_t m = 0; m < names.size(); ++m) {
          w.run[m] = !stored.usable[m] ||
                     (options.save_outputs &&
                      !OutputSaved(options.out_dir, dataset.name, names[m], photos[i]));
          any = any || w.run[m];
        }
        if (!any) {
          ++counts->skipped;
          continue;
        }
        w.kept = std::move(stored.r);
      }
    }
    fs::remove(dir / (ResultStem(photos[i]) + ".error"), ec);
    work.push_back(std::move(w));
  }
  *photos_out = std::move(photos);
  *work_out = std::move(work);
  return Status::Ok();
}

}  // namespace

Status RunExperiment(const ExperimentConfig& config, const std::vector<const Colorizer*>& methods,
                     const std::vector<std::string>& names, const RunOptions& options,
                     RunCounts* counts) {
  TINT_CHECK(methods.size() == names.size() && !methods.empty(), "one name per method");
  TINT_CHECK(!options.out_dir.empty(), "RunOptions.out_dir is required");
  *counts = RunCounts();
  const size_t sets = config.datasets.size();
  std::vector<std::vector<std::string>> lists(sets), keys(sets);
  std::vector<std::vector<PhotoWork>> works(sets);
  for (size_t d = 0; d < sets; ++d) {
    keys[d] = MethodKeys(config, config.datasets[d], options.contexts);
    TINT_RETURN_IF_ERROR(
        PhotosToDo(config.datasets[d], names, keys[d], options, counts, &lists[d], &works[d]));
  }
  if (options.progress) PrintPlan(config, names, options, lists, works);
  for (size_t d = 0; d < sets; ++d) {
    const DatasetSpec& dataset = config.datasets[d];
    const std::vector<std::string>& photos = lists[d];
    std::vector<PhotoWork>& work = works[d];
    const fs::path dir = fs::path(options.out_dir) / "photos" / dataset.name;
    if (work.empty()) continue;

    // The rebalanced AuC's prior: the truth of the whole data set (every
    // shard computes the same one).
    AbPrior prior;
    for (const std::string& photo : photos) {
      cv::Mat image, l, ab;
      if (!ReadImage(options.read, photo, &image).ok()) continue;
      SplitLab(image, &l, &ab);
      prior.Add(ab);
    }
    if (prior.total() == 0)
      return Status::Error("data set '" + dataset.name + "': no readable photo");

    std::atomic<int> finished{0};
    std::mutex mutex;
    Progress progress(dataset.name, static_cast<int>(work.size()));
    Status first_error;
    ForEachOnThreads(work.size(), options.jobs, [&](size_t k) {
      PhotoWork& w = work[k];
      const std::string& photo = photos[w.photo];
      json result = std::move(w.kept);
      const std::string photo_sha256 = PhotoSha256(photo);  // before the read that is scored
      const Status s =
          ScorePhoto(config, dataset, photo, methods, names, w.run, prior, options.read,
                     options.save_outputs ? options.out_dir : std::string(), &result);
      Status ws;
      int kept = 0;
      if (s.ok()) {
        for (size_t m = 0; m < names.size(); ++m) {
          if (w.run[m])
            result["methods"][names[m]]["key"] = keys[d][m];
          else
            ++kept;
        }
        result.erase("key");  // a whole-result key of older versions
        result["photo_sha256"] = photo_sha256;
        ws = WriteFileAtomic((dir / (ResultStem(photo) + ".json")).string(), result.dump(1) + "\n");
      } else {
        // The photo cannot be scored now: a result stored of it is stale.
        std::error_code ec;
        fs::remove(dir / (ResultStem(photo) + ".json"), ec);
        ws = WriteFileAtomic((dir / (ResultStem(photo) + ".error")).string(), s.message() + "\n");
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (!ws.ok() && first_error.ok()) first_error = ws;
      if (s.ok()) {
        ++counts->done;
        counts->kept += kept;
      } else {
        std::fprintf(stderr, "tint eval: error: %s (skipped)\n", s.message().c_str());
        ++counts->failed;
      }
      if (options.progress) progress.Step(++finished, fs::path(photo).filename().string());
    });
    if (options.progress) progress.Finish();
    TINT_RETURN_IF_ERROR(first_error);
  }
  return Status::Ok();
}

namespace {

// A data set's stored results summed per method: metric values, AuC curves,
// CamVid label confusions, region scores per photo, and counts.
struct DatasetSums {
  // Per method and metric, each done photo's value, in photo order.
  std::map<std::string, std::map<std::string, std::vector<double>>> values;
  std::map<std::string, std::vector<double>> curve;
  std::map<std::string, std::vector<std::vector<double>>> confusion;
  std::vector<std::vector<RegionScores>> region_scores;
  int done = 0, failed = 0, missing = 0;
  double colorfulness_truth = 0;
};

// The metric table as the summary lists it; *keys gets its keys in order.
json MetricsJson(std::vector<std::string>* keys) {
  json metrics = json::array();
  for (const MetricInfo& m : MetricTable()) {
    keys->push_back(m.key);
    metrics.push_back({{"key", m.key},
                       {"header", m.header},
                       {"digits", m.digits},
                       {"higher_is_better", m.higher_is_better},
                       {"description", m.description}});
  }
  return metrics;
}

// One photo's checked result added to the sums, and its CSV rows.
Status AddPhotoResult(const DatasetSpec& dataset, const std::vector<std::string>& names,
                      const std::vector<std::string>& metric_keys, const fs::path& result,
                      const json& r, std::ostringstream* csv, DatasetSums* d) {
  ++d->done;
  d->colorfulness_truth += r.value("colorfulness_truth", 0.0);
  if (dataset.regions) {
    if (!r.contains("regions") || r["regions"].size() != dataset.segment_counts.size())
      return Status::Error(result.string() + ": no region scores for this config's segment counts");
    std::vector<RegionScores> per_count;
    for (const json& x : r["regions"]) {
      RegionScores rs;
      rs.covering_sum = x.value("covering_sum", 0.0);
      rs.covering_pixels = x.value("covering_pixels", 0.0);
      rs.pri = x.value("pri", 0.0);
      rs.voi = x.value("voi", 0.0);
      per_count.push_back(rs);
    }
    d->region_scores.push_back(per_count);
  }
  for (const std::string& name : names) {
    const json& j = r["methods"][name];
    *csv << dataset.name << "," << r.value("photo", std::string()) << "," << name;
    for (const auto& m : metric_keys) {
      const double v = j.at(m).get<double>();  // ReadStoredResult checked every key
      d->values[name][m].push_back(v);
      *csv << "," << v;
    }
    *csv << "," << r.value("colorfulness_truth", 0.0) << "," << r.value("width", 0) << ","
         << r.value("height", 0) << "\n";
    if (j.contains("auc_curve_step5")) {
      auto c = j["auc_curve_step5"].get<std::vector<double>>();
      auto& acc = d->curve[name];
      acc.resize(c.size(), 0.0);
      for (size_t i = 0; i < c.size(); ++i) acc[i] += c[i];
    }
    if (j.contains("label_confusion")) {
      auto c = j["label_confusion"].get<std::vector<std::vector<double>>>();
      auto& acc = d->confusion[name];
      if (acc.empty())
        acc = c;
      else
        for (size_t a = 0; a < c.size(); ++a)
          for (size_t b = 0; b < c[a].size(); ++b) acc[a][b] += c[a][b];
    }
  }
  return Status::Ok();
}

// Reads and checks every stored result of a data set into *d.
Status SumDataset(const ExperimentConfig& config, const DatasetSpec& dataset,
                  const std::vector<std::string>& names,
                  const std::vector<std::string>& metric_keys, const std::string& out_dir,
                  const std::vector<std::string>& contexts, const std::vector<std::string>& photos,
                  std::ostringstream* csv, DatasetSums* d) {
  const fs::path dir = fs::path(out_dir) / "photos" / dataset.name;
  const std::vector<std::string> keys = MethodKeys(config, dataset, contexts);
  std::error_code ec;
  for (const std::string& photo : photos) {
    const fs::path result = dir / (ResultStem(photo) + ".json");
    if (!fs::exists(result, ec)) {
      (fs::exists(dir / (ResultStem(photo) + ".error"), ec) ? d->failed : d->missing) += 1;
      continue;
    }
    const StoredResult stored = ReadStoredResult(result, keys, PhotoSha256(photo), names);
    if (!stored.problem.empty())
      return Status::Error(stored.problem + "; run again with --resume to redo it");
    if (!stored.unusable.empty()) {
      return Status::Error(stored.unusable +
                           "; results of other settings are never mixed: run again with --resume "
                           "to rerun only what changed, or use another --out");
    }
    TINT_RETURN_IF_ERROR(AddPhotoResult(dataset, names, metric_keys, result, stored.r, csv, d));
  }
  return Status::Ok();
}

json RegionsJson(const DatasetSpec& dataset, const std::vector<std::vector<RegionScores>>& scores) {
  const RegionSummary rs = SummarizeRegions(scores);
  return {{"method", "tint normalized cuts on L"},
          {"segment_counts", dataset.segment_counts},
          {"covering",
           {{"ods", rs.covering_ods},
            {"ois", rs.covering_ois},
            {"ods_segments", dataset.segment_counts[rs.covering_best]}}},
          {"pri",
           {{"ods", rs.pri_ods},
            {"ois", rs.pri_ois},
            {"ods_segments", dataset.segment_counts[rs.pri_best]}}},
          {"voi",
           {{"ods", rs.voi_ods},
            {"ois", rs.voi_ois},
            {"ods_segments", dataset.segment_counts[rs.voi_best]}}},
          // Arbelaez et al. 2011, Table 2, as given (recalled) in the shared data README.
          {"published_ncuts_arbelaez2011",
           {{"covering", {{"ods", 0.45}, {"ois", 0.53}}},
            {"pri", {{"ods", 0.78}, {"ois", 0.80}}},
            {"voi", {{"ods", 2.23}, {"ois", 1.89}}},
            {"verified", false}}}};
}

// Per-class, pixel and mean-class accuracy of a summed CamVid confusion.
json LabelAccuracyJson(const std::vector<std::vector<double>>& conf) {
  json per_class = json::object();
  double correct = 0, total = 0, mean_class = 0;
  for (size_t t = 0; t < conf.size(); ++t) {
    double row = 0;
    for (double v : conf[t]) row += v;
    per_class[CamVidScoredLabels()[t]] = row > 0 ? conf[t][t] / row : 0.0;
    correct += conf[t][t];
    total += row;
    mean_class += row > 0 ? conf[t][t] / row : 0.0;
  }
  return {{"per_class", per_class},
          {"pixel", total > 0 ? correct / total : 0.0},
          {"mean_class", mean_class / conf.size()},
          {"confusion", conf}};
}

json MethodJson(const std::string& name, const std::vector<std::string>& names,
                const std::vector<std::string>& metric_keys, DatasetSums& d) {
  const int done = d.done;
  json m;
  m["name"] = name;
  // Sums in photo order, as the values were read.
  auto sum = [&](const std::string& method, const std::string& key) {
    double total = 0;
    for (double v : d.values[method][key]) total += v;
    return total;
  };
  for (const auto& k : metric_keys) m["mean"][k] = done ? sum(name, k) / done : 0.0;
  for (const auto& k : metric_keys)
    m["minus_baseline"][k] = done ? (sum(name, k) - sum(names[0], k)) / done : 0.0;
  if (name != names[0]) {
    // Against the baseline, photo by photo (docs/tutorial.md, "Statistics").
    for (const MetricInfo& metric : MetricTable()) {
      PairedOptions options;
      options.higher_is_better = metric.higher_is_better;
      options.tie_below = 0.5 * std::pow(10.0, -metric.digits);
      const PairedStats s =
          ComparePaired(d.values[name][metric.key], d.values[names[0]][metric.key], options);
      m["vs_baseline"][metric.key] = {{"difference", s.mean_difference},
                                      {"ci95", {s.low, s.high}},
                                      {"wins", s.wins},
                                      {"ties", s.ties},
                                      {"losses", s.losses},
                                      {"significant", s.significant}};
    }
  }
  if (d.curve.count(name)) {
    json c = json::array();
    for (double v : d.curve[name]) c.push_back(v / done);
    m["auc_curve_step5"] = c;
  }
  if (d.confusion.count(name)) m["label_accuracy"] = LabelAccuracyJson(d.confusion[name]);
  return m;
}

// One row per data set, method (beside the baseline) and metric: the
// means, the paired difference with its interval, and the photo counts.
std::string StatsCsv(const json& summary) {
  std::ostringstream csv;
  csv << "dataset,method,metric,mean,baseline_mean,difference,ci95_low,ci95_high,wins,ties,"
         "losses,significant\n";
  for (const json& d : summary["datasets"]) {
    const json& base = d["methods"][0]["mean"];
    for (const json& m : d["methods"]) {
      if (!m.contains("vs_baseline")) continue;
      for (const MetricInfo& metric : MetricTable()) {
        const json& s = m["vs_baseline"][metric.key];
        csv << d["name"].get<std::string>() << "," << m["name"].get<std::string>() << ","
            << metric.key << "," << m["mean"][metric.key].get<double>() << ","
            << base[metric.key].get<double>() << "," << s["difference"].get<double>() << ","
            << s["ci95"][0].get<double>() << "," << s["ci95"][1].get<double>() << ","
            << s["wins"].get<int>() << "," << s["ties"].get<int>() << "," << s["losses"].get<int>()
            << "," << (s["significant"].get<bool>() ? 1 : 0) << "\n";
      }
    }
  }
  return csv.str();
}

}  // namespace

Status SummarizeExperiment(const ExperimentConfig& config, const std::vector<std::string>& names,
                           const std::string& out_dir, const std::vector<std::string>& contexts,
                           const json& provenance, json* summary) {
  json out;
  std::vector<std::string> metric_keys;  // the table's keys, in its order
  out["metrics"] = MetricsJson(&metric_keys);
  out["format"] = "tint-experiment-summary";
  out["version"] = 1;
  out["name"] = config.name;
  out["provenance"] = provenance;
  out["config"] = config.tree;
  out["datasets"] = json::array();
  std::ostringstream csv;
  csv << "dataset,photo,method";
  for (const auto& m : metric_keys) csv << "," << m;
  csv << ",colorfulness_truth,width,height\n";
  for (const DatasetSpec& dataset : config.datasets) {
    std::vector<std::string> photos;
    TINT_RETURN_IF_ERROR(ListPhotos(dataset, &photos));
    DatasetSums sums;
    TINT_RETURN_IF_ERROR(
        SumDataset(config, dataset, names, metric_keys, out_dir, contexts, photos, &csv, &sums));
    json d;
    d["name"] = dataset.name;
    d["kind"] = dataset.kind;
    d["split"] = dataset.split;
    d["photos"] = photos.size();
    d["done"] = sums.done;
    d["failed"] = sums.failed;
    d["missing"] = sums.missing;
    d["colorfulness_truth"] = sums.done ? sums.colorfulness_truth / sums.done : 0.0;
    if (dataset.regions && !sums.region_scores.empty())
      d["regions"] = RegionsJson(dataset, sums.region_scores);
    d["methods"] = json::array();
    for (const std::string& name : names)
      d["methods"].push_back(MethodJson(name, names, metric_keys, sums));
    out["datasets"].push_back(d);
  }
  TINT_RETURN_IF_ERROR(WriteFileAtomic((fs::path(out_dir) / "per_photo.csv").string(), csv.str()));
  TINT_RETURN_IF_ERROR(WriteFileAtomic((fs::path(out_dir) / "stats.csv").string(), StatsCsv(out)));
  TINT_RETURN_IF_ERROR(
      WriteFileAtomic((fs::path(out_dir) / "summary.json").string(), out.dump(1) + "\n"));
  *summary = std::move(out);
  return Status::Ok();
}

Status MergeShardResults(const ExperimentConfig& config, const std::vector<std::string>& names,
                         const std::vector<std::string>& contexts,
                         const std::vector<std::string>& from_dirs, const std::string& out_dir) {
  // Every file is checked before the first is copied: a shard of another
  // config, of other photos or with stray files changes nothing.
  std::vector<std::pair<fs::path, fs::path>> copies;  // from, to
  std::error_code ec;
  for (const DatasetSpec& d : config.datasets) {
    std::vector<std::string> photos;
    TINT_RETURN_IF_ERROR(ListPhotos(d, &photos));
    std::map<std::string, std::string> photo_of;  // result file name -> photo
    for (const std::string& photo : photos) {
      photo_of[ResultStem(photo) + ".json"] = photo;
      photo_of[ResultStem(photo) + ".error"] = photo;
    }
    const std::vector<std::string> keys = MethodKeys(config, d, contexts);
    for (const std::string& from : from_dirs) {
      if (from.empty()) continue;
      const fs::path src = fs::path(from) / "photos" / d.name;
      const fs::path dst = fs::path(out_dir) / "photos" / d.name;
      if (!fs::is_directory(src, ec))
        return Status::Error(src.string() + ": no results of data set " + d.name);
      for (const auto& e : fs::directory_iterator(src, ec)) {
        const std::string name = e.path().filename().string();
        const auto photo = photo_of.find(name);
        if (photo == photo_of.end()) {
          return Status::Error(e.path().string() + ": not a result of a photo of data set " +
                               d.name + " in this config; nothing was merged");
        }
        if (e.path().extension() == ".json") {
          const StoredResult stored =
              ReadStoredResult(e.path(), keys, PhotoSha256(photo->second), names);
          const std::string& problem = !stored.problem.empty() ? stored.problem : stored.unusable;
          if (!problem.empty()) return Status::Error(problem + "; nothing was merged");
        }
        copies.emplace_back(e.path(), dst / name);
      }
    }
  }
  for (const auto& [from, to] : copies) {
    fs::create_directories(to.parent_path(), ec);
    std::vector<uint8_t> bytes;
    TINT_RETURN_IF_ERROR(ReadFileBytes(from.string(), &bytes, uint64_t{64} << 20));
    TINT_RETURN_IF_ERROR(WriteFileAtomic(to.string(), bytes.data(), bytes.size()));
  }
  return Status::Ok();
}

}  // namespace tint
