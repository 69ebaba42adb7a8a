// The configured comparison runner behind `tint eval --config`: data sets x
// methods x metrics, one result file per photo (the unit of resume, of
// parallel jobs and of cluster shards), and a summary with provenance.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/image_io.h"
#include "core/status.h"
#include "guide/hints.h"
#include "pipeline/colorizer.h"
#include "pipeline/registry.h"

namespace tint {

struct DatasetSpec {
  std::string name;
  std::string kind;  // "bsds500" (root), "camvid" (root), "folder"
  std::string path;  // resolved
  std::string split;
  int limit = 0;  // first N photos by name (0: all)
  // bsds500 only: also score tint's normalized cuts against the human
  // segmentations (covering, PRI, VI at ODS/OIS) over these segment counts.
  bool regions = false;
  std::vector<int> segment_counts = {2, 3, 4, 6, 8, 12, 16, 24, 32};
  // Derived by ResolveDataset:
  std::string images_dir, labels_dir;  // labels_dir: CamVid annotations, else empty
  std::string segmentations_dir;       // BSDS500 human segmentations, when regions
};

// One [[method]] of a config: a row of the results under its own name,
// the method spec (config key "mode" is spec.method; "options" and "model"
// are spec's, the model path resolved), and the guides of each photo.
struct ExperimentMethod {
  std::string name;
  MethodSpec spec;  // a registered method (the grayscale baseline is always added first)
  // Strokes per photo: <hints>/<photo stem>.png (resolved; empty: none),
  // propagated over the method's output with this reach (HintOptions). A
  // photo without its hints file is an error of that photo.
  std::string hints;
  double hint_reach = 0;
  HintWeights hint_weights = HintWeights::kLevin;  // the strokes' affinities
  // A reference photo per photo (methods that take one): a TSV file of
  // "dataset<TAB>photo<TAB>reference path" lines ('#' starts a comment;
  // paths as in the config). A photo with no line is an error of that photo.
  std::string reference;                                                    // the file (resolved)
  std::map<std::pair<std::string, std::string>, std::string> reference_of;  // (dataset, photo)
  // Config key db: this method's own patch database (resolved; methods that
  // read one only), so that a database A/B is one run. Empty: the run's --db.
  std::string db;
};

struct ExperimentConfig {
  std::string path, name, text_sha256;
  bool save_outputs = false;  // config key save_outputs: keep every output (RunOptions)
  nlohmann::json tree;        // the config as read, for provenance
  std::vector<DatasetSpec> datasets;
  std::vector<ExperimentMethod> methods;
};

// Reads and checks a TOML/JSON config (unknown keys, missing data sets and
// bad values are one-line errors). `$data/` in paths -> data_root; other
// relative paths are relative to the config file's folder (also those in a
// method's reference file).
Status LoadExperimentConfig(const std::string& path, const std::string& data_root,
                            ExperimentConfig* config);
// Derives the folders of a data set from its kind, path and split, and
// checks they exist; `where` starts messages.
Status ResolveDataset(const std::string& where, DatasetSpec* dataset);
// Sorted photo paths of a data set (after limit).
Status ListPhotos(const DatasetSpec& dataset, std::vector<std::string>* photos);

// What each method's scores of a photo depend on besides the photo: the
// method (name, mode, options, model, guides), the data set's settings, and
// the method's `contexts` entry (the caller's hash of the patch database it
// reads and of its model file). One key per method, the grayscale baseline
// first (contexts[0]); an empty `contexts` is all "". Each method's scores
// in a result record their key: --resume keeps the methods whose key did
// not change and reruns the others; the summary and --merge refuse scores
// of another key. Each result also records the SHA-256 of its photo's
// bytes: a result of other bytes is redone by --resume and refused by the
// summary.
std::vector<std::string> MethodKeys(const ExperimentConfig& config, const DatasetSpec& dataset,
                                    const std::vector<std::string>& contexts);

struct RunOptions {
  std::string out_dir;
  std::vector<std::string> contexts;  // per method, baseline first: see MethodKeys
  int jobs = 1;
  int shard = 0, shards = 1;  // this process handles photos with index % shards == shard
  // Keep each stored method result whose key is this run's (MethodKeys) and
  // rerun only the others; a photo with nothing to rerun is skipped. A
  // corrupt result, or one of other bytes of the photo, is redone whole.
  bool resume = false;
  // Keep every output: <out>/outputs/<data set>/<method>/<photo>.png, and a
  // thumbnail of each beside the truth's for the gallery,
  // <out>/gallery/<data set>/<photo>/<method>.jpg and truth.jpg. With
  // resume, a photo whose outputs are not all there is redone.
  bool save_outputs = false;
  ImageReadOptions read;
  bool progress = true;
};

// Where save_outputs puts a method's output of a photo, and its thumbnail.
std::string SavedOutputPath(const std::string& out_dir, const std::string& dataset,
                            const std::string& method, const std::string& photo);
std::string GalleryThumbPath(const std::string& out_dir, const std::string& dataset,
                             const std::string& photo, const std::string& method);
// The gallery's thumbnails' width in pixels.
constexpr int kGalleryThumbWidth = 160;

// Runs every data set; `methods` holds the grayscale baseline first, then one
// colorizer per config method, in order. Writes <out>/photos/<dataset>/<photo>.json
// per photo (or .error with one line when the photo cannot be read) and
// returns the count of photos done now, skipped (resume) and failed, and
// of the method results that resume kept in the photos done now.
struct RunCounts {
  int done = 0, skipped = 0, failed = 0, kept = 0;
};
Status RunExperiment(const ExperimentConfig& config, const std::vector<const Colorizer*>& methods,
                     const std::vector<std::string>& method_names, const RunOptions& options,
                     RunCounts* counts);

// Reads every per-photo result under <out>/photos and writes <out>/per_photo.csv
// and <out>/summary.json (means per data set and method, the baseline beside
// each, provenance); returns the summary. Photos missing from some method are
// reported in the summary.
// Scores whose key differs from MethodKeys(config, dataset, contexts) are refused.
Status SummarizeExperiment(const ExperimentConfig& config,
                           const std::vector<std::string>& method_names, const std::string& out_dir,
                           const std::vector<std::string>& contexts,
                           const nlohmann::json& provenance, nlohmann::json* summary);

// Copies the per-photo results of other shard folders (runs of the same
// config, methods and context) into out_dir; an empty name is skipped (a
// bare --merge summarizes out_dir as it is). Every file is checked first: a
// result of other settings or other photo bytes, or a file that is no
// photo's result, refuses the merge before anything is written.
Status MergeShardResults(const ExperimentConfig& config,
                         const std::vector<std::string>& method_names,
                         const std::vector<std::string>& contexts,
                         const std::vector<std::string>& from_dirs, const std::string& out_dir);

// Colorizes one photo of a data set with method m (0: the baseline, else
// config.methods[m - 1]) and that method's guide (its reference photo and
// hints), as the run and
// the report's thumbnails do.
Status ColorizeWithGuide(const ExperimentConfig& config, size_t m, const Colorizer& colorizer,
                         const std::string& dataset, const std::string& photo, const cv::Mat& image,
                         const ImageReadOptions& read, cv::Mat* out8,
                         ColorizeDetails* details = nullptr);

// Parses "I/N" (0 <= I < N).
bool ParseShard(const std::string& text, int* shard, int* shards);

}  // namespace tint
