#!/usr/bin/env bash
# The checked-in .clang-format over src/ tests/ benchmarks/ fuzz/ python/.
#   bash scripts/format.sh          reformat in place
#   bash scripts/format.sh --check  fail (listing the files) where the format differs
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || bash scripts/install_deps.sh clang-format
mapfile -t files < <(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'benchmarks/*.cc' 'benchmarks/*.h' \
  'fuzz/*.cc' 'fuzz/*.h' 'python/*.cc')
if [ "${1:-}" = "--check" ]; then
  if ! clang-format --dry-run --Werror "${files[@]}" 2>/dev/null; then
    echo "format: these files differ from .clang-format (run bash scripts/format.sh):"
    for f in "${files[@]}"; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "  $f"; done
    exit 1
  fi
  echo "format: ${#files[@]} files follow .clang-format"
else
  clang-format -i "${files[@]}"
fi
