// The HTML report of an experiment run: means with the baseline beside each
// method, mean AuC curves (inline SVG), and thumbnails (grey | methods |
// truth) of the best, median and worst photos of each data set. One
// self-contained folder, viewable offline.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/image_io.h"
#include "core/status.h"
#include "eval/experiment.h"
#include "pipeline/colorizer.h"

namespace tint {

// Picks the best, median and worst photo of every data set by the AuC of the
// last method (the baseline when it is the only one), colorizes them with
// every method, writes <out>/thumbs/*.png and <out>/report.html (linking
// gallery.html when `gallery`).
Status WriteExperimentReport(const ExperimentConfig& config,
                             const std::vector<const Colorizer*>& methods,
                             const std::vector<std::string>& names, const nlohmann::json& summary,
                             const std::string& out_dir, const ImageReadOptions& read,
                             bool gallery = false);

// The summary as the console shows it: per data set, one row per method and
// one column per entry of the metric table, label accuracy and the region
// benchmark where present.
void PrintSummary(const nlohmann::json& summary, std::FILE* out);

}  // namespace tint
