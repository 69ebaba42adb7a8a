// The tint Python module (pybind11): colorize NumPy arrays with any
// registered method, list the methods, options and metrics, compute the
// metric table on two images, read a patch database's counts. Options are the
// option table's names as keyword arguments; a bad argument raises ValueError
// with the one-line message the CLI prints.
#include <map>
#include <mutex>
#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "core/locate.h"
#include "eval/metric_table.h"
#include "guide/reference.h"
#include "patchdb/manifest.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"
#include "pipeline/colorize_photo.h"
#include "pipeline/registry.h"
#include "pipeline/sequence.h"

namespace py = pybind11;

namespace tint {
namespace {

void Throw(const Status& s) {
  if (!s.ok()) throw py::value_error(s.message());
}

// A (H, W) grey or (H, W, 3) RGB array of uint8, uint16 or float32 (0..1) as
// a BGR (or grey) cv::Mat that owns its pixels; with `alpha`, (H, W, 4) RGBA
// too (as BGRA).
cv::Mat ToMat(const py::array& array, const char* what, bool alpha = false) {
  if (array.ndim() != 2 && !(array.ndim() == 3 && (array.shape(2) == 3 || array.shape(2) == 1 ||
                                                   (alpha && array.shape(2) == 4)))) {
    throw py::value_error(std::string(what) + " must be a (H, W) grey or (H, W, 3) RGB array" +
                          (alpha ? " or (H, W, 4) RGBA" : ""));
  }
  if (array.shape(0) < 1 || array.shape(1) < 1)
    throw py::value_error(std::string(what) + " is empty");
  int depth;
  if (py::isinstance<py::array_t<uint8_t>>(array))
    depth = CV_8U;
  else if (py::isinstance<py::array_t<uint16_t>>(array))
    depth = CV_16U;
  else if (py::isinstance<py::array_t<float>>(array))
    depth = CV_32F;
  else
    throw py::value_error(std::string(what) + " must hold uint8, uint16 or float32 values");
  const int channels = array.ndim() == 3 ? static_cast<int>(array.shape(2)) : 1;
  if (array.shape(0) > 50'000 || array.shape(1) > 50'000)
    throw py::value_error(std::string(what) + " is larger than 50000 pixels on a side");
  const py::array contiguous = py::array::ensure(array, py::array::c_style);
  const cv::Mat view(static_cast<int>(array.shape(0)), static_cast<int>(array.shape(1)),
                     CV_MAKETYPE(depth, channels), const_cast<void*>(contiguous.data()));
  if (depth == CV_32F) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(view.reshape(1), &lo, &hi);
    if (!cv::checkRange(view) || lo < 0 || hi > 1)
      throw py::value_error(std::string(what) +
                            ": float32 values must be finite and in 0..1 (no NaN)");
  }
  cv::Mat out;
  if (channels == 3)
    cv::cvtColor(view, out, cv::COLOR_RGB2BGR);
  else if (channels == 4)
    cv::cvtColor(view, out, cv::COLOR_RGBA2BGRA);
  else
    out = view.clone();
  return out;
}

py::array_t<uint8_t> FromBgr8(const cv::Mat& bgr8) {
  cv::Mat rgb;
  cv::cvtColor(bgr8, rgb, cv::COLOR_BGR2RGB);
  py::array_t<uint8_t> out({rgb.rows, rgb.cols, 3});
  for (int r = 0; r < rgb.rows; ++r)
    std::memcpy(out.mutable_data(r, 0, 0), rgb.ptr(r), size_t(rgb.cols) * 3);
  return out;
}

nlohmann::json ToJson(const py::handle& value, const std::string& key) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) return value.cast<long long>();
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  throw py::value_error("option '" + key + "' must be a bool, number or string");
}

