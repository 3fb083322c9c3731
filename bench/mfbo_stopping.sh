#!/usr/bin/env bash
# mfbo_stopping.sh: mfbo without a budget against issue 23's targets for a stopping rule:
# (a) on every real landscape (jobs/kt-*.ini), median final regret <= 1% and <= pattern's,
# at <= 1/3 of pattern's median cost; (b) on the seed benchmark's instances 2-11, the
# optimum in >= 95% of runs at <= 1/5 of pattern's cost (the median over the instances of
# each instance's median cost ratio). Every run through build/bench/mfbo_quality
# (pattern and mfbo at their defaults, mfbo also with each SETTINGS), seeds 1-SEEDS.
# Usage (from the repository root, after building): bash bench/mfbo_stopping.sh [BUILD]
#   env: SEEDS=10, SETTINGS=" |stop_ei=0.003|stop_ei=0.01" ('|'-separated; empty: defaults)
# Prints a markdown table per setting. About 2 minutes on the 2-core VM at the defaults.
set -euo pipefail
q=${1:-build}/bench/mfbo_quality
seeds=${SEEDS:-10}
IFS='|' read -r -a settings <<< "${SETTINGS:- |stop_ei=0.003|stop_ei=0.01}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in $(seq 2 11); do
  printf '[sweep]\nseeds = 1\n[benchmark]\ntype = seed\ninstances = %d\n[algorithm a]\ntype = random\n' \
    "$i" > "$tmp/seed-i$i.ini"
done
# one line: "OPTIMUM_HITS RUNS MEDIAN_REGRET MEDIAN_COST_S"
measure() {
  "$q" "$1" "$2" "$3" 1 "$seeds" | tail -1 |
    sed -E 's/.*optimum ([0-9]+)\/([0-9]+), median regret ([0-9.einf+-]+) .*median cost_s ([0-9.]+),.*/\1 \2 \3 \4/'
}
declare -A pat
for j in jobs/kt-*.ini "$tmp"/seed-i*.ini; do pat[$j]=$(measure "$j" pattern ""); done
for s in "${settings[@]}"; do
  s=${s# }
  echo "mfbo [${s:-defaults}], seeds 1-$seeds:"
  echo
  echo "| landscape | pattern: regret %, cost s | mfbo: regret %, cost s | cost / pattern's | optimum | target |"
  echo "|---|---|---|---|---|---|"
  for j in jobs/kt-*.ini; do
    read -r _ _ pr pc <<< "${pat[$j]}"; read -r h n mr mc <<< "$(measure "$j" mfbo "$s")"
    awk -v j="$(basename "$j" .ini)" -v pr="$pr" -v pc="$pc" -v mr="$mr" -v mc="$mc" -v h="$h" -v n="$n" 'BEGIN {
      r = mc / pc; ok = (mr <= 0.01 && mr <= pr && r <= 1/3)
      printf "| %s | %.2f, %.0f | %.2f, %.0f | %.2f | %d/%d | %s |\n", j, 100*pr, pc, 100*mr, mc, r, h, n,
        ok ? "met" : "**missed**" }'
  done
  hits=0; runs=0; ratios=()
  for j in "$tmp"/seed-i*.ini; do
    read -r _ _ _ pc <<< "${pat[$j]}"; read -r h n _ mc <<< "$(measure "$j" mfbo "$s")"
    hits=$((hits + h)); runs=$((runs + n)); ratios+=("$(awk -v a="$mc" -v b="$pc" 'BEGIN{print a/b}')")
  done
  printf '%s\n' "${ratios[@]}" | sort -g | awk -v h=$hits -v n=$runs '{r[NR]=$1} END {
    m = NR % 2 ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2
    ok = (h >= 0.95 * n && m <= 0.2)
    printf "| seed instances 2-11 | | | %.2f (median of the instances) | %d/%d | %s |\n", m, h, n,
      ok ? "met" : "**missed**" }'
  echo
done
