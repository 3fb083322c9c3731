#!/usr/bin/env bash
# load_landscapes.sh: how long loading a Kernel Tuner dataset takes (issue 7: the largest,
# dedispersion, 3.4 MB gzipped / 11,130 entries, must load well under a second), side by
# side for the three files of data/; median of REPS runs, each a fresh process:
#   load:      building the benchmark once (read + gunzip + JSON parse + indexing + optimum),
#              timed inside bench/load_time.c around mfbo_benchmark_alloc;
#   landscape: the whole `mfbo-landscape JOB` command a user runs (it builds the benchmark
#              twice: once to validate the job, once to describe it) -- wall time;
#   peak RSS:  of one load.
# Usage: bash bench/load_landscapes.sh [BUILD_DIR] [REPS]   (from the repository root)
set -euo pipefail
build=${1:-build}
reps=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# The timing program, linked against the build's core library.
cmd="cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude bench/load_time.c $build/libmfbo_core.a
     $(pkg-config --libs gsl inih jansson zlib) -lm -o $tmp/load_time"
$cmd

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown); jansson $(pkg-config --modversion jansson), zlib $(pkg-config --modversion zlib)"
echo "load program: $(echo $cmd)"
printf '%-32s %8s %9s %9s %10s %14s %9s\n' dataset entries gz_MB json_MB load_s landscape_s peak_MB
for job in jobs/kt-convolution-A100.ini jobs/kt-dedispersion-MI250X.ini jobs/kt-pnpoly-RTX3090.ini; do
  file=$(sed -n 's/^file *= *//p' "$job")
  gz_mb=$(echo "$(stat -c %s "$file") / 1000000" | bc -l)
  json_mb=$(echo "$(gzip -dc "$file" | wc -c) / 1000000" | bc -l)
  for r in $(seq "$reps"); do "$tmp/load_time" "$job" | cut -d' ' -f1; done | median >"$tmp/load"
  entries=$("$tmp/load_time" "$job" | cut -d' ' -f2)
  for r in $(seq "$reps"); do wall "$build/mfbo-landscape" "$job"; done | median >"$tmp/cli"
  /usr/bin/time -f %M -o "$tmp/rss" "$tmp/load_time" "$job" >/dev/null
  printf '%-32s %8s %9.2f %9.2f %10.3f %14.3f %9.1f\n' "$(basename "$file")" "$entries" "$gz_mb" \
    "$json_mb" "$(cat "$tmp/load")" "$(cat "$tmp/cli")" "$(echo "$(cat "$tmp/rss") / 1000" | bc -l)"
done
echo "(medians of $reps runs; command: bash bench/load_landscapes.sh $build $reps)"
