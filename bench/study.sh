#!/usr/bin/env bash
# study.sh: the study of issue 9, sized for a 2-core machine (all four parts in well under
# half an hour), one command for all of it or for one part:
#
#   bash bench/study.sh seed|real|synthetic|speed|all|external [BUILD_DIR]  (BUILD_DIR: build)
#
#   seed       jobs/study-seed.ini: the seed's convergence analysis, random, pattern, de,
#              hyperband, mfbo (defaults) and mfbo with preset = seed_pr (30 seeds)
#   real       jobs/study-real-*.ini: the same searchers on each of the three Kernel Tuner
#              landscapes of data/ (20 seeds each, a cost budget per landscape)
#   synthetic  jobs/study-synthetic-d{5,8,10,12,15}.ini: the synthetic family across
#              dimensions, 10 instances x 10 seeds each (without mfbo-seed_pr)
#   speed      the runner's own speed: the built-in default job on 1, 2 and 64 ranks, 1000
#              short tasks (jobs/study-speed-tasks.ini) on 2 and 64 ranks, the wall time per
#              task per algorithm (from the results files' /timing), and GP suggestion
#              latency (build/bench/mfbo_speed 100 500; see MFBO_STUDY_GP_N)
#   external   jobs/study-external-*.ini: the real landscapes again, 10 seeds, with Optuna's
#              TPE (an external searcher, adapters/optuna_tpe.py; needs python3-optuna)
#              beside the same searchers (issue 16). Not part of "all".
#
# Each job file says in its header what it is, what was cut for 2 cores and why its budget
# is what it is; the full-size versions for a cluster are in slurm/jobs/ (submit them all
# with slurm/study-submit.sh).
#
# Output, per part, in study/PART/ (study/ is not tracked by git):
#   NAME.h5                   the results file of jobs/NAME.ini (docs/results-format.md)
#   NAME/                     mfbo-analyze's output: summary.txt, summary.csv, the figures
#                             (PNG) and their gnuplot scripts (analysis/README.md)
#   NAME/walltime.txt         wall-clock time per task per algorithm (bench/study_walltime.py)
#   time.txt                  the part's wall time and the load average before and after
#   speed.md                  (speed) the speed table, markdown
# and copies of the figures in docs/results/, named PART[-LANDSCAPE]-FIGURE.png (not tracked;
# docs/results/README.md). docs/results.md is not this script's: bench/results_doc.sh.
# It prints each job's cost/regret table (section 2 of the summary) and wall times, and
# the total time of each part.
#
# Run from anywhere; it works in the repository root. Environment:
#   MFBO_STUDY_RANKS   MPI ranks for the sweeps (default 2; 1 = a plain process, no mpirun)
#   MFBO_STUDY_REPS    repetitions of each speed measurement, medians reported (default 3)
#   MFBO_STUDY_GP_N    observation counts for mfbo_speed with a fit (default "100 500");
#                      n = 1000 is always measured with fixed hyperparameters (--no-fit):
#                      one GP fit at n = 1000 took 18 minutes on the 2-core VM (the fit is
#                      O(n^3) per gradient; n = 500 took 11 s)
#   MFBO_STUDY_DOCS    0: do not copy figures into docs/results (default 1)
#   PYTHON             a python3 with h5py and pandas (default /usr/bin/python3)
# Open MPI settings for a container or a small machine, as root, are set only when unset:
# OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM), OMPI_MCA_rmaps_base_oversubscribe, OMPI_MCA_btl,
# OMPI_MCA_btl_vader_single_copy_mechanism, OMPI_MCA_plm (see docs/hpc-notes.md).
#
# Wall times depend on the machine's load: the script prints the load average with each
# part's time. Measured on the 2-core development VM (load average 2-5 from other work),
# 2026-11-26: about 14 minutes in all (git history of docs/results/README.md).
set -euo pipefail

usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
part=$1
case $part in seed|real|synthetic|speed|all|external) ;; *) usage ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
cd "$root"
for p in mfbo-sweep mfbo-analyze; do
  [ -x "$build/$p" ] || { echo "study.sh: $build/$p not found: build first (cmake --build build -j2)" >&2; exit 2; }
done
ranks=${MFBO_STUDY_RANKS:-2}
reps=${MFBO_STUDY_REPS:-3}
gp_n=${MFBO_STUDY_GP_N:-100 500}
docs=${MFBO_STUDY_DOCS:-1}
py=${PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3

export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT-1}
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM-1}
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe-1}
export OMPI_MCA_btl=${OMPI_MCA_btl-self,vader}
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism-none}
export OMPI_MCA_plm=${OMPI_MCA_plm-isolated}

