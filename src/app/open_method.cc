#include "app/open_method.h"

#include <chrono>
#include <cstdio>

#include "core/locate.h"

namespace tint {

Status OpenMethod(const std::string& command, const MethodSpec& spec, const std::string& db_dir,
                  const std::string& data_root, bool require_cache, bool verbose,
                  std::unique_ptr<Colorizer>* colorizer) {
  CacheState state = CacheState::kMissing;
  ColorizerContext context;
  context.db_dir = db_dir;
  context.data_root = data_root;
  context.default_model = DefaultModelCard();
  context.cache_policy = require_cache ? CachePolicy::kRequireValid : CachePolicy::kRebuildIfStale;
  context.cache_state = &state;
  const auto start = std::chrono::steady_clock::now();
  TINT_RETURN_IF_ERROR(CreateColorizer(spec, context, colorizer));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const MethodInfo* info = FindMethod(spec.method);
  if (verbose) {
    std::fprintf(stderr, "tint %s: %s ready in %.3f s%s\n", command.c_str(), spec.method.c_str(),
                 seconds,
                 info != nullptr && info->reads_database
                     ? (std::string(" (index cache ") + ToString(state) + ")").c_str()
                     : "");
  }
  if (info != nullptr && info->reads_database && state != CacheState::kValid && verbose) {
    std::fprintf(stderr,
                 "tint %s: note: index cache %s for these settings, built in memory (tint db build "
                 "saves it)\n",
                 command.c_str(), ToString(state));
  }
  return Status::Ok();
}

}  // namespace tint
