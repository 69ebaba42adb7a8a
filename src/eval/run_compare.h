// Two runs of `tint eval --config` side by side (`tint eval --compare A B`):
// for each data set both ran, each method both ran under the same name and
// each metric of the metric table, the means over the photos both runs
// scored, B - A with a paired bootstrap 95% interval (eval/statistics.h),
// B's wins, ties and losses against A, and the photos whose AuC changed
// most. Reads <run>/photos/<data set>/*.json, the per-photo results.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tint {

// How many photos per method the comparison lists as changed most.
constexpr int kMostChangedPhotos = 5;

// Fills `comparison` ("a", "b", "datasets": [{name, photos_a, photos_b,
// shared, methods: [{name, photos, metrics: [{key, a, b, difference, low,
// high, wins, ties, losses, significant}], changed: [{photo, a, b}]}]}],
// "only_a", "only_b": method names in one run only). Runs with no photo in
// common (same data set name and photo) are an error.
Status CompareRuns(const std::string& run_a, const std::string& run_b, nlohmann::json* comparison);

// Writes <out_dir>/compare.html and compare.csv (one row per data set,
// method and metric).
Status WriteComparison(const nlohmann::json& comparison, const std::string& out_dir);

// The console form: per data set and method, each metric's A, B and B - A
// [interval] W/T/L.
void PrintComparison(const nlohmann::json& comparison, std::FILE* out);

}  // namespace tint