// Colorizers made so far, by everything that names them: loading one (a
// database index, a network) is the slow part. Never destroyed: a cvflann
// index must not outlive cvflann's own statics at exit. The GIL is released
// before the map's mutex is taken, never held while waiting for it: a
// thread holding the mutex may need the GIL back (four threads calling
// colorize at once hung so). Colorizers are safe to share between threads
// (eval --jobs does), so one made here serves every thread.
const Colorizer& CachedColorizer(const MethodSpec& given, const ColorizerContext& context) {
  static auto* made = new std::map<std::string, std::unique_ptr<Colorizer>>();
  static std::mutex mutex;
  // Prepared once here: the key holds the built options by name, so the
  // same options spelled differently (5, 5.0, "5") share one colorizer.
  MethodSpec spec = given;
  Throw(PrepareSpec(&spec, OptionSpelling::kKey));
  const MethodInfo* info = FindMethod(spec.method);
  const std::string key = nlohmann::json{
      {"method", spec.method},
      {"options",
       info->options != nullptr ? info->options->Values(spec.built) : nlohmann::json::object()},
      {"model", spec.model},
      {"weights", spec.weights},
      {"db", context.db_dir}}.dump();
  Status s;
  const Colorizer* colorizer = nullptr;
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex);
    auto& c = (*made)[key];
    if (!c) {
      std::unique_ptr<Colorizer> fresh;
      s = CreateColorizer(spec, context, &fresh);
      if (s.ok()) c = std::move(fresh);
    }
    colorizer = c.get();
  }
  Throw(s);
  return *colorizer;
}

py::array_t<uint8_t> Colorize(const py::array& image, const std::string& method,
                              const py::kwargs& kwargs) {
  MethodSpec spec;
  spec.method = method;
  ColorizerContext context;
  context.db_dir = DefaultDatabaseDir();
  context.default_model = DefaultModelCard();
  PostOptions post;
  cv::Mat hint_image;
  ReferenceGuide reference;
  bool reach_given = false;
  PhotoGuide guide;
  for (const auto& item : kwargs) {
    const std::string key = item.first.cast<std::string>();
    // A value of the wrong Python type is a TypeError naming the keyword
    // (pybind11's own cast error would be a RuntimeError without the name).
    try {
      if (key == "reference") {
        reference.bgr = ToMat(item.second.cast<py::array>(), "reference");
        reference.what = "reference";
      } else if (key == "swatches") {
        for (const auto& text : item.second.cast<std::vector<std::string>>()) {
          Swatch swatch;
          Throw(ParseSwatch(text, &swatch));
          reference.swatches.push_back(swatch);
        }
      } else if (key == "hints") {
        hint_image = ToMat(item.second.cast<py::array>(), "hints", true);
      } else if (key == "hint_reach") {
        guide.hint_options.reach = item.second.cast<double>();
        reach_given = true;
      } else if (key == "hint_weights") {
        if (!ParseHintWeights(item.second.cast<std::string>(), &guide.hint_options.weights))
          throw py::value_error("hint_weights must be levin or symmetric");
      } else if (key == "db")
        context.db_dir = item.second.cast<std::string>();
      else if (key == "model")
        spec.model = item.second.cast<std::string>();
      else if (key == "weights")
        spec.weights = item.second.cast<std::string>();
      else if (key == "data_root")
        context.data_root = item.second.cast<std::string>();
      else if (key == "post") {
        if (!ParsePostMode(item.second.cast<std::string>(), &post.mode))
          throw py::value_error("post must be auto or none");
      } else {
        spec.options[key] = ToJson(item.second, key);
      }
    } catch (const py::cast_error&) {
      throw py::type_error("keyword " + key + " has the wrong type (" +
                           std::string(py::str(item.second.get_type().attr("__name__"))) + ")");
    }
  }
  {
    std::string error;
    if (!guide.hint_options.Check(&error)) throw py::value_error(error);
  }
  const cv::Mat mat = ToMat(image, "image");
  const MethodInfo* info = FindMethod(method);
  Hints hints;
  if (info != nullptr) {
    GuidesGiven given;
    given.reference = !reference.bgr.empty();
    given.swatches = !reference.swatches.empty();
    given.hints = !hint_image.empty();
    given.hint_reach = reach_given;
    Throw(CheckGuidesApply(*info, given, {"reference=", "swatches=", "hints=", "hint_reach"}));
  }
  if (!reference.bgr.empty()) {
    Throw(CheckSwatches(reference, mat.size()));
    guide.reference = &reference;
  }
  if (!hint_image.empty()) {
    Throw(ReadHints(hint_image, mat.size(), "hints", &hints));
    guide.hints = &hints;
  }
  const Colorizer& colorizer = CachedColorizer(spec, context);
  cv::Mat bgr8;
  Status s;
  {
    py::gil_scoped_release release;
    s = ColorizePhoto(colorizer, post, mat, &bgr8, nullptr, &guide);
  }
  Throw(s);
  return FromBgr8(bgr8);
}

