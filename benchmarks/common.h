// Shared pieces of tint's Google Benchmark executables: the photos they run
// on, throughput and memory counters, and a main() that adds --quick.
//
// Every executable accepts Google Benchmark's flags plus:
//   --quick   tiny sizes and one iteration each, so that CTest can run every
//             benchmark in seconds to keep them from rotting; no timing is
//             asserted anywhere.
// The photos are the project's own files (samples/bridge.jpg, BSDS500-sized,
// 481 x 321, see samples/README.md), resized for other pixel counts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <opencv2/core.hpp>

#include "pipeline/classic/index_cache.h"
#include "pipeline/colorizer.h"

namespace tint::bench {

// True under --quick.
bool Quick();

// A path under the source tree ($TINT_SOURCE_DIR, else the tree this was
// built from).
std::string SourcePath(const std::string& relative);

// samples/bridge.jpg, 8-bit BGR, 481 x 321 (the DESIGN targets' photo size).
const cv::Mat& SamplePhoto();
// The sample photo resized (bicubic) to about `megapixels` with its aspect
// ratio; the exact size is SamplePhoto's for 0.
cv::Mat PhotoOfMegapixels(double megapixels);

// The name of a size in benchmark names: "481x321" for 0 (the sample
// photo itself), else "<megapixels>Mpx" ("0.1Mpx", "12Mpx").
std::string SizeName(double megapixels);

// Pixel and item throughput of a benchmark that handles `pixels` pixels per
// iteration: counters "px/s" (rate) and "pixels".
void SetPixelCounters(benchmark::State& state, int64_t pixels);

// The process's peak resident memory since the last ResetPeakMemory, in MB
// (Linux VmHWM; ResetPeakMemory writes 5 to /proc/self/clear_refs).
void ResetPeakMemory();
double PeakMemoryMb();

// The shipped patch database (patchdb/) with its matcher and calibration,
// from its index cache when valid, else built in memory (with a note);
// loaded once per process. Exits with a one-line error when it cannot load.
const IndexedDatabase& ShippedDatabase();

// Skips the running benchmark with a one-line reason.
void Skip(benchmark::State& state, const std::string& why);

// Runs the benchmarks `register_all` adds (after flags are parsed, so that
// it can look at Quick()). Adds the commit, machine and mode to the JSON
// context. Returns the process exit code.
int Main(int argc, char** argv, const std::function<void()>& register_all);

// Sizes for a sweep: `full` normally, `quick` under --quick.
template <typename T>
std::vector<T> Sweep(std::vector<T> full, std::vector<T> quick) {
  return Quick() ? quick : full;
}

// Applies the mode to a registered benchmark: one iteration under --quick.
benchmark::internal::Benchmark* Configure(benchmark::internal::Benchmark* b);

}  // namespace tint::bench
