#!/usr/bin/env bash
# results_doc.sh: the study of docs/results.md (issue 25 item 8, issue 23 item 4), one
# command at one commit: every searcher on every landscape at every budget, then the
# document itself. Usage, from anywhere (it works in the repository root), after
# `cmake --build BUILD`:
#
#   bash bench/results_doc.sh [BUILD]          (BUILD: build)
#
# For each landscape (the six real ones, jobs/kt-*.ini, and the synthetic family d5-d15,
# jobs/anytime-synthetic-dN.ini) build/bench/mfbo_anytime runs pattern without a budget,
# takes B = its median cost, runs every searcher with budget_cost_s = B and reads every
# run's regret at B/16, B/8, B/4, B/2 and B from its trace; it writes, under
# docs/results/study/, NAME.csv (medians, quartiles, the lowest searcher, rank-sum p-values),
# NAME.runs.csv (every run), NAME.txt (its table) and NAME.log. Then bench/results_doc.py
# writes docs/results.md from them and meta.txt (this run's commit, command, sizes, cuts).
# Searchers: random, pattern, de, hyperband, sh, lfbo, mfbo (defaults) and Optuna's TPE
# through adapters/optuna_tpe.py as `type = external` (categorical, and --ordered), in the
# same run loop and read from the same trace. Needs Debian's python3-optuna (and h5py-free
# /usr/bin/python3 for the document).
#
# Sizes (env, defaults = the committed study): SEEDS_REAL=1-10 (every searcher);
# synthetic: SYN_INSTANCES=1-4 x SYN_SEEDS=1-2; Optuna's TPE on the synthetic family only at
# SYN_TPE_DIMS="5 10", on SYN_TPE_SEEDS=1-1 (x the same instances); JOBS=2 worker processes.
# For a quick check only (the document then says what ran): REAL=0 (no real landscapes),
# DIMS="5 6" (the synthetic dimensions; DIMS="": none).
# CUTS, sized from a pilot (1 seed, 1 instance per landscape, every searcher) on the shared
# 2-core development VM, 2026-12-07, so that the whole study takes about an hour there:
#  - Optuna's TPE, not mfbo, is the cost: 20-80 s of wall time a run (up to 1000 trials;
#    Optuna 3.1's TPE is quadratic in the number of trials and slower with more parameters:
#    the two variants took 36 s at synthetic d5, 139 s at d8, ~80 s on convolution, ~65 s on
#    softmax per (instance, seed)); mfbo took 0.3-10 s a run up to d8, more above;
#  - real landscapes: 10 seeds (not 20), every searcher on every seed;
#  - synthetic family: 4 of the jobs' 5 instances x 2 seeds = 8 runs per searcher (not
#    5 x 20), TPE only at d5 and d10 and only on seed 1 (4 runs): TPE on every dimension
#    would have cost ~1600 s of CPU per (instance, seed).
# Expected: ~2400 s of CPU for the real landscapes, ~2200 for the synthetic family: about
# 40-55 minutes on the 2 shared cores.
# Every cut is repeated in the document (its "Cuts" section, from meta.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
cd "$root"
bin=$build/bench/mfbo_anytime
py=/usr/bin/python3
[ -x "$bin" ] || { echo "results_doc.sh: no $bin: build first (cmake --build build)" >&2; exit 2; }
"$py" -c 'import optuna' 2>/dev/null || { echo "results_doc.sh: $py has no optuna (apt-get install python3-optuna)" >&2; exit 2; }

seeds_real=${SEEDS_REAL:-1-10}
syn_inst=${SYN_INSTANCES:-1-4}
syn_seeds=${SYN_SEEDS:-1-2}
syn_tpe_dims=${SYN_TPE_DIMS-5 10}
syn_tpe_seeds=${SYN_TPE_SEEDS:-1-1}
jobs=${JOBS:-2}
real=${REAL:-1}
dims=${DIMS-5 6 7 8 9 10 11 12 13 14 15}
out=docs/results/study
builtin='random,pattern,de,hyperband,sh,lfbo,mfbo'
tpe='optuna-tpe:external:command=adapters/optuna_tpe.py,optuna-tpe-ordered:external:command=adapters/optuna_tpe.py --ordered'

