#!/usr/bin/env bash
# analyze_scaling.sh: does mfbo-analyze keep up with the sweep (issue 24)? For each size,
# runs jobs/zero-cost-tasks.ini (one evaluation of random search a task) with that many
# tasks on RANKS ranks, then mfbo-analyze on its file, each under /usr/bin/time -v, and
# prints a table: wall time and peak RSS of both, and the analysis/sweep wall ratio.
# Usage (from the repository root): bash bench/analyze_scaling.sh [--million] [BIN_DIR] [RANKS]
#   sizes 10000 and 100000; --million adds 1000000 (a few minutes on 2 cores);
#   BIN_DIR default build, RANKS default 2. SIZES="..." overrides the sizes.
#   MPIRUN_FLAGS default --bind-to none --oversubscribe.
set -euo pipefail
sizes=${SIZES:-10000 100000}
if [ "${1:-}" = --million ]; then sizes="$sizes 1000000"; shift; fi
case "${1:-}" in -h|--help) sed -n '2,9p' "$0"; exit 0;; esac
bin=${1:-build}
ranks=${2:-2}
[ -x "$bin/mfbo-sweep" ] && [ -x "$bin/mfbo-analyze" ] || { echo "analyze_scaling.sh: no mfbo-sweep/mfbo-analyze in $bin" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "analyze_scaling.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
[ "$(id -u)" != 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
read -r -a flags <<<"${MPIRUN_FLAGS:---bind-to none --oversubscribe}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# wall seconds and max RSS (MB) of a /usr/bin/time -v log
wall_s() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}' "$1"; }
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

echo "machine: $(nproc) cores; $("$bin/mfbo-analyze" --version); sweep on $ranks ranks"
printf '| tasks | sweep wall s | sweep max RSS MB (mpirun) | analysis wall s | analysis max RSS MB | analysis / sweep |\n'
printf '|---|---|---|---|---|---|\n'
for size in $sizes; do
  sed "s/^seeds *=.*/seeds = 1-$size/" jobs/zero-cost-tasks.ini >"$tmp/z.ini"
  /usr/bin/time -v -o "$tmp/sweep.time" mpirun "${flags[@]}" -n "$ranks" "$bin/mfbo-sweep" \
    "$tmp/z.ini" -o "$tmp/z.h5" --force -q >/dev/null
  /usr/bin/time -v -o "$tmp/analyze.time" "$bin/mfbo-analyze" "$tmp/z.h5" -o "$tmp/out" -q >/dev/null
  sw=$(wall_s "$tmp/sweep.time") aw=$(wall_s "$tmp/analyze.time")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$size" "$sw" "$(rss_mb "$tmp/sweep.time")" "$aw" \
    "$(rss_mb "$tmp/analyze.time")" "$(awk -v a="$aw" -v s="$sw" 'BEGIN {printf "%.2f", a / s}')"
  rm -rf "$tmp/out" "$tmp/z.h5"
done
