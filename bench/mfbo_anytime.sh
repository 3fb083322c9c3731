#!/usr/bin/env bash
# mfbo_anytime.sh: issue 13's quality benchmark, every landscape side by side in one run.
# For each landscape, build/bench/mfbo_anytime (see its header) caps every run at pattern's
# median cost C on that landscape and reads each searcher's regret at 1/16, 1/8, 1/4, 1/2
# and 1 x C; it prints the table and the verdict (mfbo's median <= every other searcher's
# at each point: MET/MISSED with the margin; final median regret <= 1%).
# Landscapes: the six real ones (jobs/kt-*.ini: convolution A100, dedispersion MI250X,
# pnpoly RTX3090, and the Triton matmul, softmax and attention recorded on an H100; their data is in
# data/) and
# the synthetic family at dimensions 5-15 (jobs/anytime-synthetic-dN.ini).
# CUT: the synthetic jobs have 5 instances each (1-5), not the study's 10-20: d13 alone
# takes ~25 s per instance to load twice (optimum by enumeration of 23 million
# configurations; d14 and d15 are not enumerated: regret there is against the best
# configuration any run evaluated). Seeds 1-20 on every landscape.
# Usage (from the repository root, after cmake --build BUILD):
#   bash bench/mfbo_anytime.sh OUTDIR [JOBS] [BUILD]
#     JOBS: worker processes (default: nproc); BUILD: build dir (default: build)
#   env: SEEDS=1-20, DIMS="5 6 7 8 9 10 11 12 13 14 15" (DIMS="": none), REAL=1 (0: skip the real ones),
#        SEARCHERS=... (mfbo_anytime --searchers)
# Writes OUTDIR/NAME.csv, NAME.txt (the table) and NAME.log (progress) per landscape, prints
# the tables and at the end every verdict line and the wall time per landscape.
# Time: measured 2026-11-27 on the 2-core VM (other work running), SEEDS=1-3, -j 2, mfbo
# stopping by itself after ~52 evaluations (0.1-2 s a run): 216 s in all, ~100 s of it
# loading d10-d13 (serial). Full size (20 seeds) on 16 cores: about 4 min with today's mfbo.
# Runs are dominated by mfbo: 1160 mfbo runs in all (3 x 20 + 11 x 5 x 20), so expect
# about 2 min of loading + 1160 x (mfbo's wall s per run) / JOBS; each table's wall_sum
# column gives the per-searcher total for a pilot run with fewer seeds.
set -uo pipefail
out=${1:?usage: bash bench/mfbo_anytime.sh OUTDIR [JOBS] [BUILD]}
jobs=${2:-$(nproc)}
build=${3:-build}
seeds=${SEEDS:-1-20}
dims=${DIMS-5 6 7 8 9 10 11 12 13 14 15} # DIMS="" (set, empty): no synthetic ones
bin=$build/bench/mfbo_anytime
[ -x "$bin" ] || { echo "no $bin: build first (cmake --build $build)" >&2; exit 2; }
mkdir -p "$out"

list=()
[ "${REAL:-1}" = 1 ] && list+=(jobs/kt-convolution-A100.ini jobs/kt-dedispersion-MI250X.ini
                                jobs/kt-pnpoly-RTX3090.ini jobs/kt-matmul-H100.ini
                                jobs/kt-softmax-H100.ini jobs/kt-attention-H100.ini)
for d in $dims; do list+=("jobs/anytime-synthetic-d$d.ini"); done

extra=()
[ -n "${SEARCHERS:-}" ] && extra=(--searchers "$SEARCHERS")
echo "mfbo_anytime: seeds $seeds, -j $jobs, $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null)"
times=()
status=0
t_all=$(date +%s)
for job in "${list[@]}"; do
  name=$(basename "$job" .ini)
  t0=$(date +%s)
  "$bin" "$job" "$seeds" -j "$jobs" --csv "$out/$name.csv" "${extra[@]}" \
    2> >(tee "$out/$name.log" >&2) | tee "$out/$name.txt" || status=1
  times+=("$name $(( $(date +%s) - t0 )) s")
done
echo "== verdicts"
for job in "${list[@]}"; do
  name=$(basename "$job" .ini)
  printf '%-28s %s\n' "$name" "$(grep -h '^verdict' "$out/$name.txt" 2>/dev/null || echo 'no result')"
done
echo "== wall time per landscape (-j $jobs)"
printf '  %s\n' "${times[@]}"
echo "  total $(( $(date +%s) - t_all )) s"
exit $status
