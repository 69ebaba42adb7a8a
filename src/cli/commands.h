// The `tint` subcommands. Each returns the process exit status and prints
// any failure as one line on stderr.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/image_io.h"
#include "pipeline/classic/classic_options.h"
#include "pipeline/registry.h"

namespace tint {

int RunColorize(int argc, char** argv);
int RunDb(int argc, char** argv);
int RunEval(int argc, char** argv);
int RunColorizeSequence(int argc, char** argv);
int RunServe(int argc, char** argv);
int RunWorker(int argc, char** argv);
int RunInfo(int argc, char** argv);

namespace internal {

// Binds the options of `tables` to flags (one flag per name; a name two
// tables share is one flag). *given collects the text of those the user
// gave, by option name, for a MethodSpec's options: PrepareSpec parses it.
void AddMethodOptions(CLI::App* app, const std::vector<const MethodOptionTable*>& tables,
                      nlohmann::json* given);
// The option tables of the registered methods, in registry order.
std::vector<const MethodOptionTable*> RegisteredOptionTables();
void AddReadOptions(CLI::App* app, ImageReadOptions* options);

// Parses argv; on a parse error prints one line and returns false with
// *exit_code set (0 for --help).
bool Parse(CLI::App* app, int argc, char** argv, int* exit_code);

int Fail(const std::string& command, const std::string& message);

// A CLI11 validator: a registered method name.
CLI::Validator RegisteredMethod();

// The classic options the flags in `given` set over the defaults (db
// subcommands, the region benchmark), parsed and checked once.
Status BuildClassicOptions(const nlohmann::json& given, ClassicOptions* options);

// Refuses options given for a kind of method other than `method`: a flag of
// another method's table (`given`, from AddMethodOptions), --model/--weights
// for one without a model, --require-cache for one without a database.
Status CheckOptionsApply(const CLI::App& app, const MethodInfo& method,
                         const nlohmann::json& given);

}  // namespace internal
}  // namespace tint
