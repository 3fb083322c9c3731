#!/usr/bin/env bash
# rank0_limits.sh: what one rank 0 can serve (issue 17). Runs jobs/zero-cost-tasks.ini (one
# evaluation of random search per task, about 0.1 ms of work) with SIZES tasks on each rank
# count in RANKS and prints mfbo-sweep --timing's line for each: the tasks phase (tasks a
# second = tasks / that), the results file's write time, rank 0's peak memory; and the wall
# time of the whole mpirun command.
# Usage (from the repository root): bash bench/rank0_limits.sh [BIN_DIR] [RANKS] [SIZES]
#   defaults: build, "16 64", "100000 1000000" (the 1e6 run only on the first rank count)
#   MPIRUN_FLAGS as in bench/scaling.sh (default --bind-to none; add --oversubscribe past
#   the machine's cores).
set -euo pipefail
bin=${1:-build}
ranks=${2:-16 64}
sizes=${3:-100000 1000000}
[ "$(id -u)" != 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
read -r -a flags <<<"${MPIRUN_FLAGS:---bind-to none --oversubscribe}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
first=${ranks%% *}
echo "machine: $(nproc) cores; mfbo-sweep: $("$bin/mfbo-sweep" --version)"
for size in $sizes; do
  sed "s/^seeds *=.*/seeds = 1-$size/" jobs/zero-cost-tasks.ini >"$tmp/z.ini"
  for n in $ranks; do
    [ "$size" -le 100000 ] || [ "$n" = "$first" ] || continue
    t0=$(date +%s.%N)
    line=$(mpirun "${flags[@]}" -n "$n" "$bin/mfbo-sweep" "$tmp/z.ini" -o "$tmp/z.h5" --force -q --timing 2>&1 | tail -1)
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
    tasks_s=$(echo "$line" | sed -n 's/.* tasks \([0-9.]*\) s.*/\1/p')
    echo "$size tasks, $n ranks: wall $wall s, $(awk -v n="$size" -v t="$tasks_s" 'BEGIN {printf "%.0f", n / t}') tasks/s; $line"
  done
done
