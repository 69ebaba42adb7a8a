// Configuration files (model cards, experiment configs) in JSON or TOML,
// read into one JSON tree so that each schema is checked in one place.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tint {

// Reads `path` by its extension: .json or .toml. A syntax error gives one
// line naming the file (and the line, for TOML).
Status ReadConfigFile(const std::string& path, nlohmann::json* tree);
// The same for text already in memory; `name` is used in messages.
Status ParseConfigText(const std::string& name, const std::string& text, bool toml,
                       nlohmann::json* tree);

// Schema helpers: each returns an error naming `where` (say "card.toml [input]").
// Fails when `object` has a key outside `allowed`.
Status CheckKeys(const nlohmann::json& object, const std::string& where,
                 const std::vector<std::string>& allowed);
Status GetString(const nlohmann::json& object, const std::string& where, const std::string& key,
                 bool required, std::string* value);
Status GetNumber(const nlohmann::json& object, const std::string& where, const std::string& key,
                 bool required, double* value);
Status GetInt(const nlohmann::json& object, const std::string& where, const std::string& key,
              bool required, long long min, long long max, long long* value);
Status GetBool(const nlohmann::json& object, const std::string& where, const std::string& key,
               bool required, bool* value);

}  // namespace tint
