// `tint info`: the version, the commit, and which patch database, model card
// and data root this tint uses, and why (found beside the binary, or set in
// the environment).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/locate.h"

#ifndef TINT_VERSION
#define TINT_VERSION "unknown"
#endif

namespace tint {
namespace fs = std::filesystem;

int RunInfo(int argc, char** argv) {
  CLI::App app{"Says which tint this is and which files it uses.", "tint info"};
  bool json = false;
  app.add_flag("--json", json, "One JSON object instead of lines");
  int exit_code = 0;
  if (!internal::Parse(&app, argc, argv, &exit_code)) return exit_code;

  const Location& where = Locate();
  bool dirty = false;
  const std::string commit = SourceCommit(&dirty);
  auto item = [](const std::string& path, const char* env) {
    std::error_code ec;
    const char* set = std::getenv(env);
    return nlohmann::json{
        {"path", fs::absolute(path, ec).lexically_normal().string()},
        {"exists", fs::exists(path, ec)},
        {"from", set != nullptr && *set != '\0' ? std::string("$") + env : "default"}};
  };
  nlohmann::json info = {{"version", TINT_VERSION},
                         {"commit", commit},
                         {"dirty", dirty},
                         {"runs_from", where.kind},
                         {"root", where.root},
                         {"patchdb", item(DefaultDatabaseDir(), "TINT_PATCHDB")},
                         {"model", item(DefaultModelCard(), "TINT_MODEL")},
                         {"data_root", item(DefaultDataRoot(), "TINT_DATA_ROOT")}};
  if (json) {
    std::printf("%s\n", info.dump(2).c_str());
    return 0;
  }
  std::printf("tint %s\n", TINT_VERSION);
  std::printf("commit     %s%s\n", commit.empty() ? "(unknown)" : commit.c_str(),
              dirty ? " (with uncommitted changes)" : "");
  std::printf("runs from  %s: %s\n", where.kind.c_str(), where.root.c_str());
  for (const char* key : {"patchdb", "model", "data_root"}) {
    const nlohmann::json& f = info[key];
    std::printf("%-10s %s (%s%s)\n", key, f["path"].get<std::string>().c_str(),
                f["from"].get<std::string>().c_str(), f["exists"].get<bool>() ? "" : ", missing");
  }
  return 0;
}

}  // namespace tint
