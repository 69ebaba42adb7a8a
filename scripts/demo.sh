#!/usr/bin/env bash
# README command 1: install what is missing, build, and colorize the bundled
# sample photo in classic and CNN mode. Writes out/bridge_colour.png,
# out/bridge_cnn.png and their side-by-side versions, then prints how to
# start the service (tint serve).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_deps.sh
bash scripts/configure.sh build -DCMAKE_BUILD_TYPE=Release -DTINT_BUILD_TESTS=OFF
cmake --build build --parallel
mkdir -p out
# The index cache (git-ignored) makes every later run start fast.
./build/bin/tint db build
./build/bin/tint colorize samples/bridge.jpg -o out/bridge_colour.png --side-by-side --verbose
# CNN mode with the default model (models/tint-mnv2-ft).
./build/bin/tint colorize samples/bridge.jpg -o out/bridge_cnn.png --mode cnn --side-by-side --verbose
echo "demo: wrote out/bridge_colour.png, out/bridge_cnn.png and their _side.png (grey | colour)"
cat <<'HOW'

The Color tool as a service (docs/service.md):
  build/bin/tint serve --port 8080            # then open http://127.0.0.1:8080/
  curl -F image=@samples/bridge.jpg -F method=classic http://127.0.0.1:8080/api/jobs
More machines: start redis-server, then
  build/bin/tint serve --port 8080 --queue-url redis://127.0.0.1:6379
  build/bin/tint worker --queue-url redis://127.0.0.1:6379    # on each machine, any number
HOW
