// Where tint's own files are (the bundled patch database, the model cards,
// the page, the default data root), found at run time from where the running
// code lies, never compiled in: a copied build tree or an installed tree
// reads and writes its own files.
//
// The code that asks is the tint binary or the Python module's shared
// object. From its folder upward (at most five levels), the first folder
// that holds either
//   - `tint-root` (a build tree: CMake writes there the path of the source
//     tree, relative to the build tree), or
//   - `share/tint/patchdb` (an install tree: `cmake --install`)
// says where the files are. TINT_PATCHDB, TINT_MODEL and TINT_DATA_ROOT still
// override each default.
#pragma once

#include <string>

namespace tint {

struct Location {
  // "build tree", "install tree", or "not found" (then every default is
  // relative to the current folder, as a bare binary would expect).
  std::string kind;
  // The folder the code runs from (the binary's or the module's).
  std::string code_dir;
  // Holds patchdb/, models/ and web/: the source tree, or <prefix>/share/tint.
  std::string root;
  // The source tree (a build tree only; empty otherwise).
  std::string source_dir;
};

// Found once, on first use.
const Location& Locate();

// The bundled patch database: $TINT_PATCHDB, else <root>/patchdb.
std::string DefaultDatabaseDir();
// The default model card: $TINT_MODEL, else <root>/models/tint-mnv2-ft/card.toml.
std::string DefaultModelCard();
// The network of classic's deep neighbourhood vectors: $TINT_DEEP_FEATURES,
// else <root>/models/tint-deep/features.onnx.
std::string DefaultDeepFeatures();
// Where `$data/` in model cards and configs points: $TINT_DATA_ROOT, else
// <source>/../shared/data in a build tree, else <root>/data.
std::string DefaultDataRoot();
// The commit this tint was built from: `git rev-parse HEAD` in a build
// tree's source tree, or the `commit` file `cmake --install` writes; empty
// when neither says. `dirty` is set when the source tree has changes.
std::string SourceCommit(bool* dirty = nullptr);

}  // namespace tint
