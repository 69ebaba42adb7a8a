#!/usr/bin/env bash
# Runs every benchmark executable and the Python peers, and writes their
# Google Benchmark JSON to benchmarks/results/<machine>_<commit>/ (one file
# per executable, peers.json, and table.md: the README's speed table).
#
# usage: scripts/bench.sh [--quick] [--out DIR] [extra Google Benchmark flags]
#   --quick  tiny sizes, one iteration each (what the test command runs)
#   --out    another folder (a quick run defaults to build/benchmarks/quick)
# A reference run takes about 15 minutes on the 2-core machine; run it on an
# idle machine. The folder is written under a temporary name and renamed at
# the end, so an interrupted run leaves no half result.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
out=""
extra=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --out) out="$2"; shift ;;
    *) extra+=("$1") ;;
  esac
  shift
done

bash scripts/install_deps.sh python3-opencv python3-numpy python3-sklearn python3-skimage
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTINT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build --parallel
# The index cache the classic benchmarks load (built in memory otherwise).
./build/bin/tint db build >/dev/null

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

for stage in luminance otsu neighborhood ncut transfer cnn match end_to_end; do
  echo "== bench_${stage}"
  "./build/bin/bench_${stage}" "${quick[@]}" --benchmark_out="$tmp/${stage}.json" \
    --benchmark_out_format=json "${extra[@]}"
done
echo "== peers (scikit-learn, scikit-image)"
/usr/bin/python3 benchmarks/peers.py "${quick[@]}" --out "$tmp/peers.json"
/usr/bin/python3 benchmarks/table.py "$tmp" --out "$tmp/table.md"

rm -rf "$out"
mv "$tmp" "$out"
echo "bench: wrote $out"
