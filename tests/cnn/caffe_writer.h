// Test helper: writes a .caffemodel of random weights with the shapes a
// Caffe deploy .prototxt implies, so the real prototxt can be loaded and run
// where the released weights are not available.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace tint::testing {

struct RandomCaffeOptions {
  unsigned seed = 1;
  std::vector<std::string> skip_layers;  // left without blobs (to be injected)
  // Layer whose first weight dimension is written one too large, to test
  // loading a model of the wrong shape ("" = none).
  std::string corrupt_layer;
};

// Supports the layer types of colorization nets: Input, Convolution,
// Deconvolution (weights He-normal, bias 0), BatchNorm (mean 0, var 1), and
// shape-preserving layers without weights.
Status WriteRandomCaffeModel(const std::string& prototxt, const std::string& caffemodel,
                             const RandomCaffeOptions& options = {});

}  // namespace tint::testing