py::list ColorizeSequence(const py::list& frames, const py::array& keyframe,
                          const std::string& method, double temporal, bool from_previous,
                          const std::string& db) {
  const MethodInfo* info = FindMethod(method);
  if (info == nullptr) Throw(Status::Error("unknown method '" + method + "'"));
  if (frames.empty()) throw py::value_error("frames is empty: give a list of grey frames");
  if (keyframe.ndim() != 3 || keyframe.shape(2) != 3)
    throw py::value_error("keyframe must be an (H, W, 3) RGB array: the colour keyframe");
  for (const auto& frame : frames)
    if (!py::isinstance<py::array>(frame))
      throw py::type_error("frames must be a list of arrays, found " +
                           std::string(py::str(frame.get_type().attr("__name__"))));
  GuidesGiven given;
  given.reference = true;  // the keyframe
  Throw(CheckGuidesApply(*info, given, {"reference photo (keyframe=)", "", "", ""}));
  SequenceOptions options;
  options.temporal = temporal;
  options.from_previous = from_previous;
  std::string error;
  if (!options.Check(&error)) throw py::value_error(error);
  MethodSpec spec;
  spec.method = method;
  ColorizerContext context;
  context.db_dir = db.empty() ? DefaultDatabaseDir() : db;
  context.default_model = DefaultModelCard();
  const Colorizer& colorizer = CachedColorizer(spec, context);
  SequenceColorizer sequence(colorizer, ToMat(keyframe, "keyframe"), options);
  py::list out;
  for (const auto& frame : frames) {
    const cv::Mat mat = ToMat(frame.cast<py::array>(), "frame");
    cv::Mat bgr8;
    Status s;
    {
      py::gil_scoped_release release;
      s = sequence.Next(mat, &bgr8);
    }
    Throw(s);
    out.append(FromBgr8(bgr8));
  }
  return out;
}

py::list Methods() {
  py::list out;
  for (const MethodInfo& m : RegisteredMethods()) {
    py::dict d;
    d["name"] = m.name;
    d["summary"] = m.summary;
    d["takes_options"] = m.options != nullptr;
    d["takes_model"] = m.takes_model;
    d["reads_database"] = m.reads_database;
    d["colours_from_hints"] = m.colours_from_hints;
    d["takes_reference"] = m.takes_reference;
    d["colours_from_reference"] = m.colours_from_reference;
    // A preset's options by name (empty for a method that is not one).
    d["preset"] = py::module_::import("json").attr("loads")(m.preset.dump());
    out.append(d);
  }
  return out;
}

// The option table of a registered method (empty for one without options).
py::list Options(const std::string& method) {
  const MethodInfo* info = FindMethod(method);
  if (info == nullptr)
    throw py::value_error("unknown method '" + method + "' (" + RegisteredMethodNames() + ")");
  py::list out;
  if (info->options == nullptr) return out;
  const nlohmann::json defaults = info->options->DefaultValues();
  for (const OptionDoc* o : info->options->Docs()) {
    py::dict d;
    d["name"] = o->name;
    d["flag"] = FlagName(o->name);
    d["help"] = o->help;
    d["default"] = defaults.value(o->name, std::string());
    if (o->type == OptionType::kChoice)
      d["choices"] = o->choices;
    else if (o->type != OptionType::kBool)
      d["range"] = OptionRange(*o);
    out.append(d);
  }
  return out;
}

py::dict ComputeMetrics(const py::array& pred, const py::array& truth) {
  PhotoScoreInput in;
  cv::Mat p = ToMat(pred, "pred"), t = ToMat(truth, "truth");
  if (p.size() != t.size()) throw py::value_error("pred and truth differ in size");
  auto to8 = [](const cv::Mat& m) {
    cv::Mat out;
    ToFloatBgr(m).convertTo(out, CV_8UC3, 255.0);
    return out;
  };
  in.out8 = to8(p);
  in.truth8 = to8(t);
  SplitLab(in.out8, &in.out_l, &in.out_ab);
  SplitLab(in.truth8, &in.truth_l, &in.truth_ab);
  AbPrior prior;  // the rebalanced AuC's prior: the truth's own colours
  prior.Add(in.truth_ab);
  in.prior = &prior;
  py::dict out;
  for (const MetricInfo& m : MetricTable()) {
    if (m.key == "seconds") continue;  // a property of a run, not of two images
    out[m.key.c_str()] = m.compute(in);
  }
  return out;
}

