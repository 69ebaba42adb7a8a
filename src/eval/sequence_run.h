// `tint colorize-sequence`: a folder of grey frames coloured from a keyframe
// (pipeline/sequence.h), written frame by frame, and optionally scored
// against the frames themselves when they are the colour truth.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/image_io.h"
#include "core/status.h"
#include "pipeline/sequence.h"

namespace tint {

struct SequenceRun {
  std::string frames_dir, keyframe, out_dir;
  SequenceOptions sequence;
  ImageReadOptions read;
  // The frames are colour photos: score each output against its frame (the
  // metric table, with the clip's ab prior) and each pair of consecutive
  // outputs (the frame-pair table: flicker); into <out>/scores.json.
  bool score = false;
  // When set, a progress line per frame on stderr ("WHAT 3/5 (0.41 s each,
  // ETA 1 s) f3.png", as tint colorize prints for several photos).
  std::string progress;
};

// The images of a folder, sorted by name (an error when there are none).
Status ListFrames(const std::string& dir, std::vector<std::string>* frames);

// Checks the run before any work (the keyframe readable, frames present and
// of its size, the output folder creatable and not holding an input), then
// colours every frame into <out>/<frame stem>.png. *scores: the means and
// per-frame values when run.score.
Status RunSequence(const Colorizer& colorizer, const SequenceRun& run, nlohmann::json* scores);

}  // namespace tint
