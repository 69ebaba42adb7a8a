// tint: colorize grayscale photographs. One binary, one subcommand per task.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <opencv2/core/utils/logger.hpp>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage =
    "tint - colorize grayscale photographs (classic patch matching)\n"
    "\n"
    "usage: tint COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  colorize   colorize one or more photos\n"
    "  colorize-sequence\n"
    "             colour a folder of grey frames from one colour keyframe\n"
    "  db         inspect, build and verify the patch database\n"
    "  eval       measure a method against the true colours of photos\n"
    "  serve      the Color tool as a web service: a page and a JSON API\n"
    "  worker     colour the service's jobs from a Redis queue (more machines)\n"
    "  info       the version, and which database, model and data root it uses\n"
    "\n"
    "Run 'tint COMMAND --help' for the options of a command.\n";

}  // namespace

int main(int argc, char** argv) {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::printf("%s", kUsage);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("tint %s\n", TINT_VERSION);
    return 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "colorize") return tint::RunColorize(argc - 1, argv + 1);
    if (command == "colorize-sequence") return tint::RunColorizeSequence(argc - 1, argv + 1);
    if (command == "db") return tint::RunDb(argc - 1, argv + 1);
    if (command == "eval") return tint::RunEval(argc - 1, argv + 1);
    if (command == "serve") return tint::RunServe(argc - 1, argv + 1);
    if (command == "worker") return tint::RunWorker(argc - 1, argv + 1);
    if (command == "info") return tint::RunInfo(argc - 1, argv + 1);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    std::fprintf(stderr, "tint %s: internal error: %s\n", command.c_str(), msg.c_str());
    return 3;
  }
  std::fprintf(stderr, "tint: error: unknown command '%s' (see tint --help)\n", command.c_str());
  return 2;
}
