#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time
# (FUZZ_SECONDS, default 30) on a scratch copy of its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh clang libclang-rt-14-dev
seconds=${FUZZ_SECONDS:-30}
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTINT_BUILD_TESTS=OFF -DTINT_BUILD_FUZZERS=ON >/dev/null
cmake --build build-fuzz --target manifest_fuzzer --parallel "$(nproc)"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp fuzz/corpus/manifest/* "$corpus/"
./build-fuzz/bin/manifest_fuzzer -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
  -artifact_prefix=build-fuzz/ "$corpus" 2>&1 | tail -n 12
echo "fuzz: manifest_fuzzer ran ${seconds} s without a finding"
