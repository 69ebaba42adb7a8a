#!/usr/bin/env bash
# Runs every benchmark executable, the Python peers and the whole-process
# benchmark (benchmarks/process.py: tint as a user runs it), and writes their
# Google Benchmark JSON to benchmarks/results/<machine>_<commit>/ (one file
# per executable, peers.json, process.json, and table.md: docs/benchmarks.md's speed
# table).
#
# usage: scripts/bench.sh [--quick] [--out DIR] [--baseline REV] [--process-only]
#                         [extra Google Benchmark flags]
#   --quick     tiny sizes, one iteration each (what the test command runs)
#   --out       another folder (a quick run defaults to build/benchmarks/quick)
#   --baseline  also build commit REV's tint (in build/baseline, from a git
#               worktree) and run every whole-process case with it, run by run
#               beside this build: the table gives the before/after ratio
#   --process-only  only the whole-process benchmark (and the table)
# A reference run takes about 15 minutes on the 2-core machine; run it on an
# idle machine: every results file records the load average at its start and
# end, and the tools warn when it exceeds the core count.
# The benchmarks are part of the default build (TINT_BUILD_BENCHMARKS is ON).
# This script builds in build/ when build/ is a Release build with them, or
# makes build/ when there is none; any other build/ (Debug, benchmarks off)
# is left as it is and the benchmarks are built in build-bench/ instead.
# Whole-process timing is also cross-checked with hyperfine (Debian's), when
# it is installed: hyperfine.json. The folder is written under a temporary name and renamed at
# the end, so an interrupted run leaves no half result.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
out=""
extra=()
baseline=""
process_only=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --out) out="$2"; shift ;;
    --baseline) baseline="$2"; shift ;;
    --process-only) process_only=1 ;;
    *) extra+=("$1") ;;
  esac
  shift
done

bash scripts/install_deps.sh python3-opencv python3-numpy python3-sklearn python3-skimage \
  python3-scipy wrk redis-server hyperfine
cached() { sed -n "s/^$1:[A-Z]*=//p" build/CMakeCache.txt 2>/dev/null; }
if [ ! -f build/CMakeCache.txt ]; then
  bash scripts/configure.sh build -DCMAKE_BUILD_TYPE=Release
  bin=build/bin
elif [ "$(cached CMAKE_BUILD_TYPE)" = Release ] && [ "$(cached TINT_BUILD_BENCHMARKS)" = ON ]; then
  bin=build/bin
else
  echo "bench: build/ is not a Release build with the benchmarks; building them in build-bench/" >&2
  bash scripts/configure.sh build-bench -DCMAKE_BUILD_TYPE=Release -DTINT_BUILD_BENCHMARKS=ON \
    -DTINT_BUILD_TESTS=OFF -DTINT_BUILD_PYTHON=OFF
  bin=build-bench/bin
fi
cmake --build "$(dirname "$bin")" --parallel
# The index cache the classic benchmarks load (built in memory otherwise).
"./$bin/tint" db build >/dev/null
load=$(/usr/bin/python3 benchmarks/benchjson.py loadavg)
if awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
  echo "bench: warning: load average ${load%% *} exceeds the $(nproc) cores: timings will be slow" >&2
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//')
machine="$(nproc)cpu-${cpu:-unknown}"
commit=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain -uno)" ]; then commit="${commit}-dirty"; fi
if [ -z "$out" ]; then
  if [ "${#quick[@]}" -gt 0 ]; then out=build/benchmarks/quick; else out="benchmarks/results/${machine}_${commit}"; fi
fi
tmp="${out}.partial"
rm -rf "$tmp"
mkdir -p "$tmp"

if [ "$process_only" -eq 0 ]; then
  for stage in luminance otsu neighborhood ncut transfer cnn match end_to_end guide; do
    echo "== bench_${stage}"
    start=$(/usr/bin/python3 benchmarks/benchjson.py loadavg)
    "./$bin/bench_${stage}" "${quick[@]}" --benchmark_out="$tmp/${stage}.json" \
      --benchmark_out_format=json "${extra[@]}"
    /usr/bin/python3 benchmarks/benchjson.py stamp "$tmp/${stage}.json" "$start" \
      "$(/usr/bin/python3 benchmarks/benchjson.py loadavg)"
  done
  echo "== peers (scikit-learn, scikit-image)"
  /usr/bin/python3 benchmarks/peers.py "${quick[@]}" --out "$tmp/peers.json"
  echo "== the service under load (benchmarks/serve_load.py)"
  /usr/bin/python3 benchmarks/serve_load.py "${quick[@]}" --tint "$bin/tint" --out "$tmp/serve"
fi

baseline_args=()
if [ -n "$baseline" ]; then
  # The baseline's own tint and a copy of the database with its own cache
  # (another cache format may be current there).
  echo "== baseline $baseline"
  rm -rf build/baseline-db
  want=$(git rev-parse "$baseline^{commit}")
  if [ "$(git -C build/baseline-src rev-parse HEAD 2>/dev/null)" != "$want" ]; then
    rm -rf build/baseline-src
    git worktree prune
    git worktree add --detach build/baseline-src "$want" >/dev/null
  fi
  cmake -S build/baseline-src -B build/baseline -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DTINT_BUILD_TESTS=OFF -DTINT_BUILD_BENCHMARKS=OFF -DTINT_BUILD_PYTHON=OFF >/dev/null
  cmake --build build/baseline --target tint --parallel
  cp -r build/baseline-src/patchdb build/baseline-db
  rm -f build/baseline-db/index.cache
  ./build/baseline/bin/tint db build --db build/baseline-db >/dev/null
  baseline_args=(--baseline build/baseline/bin/tint --baseline-db build/baseline-db
                 --baseline-label "$baseline ($(git rev-parse --short "$want"))")
fi
echo "== whole process (benchmarks/process.py)"
photos="${TINT_DATA_ROOT:-../shared/data}/bsds500/images/test"
/usr/bin/python3 benchmarks/process.py --tint "$bin/tint" "${quick[@]}" "${baseline_args[@]}" \
  --photos "$photos" --out "$tmp/process.json"
if command -v hyperfine >/dev/null; then
  # The well-kept tool's view of the two headline cases (mean ± σ, min, max,
  # every run's time), beside process.py's medians.
  echo "== whole process, hyperfine"
  # sed reads to the end: head would close the pipe early, and with
  # pipefail a SIGPIPE'd sort (141) ended the whole run here once.
  one=$(find "$photos" -maxdepth 1 -name '*.jpg' | sort | sed -n 1p)
  runs=7
  if [ "${#quick[@]}" -gt 0 ]; then runs=2; fi
  hf_out=$(mktemp -d)
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$tmp/hyperfine.json" \
    -n "classic, one 481x321 photo" "$bin/tint colorize $one -o $hf_out/classic.png --require-cache" \
    -n "cnn, one 481x321 photo" "$bin/tint colorize $one -o $hf_out/cnn.png --method cnn"
  rm -rf "$hf_out"
fi
/usr/bin/python3 benchmarks/table.py "$tmp" --out "$tmp/table.md"
if [ -f "$tmp/serve/table.md" ]; then
  { echo; cat "$tmp/serve/table.md"; } >> "$tmp/table.md"
fi

rm -rf "$out"
mv "$tmp" "$out"
echo "bench: wrote $out"
