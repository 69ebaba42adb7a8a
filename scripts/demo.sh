#!/usr/bin/env bash
# README command 1: install what is missing, build, and colorize the bundled
# sample photo in classic and CNN mode. Writes out/bridge_colour.png,
# out/bridge_cnn.png and their side-by-side versions.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTINT_BUILD_TESTS=OFF >/dev/null
cmake --build build --parallel
mkdir -p out
# The index cache (git-ignored) makes every later run start fast.
./build/bin/tint db build
./build/bin/tint colorize samples/bridge.jpg -o out/bridge_colour.png --side-by-side --verbose
# CNN mode with the shipped model (models/tint-hc).
./build/bin/tint colorize samples/bridge.jpg -o out/bridge_cnn.png --mode cnn --side-by-side --verbose
echo "demo: wrote out/bridge_colour.png, out/bridge_cnn.png and their _side.png (grey | colour)"
