// libFuzzer target for the parsers of what a user types or points tint at
// beyond the database: --swatch and --rect texts, --classes tables, experiment
// configs (TOML), stroke (hints) images and sequence folders. The first byte
// picks the parser, the rest is its input. Any input must give a Status or
// a checked result, never a crash, a sanitizer report or a hang. Build with
// clang (see scripts/fuzz.sh).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/geometry.h"
#include "core/image_io.h"
#include "eval/experiment.h"
#include "eval/sequence_run.h"
#include "guide/hints.h"
#include "guide/reference.h"
#include "patchdb/import.h"

namespace fs = std::filesystem;

namespace {

// One scratch folder per fuzzing process, for the parsers that read files.
const fs::path& Scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("tint_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: {  // --swatch
      tint::Swatch swatch;
      if (tint::ParseSwatch(text, &swatch).ok()) {
        tint::ReferenceGuide guide;
        guide.bgr = cv::Mat(40, 60, CV_8UC3, cv::Scalar(10, 20, 30));
        guide.swatches = {swatch};
        const bool inside = tint::CheckSwatches(guide, cv::Size(60, 40)).ok();
        // Inside means every pixel of both rectangles may be addressed.
        if (inside) Check(swatch.target.x + swatch.target.width <= 60);
      }
      break;
    }
    case 1: {  // --rect
      cv::Rect rect;
      if (tint::ParseRect(text, &rect).ok() && tint::RectInside(rect, cv::Size(64, 48))) {
        const cv::Mat m(48, 64, CV_8U, cv::Scalar(0));
        Check(m(rect).total() == static_cast<size_t>(rect.area()));
      }
      break;
    }
    case 2: {  // --classes
      std::map<int, std::string> classes;
      if (tint::ParseClassTable(text, &classes).ok()) Check(!classes.empty());
      break;
    }
    case 3: {  // an experiment config
      const fs::path path = Scratch() / "config.toml";
      std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
      tint::ExperimentConfig config;
      (void)tint::LoadExperimentConfig(path.string(), Scratch().string(), &config);
      break;
    }
    case 4: {  // a hints image
      cv::Mat image;
      tint::ImageReadOptions read;
      read.max_pixels = 1 << 16;
      const std::vector<uint8_t> bytes(data + 1, data + size);
      if (tint::DecodeImage(read, "hints.png", bytes, &image).ok()) {
        tint::Hints hints;
        (void)tint::ReadHints(image, image.size(), "hints.png", &hints);
      }
      break;
    }
    case 5: {  // a sequence folder: one file name per line
      const fs::path dir = Scratch() / "frames";
      std::error_code ec;
      fs::remove_all(dir, ec);
      fs::create_directories(dir);
      size_t start = 0;
      for (int made = 0; start < text.size() && made < 16; ++made) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string name = text.substr(start, end - start);
        start = end + 1;
        if (name.empty() || name.size() > 200 || name.find('/') != std::string::npos ||
            name.find('\0') != std::string::npos || name == "." || name == "..")
          continue;
        std::ofstream(dir / name) << "x";
      }
      std::vector<std::string> frames;
      if (tint::ListFrames(dir.string(), &frames).ok()) Check(!frames.empty());
      break;
    }
  }
  return 0;
}
