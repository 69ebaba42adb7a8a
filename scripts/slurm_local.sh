#!/usr/bin/env bash
# A real single-node Slurm on this machine, for running experiment shards as
# a job array (Debian slurm-wlm + munge; no systemd needed).
#
#   bash scripts/slurm_local.sh start   # installs what is missing, starts munged, slurmctld, slurmd
#   bash scripts/slurm_local.sh env     # prints the export line for sbatch/squeue/sacct
#   bash scripts/slurm_local.sh stop
#
# Its configuration, state and logs live in $TINT_SLURM_DIR (default
# /tmp/tint-slurm); the node is this machine with all its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TINT_SLURM_DIR:-/tmp/tint-slurm}
conf=$dir/slurm.conf
cmd=${1:-start}

stop() {
  for d in slurmd slurmctld; do
    if [ -f "$dir/$d.pid" ]; then kill "$(cat "$dir/$d.pid")" 2>/dev/null || true; fi
  done
  sleep 1
}

case "$cmd" in
  env) echo "export SLURM_CONF=$conf"; exit 0 ;;
  stop) stop; echo "slurm_local: stopped"; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac

bash scripts/install_deps.sh slurm-wlm munge
stop
mkdir -p "$dir/state" "$dir/spool" /run/munge
chown munge:munge /run/munge 2>/dev/null || true
if ! pgrep -x munged >/dev/null; then
  [ -s /etc/munge/munge.key ] || (mungekey --create 2>/dev/null || create-munge-key)
  if [ "$(id -u)" -eq 0 ]; then
    su -s /bin/sh munge -c "munged" 2>/dev/null || munged --force
  else
    munged
  fi
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
user=$(id -un)
cat > "$conf" <<CONF
ClusterName=tint
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf
slurmctld -c -f "$conf"
slurmd -f "$conf"
for _ in $(seq 1 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm_local: up ($host, $cpus CPUs); export SLURM_CONF=$conf"
    exit 0
  fi
  sleep 0.5
done
echo "slurm_local: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
sinfo >&2 || true
exit 1
