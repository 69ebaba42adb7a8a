#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace tint {

Progress::Progress(std::string what, int total)
    : what_(std::move(what)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      tty_(::isatty(STDERR_FILENO) != 0) {}

void Progress::Step(int done, const std::string& item) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double per = done > 0 ? elapsed / done : 0.0;
  const double eta = per * (total_ - done);
  std::fprintf(stderr, "%s%s %d/%d (%.2f s each, ETA %.0f s) %s%s", tty_ ? "\r\033[K" : "",
               what_.c_str(), done, total_, per, eta, item.c_str(), tty_ ? "" : "\n");
  std::fflush(stderr);
}

void Progress::Finish() {
  if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace tint
