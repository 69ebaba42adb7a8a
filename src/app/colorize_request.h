// The application layer of `tint colorize` (as COLMAP's controllers): one
// request that a front end fills (the CLI binds flags to it), checked once
// and run once. Everything the run does beyond flag binding is here: the
// output layout, the refusals of guides and outputs a method cannot take,
// the plan of every file written (none may be an input or inside the
// database), reading, opening the method, and colorizing on `jobs` threads.
#pragma once

#include <string>
#include <vector>

#include "core/image_io.h"
#include "guide/hints.h"
#include "pipeline/registry.h"
#include "transfer/transfer.h"

namespace tint {

struct ColorizeRequest {
  std::vector<std::string> inputs;
  std::string output;  // an image file for one input; a folder for several
  MethodSpec spec;     // method, its options, model card, weights
  std::string db_dir, data_root;
  bool require_cache = false;
  PostOptions post;
  ImageReadOptions read;
  // Guides: a reference photo and swatches ("TX,TY,TW,TH:RX,RY,RW,RH"),
  // strokes (a file, or a folder of <input stem>.png) and their reach.
  std::string reference_path;
  std::vector<std::string> swatches;
  std::string hints_path;
  HintOptions hint_options;
  bool hint_reach_given = false;
  // How the front end spells the guides in messages.
  GuideSpelling spelling = {"--reference FILE", "--swatch",
                            "--hints FILE (a PNG drawn over the grey photo)", "--hint-reach"};
  // Extra outputs beside each result: <output>_side.png, and
  // <output>_labels.png with <output>_confidence.png.
  bool side_by_side = false, explain = false;
  bool verbose = false;  // each photo's stage times, the method's readiness
  int jobs = 1;          // photos colorized at once
};

// Runs the request. An error before any photo is coloured (a bad request,
// an output that would overwrite an input, a method that cannot open) is
// returned; a photo that fails is said on stderr as "tint COMMAND: error:
// ..." and counted in *failures, and the others go on.
Status RunColorizeRequest(const ColorizeRequest& request, const std::string& command,
                          int* failures);

}  // namespace tint
