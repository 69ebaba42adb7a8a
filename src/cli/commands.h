// The `tint` subcommands. Each returns the process exit status and prints
// any failure as one line on stderr.
#pragma once

#include <string>

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

// Binds the classic pipeline's options to flags (defaults from the struct).
void AddClassicOptions(CLI::App* app, ClassicOptions* options);
void AddReadOptions(CLI::App* app, ImageReadOptions* options);

// Parses argv; on a parse error prints one line and returns false with
// *exit_code set (0 for --help).
bool Parse(CLI::App* app, int argc, char** argv, int* exit_code);

int Fail(const std::string& command, const std::string& message);

// A CLI11 validator: a registered method name.
CLI::Validator RegisteredMethod();

// The classic options the user gave on the command line (those left at their
// defaults are not named, so a method's preset keeps its values).
nlohmann::json GivenClassicOptions(const CLI::App& app, const ClassicOptions& options);

// Refuses options given for a kind of method other than `method`: classic
// flags for a method without the option table, --model/--weights for one
// without a model, --db/--require-cache for one without a database.
Status CheckOptionsApply(const CLI::App& app, const MethodInfo& method);

}  // namespace internal
}  // namespace tint
