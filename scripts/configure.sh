#!/usr/bin/env bash
# usage: scripts/configure.sh BUILD_DIR [cmake -D options]
# Configures BUILD_DIR (Ninja) for this checkout. A build folder copied from
# another checkout (cp -r of a whole tree) names that checkout in its
# CMakeCache.txt, and CMake refuses it; its cache is set aside as
# CMakeCache.txt.elsewhere and the folder is configured afresh here (the
# next build then rebuilds everything it holds).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
shift
cache=$dir/CMakeCache.txt
if [ -f "$cache" ]; then
  home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
  if [ -n "$home" ] && [ "$(cd "$home" 2>/dev/null && pwd -P)" != "$(pwd -P)" ]; then
    echo "configure: $dir was configured for $home; configuring it for $(pwd -P)" >&2
    mv -f "$cache" "$cache.elsewhere"
    rm -rf "$dir/CMakeFiles"
  fi
fi
cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
