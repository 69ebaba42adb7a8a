// Option tables: every knob of a method with its one name. The config key
// and Python keyword are the name ("smooth_radius"), the command-line flag is
// the name with dashes ("--smooth-radius", "--no-smooth..." for a switch);
// the range, the help text and whether a cache depends on the knob are in
// the entry and nowhere else (in the manner of COLMAP's OptionManager). A
// table is a list of OptionEntry<O> over the method's options struct O, made
// with NumberOption, SwitchOption and ChoiceOption; the functions below
// parse, check, set and list values through it. The classic pipeline's table
// is pipeline/classic/option_table.h.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tint {

enum class OptionType { kInt, kUInt64, kDouble, kBool, kChoice };

// How a name is shown in a message: as the user wrote it.
enum class OptionSpelling { kFlag, kKey };

// What every surface knows of an option, whatever struct holds it.
struct OptionDoc {
  std::string name;  // config key and Python keyword; the flag is FlagName()
  std::string help;
  OptionType type = OptionType::kInt;
  double min = 0, max = 0;           // kInt, kUInt64, kDouble: valid range, inclusive
  std::vector<std::string> choices;  // kChoice
  std::string rule;                  // an extra rule, said in messages ("odd")
  double min_nonzero = 0;            // > 0: the value is 0 or at least this
};

// Sets the rule "0 or at least `least`" on an entry.
inline void ZeroOrAtLeast(OptionDoc* o, double least) {
  o->min_nonzero = least;
  char text[64];
  std::snprintf(text, sizeof text, "0 or at least %.15g", least);
  o->rule = text;
}

// An entry of the table of options struct O.
template <class O>
struct OptionEntry : OptionDoc {
  // The value in `options` as text (numbers in shortest round-trip form,
  // switches "true"/"false", choices by name).
  std::function<std::string(const O&)> get;
  // Sets the field from text that ParseOptionText has accepted.
  std::function<void(O*, const std::string&)> set;
  // Whether a cache of the method depends on the value in `options`; null:
  // never.
  std::function<bool(const O&)> in_cache_key;
};

// The shortest text that reads back as the same double ("100", "0.002").
std::string FormatDouble(double v);
// "0..100" for an option's valid range.
std::string OptionRange(const OptionDoc& option);
// "--smooth-radius" for "smooth_radius".
std::string FlagName(const std::string& name);
// The name as `spelling` shows it.
std::string ShownName(const OptionDoc& option, OptionSpelling spelling);
// Checks text for an option (type, range, rule); on success *canonical is
// what `set` takes. An error names the option as `spelling` says
// ("--smooth-radius must be an integer in 0..100, got '200'").
Status ParseOptionText(const OptionDoc& option, const std::string& raw, OptionSpelling spelling,
                       std::string* canonical);
// The text of a config value (boolean, number or string) for option `name`
// (`option` null when no entry has that name).
Status OptionValueText(const OptionDoc* option, const std::string& name,
                       const nlohmann::json& value, OptionSpelling spelling, std::string* text);

// Entry makers: a field of O reached through `field`.
template <class O, class T>
using OptionField = T& (*)(O&);

template <class O, class T>
OptionEntry<O> NumberOption(const char* name, OptionType type, double min, double max,
                            const char* help, OptionField<O, T> field,
                            std::function<bool(const O&)> in_key = nullptr) {
  OptionEntry<O> o;
  o.name = name;
  o.help = help;
  o.type = type;
  o.min = min;
  o.max = max;
  o.get = [field, type](const O& c) {
    const T v = field(const_cast<O&>(c));
    return type == OptionType::kDouble ? FormatDouble(static_cast<double>(v)) : std::to_string(v);
  };
  o.set = [field, type](O* c, const std::string& text) {
    if (type == OptionType::kDouble)
      field(*c) = static_cast<T>(std::strtod(text.c_str(), nullptr));
    else if (type == OptionType::kUInt64)
      field(*c) = static_cast<T>(std::strtoull(text.c_str(), nullptr, 10));
    else
      field(*c) = static_cast<T>(std::strtoll(text.c_str(), nullptr, 10));
  };
  o.in_cache_key = std::move(in_key);
  return o;
}

