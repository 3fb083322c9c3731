#!/usr/bin/env bash
# test_slurm.sh BUILD SRC MODE: slurm/mfbo-sweep.sbatch under a real Slurm started here
# (munged, slurmctld, slurmd in a temporary directory, on ports that are free; every daemon
# is stopped by its PID on exit). Exits 77 (skipped, loudly) when Slurm is not installed or
# cannot be started. MODE:
#   plain      a small sweep (several tasks, 4 ranks) with srun --mpi=pmix and with mpirun
#              gives the same results as mpirun run directly; a bad job file FAILS, no requeue
#   requeue    a longer sweep stopped by SIGUSR1 to the batch shell (scancel -b -s USR1: what
#              --signal=B:USR1@N sends before the time limit) is requeued, resumes the same
#              results file and gives the same results as an uninterrupted run
#   nodes      a cluster of two nodes, n1 and n2, both on this host (one slurmd each, slurmd
#              -N NAME, each on its own port with its own spool, PID and log files): the small
#              sweep submitted with -N 2 -n 4 --ntasks-per-node=2, with srun --mpi=pmix and
#              with mpirun, runs 2 ranks on each node and gives the same results as mpirun
#              run directly
# (Slurm's own warning, --time=1 --signal=B:USR1@59, comes 0-30 s into a run: a sweep long
# enough to meet it writes ~140 MB and takes minutes here, so it was checked by hand; see
# slurm/README.md.)
# The MPI environment for root (OMPI_ALLOW_RUN_AS_ROOT, ...) comes from the caller (ctest)
# and reaches the job through sbatch --export=ALL.
set -u
bin=$1; src=$2; mode=${3:-plain}
. "$src/tests/sweep/lib.sh"
sbatch_script=$src/slurm/mfbo-sweep.sbatch

skip() {
  echo "**********************************************************************" >&2
  echo "*** SKIPPED: Slurm test ($mode): $*" >&2
  echo "*** (scripts/install-deps.sh installs slurmctld slurmd slurm-client munge)" >&2
  echo "**********************************************************************" >&2
  exit 77
}

for c in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo srun setpriv; do
  command -v $c >/dev/null || skip "'$c' is not installed"
done
[ "$(id -u)" = 0 ] || skip "slurmd must run as root here"
id munge >/dev/null 2>&1 || skip "there is no 'munge' user"

tmp=$(mktemp -d /tmp/mfbo-slurm.XXXXXX)
chmod 755 "$tmp" # munged wants every directory on its socket's path searchable by all
pids=() jobs=()
t0=$(date +%s)

