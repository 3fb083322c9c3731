#!/usr/bin/env bash
# mfbo_speed_ab.sh: the GP step of two builds side by side (issue 24 part 3). Runs
# BUILD_A's and BUILD_B's bench/mfbo_speed in turn, ROUNDS times (A B A B ...), with the same
# arguments, and prints each run's table row for case (b) (n = 1000, 17956 candidates,
# d = 15) and case (a), then the medians over the rounds of each build's medians and the
# ratio B / A of warm refit + suggest: what a run waits for at a refit step.
# Usage: bash bench/mfbo_speed_ab.sh BUILD_A BUILD_B [ROUNDS] [ARGS...]
#   ROUNDS: 3; ARGS: bench/mfbo_speed's (default --reps 7 --no-sklearn)
set -euo pipefail
a=${1:?usage: bash bench/mfbo_speed_ab.sh BUILD_A BUILD_B [ROUNDS] [ARGS...]}
b=${2:?usage: bash bench/mfbo_speed_ab.sh BUILD_A BUILD_B [ROUNDS] [ARGS...]}
rounds=${3:-3}
shift $(($# < 3 ? $# : 3))
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--reps 7 --no-sklearn)
for d in "$a" "$b"; do
  [ -x "$d/bench/mfbo_speed" ] || { echo "mfbo_speed_ab.sh: no $d/bench/mfbo_speed" >&2; exit 2; }
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "machine: $(nproc) cores, $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A: $a  B: $b  rounds: $rounds  args: ${args[*]}"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for r in $(seq "$rounds"); do
  for side in A B; do
    d=$a
    [ $side = B ] && d=$b
    "$d/bench/mfbo_speed" "${args[@]}" 2>&1 | grep -E '^\((a|b)\)' |
      sed "s/^/$side round $r /" | tee -a "$tmp"
  done
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
# columns after "|": n m dim | cold | warm | suggest | warm + suggest (each "median (min)")
awk -F'|' '
  function med(list,   v, n, i, j, t) { # the median of a space-separated list
    n = split(list, v, " ")
    for (i = 1; i <= n; i++)
      for (j = i + 1; j <= n; j++)
        if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { split($1, h, " "); k = h[1] " " h[4] # "A (b)"
    warm[k] = warm[k] " " $4 + 0; sug[k] = sug[k] " " $5 + 0; sum[k] = sum[k] " " $6 + 0 }
  END {
    print "median over the rounds (ms): build case | warm refit | suggest | warm refit + suggest"
    for (c = 0; c < 2; c++) {
      cs = c ? "(b)" : "(a)"
      for (s = 0; s < 2; s++) {
        k = (s ? "B " : "A ") cs
        if (k in sum) printf "%s | %.1f | %.1f | %.1f\n", k, med(warm[k]), med(sug[k]), med(sum[k])
      }
      if (("A " cs) in sum && ("B " cs) in sum)
        printf "ratio B / A %s, warm refit + suggest: %.3f\n", cs,
               med(sum["B " cs]) / med(sum["A " cs])
    }
  }' "$tmp"
