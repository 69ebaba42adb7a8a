// The `tint` subcommands. Each returns the process exit status and prints
// any failure as one line on stderr.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/image_io.h"
#include "pipeline/colorizer.h"

namespace tint {

int RunColorize(int argc, char** argv);
int RunDb(int argc, char** argv);
int RunEval(int argc, char** argv);

namespace internal {

// Where the bundled patch database is: $TINT_PATCHDB, else the source tree's.
std::string DefaultDatabaseDir();
// The shipped CNN model's card: $TINT_MODEL, else the source tree's models/tint-hc.
std::string DefaultModelCard();

// Binds the classic pipeline's options to flags (defaults from the struct).
void AddClassicOptions(CLI::App* app, ClassicOptions* options);
void AddReadOptions(CLI::App* app, ImageReadOptions* options);

// Parses argv; on a parse error prints one line and returns false with
// *exit_code set (0 for --help).
bool Parse(CLI::App* app, int argc, char** argv, int* exit_code);

int Fail(const std::string& command, const std::string& message);

// Opens the classic colorizer of db_dir. A missing or stale index cache is
// never used: the index is built in memory (said on stderr when `verbose`),
// or, with require_cache, the call fails.
Status OpenClassic(const std::string& command, const ClassicOptions& options, const std::string& db_dir,
                   bool require_cache, bool verbose, std::unique_ptr<Colorizer>* colorizer);

}  // namespace internal
}  // namespace tint
