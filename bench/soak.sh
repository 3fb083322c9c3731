#!/usr/bin/env bash
# soak.sh: a soak of the sweep's fault tolerance (issue 26, item 6). Runs bench/soak.ini
# (8400 tasks, about 22 s uninterrupted) with mpirun -n RANKS; every 2-6 s (random) sends
# SIGKILL to one rank process chosen at random, waits for mpirun to take the job down and
# exit, and resumes (mfbo-sweep JOB -o OUT --resume) until a run completes; then checks that
# the file holds the same /runs, /trace and /benchmark, bit for bit, as an uninterrupted
# run's (tests/sweep/same_results.py). Whole cycles, each with a fresh output file, repeat
# until MINUTES have passed (a cycle that has started is finished).
# Usage (from anywhere):
#   bash bench/soak.sh [--minutes M] [--build DIR] [--ranks N] [--seed S]
#     M: total soak time, minutes (default 10; at least one cycle runs); DIR: holds
#     mfbo-sweep (default build); N: ranks (default 4); S: seed of the random delays and
#     choices (default: random, printed; the kill times still depend on the machine).
# Prints each kill and ends with "soak: N kills survived in C cycles, all results
# identical" (exit 0); exit 1 on a mismatch, on a run that fails without having been
# killed, or on an mpirun that does not exit within 60 s of a kill; the files of the
# failing cycle are then kept (the path is printed). Exit 2: bad usage.
# Open MPI as root, oversubscribed, in its own temporary directory (a killed job leaves
# shared-memory files and session directories there: removed after each run and at the end).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
minutes=10 build=$src/build ranks=4 seed=$((RANDOM * 32768 + RANDOM))
usage() { echo "usage: bash bench/soak.sh [--minutes M] [--build DIR] [--ranks N] [--seed S]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) [ $# -ge 2 ] || usage; minutes=$2; shift 2 ;;
    --build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
    --ranks) [ $# -ge 2 ] || usage; ranks=$2; shift 2 ;;
    --seed) [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
    *) usage ;;
  esac