now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc -l)"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# sweep N JOB OUT: run JOB on N ranks (1: a plain process) into OUT, replacing it.
sweep() {
  local n=$1; shift
  if [ "$n" = 1 ]; then "$build/mfbo-sweep" "$@" --force --quiet
  else mpirun -n "$n" "$build/mfbo-sweep" "$@" --force --quiet; fi
}

# run_job PART JOB: sweep, analyse, wall times; prints the summary's section 2.
run_job() {
  local part=$1 job=$2 name out dir t0
  name=$(basename "$job" .ini)
  out=study/$part/$name.h5 dir=study/$part/$name
  echo "== $name: $(grep -c '^\[algorithm' "$job") algorithms, $ranks rank(s), load average $(loadavg)"
  t0=$(now)
  sweep "$ranks" "$job" -o "$out"
  local t_sweep; t_sweep=$(since "$t0")
  t0=$(now)
  "$build/mfbo-analyze" "$out" -o "$dir" --quiet >/dev/null
  "$py" bench/study_walltime.py "$out" >"$dir/walltime.txt"
  echo "   sweep $t_sweep s, analysis $(since "$t0") s -> $out, $dir/"
  awk '/^2\. Runs/{f=1} /^3\. Targets/{f=0} f' "$dir/summary.txt" | sed -e '/^$/d' -e 's/^/   /'
  sed -e '1d' -e '/^$/d' -e 's/^/   /' "$dir/walltime.txt"
}

# to_docs DIR PREFIX FIGURE...: copy DIR/FIGURE.png to docs/results/PREFIX-FIGURE.png.
to_docs() {
  [ "$docs" = 1 ] || return 0
  local dir=$1 prefix=$2; shift 2
  mkdir -p docs/results
  for fig in "$@"; do cp "$dir/$fig.png" "docs/results/$prefix-$fig.png"; done
}

part_seed() {
  run_job seed jobs/study-seed.ini
  to_docs study/seed/study-seed seed convergence-evals convergence-cost ecdf-cost final-regret
}

part_real() {
  local job name
  for job in jobs/study-real-*.ini; do
    run_job real "$job"
    name=$(basename "$job" .ini)
    to_docs "study/real/$name" "real-${name#study-real-}" convergence-cost ecdf-cost final-regret
  done
}

part_external() {
  local job name
  for job in jobs/study-external-*.ini; do
    run_job external "$job"
    name=$(basename "$job" .ini)
    to_docs "study/external/$name" "external-${name#study-external-}" convergence-cost ecdf-cost final-regret
  done
}

part_synthetic() {
  local d
  for d in 5 8 10 12 15; do
    run_job synthetic "jobs/study-synthetic-d$d.ini"
    to_docs "study/synthetic/study-synthetic-d$d" "synthetic-d$d" convergence-cost ecdf-cost final-regret
  done
}

