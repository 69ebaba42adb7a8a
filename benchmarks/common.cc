#include "common.h"

#include "pipeline/classic/classic.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace tint::bench {
namespace {

bool quick_mode = false;

std::string CommandOutput(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string out;
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), pipe.get()) != nullptr) out += buffer;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string StatusField(const std::string& key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key + ":", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

}  // namespace

bool Quick() { return quick_mode; }

std::string SourcePath(const std::string& relative) {
  const char* env = std::getenv("TINT_SOURCE_DIR");
  const std::string root = env != nullptr && *env != '\0' ? env : TINT_SOURCE_DIR_DEFAULT;
  return root + "/" + relative;
}

const cv::Mat& SamplePhoto() {
  static const cv::Mat photo = [] {
    cv::Mat m = cv::imread(SourcePath("samples/bridge.jpg"), cv::IMREAD_COLOR);
    if (m.empty()) {
      std::cerr << "error: cannot read " << SourcePath("samples/bridge.jpg")
                << " (set TINT_SOURCE_DIR)\n";
      std::exit(2);
    }
    return m;
  }();
  return photo;
}

cv::Mat PhotoOfMegapixels(double megapixels) {
  const cv::Mat& photo = SamplePhoto();
  if (megapixels <= 0) return photo.clone();
  const double scale = std::sqrt(megapixels * 1e6 / double(photo.total()));
  cv::Mat out;
  cv::resize(photo, out, cv::Size(), scale, scale, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  return out;
}

std::string SizeName(double megapixels) {
  if (megapixels <= 0)
    return std::to_string(SamplePhoto().cols) + "x" + std::to_string(SamplePhoto().rows);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%gMpx", megapixels);
  return buffer;
}

void SetPixelCounters(benchmark::State& state, int64_t pixels) {
  state.counters["px/s"] =
      benchmark::Counter(double(pixels), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["pixels"] = double(pixels);
}

void ResetPeakMemory() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
}

double PeakMemoryMb() {
  const std::string hwm = StatusField("VmHWM");  // "   123456 kB"
  return hwm.empty() ? 0.0 : std::atof(hwm.c_str()) / 1024.0;
}

const IndexedDatabase& ShippedDatabase() {
  // Never destroyed: its cvflann index must not outlive cvflann's statics.
  static IndexedDatabase& indexed = *new IndexedDatabase([] {
    IndexedDatabase out;
    CacheState state;
    const Status s = OpenIndexedDatabase(ClassicOptions(), SourcePath("patchdb"),
                                         CachePolicy::kRebuildIfStale, &out, &state);
    if (!s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      std::exit(2);
    }
    if (state != CacheState::kValid)
      std::cerr << "note: patchdb/index.cache is " << ToString(state) << "; built in memory\n";
    return out;
  }());
  return indexed;
}

void Skip(benchmark::State& state, const std::string& why) { state.SkipWithError(why.c_str()); }

benchmark::internal::Benchmark* Configure(benchmark::internal::Benchmark* b) {
  if (Quick()) b->Iterations(1);
  return b->Unit(benchmark::kMillisecond)->UseRealTime();
}

int Main(int argc, char** argv, const std::function<void()>& register_all) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--quick")
      quick_mode = true;
    else
      args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  const std::string source = SourcePath("");
  benchmark::AddCustomContext(
      "tint_commit", CommandOutput("git -C '" + source + "' rev-parse --short HEAD 2>/dev/null"));
  benchmark::AddCustomContext(
      "tint_dirty",
      // Tracked files changed since HEAD ("git status --porcelain" lines
      // start with a space, which the output trimming would drop).
      CommandOutput("git -C '" + source + "' status --porcelain -uno 2>/dev/null | wc -l") == "0"
          ? "false"
          : "true");
  benchmark::AddCustomContext(
      "tint_cpu",
      CommandOutput("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'"));
  benchmark::AddCustomContext("tint_mode", Quick() ? "quick" : "full");
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace tint::bench