template <class O>
OptionEntry<O> SwitchOption(const char* name, const char* help, OptionField<O, bool> field,
                            std::function<bool(const O&)> in_key = nullptr) {
  OptionEntry<O> o;
  o.name = name;
  o.help = help;
  o.type = OptionType::kBool;
  o.get = [field](const O& c) { return field(const_cast<O&>(c)) ? "true" : "false"; };
  o.set = [field](O* c, const std::string& text) { field(*c) = text == "true"; };
  o.in_cache_key = std::move(in_key);
  return o;
}

template <class O, class E>
OptionEntry<O> ChoiceOption(const char* name, const char* help,
                            std::vector<std::pair<std::string, E>> values, OptionField<O, E> field,
                            std::function<bool(const O&)> in_key = nullptr) {
  OptionEntry<O> o;
  o.name = name;
  o.help = help;
  o.type = OptionType::kChoice;
  for (const auto& [text, value] : values) o.choices.push_back(text);
  o.get = [field, values](const O& c) {
    const E v = field(const_cast<O&>(c));
    for (const auto& [text, value] : values) {
      if (value == v) return text;
    }
    return std::string("?");
  };
  o.set = [field, values](O* c, const std::string& text) {
    for (const auto& [t, value] : values) {
      if (t == text) field(*c) = value;
    }
  };
  o.in_cache_key = std::move(in_key);
  return o;
}