minp() { # M N: the smallest two-sided exact rank-sum p-value of samples of M and N
  "$py" -c 'import math, sys; m, n = map(int, sys.argv[1:]); print(f"{2 / math.comb(m + n, m):.2g}")' "$1" "$2"
}
count() { # A-B -> B - A + 1
  local a=${1%-*} b=${1#*-}; echo $((b - a + 1))
}
cmd="bash bench/results_doc.sh"
for v in SEEDS_REAL SYN_INSTANCES SYN_SEEDS SYN_TPE_DIMS SYN_TPE_SEEDS JOBS REAL DIMS; do
  [ -n "${!v+set}" ] && cmd="$v='${!v}' $cmd"
done
[ "$#" -gt 0 ] && cmd="$cmd $1"

rm -rf "$out"
mkdir -p "$out"
commit=$(git rev-parse --short HEAD)
tree=clean
git diff --quiet HEAD -- src include bench adapters jobs data CMakeLists.txt || tree="with uncommitted changes"
load() { cut -d' ' -f1-3 /proc/loadavg; }
start=$(date -u '+%F %H:%M UTC') load_start=$(load) t_all=$(date +%s)
echo "results_doc: commit $commit ($tree), -j $jobs, $(nproc) cores, load $load_start"

walls=()
run() { # JOB SEEDS SEARCHERS [mfbo_anytime options]
  local job=$1 seeds=$2 searchers=$3 name t0; shift 3
  name=$(basename "$job" .ini)
  t0=$(date +%s)
  "$bin" "$job" "$seeds" -j "$jobs" --searchers "$searchers" "$@" \
    --csv "$out/$name.csv" --runs-csv "$out/$name.runs.csv" \
    2> >(tee "$out/$name.log" >&2) | tee "$out/$name.txt"
  walls+=("wall=$name $(( $(date +%s) - t0 ))")
}

if [ "$real" = 1 ]; then
  for j in convolution-A100 dedispersion-MI250X pnpoly-RTX3090 matmul-H100 softmax-H100 attention-H100; do
    run "jobs/kt-$j.ini" "$seeds_real" "$builtin,$tpe"
  done
fi
for d in $dims; do
  if [[ " $syn_tpe_dims " == *" $d "* ]]; then
    run "jobs/anytime-synthetic-d$d.ini" "$syn_seeds" "$builtin,$tpe" --instances "$syn_inst" \
      --external-seeds "$syn_tpe_seeds"
  else
    run "jobs/anytime-synthetic-d$d.ini" "$syn_seeds" "$builtin" --instances "$syn_inst"
  fi
done
wait # the tee's

n_real=$(count "$seeds_real") n_inst=$(count "$syn_inst")
n_syn=$(count "$syn_seeds") n_tpe=$(count "$syn_tpe_seeds")
{
  echo "commit=$commit"
  echo "tree=$tree"
  echo "command=$cmd"
  echo "start=$start"
  echo "end=$(date -u '+%F %H:%M UTC')"
  echo "machine=$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
  echo "load_start=$load_start"
  echo "load_end=$(load)"
  echo "workers=$jobs"
  echo "total_s=$(( $(date +%s) - t_all ))"
  echo "searchers_doc=random, pattern, de, hyperband, sh (successive halving), lfbo, mfbo; Optuna's TPE (Debian's optuna 3.1) through adapters/optuna_tpe.py as an external searcher: \`optuna-tpe\` (every parameter categorical, the adapter's defaults: TPESampler(seed = the run's seed), every configuration timed at the top fidelity, at most 1000 trials) and \`optuna-tpe-ordered\` (the same with --ordered: power-of-two and integer parameters as ordered integers)"
  echo "size_doc=real landscapes: seeds $seeds_real ($n_real runs per searcher, every searcher); synthetic family: instances $syn_inst x seeds $syn_seeds ($((n_inst * n_syn)) runs per searcher), Optuna's TPE only at d${syn_tpe_dims// /, d} on instances $syn_inst x seeds $syn_tpe_seeds ($((n_inst * n_tpe)) runs); a searcher's runs are the same (instance, seed) tasks as every other's (a subset for TPE on the synthetic family). Each table gives the runs per searcher."
  echo "cut=Optuna's TPE, not mfbo, is the study's cost: 20-80 s of wall time a run here (up to 1000 trials; Optuna 3.1's TPE takes time quadratic in the number of trials, and more with more parameters). In the pilot (1 seed, 1 instance per landscape, every searcher; 2026-12-07, this machine) the two TPE variants took 36 s of CPU per run at synthetic d5, 72 s at d6, 91 s at d7, 139 s at d8, about 80 s on convolution and 65 s on softmax, against mfbo's 0.3-10 s; about 240 s of CPU per seed over the five real landscapes, nearly all of it TPE."
  echo "cut=Real landscapes: $n_real seeds, not 20 (the study's earlier size), every searcher on every seed, to fit the whole study in about an hour of a 2-core machine shared with other work."
  echo "cut=Synthetic family: $n_inst of the jobs' 5 instances x $n_syn seeds ($((n_inst * n_syn)) runs per searcher), not 5 x 20, and TPE only at d${syn_tpe_dims// /, d} on seed(s) $syn_tpe_seeds ($((n_inst * n_tpe)) runs): TPE at every dimension would have cost about 1600 s of CPU per (instance, seed) (extrapolated from d5-d8), and mfbo takes up to about a minute a run at d13-d15. Medians of $((n_inst * n_syn)) runs resolve only large differences; read the p-values (the exact test's smallest possible p-value is $(minp "$((n_inst * n_tpe))" "$((n_inst * n_syn))") with $((n_inst * n_tpe)) against $((n_inst * n_syn)) runs, $(minp "$((n_inst * n_syn))" "$((n_inst * n_syn))") with $((n_inst * n_syn)) against $((n_inst * n_syn)))."
  echo "cut=No figures: the study's numbers are the tables and CSVs; the figures of the earlier studies were not regenerated, so they were removed (git history has them)."
  printf '%s\n' "${walls[@]}"
} >"$out/meta.txt"
"$py" bench/results_doc.py "$out" >docs/results.md
echo "results_doc: wrote docs/results.md and $out/ in $(( $(date +%s) - t_all )) s"
