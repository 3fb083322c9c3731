#!/usr/bin/env bash
# study-submit.sh: submit the study of issue 9 at full size (the seed's analysis over 100
# seeds and the three Kernel Tuner landscapes over 50 seeds each: the 2-core jobs in jobs/
# with --seeds; the synthetic family at every dimension 5-15: slurm/jobs/*.ini, which add
# instances, seeds and mfbo-seed_pr), each sweep as one job of slurm/mfbo-sweep.sbatch
# followed by a one-task job that analyses it once it has COMPLETED (after any requeues).
#
#   bash slurm/study-submit.sh ["JOB.ini [MFBO-SWEEP OPTIONS]" ...]   (default: all of them)
#
# Run it from anywhere on the login node; it works in the repository root (the jobs'
# `file = ../../data/...` is relative to the job file, so it resolves from anywhere). Results: RESULTS/NAME.h5, the analysis in
# RESULTS/NAME-analysis/, Slurm's output in RESULTS/NAME-JOBID.out and
# RESULTS/NAME-analyze-JOBID.out. Environment (defaults in brackets):
#   MFBO_STUDY_RANKS    MPI ranks per sweep [64]
#   MFBO_STUDY_TIME     time limit per sweep [2:00:00]; mfbo-sweep.sbatch requeues and
#                       resumes a sweep that meets it
#   MFBO_STUDY_RESULTS  the results directory [results]
#   MFBO_STUDY_BUILD    the build directory with mfbo-sweep and mfbo-analyze [build]
# and any of mfbo-sweep.sbatch's (MFBO_LAUNCHER, MFBO_MAX_REQUEUES; slurm/README.md).
# With more ranks than cores on a node, export OMPI_MCA_mpi_yield_when_idle=1 first.
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=${MFBO_STUDY_RANKS:-64}
limit=${MFBO_STUDY_TIME:-2:00:00}
results=${MFBO_STUDY_RESULTS:-results}
build=${MFBO_STUDY_BUILD:-build}
export MFBO_SWEEP=${MFBO_SWEEP:-$PWD/$build/mfbo-sweep}
[ -x "$build/mfbo-analyze" ] || { echo "study-submit.sh: $build/mfbo-analyze not found: build first" >&2; exit 2; }
mkdir -p "$results"
study=("jobs/study-seed.ini --seeds 1-100")
for f in jobs/study-real-*.ini; do study+=("$f --seeds 1-50"); done
for f in slurm/jobs/*.ini; do study+=("$f"); done
if [ $# -gt 0 ]; then jobs=("$@"); else jobs=("${study[@]}"); fi
for entry in "${jobs[@]}"; do
  read -r job opts <<<"$entry"
  name=$(basename "$job" .ini)
  # shellcheck disable=SC2086 # the options are words
  id=$(sbatch --parsable -n "$ranks" -t "$limit" -J "$name" -o "$results/$name-%j.out" \
         slurm/mfbo-sweep.sbatch "$job" "$results/$name.h5" $opts)
  id=${id%%;*}
  aid=$(sbatch --parsable -n 1 -t 30:00 -J "$name-analyze" -d "afterok:$id" \
          -o "$results/$name-analyze-%j.out" \
          --wrap "$build/mfbo-analyze $results/$name.h5 -o $results/$name-analysis --quiet")
  echo "$name: sweep job $id, analysis job ${aid%%;*} -> $results/$name.h5, $results/$name-analysis/"
done