# Stops what this test started: its jobs first (their slurmstepd would outlive slurmd),
# then each daemon by its PID: SIGTERM, then SIGKILL if it is still there after 10 s.
cleanup() {
  trap - EXIT INT TERM
  if [ ${#jobs[@]} -gt 0 ] && [ -n "${SLURM_CONF-}" ]; then
    scancel "${jobs[@]}" 2>/dev/null
    for _ in $(seq 100); do
      [ -z "$(squeue -h -j "$(IFS=,; echo "${jobs[*]}")" -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  local i p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p=${pids[i]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$tmp"
  echo "test_slurm ($mode): $(($(date +%s) - t0)) s"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

show_logs() {
  for f in "$tmp"/log/*; do echo "--- $f"; tail -n 30 "$f"; done >&2
}

# Three free TCP ports next to each other, for slurmctld and slurmd (mode nodes: slurmd n1 and
# n2), below Linux's ephemeral range, so that no client connection takes them meanwhile.
port_free() {
  /usr/bin/python3 -c 'import socket,sys; socket.socket().bind(("", int(sys.argv[1])))' "$1" 2>/dev/null
}
for _ in $(seq 50); do
  port=$((20000 + RANDOM % 12000))
  port_free $port && port_free $((port + 1)) && port_free $((port + 2)) && break
done

host=$(hostname -s)
# The nodes slurmd runs for (slurmd -N NAME in mode nodes), and the directories of each.
if [ "$mode" = nodes ]; then nodes=(n1 n2); else nodes=("$host"); fi
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/work"
if [ "$mode" = nodes ]; then
  for n in "${nodes[@]}"; do mkdir -p "$tmp/spool-$n" "$tmp/tmp-$n"; done
fi
chown munge:munge "$tmp/munge"
head -c 128 /dev/urandom >"$tmp/munge/munge.key"
chown munge:munge "$tmp/munge/munge.key"; chmod 400 "$tmp/munge/munge.key"
sock=$tmp/munge/munge.socket

# The minimal configuration of docs/hpc-notes.md, with this test's own munged socket
# and ports. cred_expire=10: a requeued job waits that long before it may start again
# (the default is 120 s); sched_interval=2: pending jobs are looked at every 2 s.
# FirstJobId: job ids of their own, since Open MPI names its shared-memory files
# (/dev/shm/vader_segment.*) after the job and step ids under srun: two test clusters
# running at once, each with its job 1, crashed each other's ranks.
cat >"$tmp/slurm.conf" <<EOF
ClusterName=ci
FirstJobId=$((port * 100))
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock,cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=sched_interval=2,bf_interval=2
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmdParameters=config_overrides
StateSaveLocation=$tmp/state
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
EOF
if [ "$mode" = nodes ]; then
  # Two nodes on this host: each slurmd finds its port and files by its node name (%n).
  # TmpFS per node, and no PMIxCliTmpDirBase (which would win over it): the PMIx plugin makes
  # its client directory spmix_appdir_<uid>_<job>.<step> there, and when the two nodes
  # shared one, the second slurmstepd of each step failed it ('File exists').
  cat >>"$tmp/slurm.conf" <<EOF
SlurmdSpoolDir=$tmp/spool-%n
SlurmdPidFile=$tmp/slurmd-%n.pid
SlurmdLogFile=$tmp/log/slurmd-%n.log
TmpFS=$tmp/tmp-%n
NodeName=n1 NodeHostname=$host Port=$((port + 1)) CPUs=64 RealMemory=1000 State=UNKNOWN
NodeName=n2 NodeHostname=$host Port=$((port + 2)) CPUs=64 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
EOF
  : >"$tmp/mpi.conf"
else
  cat >>"$tmp/slurm.conf" <<EOF
SlurmdSpoolDir=$tmp/spool
SlurmdPidFile=$tmp/slurmd.pid
SlurmdLogFile=$tmp/log/slurmd.log
NodeName=$host CPUs=64 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  # mpi.conf (beside slurm.conf): the PMIx plugin's directories inside $tmp, not
  # /tmp/spmix_* named after the job id alone, which two test clusters running at once
  # would share.
  cat >"$tmp/mpi.conf" <<EOF
PMIxCliTmpDirBase=$tmp/pmix
EOF
  mkdir -p "$tmp/pmix"
fi
export SLURM_CONF=$tmp/slurm.conf
# Slurm is told of 64 CPUs (config_overrides) on a 2-core machine, so Open MPI in the job
# does not know it is oversubscribed and its idle ranks spin: 5-8x slower here. A real
# cluster's nodes report their real cores; this is the test's setting, like the rest of the
# MPI environment that reaches the job through sbatch --export=ALL.
export OMPI_MCA_mpi_yield_when_idle=1

setpriv --reuid=munge --regid=munge --init-groups -- munged -F --socket="$sock" \
  --key-file="$tmp/munge/munge.key" --log-file="$tmp/log/munged.log" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" \
  >>"$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { show_logs; skip "munged did not start"; }
slurmctld -D -f "$SLURM_CONF" >>"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
if [ "$mode" = nodes ]; then
  for n in "${nodes[@]}"; do
    slurmd -D -N "$n" -f "$SLURM_CONF" >>"$tmp/log/slurmd-$n.out" 2>&1 &
    pids+=($!)
  done
else
  slurmd -D -f "$SLURM_CONF" >>"$tmp/log/slurmd.out" 2>&1 &
  pids+=($!)
fi
up=
for _ in $(seq 150); do
  idle=$(sinfo -h -N -n "$(IFS=,; echo "${nodes[*]}")" -o %t 2>/dev/null | grep -cx idle)
  if [ "$idle" = ${#nodes[@]} ]; then up=1; break; fi
  sleep 0.2
done
[ "$up" ] || { show_logs; skip "slurmctld/slurmd did not start (not all of ${nodes[*]} idle in 30 s)"; }
echo "Slurm up on $host (nodes ${nodes[*]}), ports $port-$((port + ${#nodes[@]})), in $tmp" \
     "($(($(date +%s) - t0)) s)"
srun --mpi=list 2>&1 | grep -qw pmix || echo "note: this Slurm has no pmix: srun runs fall back to mpirun"

# submit NAME [SBATCH OPTIONS] -- [SCRIPT ARGUMENTS]: submits the batch script, sets $id.
submit() {
  local name=$1; shift
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  id=$(MFBO_SWEEP=${sweep_program:-$bin/mfbo-sweep} sbatch --parsable --export=ALL -J "$name" \
       -D "$tmp/work" -o "$tmp/work/$name.out" "${opts[@]}" "$sbatch_script" "$@") || {
    echo "FAILED: sbatch of $name" >&2; fail=1; id=; return 1; }
  jobs+=("$id")
  echo "submitted $name as job $id"
}

field() { scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# wait_job ID SECONDS: waits until the job has ended for good (not pending, running or being
# requeued); prints its state.
wait_job() {
  local s end=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$end" ]; do
    s=$(field "$1" JobState)
    case $s in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE)
        echo "$s"; return 0 ;;
    esac
    sleep 0.5
  done
  echo "TIMEDOUT-WAITING($s)"
}

ref() { mpirun -n 2 "$bin/mfbo-sweep" "$1" -o "$2" --quiet; }

# completed NAME ID: waits for job ID (submitted as NAME), shows its output file ($log) and
# checks that it COMPLETED with exit code 0.
completed() {
  local state
  state=$(wait_job "$2" 90)
  log=$tmp/work/$1.out
  echo "--- job $2 ($1): $state"; cat "$log"
  check "$1 job COMPLETED" "[ '$state' = COMPLETED ] && [ '$(field "$2" ExitCode)' = 0:0 ]"
}

case $mode in
plain)
  job=$src/tests/slurm/small.ini
  ref "$job" "$tmp/ref.h5"; check "reference run with mpirun exits 0" "[ $? -eq 0 ]"
  submit srun -n 4 -t 10 -- "$job" "$tmp/work/srun.h5"; srun_id=$id
  MFBO_LAUNCHER=mpirun submit mpirun -n 4 -t 10 -- "$job" "$tmp/work/mpirun.h5"; mpirun_id=$id
  submit bad -n 2 -t 10 -- "$tmp/work/no-such-job.ini" "$tmp/work/bad.h5"; bad_id=$id
  for name in srun mpirun; do
    [ $name = srun ] && id=$srun_id || id=$mpirun_id
    completed "$name" "$id"
    check "$name job ran 4 ranks" "grep -q ', 4 ranks,' $log"
    check "$name job wrote progress to its output file" "grep -q 'mfbo-sweep: complete: 24/24 tasks' $log"
    check "$name job: results = mpirun run directly" "same_results $tmp/ref.h5 $tmp/work/$name.h5"
    check "$name job left no partial file" "[ ! -e $tmp/work/$name.h5.partial ]"
  done
  check "the srun job used srun --mpi=pmix (or said why not)" \
    "grep -q 'running: srun --mpi=pmix' $tmp/work/srun.out || grep -q 'no pmix' $tmp/work/srun.out"
  check "the mpirun job used mpirun" "grep -q 'running: mpirun -n 4' $tmp/work/mpirun.out"
  state=$(wait_job "$bad_id" 30)
  echo "--- job $bad_id (bad job file): $state"; cat "$tmp/work/bad.out"
  check "a bad job file: job FAILED with exit 2" \
    "[ '$state' = FAILED ] && [ '$(field "$bad_id" ExitCode)' = 2:0 ]"
  check "... with a 'bad job' message" "grep -q 'bad job (exit 2)' $tmp/work/bad.out"
  check "... and no requeue" "[ '$(field "$bad_id" Restarts)' = 0 ]"
  ;;
requeue)
  job=$src/tests/slurm/requeue.ini
  ref "$job" "$tmp/ref.h5"; check "reference run with mpirun exits 0" "[ $? -eq 0 ]"
  submit requeue -n 4 -t 10 -- "$job" "$tmp/work/out.h5"
  log=$tmp/work/requeue.out
  # Once the first results are stored (the partial file past 100 KB: about 20 of its 200
  # tasks), what Slurm sends before the time limit: SIGUSR1 to the batch shell.
  for _ in $(seq 600); do
    [ "$(stat -c %s "$tmp/work/out.h5.partial" 2>/dev/null || echo 0)" -gt 100000 ] && break
    sleep 0.05
  done
  scancel --batch --signal=USR1 "$id"; check "scancel -b -s USR1 accepted" "[ $? -eq 0 ]"
  state=$(wait_job "$id" 180)
  echo "--- job $id: $state after $(field "$id" Restarts) restart(s)"; cat "$log"
  check "the job COMPLETED" "[ '$state' = COMPLETED ] && [ '$(field "$id" ExitCode)' = 0:0 ]"
  check "the batch shell got SIGUSR1 and forwarded it" "grep -q 'got SIGUSR1' $log"
  grep -q 'stopped early, resume with --resume' "$log" ||
    echo "FAILED: the sweep ended before the signal came: make tests/slurm/requeue.ini longer" >&2
  check "mfbo-sweep stopped early and the job was requeued" \
    "grep -q 'stopped early, resume with --resume' $log && grep -q 'requeueing job' $log"
  check "Slurm counts a restart" "[ '$(field "$id" Restarts)' -ge 1 ]"
  check "the requeued job ran with --resume and resumed part of the work" \
    "grep -q 'running: .* --resume' $log && grep -Eq 'resuming: [1-9][0-9]* of [0-9]+ tasks already done' $log"
  check "the output file was appended to, not replaced" "grep -q '(start 1)' $log && grep -q '(start 2)' $log"
  check "results after requeue = uninterrupted mpirun run" "same_results $tmp/ref.h5 $tmp/work/out.h5"
  check "no partial file left" "[ ! -e $tmp/work/out.h5.partial ]"
  ;;
nodes)
  job=$src/tests/slurm/small.ini
  ref "$job" "$tmp/ref.h5"; check "reference run with mpirun exits 0" "[ $? -eq 0 ]"
  # The jobs' MPI: both nodes are this host, and Open MPI names its shared-memory files
  # (/dev/shm/vader_segment.<host>.<job>.<local rank>) after the host name, so the ranks of
  # n1 and n2 with the same local rank took the same file and crashed (a segfault, or
  # MPI_ERR_INTERN): the ranks talk TCP, on the loopback, which a real cluster does between
  # nodes on its own network. OMPI_MCA_plm=isolated (the test environment's, for mpirun
  # outside Slurm) would keep mpirun to its own node: "No nodes are available".
  export OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
  unset OMPI_MCA_plm
  # Each rank notes the node it runs on: the program is a wrapper that writes SLURMD_NODENAME
  # (slurmd sets it for the tasks of its node; under mpirun the ranks inherit it from the
  # orted that srun starts on each node, and from mpirun on the first) and execs mfbo-sweep.
  mkdir -p "$tmp/where"
  sweep_program=$tmp/mfbo-sweep-where
  cat >"$sweep_program" <<EOF
#!/bin/sh
# the node of this rank, in a file named by its job id and PID
echo "\${SLURMD_NODENAME:-unknown}" >"$tmp/where/\${SLURM_JOB_ID:-none}.\$\$"
exec "$bin/mfbo-sweep" "\$@"
EOF
  chmod +x "$sweep_program"
  submit srun -N 2 -n 4 --ntasks-per-node=2 -t 10 -- "$job" "$tmp/work/srun.h5"; srun_id=$id
  MFBO_LAUNCHER=mpirun submit mpirun -N 2 -n 4 --ntasks-per-node=2 -t 10 -- \
    "$job" "$tmp/work/mpirun.h5"; mpirun_id=$id
  for name in srun mpirun; do
    [ $name = srun ] && id=$srun_id || id=$mpirun_id
    completed "$name" "$id"
    check "$name job: Slurm gave it nodes n1 and n2" \
      "[ '$(field "$id" NodeList)' = 'n[1-2]' ] && [ '$(field "$id" NumNodes)' = 2 ]"
    check "$name job: the batch script saw 2 nodes and 4 ranks" \
      "grep -qF 'on n[1-2] (2 nodes), 4 ranks,' $log"
    where=$(cat "$tmp/where/$id".* 2>/dev/null | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')
    echo "$name job: ranks a node: $where"
    check "$name job ran 2 ranks on n1 and 2 on n2" "[ '$where' = 'n1:2 n2:2 ' ]"
    check "$name job wrote progress to its output file" "grep -q 'mfbo-sweep: complete: 24/24 tasks' $log"
    check "$name job: results = mpirun -n 2 run directly" "same_results $tmp/ref.h5 $tmp/work/$name.h5"
    check "$name job left no partial file" "[ ! -e $tmp/work/$name.h5.partial ]"
  done
  check "the srun job used srun --mpi=pmix (or said why not)" \
    "grep -q 'running: srun --mpi=pmix' $tmp/work/srun.out || grep -q 'no pmix' $tmp/work/srun.out"
  check "the mpirun job used mpirun" "grep -q 'running: mpirun -n 4' $tmp/work/mpirun.out"
  ;;
*) echo "test_slurm.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
[ $fail = 0 ] || show_logs
exit $fail
