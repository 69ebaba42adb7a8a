// Runs the built `tint` binary for the CLI tests.
#pragma once

#include <string>

namespace tint::testing {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
  int ErrLines() const;
};

// Runs `tint ARGS` (a shell word list), capturing stdout and stderr through
// files in `dir`.
// `prefix` goes before the binary: "timeout 30 " to bound a run that must not
// hang (exit 124 if it does), "VAR=value " to set the environment.
RunResult RunTint(const std::string& args, const std::string& dir, const std::string& prefix = "");

}  // namespace tint::testing