// Operations on a table.
template <class O>
const OptionEntry<O>* FindOption(const std::vector<OptionEntry<O>>& table,
                                 const std::string& name) {
  for (const OptionEntry<O>& o : table) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

// Sets option `name` from text, checking type and range.
template <class O>
Status SetOption(const std::vector<OptionEntry<O>>& table, const std::string& name,
                 const std::string& text, OptionSpelling spelling, O* options) {
  const OptionEntry<O>* o = FindOption(table, name);
  if (o == nullptr) {
    std::string list;
    for (const OptionEntry<O>& e : table) list += (list.empty() ? "" : ", ") + e.name;
    return Status::Error("unknown option '" + name + "' (known: " + list + ")");
  }
  std::string canonical;
  TINT_RETURN_IF_ERROR(ParseOptionText(*o, text, spelling, &canonical));
  o->set(options, canonical);
  return Status::Ok();
}

// The same from a config value (boolean, number or string).
template <class O>
Status SetOptionValue(const std::vector<OptionEntry<O>>& table, const std::string& name,
                      const nlohmann::json& value, OptionSpelling spelling, O* options) {
  std::string text;
  TINT_RETURN_IF_ERROR(OptionValueText(FindOption(table, name), name, value, spelling, &text));
  return SetOption(table, name, text, spelling, options);
}

// Every table value within its range and rules.
template <class O>
Status CheckOptionValues(const std::vector<OptionEntry<O>>& table, const O& options,
                         OptionSpelling spelling) {
  for (const OptionEntry<O>& o : table) {
    std::string canonical;
    TINT_RETURN_IF_ERROR(ParseOptionText(o, o.get(options), spelling, &canonical));
  }
  return Status::Ok();
}

// "name=value;..." of the entries a cache depends on.
template <class O>
std::string OptionCacheKey(const std::vector<OptionEntry<O>>& table, const O& options) {
  std::string key;
  for (const OptionEntry<O>& o : table) {
    if (o.in_cache_key && o.in_cache_key(options))
      key += (key.empty() ? "" : ";") + o.name + "=" + o.get(options);
  }
  return key;
}

// Every value by name, as text (for provenance and reports).
template <class O>
nlohmann::json OptionValues(const std::vector<OptionEntry<O>>& table, const O& options) {
  nlohmann::json values = nlohmann::json::object();
  for (const OptionEntry<O>& o : table) values[o.name] = o.get(options);
  return values;
}

// A method's options as one typed value: built once from named values by
// the method's table and checked there, then carried unchanged (in a
// MethodSpec, pipeline/registry.h) to the method's factory, which reads it
// with As<O>() and parses nothing. Copies share the value. Empty for a
// method without options, or before its table has built it.
class MethodOptions {
 public:
  MethodOptions() = default;
  template <class O>
  explicit MethodOptions(O value)
      : value_(std::make_shared<const O>(std::move(value))), type_(&typeid(O)) {}
  bool empty() const { return value_ == nullptr; }
  // The value when it is an O, else null.
  template <class O>
  const O* As() const {
    return type_ != nullptr && *type_ == typeid(O) ? static_cast<const O*>(value_.get()) : nullptr;
  }

 private:
  std::shared_ptr<const void> value_;
  const std::type_info* type_ = nullptr;
};

// What the registry, configs, Python and the CLI need of a method's table,
// whatever its options struct: MethodInfo::options points at one
// (pipeline/registry.h).
class MethodOptionTable {
 public:
  virtual ~MethodOptionTable() = default;
  // Whose options these are, for messages and help ("the classic methods").
  virtual const std::string& Owner() const = 0;
  virtual std::vector<const OptionDoc*> Docs() const = 0;
  // The default of every option by name, as text.
  virtual nlohmann::json DefaultValues() const = 0;
  // Builds the options: the defaults, then each layer of named values in
  // turn (config values, or flag text: a preset, then the user's), each
  // value parsed and checked once as it is set, then the rules between
  // fields checked once. An error names the option as `spelling` says, and
  // `method` when a layer is no table.
  virtual Status Make(const std::vector<const nlohmann::json*>& layers, const std::string& method,
                      OptionSpelling spelling, MethodOptions* options) const = 0;
  // Every value by name, as text (provenance and reports).
  virtual nlohmann::json Values(const MethodOptions& options) const = 0;
  // Whether `name` is one of its options.
  bool Has(const std::string& name) const {
    for (const OptionDoc* doc : Docs())
      if (doc->name == name) return true;
    return false;
  }
};

// The table of options struct O, with O's checks of the whole (the rules
// between fields) in `check_whole`; `owner` names whose options they are.
template <class O>
class TypedOptionTable : public MethodOptionTable {
 public:
  TypedOptionTable(std::string owner, const std::vector<OptionEntry<O>>& entries,
                   std::function<Status(const O&)> check_whole)
      : owner_(std::move(owner)), entries_(entries), check_whole_(std::move(check_whole)) {}

  const std::vector<OptionEntry<O>>& entries() const { return entries_; }
  const std::string& Owner() const override { return owner_; }
  nlohmann::json DefaultValues() const override { return OptionValues(entries_, O()); }

  std::vector<const OptionDoc*> Docs() const override {
    std::vector<const OptionDoc*> docs;
    for (const OptionEntry<O>& e : entries_) docs.push_back(&e);
    return docs;
  }
  Status Make(const std::vector<const nlohmann::json*>& layers, const std::string& method,
              OptionSpelling spelling, MethodOptions* options) const override {
    O built;
    TINT_RETURN_IF_ERROR(Build(layers, method, spelling, &built));
    *options = MethodOptions(std::move(built));
    return Status::Ok();
  }
  nlohmann::json Values(const MethodOptions& options) const override {
    const O* o = options.As<O>();
    return o != nullptr ? OptionValues(entries_, *o) : nlohmann::json::object();
  }
  // The options the layers give, as Make builds them, into an O.
  Status Build(const std::vector<const nlohmann::json*>& layers, const std::string& method,
               OptionSpelling spelling, O* options) const {
    *options = O();
    for (const nlohmann::json* layer : layers) {
      if (!layer->is_object())
        return Status::Error("options of method '" + method + "' must be a table");
      for (const auto& item : layer->items()) {
        TINT_RETURN_IF_ERROR(SetOptionValue(entries_, item.key(), item.value(), spelling, options));
      }
    }
    return check_whole_ ? check_whole_(*options) : Status::Ok();
  }
  // For an O filled by code rather than by name: every value within its
  // entry's range and rules, then the checks of the whole.
  Status CheckWhole(const O& options, OptionSpelling spelling) const {
    TINT_RETURN_IF_ERROR(CheckOptionValues(entries_, options, spelling));
    return check_whole_ ? check_whole_(options) : Status::Ok();
  }

 private:
  std::string owner_;
  const std::vector<OptionEntry<O>>& entries_;
  std::function<Status(const O&)> check_whole_;
};

}  // namespace tint
