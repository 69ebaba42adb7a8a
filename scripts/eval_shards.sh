#!/usr/bin/env bash
# Runs one `tint eval --config` as N shards on a scheduler, then merges them:
#
#   bash scripts/eval_shards.sh slurm CONFIG OUT N     # a Slurm job array (sbatch --array)
#   bash scripts/eval_shards.sh parallel CONFIG OUT N  # GNU parallel on this machine
#
# Shard I writes OUT/shard-I (tint eval --shard I/N --jobs 1); when all are
# done, OUT/merged holds the whole run (tint eval --merge): its per-photo
# results and summary are those of one process over every photo. For slurm,
# SLURM_CONF must point at a cluster (scripts/slurm_local.sh starts one on
# this machine) and OUT must be on storage every node sees.
# TINT (default build/bin/tint) names the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -ne 4 ]; then
  echo "usage: $0 slurm|parallel CONFIG OUT N" >&2
  exit 2
fi
runner=$1 config=$(realpath "$2") out=$(realpath -m "$3") n=$4
tint=$(realpath "${TINT:-build/bin/tint}")
case "$n" in '' | *[!0-9]* | 0) echo "eval_shards: N must be a positive number" >&2; exit 2 ;; esac
mkdir -p "$out/logs"
last=$((n - 1))
case "$runner" in
  slurm)
    : "${SLURM_CONF:?set SLURM_CONF (bash scripts/slurm_local.sh start prints it)}"
    # --wait: sbatch returns when every task of the array has ended, with
    # a non-zero status if any failed.
    sbatch --wait --parsable --job-name=tint-eval --array="0-$last" --cpus-per-task=1 \
      --chdir="$PWD" --output="$out/logs/shard-%a.log" \
      --wrap="'$tint' eval --config '$config' --out '$out/shard-'\$SLURM_ARRAY_TASK_ID --shard \$SLURM_ARRAY_TASK_ID/$n --jobs 1"
    ;;
  parallel)
    bash scripts/install_deps.sh parallel >/dev/null
    seq 0 "$last" | parallel --will-cite --halt now,fail=1 -j "$n" \
      "'$tint' eval --config '$config' --out '$out/shard-{}' --shard {}/$n --jobs 1 > '$out/logs/shard-{}.log' 2>&1"
    ;;
  *) echo "eval_shards: runner must be slurm or parallel, not '$runner'" >&2; exit 2 ;;
esac
shards=()
for i in $(seq 0 "$last"); do shards+=("$out/shard-$i"); done
"$tint" eval --config "$config" --out "$out/merged" --merge "${shards[@]}"
echo "eval_shards: $n shards ($runner) merged into $out/merged"
