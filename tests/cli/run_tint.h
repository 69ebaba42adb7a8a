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
RunResult RunTint(const std::string& args, const std::string& dir);

}  // namespace tint::testing
