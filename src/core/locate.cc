#include "core/locate.h"

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace tint {
namespace fs = std::filesystem;
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The file of the running code: the shared object this function is linked
// into (the Python module), else the executable.
fs::path CodeFile() {
  std::error_code ec;
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&CodeFile), &info) != 0 && info.dli_fname != nullptr) {
    const fs::path object = info.dli_fname;
    if (object.extension() == ".so" || object.filename().string().find(".so.") != std::string::npos)
      return fs::weakly_canonical(fs::absolute(object, ec), ec);
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

Location Find() {
  Location where;
  where.kind = "not found";
  std::error_code ec;
  const fs::path code = CodeFile();
  where.code_dir = code.parent_path().string();
  fs::path dir = code.parent_path();
  for (int level = 0; level <= 5 && !dir.empty(); ++level) {
    if (fs::is_regular_file(dir / "tint-root", ec)) {
      std::ifstream in(dir / "tint-root");
      std::string relative;
      std::getline(in, relative);
      fs::path source = (dir / (relative.empty() ? "." : relative)).lexically_normal();
      if (!source.has_filename()) source = source.parent_path();
      where.kind = "build tree";
      where.root = where.source_dir = source.string();
      return where;
    }
    if (fs::is_directory(dir / "share" / "tint" / "patchdb", ec)) {
      where.kind = "install tree";
      where.root = (dir / "share" / "tint").string();
      return where;
    }
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  where.root = ".";
  return where;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The output of `git -C DIR ARGS` (no shell: DIR may hold any character).
std::string Git(const std::string& dir, const std::string& args) {
  std::array<int, 2> fds{};
  if (::pipe(fds.data()) != 0) return "";
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return "";
  }
  if (pid == 0) {
    ::dup2(fds[1], 1);
    if (std::FILE* null = std::fopen("/dev/null", "w")) ::dup2(fileno(null), 2);
    ::close(fds[0]);
    ::close(fds[1]);
    if (args == "status")
      ::execlp("git", "git", "-C", dir.c_str(), "status", "--porcelain", "--untracked-files=no",
               static_cast<char*>(nullptr));
    else
      ::execlp("git", "git", "-C", dir.c_str(), "rev-parse", "HEAD", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? Trimmed(out) : "";
}

}  // namespace

const Location& Locate() {
  static const Location where = Find();
  return where;
}

std::string DefaultDatabaseDir() {
  const std::string env = Env("TINT_PATCHDB");
  return !env.empty() ? env : (fs::path(Locate().root) / "patchdb").string();
}

std::string DefaultModelCard() {
  const std::string env = Env("TINT_MODEL");
  return !env.empty()
             ? env
             : (fs::path(Locate().root) / "models" / "tint-mnv2-ft" / "card.toml").string();
}

std::string DefaultDeepFeatures() {
  const std::string env = Env("TINT_DEEP_FEATURES");
  return !env.empty()
             ? env
             : (fs::path(Locate().root) / "models" / "tint-deep" / "features.onnx").string();
}

std::string DefaultDataRoot() {
  const std::string env = Env("TINT_DATA_ROOT");
  if (!env.empty()) return env;
  const Location& where = Locate();
  if (!where.source_dir.empty())
    return (fs::path(where.source_dir) / ".." / "shared" / "data").lexically_normal().string();
  return (fs::path(where.root) / "data").string();
}

std::string SourceCommit(bool* dirty) {
  const Location& where = Locate();
  if (dirty != nullptr) *dirty = false;
  if (!where.source_dir.empty()) {
    const std::string commit = Git(where.source_dir, "rev-parse");
    if (dirty != nullptr && !commit.empty()) *dirty = !Git(where.source_dir, "status").empty();
    return commit;
  }
  std::ifstream in(fs::path(where.root) / "commit");
  std::string commit;
  std::getline(in, commit);
  return Trimmed(commit);
}

}  // namespace tint