part_speed() {
  local dir=study/speed md=study/speed/speed.md t0 t1 t2 t64 s2 s64 tasks
  : >"$dir/walls"
  {
    echo "# The runner's speed (bench/study.sh speed)"
    echo
    echo "$(date -u +%FT%TZ), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
    echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src bench 2>/dev/null || echo ' with uncommitted changes in src/ or bench/'),"
    echo "$("$build/mfbo-sweep" --version | head -1), load average at the start $(loadavg)."
    echo "Medians of $reps wall times (s) each; Open MPI oversubscribed as in bench/sweep_speed.sh."
    echo
    echo "| what | tasks | ranks | wall s (median) | all runs, s | wall ms per task |"
    echo "|---|---|---|---|---|---|"
  } >"$md"
  # row LABEL JOB_ARGS... : measure the built-in default job or JOB on 1, 2, 64 ranks
  row() {
    local label=$1 n=$2 out=$3; shift 3
    local all=() t t0 _
    for _ in $(seq "$reps"); do
      t0=$(now); sweep "$n" "$@" -o "$out"; all+=("$(since "$t0")")
    done
    t=$(printf '%s\n' "${all[@]}" | median)
    tasks=$("$py" -c 'import sys, h5py; print(int(h5py.File(sys.argv[1], "r").attrs["n_tasks"]))' "$out")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$tasks" "$n" "$t" "${all[*]}" \
      "$(echo "1000 * $t / $tasks" | bc -l | xargs printf '%.2f')" >>"$md"
    echo "$label $n $t" >>"$dir/walls"
    echo "   $label, $n rank(s): median $t s (${all[*]})"
  }
  echo "== the built-in default job ($("$build/mfbo-sweep" --dry-run | head -1 | sed 's/^# //'))"
  row "default job" 1 "$dir/default-1rank.h5"
  row "default job" 2 "$dir/default-2ranks.h5"
  row "default job" 64 "$dir/default-64ranks.h5"
  echo "== many short tasks: jobs/study-speed-tasks.ini"
  row "short tasks (study-speed-tasks)" 2 "$dir/tasks-2ranks.h5" jobs/study-speed-tasks.ini
  row "short tasks (study-speed-tasks)" 64 "$dir/tasks-64ranks.h5" jobs/study-speed-tasks.ini
  t1=$(awk '$1 == "default" && $3 == 1 {print $4}' "$dir/walls")
  t2=$(awk '$1 == "default" && $3 == 2 {print $4}' "$dir/walls")
  t64=$(awk '$1 == "default" && $3 == 64 {print $4}' "$dir/walls")
  s2=$(awk '$1 == "short" && $4 == 2 {print $5}' "$dir/walls")
  s64=$(awk '$1 == "short" && $4 == 64 {print $5}' "$dir/walls")
  {
    echo
    echo "Default job: 2 ranks are $(echo "$t1 / $t2" | bc -l | xargs printf '%.2f')x faster than 1;" \
         "64 ranks on the same cores take $(echo "$t64 / $t2" | bc -l | xargs printf '%.2f')x the time of 2."
    echo "Short tasks: 64 ranks take $(echo "$s64 / $s2" | bc -l | xargs printf '%.2f')x the time of 2" \
         "(start-up of 64 processes and their competition for $(nproc) cores)."
    echo
    echo "## Wall time per task per algorithm"
    echo
    echo "From each results file's /timing (wall_s of each run on the rank that ran it); a rank"
    echo "shares its core with the others, so these are upper bounds on a loaded machine."
    echo
    local files=("$dir/default-1rank.h5" "$dir/default-2ranks.h5")
    for f in study/seed/*.h5 study/real/*.h5 study/synthetic/*.h5; do if [ -e "$f" ]; then files+=("$f"); fi; done
    "$py" bench/study_walltime.py --markdown "${files[@]}"
    echo
    echo "## GP suggestion latency (build/bench/mfbo_speed $gp_n; build/bench/mfbo_speed --no-fit 1000)"
    echo
  } >>"$md"
  echo "== GP suggestion latency: $build/bench/mfbo_speed $gp_n"
  if [ -x "$build/bench/mfbo_speed" ]; then
    t0=$(now)
    # shellcheck disable=SC2086
    { echo '```'; "$build/bench/mfbo_speed" $gp_n; "$build/bench/mfbo_speed" --no-fit 1000; echo '```'; } >>"$md"
    echo "(mfbo_speed took $(since "$t0") s of wall time)" >>"$md"
  else
    echo "not measured: $build/bench/mfbo_speed is not built (cmake --build build --target mfbo_speed)" >>"$md"
  fi
  echo >>"$md"
  echo "Load average at the end: $(loadavg)." >>"$md"
  rm -f "$dir/walls"
  sed 's/^/   /' "$md"
  if [ "$docs" = 1 ]; then mkdir -p docs/results && cp "$md" docs/results/speed.md; fi
}

run_part() {
  local p=$1 t0 l0
  mkdir -p "study/$p"
  t0=$(now) l0=$(loadavg)
  echo "=== part $p (start $(date '+%F %T'), load average $l0)"
  "part_$p"
  local t; t=$(since "$t0")
  printf 'part %s: %s s wall (load average %s at the start, %s at the end; %s rank(s) on %s cores)\n' \
    "$p" "$t" "$l0" "$(loadavg)" "$ranks" "$(nproc)" | tee "study/$p/time.txt"
  echo "$p $t" >>study/.times
}

rm -f study/.times
if [ "$part" = all ]; then
  t_all=$(now)
  for p in seed real synthetic speed; do run_part "$p"; done
  echo "=== total per part (s)"
  awk '{printf "   %-10s %8.1f\n", $1, $2}' study/.times
  printf "   %-10s %8.1f\n" all "$(since "$t_all")"
else
  run_part "$part"
fi
rm -f study/.times
