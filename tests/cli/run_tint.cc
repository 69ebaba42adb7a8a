#include "cli/run_tint.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "testing.h"

namespace tint::testing {
namespace fs = std::filesystem;

int RunResult::ErrLines() const {
  return static_cast<int>(std::count(err.begin(), err.end(), '\n'));
}

RunResult RunTint(const std::string& args, const std::string& dir, const std::string& prefix) {
  const std::string out_file = (fs::path(dir) / "stdout.txt").string();
  const std::string err_file = (fs::path(dir) / "stderr.txt").string();
  const std::string cmd =
      prefix + BinaryDir() + "/bin/tint " + args + " > " + out_file + " 2> " + err_file;
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream out(out_file), err(err_file);
  r.out.assign(std::istreambuf_iterator<char>(out), {});
  r.err.assign(std::istreambuf_iterator<char>(err), {});
  fs::remove(out_file);
  fs::remove(err_file);
  return r;
}

}  // namespace tint::testing
