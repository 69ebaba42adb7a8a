#!/usr/bin/env bash
# One eval config run as 3 shards on a real single-node Slurm (a job array,
# scripts/slurm_local.sh) and on GNU parallel, each merged with --merge, must
# give the numbers of one process over every photo (scripts/compare_runs.py:
# all but seconds and provenance).
#   tests/cli/eval_shards_test.sh SOURCE_DIR TINT
set -euo pipefail
source_dir=$1 tint=$2
work=$(mktemp -d /tmp/tint-shards-XXXXXX)
export TINT_SLURM_DIR=$work/slurm
trap 'bash "$source_dir/scripts/slurm_local.sh" stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/photos"
cp "$source_dir"/tests/data/*.jpg "$source_dir"/tests/data/*.png "$source_dir/samples/bridge.jpg" \
  "$work/photos/"
/usr/bin/python3 - "$source_dir/samples/bridge.jpg" "$work/photos" <<'PY'
import sys, cv2
im = cv2.imread(sys.argv[1])
cv2.imwrite(f"{sys.argv[2]}/bridge_flipped.png", im[:, ::-1])
cv2.imwrite(f"{sys.argv[2]}/bridge_half.png", cv2.resize(im, None, fx=0.5, fy=0.5))
PY
cat > "$work/config.toml" <<TOML
name = "shards"
[[dataset]]
name = "photos"
kind = "folder"
path = "$work/photos"
[[method]]
name = "classic"
mode = "classic"
[[method]]
name = "cnn"
mode = "cnn"
model = "$source_dir/models/tint-hc/card.toml"
TOML
export TINT=$tint
"$tint" eval --config "$work/config.toml" --out "$work/one" --jobs 1 >"$work/one.log" 2>&1 ||
  { cat "$work/one.log"; exit 1; }
bash "$source_dir/scripts/slurm_local.sh" start
eval "$(bash "$source_dir/scripts/slurm_local.sh" env)"
bash "$source_dir/scripts/eval_shards.sh" slurm "$work/config.toml" "$work/slurm-run" 3 >/dev/null
bash "$source_dir/scripts/eval_shards.sh" parallel "$work/config.toml" "$work/parallel-run" 3 >/dev/null
for run in slurm-run parallel-run; do
  for i in 0 1 2; do
    grep -q "photos done" "$work/$run/logs/shard-$i.log" || { echo "no work in $run shard $i"; exit 1; }
  done
  /usr/bin/python3 "$source_dir/scripts/compare_runs.py" "$work/one" "$work/$run/merged"
done
echo "eval_shards_test: slurm and parallel shards merged = one process"
