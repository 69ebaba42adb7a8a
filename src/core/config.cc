#include "core/config.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <toml++/toml.h>

#include "core/file_util.h"

namespace tint {
namespace {

using nlohmann::json;

json TomlToJson(const toml::node& node) {
  if (const auto* table = node.as_table()) {
    json out = json::object();
    for (const auto& [key, value] : *table) out[std::string(key.str())] = TomlToJson(value);
    return out;
  }
  if (const auto* array = node.as_array()) {
    json out = json::array();
    for (const auto& value : *array) out.push_back(TomlToJson(value));
    return out;
  }
  if (const auto* v = node.as_string()) return v->get();
  if (const auto* v = node.as_integer()) return v->get();
  if (const auto* v = node.as_floating_point()) return v->get();
  if (const auto* v = node.as_boolean()) return v->get();
  // Dates and times: kept as their TOML text.
  std::ostringstream os;
  if (const auto* v = node.as_date())
    os << v->get();
  else if (const auto* v = node.as_time())
    os << v->get();
  else if (const auto* v = node.as_date_time())
    os << v->get();
  return os.str();
}

std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

Status ParseConfigText(const std::string& name, const std::string& text, bool is_toml, json* tree) {
  if (is_toml) {
    try {
      toml::table table = toml::parse(text, std::string_view(name));
      *tree = TomlToJson(table);
    } catch (const toml::parse_error& e) {
      return Status::Error(name + ":" + std::to_string(e.source().begin.line) + ": " +
                           OneLine(std::string(e.description())));
    }
    return Status::Ok();
  }
  try {
    *tree = json::parse(text);
  } catch (const json::exception& e) {
    return Status::Error(name + ": not valid JSON (" + OneLine(e.what()) + ")");
  }
  return Status::Ok();
}

Status ReadConfigFile(const std::string& path, json* tree) {
  const auto ends_with = [&](const std::string& suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  bool is_toml = ends_with(".toml");
  if (!is_toml && !ends_with(".json"))
    return Status::Error(path + ": expected a .json or .toml file");
  std::vector<uint8_t> bytes;
  TINT_RETURN_IF_ERROR(
      ReadFileBytes(path, &bytes, uint64_t{64} << 20));  // configs, cards, results: small
  return ParseConfigText(path, std::string(bytes.begin(), bytes.end()), is_toml, tree);
}

Status CheckKeys(const json& object, const std::string& where,
                 const std::vector<std::string>& allowed) {
  if (!object.is_object()) return Status::Error(where + ": expected a table");
  for (const auto& item : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Status::Error(where + ": unknown key '" + item.key() + "' (known: " + list + ")");
    }
  }
  return Status::Ok();
}

namespace {
const json* Find(const json& object, const std::string& key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
}  // namespace

Status GetString(const json& object, const std::string& where, const std::string& key,
                 bool required, std::string* value) {
  const json* v = Find(object, key);
  if (!v) return required ? Status::Error(where + ": missing '" + key + "'") : Status::Ok();
  if (!v->is_string()) return Status::Error(where + ": '" + key + "' must be a string");
  *value = v->get<std::string>();
  return Status::Ok();
}

Status GetNumber(const json& object, const std::string& where, const std::string& key,
                 bool required, double* value) {
  const json* v = Find(object, key);
  if (!v) return required ? Status::Error(where + ": missing '" + key + "'") : Status::Ok();
  if (!v->is_number()) return Status::Error(where + ": '" + key + "' must be a number");
  double d = v->get<double>();
  if (!std::isfinite(d)) return Status::Error(where + ": '" + key + "' must be finite");
  *value = d;
  return Status::Ok();
}

Status GetInt(const json& object, const std::string& where, const std::string& key, bool required,
              long long min, long long max, long long* value) {
  const json* v = Find(object, key);
  if (!v) return required ? Status::Error(where + ": missing '" + key + "'") : Status::Ok();
  if (!v->is_number_integer()) return Status::Error(where + ": '" + key + "' must be an integer");
  long long i =
      v->is_number_unsigned() && v->get<unsigned long long>() > static_cast<unsigned long long>(max)
          ? max + 1
          : v->get<long long>();
  if (i < min || i > max) {
    return Status::Error(where + ": '" + key + "' must be in " + std::to_string(min) + ".." +
                         std::to_string(max));
  }
  *value = i;
  return Status::Ok();
}

Status GetBool(const json& object, const std::string& where, const std::string& key, bool required,
               bool* value) {
  const json* v = Find(object, key);
  if (!v) return required ? Status::Error(where + ": missing '" + key + "'") : Status::Ok();
  if (!v->is_boolean()) return Status::Error(where + ": '" + key + "' must be true or false");
  *value = v->get<bool>();
  return Status::Ok();
}

}  // namespace tint
