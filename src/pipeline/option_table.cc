#include "pipeline/option_table.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <sstream>

namespace tint {

std::string FormatDouble(double v) {
  // A whole number as one ("100", where the shortest %g would say "1e+02").
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    return std::to_string(static_cast<long long>(v));
  // Else the shortest text that reads back as the same double.
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream os;
    os.precision(precision);
    os << v;
    if (std::strtod(os.str().c_str(), nullptr) == v) return os.str();
  }
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

std::string OptionRange(const OptionDoc& o) {
  if (o.type == OptionType::kDouble) return FormatDouble(o.min) + ".." + FormatDouble(o.max);
  std::ostringstream os;
  os << static_cast<long long>(o.min) << ".." << static_cast<unsigned long long>(o.max);
  return os.str();
}

std::string FlagName(const std::string& name) {
  std::string flag = "--" + name;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string ShownName(const OptionDoc& o, OptionSpelling spelling) {
  return spelling == OptionSpelling::kFlag ? FlagName(o.name) : o.name;
}

Status ParseOptionText(const OptionDoc& o, const std::string& raw, OptionSpelling spelling,
                       std::string* canonical) {
  const std::string shown = ShownName(o, spelling);
  std::string text = raw;
  switch (o.type) {
    case OptionType::kBool: {
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (text == "true" || text == "1" || text == "yes" || text == "on")
        *canonical = "true";
      else if (text == "false" || text == "0" || text == "no" || text == "off")
        *canonical = "false";
      else
        return Status::Error(shown + " must be true or false, got '" + raw + "'");
      return Status::Ok();
    }
    case OptionType::kChoice: {
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      std::string list;
      for (const std::string& c : o.choices) {
        if (c == text) {
          *canonical = c;
          return Status::Ok();
        }
        list += (list.empty() ? "" : ", ") + c;
      }
      return Status::Error(shown + " must be one of " + list + ", got '" + raw + "'");
    }
    default:
      break;
  }
  const std::string what = o.type == OptionType::kDouble ? "a number" : "an integer";
  auto bad = [&] {
    return Status::Error(shown + " must be " + what + " in " + OptionRange(o) +
                         (o.rule.empty() ? "" : " (" + o.rule + ")") + ", got '" + raw + "'");
  };
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return bad();
  char* end = nullptr;
  errno = 0;
  if (o.type == OptionType::kDouble) {
    const double v = std::strtod(text.c_str(), &end);
    if (*end != '\0' || errno != 0 || !std::isfinite(v) || v < o.min || v > o.max) return bad();
    *canonical = FormatDouble(v);
  } else if (o.type == OptionType::kUInt64) {
    if (text[0] == '-') return bad();
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (*end != '\0' || errno != 0) return bad();
    *canonical = std::to_string(v);
  } else {
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0' || errno != 0 || v < o.min || v > o.max) return bad();
    if (o.rule == "odd" && v % 2 == 0) return bad();
    if (o.min_nonzero > 0 && v > 0 && v < o.min_nonzero) return bad();
    *canonical = std::to_string(v);
  }
  return Status::Ok();
}

Status OptionValueText(const OptionDoc* o, const std::string& name, const nlohmann::json& value,
                       OptionSpelling spelling, std::string* text) {
  if (value.is_boolean()) {
    if (o != nullptr && o->type != OptionType::kBool) {
      return Status::Error(ShownName(*o, spelling) + " takes a value, not true or false");
    }
    *text = value.get<bool>() ? "true" : "false";
  } else if (value.is_number_unsigned()) {
    *text = std::to_string(value.get<unsigned long long>());
  } else if (value.is_number_integer()) {
    *text = std::to_string(value.get<long long>());
  } else if (value.is_number()) {
    *text = FormatDouble(value.get<double>());
  } else if (value.is_string()) {
    *text = value.get<std::string>();
  } else {
    return Status::Error("option '" + name + "' must be a boolean, number or string");
  }
  if (o != nullptr && o->type == OptionType::kBool && !value.is_boolean()) {
    return Status::Error(ShownName(*o, spelling) + " must be true or false");
  }
  return Status::Ok();
}

}  // namespace tint