done
[[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak.sh: --minutes $minutes: not a number" >&2; exit 2; }
[[ $ranks =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: --ranks $ranks: not a positive integer" >&2; exit 2; }
[[ $seed =~ ^[0-9]+$ ]] || { echo "soak.sh: --seed $seed: not a non-negative integer" >&2; exit 2; }
sweep=$build/mfbo-sweep job=$here/soak.ini
[ -x "$sweep" ] || { echo "soak.sh: no $sweep: build first (cmake --build $build)" >&2; exit 2; }

export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT-1}
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM-1}
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe-1}
export OMPI_MCA_btl=${OMPI_MCA_btl-self,vader}
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism-none}
export OMPI_MCA_plm=${OMPI_MCA_plm-isolated}
tmp=$(mktemp -d) sid=""
export OMPI_MCA_btl_vader_backing_directory=$tmp/ompi OMPI_MCA_orte_tmpdir_base=$tmp/ompi
mkdir -p "$tmp/ompi"
keep=""
cleanup() {
  # a run still going (Ctrl-C, an error): SIGKILL to its session, the one this script made
  if [ -n "$sid" ] && ps -o stat= -s "$sid" 2>/dev/null | grep -qv '^Z'; then
    pkill -KILL -s "$sid"; wait "$sid" 2>/dev/null
  fi
  rm -rf "$tmp/ompi"
  [ -n "$keep" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RANDOM=$seed

now() { date +%s.%N; }
sec() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
# alive: a process of the run's session is running (mpirun, a rank), not just a zombie.
alive() { ps -o stat= -s "$sid" 2>/dev/null | grep -qv '^Z'; }
# fail MESSAGE: the files of this cycle are kept for a look.
fail() {
  keep=1
  echo "soak: FAILED: $1" >&2
  echo "soak: kept in $tmp: ref.h5 (uninterrupted), cycle-$cycle.h5[.partial], run logs" >&2
  exit 1
}

t_start=$(now)
echo "soak: $(basename "$sweep") $("$sweep" --version 2>/dev/null | head -1), $ranks ranks," \
  "$(nproc) cores, job bench/soak.ini, seed $seed, $minutes min"
t0=$(now)
mpirun -n "$ranks" "$sweep" "$job" -o "$tmp/ref.h5" --quiet 2>"$tmp/ref.log" ||
  { keep=1; cat "$tmp/ref.log" >&2; echo "soak: FAILED: the uninterrupted run" >&2; exit 1; }
rm -rf "$tmp/ompi"/*
echo "soak: uninterrupted run: $(sec "$t0" "$(now)") s"

kills=0 cycles=0 cycle=0
deadline=$(awk -v t="$t_start" -v m="$minutes" 'BEGIN {printf "%.3f", t + 60 * m}')
while [ $cycles -eq 0 ] || awk -v n="$(now)" -v d="$deadline" 'BEGIN {exit !(n < d)}'; do
  cycle=$((cycles + 1)) run=0 cycle_kills=0
  out=$tmp/cycle-$cycle.h5
  t_cycle=$(now)
  while :; do
    run=$((run + 1))
    opt=(--resume); [ $run -eq 1 ] && opt=() # the first run of a cycle: a fresh file
    setsid mpirun -n "$ranks" "$sweep" "$job" -o "$out" --quiet "${opt[@]}" \
      2>"$tmp/cycle-$cycle-run-$run.log" &
    sid=$!
    delay_ms=$((2000 + RANDOM % 4001))
    t_run=$(now)
    end=$(awk -v t="$t_run" -v d="$delay_ms" 'BEGIN {printf "%.3f", t + d / 1000}')
    while alive && awk -v n="$(now)" -v e="$end" 'BEGIN {exit !(n < e)}'; do sleep 0.05; done
    killed=""
    if alive; then
      mapfile -t pids < <(pgrep -s "$sid" -x mfbo-sweep)
      if [ ${#pids[@]} -gt 0 ]; then
        pid=${pids[RANDOM % ${#pids[@]}]}
        rank=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
        if kill -KILL "$pid" 2>/dev/null; then
          killed=1 kills=$((kills + 1)) cycle_kills=$((cycle_kills + 1))
          echo "soak: cycle $cycle, run $run: SIGKILL to rank ${rank:-?} (pid $pid) after" \
            "$(sec "$t_run" "$(now)") s"
        fi
      fi
      # mpirun takes the job down (the other ranks) and exits: wait for it, at most 60 s
      t_kill=$(now)
      while alive; do
        awk -v n="$(now)" -v t="$t_kill" 'BEGIN {exit !(n - t > 60)}' &&
          fail "cycle $cycle, run $run: the job still runs 60 s after the kill: $(ps -o pid=,stat=,args= -s "$sid" | tr '\n' ';')"
        sleep 0.05
      done
    fi
    wait "$sid"; rc=$?
    sid=""
    rm -rf "$tmp/ompi"/* # the killed job's shared memory and session directory
    if [ -n "$killed" ]; then
      [ -f "$out" ] && [ ! -e "$out.partial" ] && [ $rc -eq 0 ] && break # it had just ended
      continue
    fi
    [ $rc -eq 0 ] ||
      { cat "$tmp/cycle-$cycle-run-$run.log" >&2; fail "cycle $cycle, run $run (${opt[*]:-fresh}) exited $rc without a kill"; }
    break
  done
  [ -f "$out" ] || fail "cycle $cycle: the last run exited 0 but wrote no $out"
  diff=$(/usr/bin/python3 "$src/tests/sweep/same_results.py" "$tmp/ref.h5" "$out" 2>&1) ||
    fail "cycle $cycle: the results differ from the uninterrupted run's after $cycle_kills kills: $diff"
  cycles=$((cycles + 1))
  echo "soak: cycle $cycle: $cycle_kills kills, $run runs, $(sec "$t_cycle" "$(now)") s, results identical"
  rm -f "$out" "$tmp"/cycle-"$cycle"-run-*.log
done
echo "soak: $kills kills survived in $cycles cycles, all results identical" \
  "($(sec "$t_start" "$(now)") s)"
