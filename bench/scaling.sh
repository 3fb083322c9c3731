#!/usr/bin/env bash
# scaling.sh: strong scaling of mfbo-sweep (issue 17). Runs each JOB on 1, 2, 4, 8, 16 ranks
# (mpirun -n N mfbo-sweep JOB --timing), checks that every rank count wrote the same results
# (bench/results_digest: /runs, /trace, /benchmark), and prints one markdown table per job:
# wall time of the whole mpirun command, speed-up and efficiency T1 / (N * TN), and where
# the time went (mfbo-sweep --timing: start-up of the slowest rank, the tasks, the results
# file; the sum and the longest of the tasks' own wall times from /timing).
# With -c, first measures the machine's own ceiling: N plain processes, each running the
# same slice of the first job (seeds 1-S), all at once, against one alone: what running N
# at a time costs each of them (shared caches, memory, clock, hyper-threads), with no MPI.
# With -x, only that ceiling (of the first JOB).
# Usage (from anywhere):
#   bash bench/scaling.sh [-b BIN_DIR] [-n "1 2 4 8 16"] [-o OUT_DIR] [-c SEEDS [-x]] JOB...
#   BIN_DIR: holds mfbo-sweep and bench/results_digest (default build); OUT_DIR keeps the
#   results files and a log (default: a temporary directory, removed).
#   MPIRUN (default mpirun) and MPIRUN_FLAGS (default --bind-to none: rank 0 has two
#   threads, which a binding to one core would put on one core) say how ranks are started.
set -euo pipefail
bin=build ranks="1 2 4 8 16" out="" ceiling="" only_ceiling=""
while getopts "b:n:o:c:x" opt; do
  case $opt in
    b) bin=$OPTARG ;; n) ranks=$OPTARG ;; o) out=$OPTARG ;; c) ceiling=$OPTARG ;; x) only_ceiling=1 ;;
    *) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: bash bench/scaling.sh [-b BIN] [-n RANKS] [-o DIR] [-c SEEDS] JOB..." >&2; exit 2; }
if [ -z "$out" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; else mkdir -p "$out"; fi
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mpirun=${MPIRUN:-mpirun}
read -r -a flags <<<"${MPIRUN_FLAGS:---bind-to none}"
sweep=$bin/mfbo-sweep digest=$bin/bench/results_digest
now() { date +%s.%N; }
sec() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
field() { sed -n "s/.* $1 \([0-9.]*\) s.*/\1/p" "$2"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
  "$(grep -c ^processor /proc/cpuinfo) logical CPUs, $(lscpu 2>/dev/null | sed -n 's/^Thread(s) per core: *//p') thread(s) per core"
echo "mpi: $($mpirun --version 2>&1 | head -1); flags: ${flags[*]}"
echo "mfbo-sweep: $($sweep --version)"

if [ -n "$ceiling" ]; then # N plain processes at once, the same slice each
  job=$1 slice=$(dirname "$1")/.scaling-ceiling-$$.ini
  sed "s/^seeds *=.*/seeds = $ceiling/" "$job" >"$slice"
  echo; echo "ceiling: $(basename "$job") with seeds $ceiling, plain processes (no MPI)"
  echo "| processes at once | wall of each, mean (s) | slowdown against one alone |"
  echo "|---|---|---|"
  alone=""
  for n in $ranks; do
    t0=$(now)
    for i in $(seq "$n"); do
      ( s=$(now); "$sweep" "$slice" -o "$out/ceiling-$i.h5" --force -q; sec "$s" "$(now)" >"$out/ceiling-$i.s" ) &
    done
    wait
    mean=$(cat "$out"/ceiling-*.s | awk '{s += $1} END {printf "%.3f", s / NR}')
    alone=${alone:-$mean}
    echo "| $n | $mean | $(div "$mean" "$alone") |"
    rm -f "$out"/ceiling-*
  done
  rm -f "$slice"
fi

[ -z "$only_ceiling" ] || exit 0
for job in "$@"; do
  name=$(basename "$job" .ini)
  echo; echo "job: $job ($("$sweep" "$job" --dry-run | grep -c '^[0-9]') tasks)"
  echo "| ranks | wall (s) | speed-up | efficiency | start-up (s) | tasks (s) | results file (s) | sum of task walls (s) | longest task (s) | results |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  t1="" first=""
  for n in $ranks; do
    h5=$out/$name-n$n.h5 log=$out/$name-n$n.log
    t0=$(now)
    "$mpirun" "${flags[@]}" -n "$n" "$sweep" "$job" -o "$h5" --force -q --timing 2>"$log"
    wall=$(sec "$t0" "$(now)")
    t1=${t1:-$wall}
    read -r crc sum_s max_s _ < <("$digest" "$h5")
    first=${first:-$crc}
    same=$([ "$crc" = "$first" ] && echo "same ($crc)" || echo "**DIFFER** ($crc)")
    printf "| %d | %.2f | %s | %s | %s | %s | %s | %.1f | %.2f | %s |\n" "$n" "$wall" \
      "$(div "$t1" "$wall")" "$(div "$t1" "$(awk -v n="$n" -v w="$wall" 'BEGIN {print n * w}')")" \
      "$(field start-up "$log")" "$(field tasks "$log")" "$(field results-file "$log")" \
      "$sum_s" "$max_s" "$same"
    [ "$crc" = "$first" ] || status=1
  done
done
exit "${status:-0}"
