#!/usr/bin/env bash
# gpu_session.sh: the GPU work of docs/live.md, one step per call of a lent GPU machine
# (30 minutes a session, 10 a command), run from the repository root there:
#
#   bash bench/gpu_session.sh record BUNDLE OUT [KERNEL...]
#        record landscapes (bench/gpu_record.py; default: matmul softmax attention), the
#        compile phase limited to COMPILE_BUDGET_S seconds (default 600)
#   bash bench/gpu_session.sh saves BUNDLE OUT
#        what the worker saves: a 20-evaluation matmul run as a `command` and as a `worker`
#   bash bench/gpu_session.sh study BUNDLE OUT KERNEL SEEDS BUDGET_S ALGORITHM...
#        live runs of KERNEL's job (examples/live-gpu/KERNEL-worker.ini) on one rank: for
#        each seed of SEEDS ("1 2 3"), each ALGORITHM (a label of that job, or pattern-quick:
#        pattern at Helion's quick preset) one sweep, budget_cost_s = BUDGET_S (0: none, the
#        searcher stops by itself), into OUT/live-KERNEL-ALGORITHM-sSEED.h5. No new run
#        starts after STOP_S seconds (default 500), so that a call ends inside its 10 minutes.
#   bash bench/gpu_session.sh remeasure BUNDLE OUT KERNEL
#        bench/gpu_remeasure.py on OUT/live-KERNEL-*.h5 -> OUT/remeasure-KERNEL.json
#
# BUNDLE is what bench/device_bundle.sh made here (mfbo-sweep and the libraries the machine
# lacks); OUT is where the files go (results files, logs, the environment). Every step
# writes OUT/env.txt: GPU, driver, CUDA, torch and Triton versions. bench/gpu_study.sh makes
# docs/live.md's study table from what the steps bring back.
set -euo pipefail
step=${1:?usage: bash bench/gpu_session.sh record|saves|study|remeasure BUNDLE OUT ...}
bundle=$(cd "${2:?BUNDLE}" && pwd); out=${3:?OUT}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"; out=$(cd "$out" && pwd)
export LD_LIBRARY_PATH=$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} PYTHONUNBUFFERED=1
sweep=$bundle/bin/mfbo-sweep
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c 'import torch, triton; print("torch", torch.__version__, "cuda", torch.version.cuda, "triton", triton.__version__)'
  nproc; date -u +%FT%TZ
} >"$out/env.txt" 2>&1
cat "$out/env.txt"

# study_job KERNEL ALGORITHM BUDGET_S: the job of one live study run, on stdout
study_job() {
  local job=$root/examples/live-gpu/$1-worker.ini
  sed -n '/^\[algorithm /q;p' "$job" | sed "s/^budget_cost_s = .*/budget_cost_s = $3/"
  case $2 in
    pattern-quick) printf '[algorithm pattern-quick]\ntype = pattern\npreset = quick\n' ;;
    *) sed -n "/^\[algorithm $2\]/,/^\$/p" "$job" ;;
  esac
}

case $step in
record)
  shift 3
  for k in ${@:-matmul softmax attention}; do
    python3 "$root/bench/gpu_record.py" "$k" -o "$out/triton_${k}_H100.json.gz" \
      --compile-budget-s "${COMPILE_BUDGET_S:-600}" --commit "${MFBO_COMMIT:-unknown}" 2>&1 |
      tee "$out/record-$k.log" | grep -v compiled
  done
  ;;
saves)
  for b in command worker; do
    "$sweep" "$root/bench/gpu/saves-$b.ini" -o "$out/saves-$b.h5" --quiet
  done
  python3 - "$out" <<'EOF'
import sys, h5py, numpy as np
total_s = {}
for b in ("command", "worker"):
    with h5py.File("%s/saves-%s.h5" % (sys.argv[1], b)) as f:
        t = f["/trace"][:]
        total_s[b] = t["cost_s"].sum()
        print("saves %-7s cost per evaluation: median %.2f s, min %.2f, max %.2f (%d evals);"
              " the run: %.1f s" % (b, np.median(t["cost_s"]), t["cost_s"].min(),
                                   t["cost_s"].max(), len(t), total_s[b]))
print("saves: the run's cost as a worker / as a command: %.3f"
      % (total_s["worker"] / total_s["command"]))
EOF
  ;;
study)
  kernel=${4:?KERNEL}; seeds=${5:?SEEDS}; budget=${6:?BUDGET_S}; shift 6
  start=$(date +%s)
  for seed in $seeds; do
    for alg in "$@"; do
      if (( $(date +%s) - start > ${STOP_S:-500} )); then
        echo "study $kernel: STOP_S reached: $alg seed $seed and later not run"; break 2
      fi
      # beside the worker's job: its paths are relative to the job file
      job=$root/examples/live-gpu/study-$kernel-$alg.ini
      study_job "$kernel" "$alg" "$budget" >"$job"
      t0=$(date +%s)
      "$sweep" "$job" -o "$out/live-$kernel-$alg-s$seed.h5" --seeds "$seed" --quiet ||
        echo "study $kernel: $alg seed $seed: mfbo-sweep exit $?"
      echo "study $kernel: $alg seed $seed: $(( $(date +%s) - t0 )) s"
    done
  done
  ;;
remeasure)
  kernel=${4:?KERNEL}
  python3 "$root/bench/gpu_remeasure.py" "$kernel" "$root/data/triton_${kernel}_H100.json.gz" \
    "$out"/live-"$kernel"-*.h5 -o "$out/remeasure-$kernel.json"
  ;;
*) echo "gpu_session.sh: unknown step '$step' (record, saves, study, remeasure)" >&2; exit 2 ;;
esac
