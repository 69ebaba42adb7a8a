#include "eval/provenance.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "cnn/model_card.h"
#include "core/file_util.h"
#include "core/locate.h"
#include "pipeline/registry.h"

namespace tint {
namespace fs = std::filesystem;
nlohmann::json RunProvenance(const ExperimentConfig& config, const std::string& db_dir,
                             const std::string& data_root) {
  const std::vector<ExperimentMethod>& methods = config.methods;
  nlohmann::json p;
  bool dirty = false;
  p["git_commit"] = SourceCommit(&dirty);
  p["git_dirty"] = dirty;
  p["config_path"] = config.path;
  p["config_sha256"] = config.text_sha256;
  std::string db_hash;
  if (Sha256OfFile((fs::path(db_dir) / "manifest.json").string(), &db_hash).ok())
    p["patchdb_manifest_sha256"] = db_hash;
  p["patchdb"] = db_dir;
  for (const ExperimentMethod& m : methods) {
    const MethodInfo* info = FindMethod(m.spec.method);
    if (info == nullptr || !info->reads_database) continue;
    // Each method that reads a database: the run's, or its own (db =).
    const std::string& dir = m.db.empty() ? db_dir : m.db;
    std::string hash;
    p["patchdbs"][m.name] = {{"dir", dir}};
    if (Sha256OfFile((fs::path(dir) / "manifest.json").string(), &hash).ok())
      p["patchdbs"][m.name]["manifest_sha256"] = hash;
  }
  for (const ExperimentMethod& m : methods) {
    const MethodInfo* info = FindMethod(m.spec.method);
    if (info == nullptr || !info->takes_model) continue;
    ModelCard card;
    ModelCardOptions options;
    options.data_root = data_root;
    if (!LoadModelCard(m.spec.model, options, &card).ok()) continue;
    std::string hash;
    const std::string& file =
        card.framework == ModelFramework::kCaffe ? card.weights_path : card.model_path;
    if (Sha256OfFile(file, &hash).ok())
      p["models"][m.name] = {{"card", m.spec.model}, {"file", file}, {"sha256", hash}};
  }
  struct utsname u;
  if (::uname(&u) == 0) {
    p["machine"] = {{"host", u.nodename},
                    {"system", std::string(u.sysname) + " " + u.release},
                    {"arch", u.machine},
                    {"cores", static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN))}};
  }
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  p["date"] = date;
  return p;
}

}  // namespace tint
