#!/usr/bin/env bash
# gpu_study.sh: docs/live.md's live-study tables, from what bench/gpu_session.sh's study and
# remeasure steps brought back from the GPU, beside the same searchers simulated on the
# recorded landscape (budget_cost_s = BUDGET_S for all but pattern-quick, which stops by
# itself, as in the live study; seeds 1-SEEDS).
#   bash bench/gpu_study.sh BUILD_DIR KERNEL DIR BUDGET_S [SEEDS] [ALGORITHM...]
# e.g. bash bench/gpu_study.sh build softmax /tmp/live 31 20 mfbo de random
set -euo pipefail
build=${1:?usage: bash bench/gpu_study.sh BUILD_DIR KERNEL DIR BUDGET_S [SEEDS] [ALGORITHM...]}
kernel=${2:?KERNEL}; dir=${3:?DIR}; budget=${4:?BUDGET_S}; seeds=${5:-20}; shift 5 || shift $#
algorithms=${*:-mfbo de random}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/data/triton_${kernel}_H100.json.gz
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
sim() {  # sim NAME BUDGET ALGORITHM-SECTIONS
  printf '[sweep]\nseeds = 1-%s\nbudget_cost_s = %s\n\n[benchmark]\ntype = kerneltuner\nfile = %s\n\n%b' \
    "$seeds" "$2" "$data" "$3" >"$work/$1.ini"
  "$build/mfbo-sweep" "$work/$1.ini" -o "$work/$1.h5" --quiet
}
sim pattern 0 '[algorithm pattern-quick]\ntype = pattern\npreset = quick\n'
sections=""  # the live job's sections, settings included (random's fidelity)
for a in $algorithms; do
  sections="$sections$(sed -n "/^\[algorithm $a\]/,/^\$/p" "$root/examples/live-gpu/$kernel-worker.ini")\n\n"
done
sim others "$budget" "$sections"
"${PYTHON:-/usr/bin/python3}" "$root/bench/gpu_study_report.py" "$kernel" "$data" "$dir" \
  --sim "$work/pattern.h5" --sim "$work/others.h5"
