// The application layer of `tint eval`: one request that a front end fills
// (the CLI binds flags to it), run once. Three forms, chosen by which source
// is given: a configured experiment (config_path; results under out_dir, in
// shards, resumable, merged), the quick form (a folder of colour photos or a
// CamVid split, scored through the same runner into a scratch folder), the
// region benchmark of normalized cuts on BSDS500, and the comparison of two
// configured runs (eval/run_compare.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/image_io.h"
#include "segment/ncut.h"

namespace tint {

struct EvalRequest {
  // Exactly one source: a config file, a folder of colour photos (the
  // truth), a CamVid root, or a BSDS500 root for the region benchmark.
  std::string config_path, images_dir, camvid_root, bsds_root;
  std::string split = "val";  // CamVid's or BSDS500's split
  int limit = 0;              // the first N photos in name order (0: all)
  std::string db_dir, data_root;
  ImageReadOptions read;
  std::string csv;  // per-photo rows (quick form and region benchmark)

  // The quick form: the methods beside the grayscale baseline, the options
  // the user named by flag (each method takes those its table has; a
  // preset keeps the values not named; one no method takes is an error),
  // and a model card for the methods that take one (empty: their default).
  std::vector<std::string> methods = {"classic"};
  nlohmann::json options = nlohmann::json::object();
  std::string model;

  // The region benchmark: the segment counts swept for ODS and OIS.
  std::vector<int> segment_counts;
  NCutOptions ncut;

  // The configured form.
  std::string out_dir;        // default results/<config name>
  std::string shard;          // "I/N": photos with index % N == I
  int jobs = 1;               // photos colorized at once
  bool resume = false;        // skip photos whose result is already in out_dir
  bool save_outputs = false;  // keep every output and write gallery.html (or the config's key)
  bool merge = false;         // no run: summarize out_dir after copying merge_dirs in
  std::vector<std::string> merge_dirs;

  // Two results folders of the configured form: no run; their comparison
  // goes to out_dir (default results/compare-<A>-vs-<B>).
  std::vector<std::string> compare;
};

// Runs the request and prints its table on stdout. An error that stops the
// run is returned; photos that could not be read (or, for the region
// benchmark, were skipped) are said on stderr as "tint COMMAND: error: ..."
// and counted in *failures.
Status RunEvalRequest(const EvalRequest& request, const std::string& command, int* failures);

}  // namespace tint
