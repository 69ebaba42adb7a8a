// Where a run's numbers come from: the commit (and whether the tree was
// dirty), the config's hash, the patch database's and models' hashes, the
// machine and the date. Recorded in every summary.json.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "eval/experiment.h"

namespace tint {

nlohmann::json RunProvenance(const ExperimentConfig& config, const std::string& db_dir,
                             const std::string& data_root);

}  // namespace tint