py::list Metrics() {
  py::list out;
  for (const MetricInfo& m : MetricTable()) {
    py::dict d;
    d["key"] = m.key;
    d["header"] = m.header;
    d["digits"] = m.digits;
    d["higher_is_better"] = m.higher_is_better;
    d["description"] = m.description;
    out.append(d);
  }
  return out;
}

class Database {
 public:
  explicit Database(const std::string& path) : path_(path) {
    Throw(LoadManifest(path, &manifest_));
  }
  py::dict Stats() const {
    std::map<std::string, int> labels, datasets;
    for (const PatchRecord& r : manifest_.patches) {
      ++labels[r.label];
      ++datasets[r.dataset];
    }
    py::dict d;
    d["path"] = path_;
    d["patches"] = manifest_.patches.size();
    d["labels"] = labels;
    d["datasets"] = datasets;
    return d;
  }
  py::list Patches() const {
    py::list out;
    for (const PatchRecord& r : manifest_.patches) {
      py::dict d;
      d["id"] = r.id;
      d["label"] = r.label;
      d["file"] = r.file;
      d["dataset"] = r.dataset;
      d["split"] = r.split;
      d["image"] = r.image;
      out.append(d);
    }
    return out;
  }

 private:
  std::string path_;
  Manifest manifest_;
};

}  // namespace
}  // namespace tint

PYBIND11_MODULE(_tint, m) {
  m.doc() = "tint: colorize grayscale photographs (patch matching, CNNs) and measure them";
  m.def("colorize", &tint::Colorize, py::arg("image"), py::arg("method") = "classic",
        "Colorize a (H, W) grey or (H, W, 3) RGB array (uint8, uint16 or float32 0..1) with a "
        "registered method;\n"
        "returns (H, W, 3) RGB uint8. Keywords: the classic option table's names (smooth_radius=4, "
        "...), db=,\n"
        "model=, weights=, data_root=, post='auto'|'none', hints= (an (H, W, 4) RGBA array of "
        "strokes, or\n"
        "(H, W, 3) RGB: the grey photo with colour drawn on it), hint_reach=, reference= (an RGB "
        "array:\n"
        "welsh, classic) and swatches= (['TX,TY,TW,TH:RX,RY,RW,RH', ...], welsh). A bad argument "
        "raises ValueError.");
  m.def("colorize_sequence", &tint::ColorizeSequence, py::arg("frames"), py::arg("keyframe"),
        py::arg("method") = "classic", py::arg("temporal") = 0.5, py::arg("from_previous") = false,
        py::arg("db") = "",
        "Colour a list of grey frames (arrays as colorize takes) from a colour keyframe (RGB) "
        "with a method that\n"
        "takes a reference (classic, welsh), the temporal term `temporal` (0..0.95) against "
        "flicker; returns\n"
        "a list of (H, W, 3) RGB uint8 arrays. Frames must have the keyframe's size.");
  m.def("methods", &tint::Methods, "The registered methods, as dicts.");
  m.def(
      "info",
      [] {
        const tint::Location& where = tint::Locate();
        py::dict d;
        d["runs_from"] = where.kind;
        d["root"] = where.root;
        d["patchdb"] = tint::DefaultDatabaseDir();
        d["model"] = tint::DefaultModelCard();
        d["data_root"] = tint::DefaultDataRoot();
        d["commit"] = tint::SourceCommit();
        return d;
      },
      "Which patch database, model card and data root this module uses by default.");
  m.def("options", &tint::Options, py::arg("method") = "classic",
        "A method's option table (classic's by default): name, flag, help, default, range or "
        "choices; empty for a method without options.");
  m.def("_metrics_compute", &tint::ComputeMetrics, py::arg("pred"), py::arg("truth"));
  m.def("_metric_table", &tint::Metrics);
  py::class_<tint::Database>(m, "Database")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("stats", &tint::Database::Stats, "Patches per label and per data set.")
      .def("patches", &tint::Database::Patches, "Every patch record, as dicts.");
}
