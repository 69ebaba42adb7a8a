#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (the manifest parser, the index
# cache parser, and the user-input parsers: swatches, rects, class tables,
# experiment configs, hints images, sequence folders) and runs each for a
# bounded time (FUZZ_SECONDS, default 30) on a scratch copy of its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh clang libclang-rt-14-dev
seconds=${FUZZ_SECONDS:-30}
# -O1 -g1, as the sanitizer build of test.sh: half the compile time.
CXX=clang++ bash scripts/configure.sh build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DTINT_BUILD_TESTS=OFF -DTINT_BUILD_FUZZERS=ON
cmake --build build-fuzz --target manifest_fuzzer index_cache_fuzzer inputs_fuzzer --parallel "$(nproc)"
for target in manifest index_cache inputs; do
  corpus=$(mktemp -d) scratch=$(mktemp -d)
  cp fuzz/corpus/$target/* "$corpus/"
  TMPDIR="$scratch" ./build-fuzz/bin/${target}_fuzzer -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/ "$corpus" 2>&1 | tail -n 12
  rm -rf "$corpus" "$scratch"
  echo "fuzz: ${target}_fuzzer ran ${seconds} s without a finding"
done
