#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/locate.h"
#include "pipeline/classic/classic.h"
#include "pipeline/classic/option_table.h"

namespace tint::internal {

// One flag per option of the tables, named from it: --name for a value,
// --name/--no-name for a switch. A flag only records the text the user gave;
// the chosen method's table parses and checks it once (PrepareSpec), so an
// error names the flag the user typed.
void AddMethodOptions(CLI::App* app, const std::vector<const MethodOptionTable*>& tables,
                      nlohmann::json* given) {
  *given = nlohmann::json::object();
  std::set<std::string> bound;
  for (const MethodOptionTable* table : tables) {
    const std::string group = "Options of " + table->Owner();
    const nlohmann::json defaults = table->DefaultValues();
    for (const OptionDoc* entry : table->Docs()) {
      const std::string name = entry->name;
      if (!bound.insert(name).second) continue;  // shared by an earlier table
      const std::string flag = FlagName(name);
      const std::string default_text = defaults.value(name, "");
      if (entry->type == OptionType::kBool) {
        app->add_flag_function(
               flag + ",!--no-" + flag.substr(2),
               [given, name](std::int64_t count) { (*given)[name] = count > 0; },
               entry->help + " (default " + default_text + ")")
            ->group(group);
        continue;
      }
      std::string help = entry->help;
      if (entry->type == OptionType::kInt || entry->type == OptionType::kDouble) {
        help += " [" + OptionRange(*entry) + (entry->rule.empty() ? "" : ", " + entry->rule) + "]";
      }
      if (entry->type == OptionType::kChoice) {
        help += ":";
        for (const std::string& c : entry->choices) help += " " + c;
      }
      const std::string names = name == "candidates" ? "-k," + flag : flag;  // the paper's symbol
      app->add_option(
             names,
             [given, name](const CLI::results_t& results) {
               (*given)[name] = results.back();
               return true;
             },
             help)
          ->group(group)
          ->default_str(default_text)
          ->type_size(1);
    }
  }
}

std::vector<const MethodOptionTable*> RegisteredOptionTables() {
  std::vector<const MethodOptionTable*> tables;
  for (const MethodInfo& m : RegisteredMethods()) {
    if (m.options != nullptr && std::find(tables.begin(), tables.end(), m.options) == tables.end())
      tables.push_back(m.options);
  }
  return tables;
}

void AddReadOptions(CLI::App* app, ImageReadOptions* options) {
  app->add_option("--max-pixels", options->max_pixels, "Refuse images larger than this many pixels")
      ->capture_default_str();
}

CLI::Validator RegisteredMethod() {
  return CLI::Validator(
      [](std::string& name) -> std::string {
        return FindMethod(name) != nullptr
                   ? ""
                   : "unknown method '" + name + "' (registered: " + RegisteredMethodNames() + ")";
      },
      "METHOD");
}

Status BuildClassicOptions(const nlohmann::json& given, ClassicOptions* options) {
  return ClassicMethodOptions().Build({&given}, "classic", OptionSpelling::kFlag, options);
}

// Whether the command has option `name` and it was given (commands bind
// different sets of flags).
static bool Given(const CLI::App& app, const std::string& name) {
  const CLI::Option* option = app.get_option_no_throw(name);
  return option != nullptr && option->count() > 0;
}

Status CheckOptionsApply(const CLI::App& app, const MethodInfo& method,
                         const nlohmann::json& given) {
  for (const auto& item : given.items()) {
    if (method.options != nullptr && method.options->Has(item.key())) continue;
    std::string owners;
    for (const MethodOptionTable* table : RegisteredOptionTables()) {
      if (table->Has(item.key())) owners += (owners.empty() ? "" : " and of ") + table->Owner();
    }
    return Status::Error(FlagName(item.key()) + " is an option of " + owners + ", not of '" +
                         method.name + "'");
  }
  if (!method.takes_model) {
    for (const char* name : {"--model", "--weights"}) {
      if (Given(app, name)) {
        return Status::Error(std::string(name) +
                             " applies to methods with a model (cnn) only, not to '" + method.name +
                             "'");
      }
    }
  }
  if (!method.reads_database) {
    for (const char* name : {"--require-cache"}) {
      if (Given(app, name))
        return Status::Error(std::string(name) + " applies to methods with a patch database only");
    }
  }
  return Status::Ok();
}

int Fail(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "tint %s: error: %s\n", command.c_str(), message.c_str());
  return 1;
}

bool Parse(CLI::App* app, int argc, char** argv, int* exit_code) {
  // `-o=FILE` means `-o FILE`, as `--output=FILE` does (CLI11 would keep the
  // '=' in the value). Arguments after a bare `--` are left alone.
  std::vector<std::string> args;
  bool options_ended = false;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") options_ended = true;
    const bool short_with_equals = i > 0 && !options_ended && arg.size() > 3 && arg[0] == '-' &&
                                   std::isalpha(static_cast<unsigned char>(arg[1])) != 0 &&
                                   arg[2] == '=';
    if (short_with_equals) {
      args.push_back(arg.substr(0, 2));
      args.push_back(arg.substr(3));
    } else {
      args.push_back(arg);
    }
  }
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  try {
    app->parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app->help().c_str());
    *exit_code = 0;
    return false;
  } catch (const CLI::CallForAllHelp&) {
    std::printf("%s", app->help("", CLI::AppFormatMode::All).c_str());
    *exit_code = 0;
    return false;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    *exit_code = Fail(app->get_name(), msg + " (see --help)");
    return false;
  }
  return true;
}

}  // namespace tint::internal
