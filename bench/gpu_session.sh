#!/usr/bin/env bash
# gpu_session.sh: the GPU work of docs/live.md, one step per call of a lent GPU machine
# (30 minutes a session, 10 a command), run from the repository root there:
#
#   bash bench/gpu_session.sh record BUNDLE OUT   the three landscapes (bench/gpu_record.py),
#                                                 the worker's saving (bench/gpu/saves-*.ini)
#   bash bench/gpu_session.sh study  BUNDLE OUT KERNEL BUDGET_S SEEDS
#                                                 the live study of one kernel: mfbo, pattern,
#                                                 de and random, one rank, budget_cost_s =
#                                                 BUDGET_S, seeds SEEDS (the side-by-side
#                                                 re-measurement is not written yet)
#
# BUNDLE is what bench/device_bundle.sh made here (mfbo-sweep and the libraries the machine
# lacks); OUT is where the files go (the results files, logs, the environment). Every step
# writes OUT/env.txt: GPU, driver, CUDA, torch and Triton versions.
set -euo pipefail
step=${1:?usage: bash bench/gpu_session.sh record|study BUNDLE OUT ...}
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

case $step in
record)
  for k in matmul softmax attention; do
    python3 "$root/bench/gpu_record.py" "$k" -o "$out/triton_${k}_H100.json.gz" \
      --commit "${MFBO_COMMIT:-unknown}" 2>&1 | tee "$out/record-$k.log" | grep -v compiled
  done
  for b in command worker; do
    "$sweep" "$root/bench/gpu/saves-$b.ini" -o "$out/saves-$b.h5" --quiet
  done
  python3 - "$out" <<'EOF'
import sys, h5py, numpy as np
for b in ("command", "worker"):
    with h5py.File("%s/saves-%s.h5" % (sys.argv[1], b)) as f:
        t = f["/trace"][:]
        print("saves %-7s cost per evaluation: median %.2f s, min %.2f, max %.2f (%d evals)"
              % (b, np.median(t["cost_s"]), t["cost_s"].min(), t["cost_s"].max(), len(t)))
EOF
  ;;
study)
  kernel=${4:?KERNEL}; budget=${5:?BUDGET_S}; seeds=${6:?SEEDS}
  job=$root/examples/live-gpu/$kernel-worker.ini
  sed -i "s/^budget_cost_s = .*/budget_cost_s = $budget/" "$job"
  start=$(date +%s)
  "$sweep" "$job" -o "$out/live-$kernel.h5" --seeds "$seeds" 2>&1 | tail -25
  echo "study $kernel: sweep $(( $(date +%s) - start )) s"
  # Not written yet: bench/gpu_remeasure.py (each run's returned configuration, the
  # recorded best and torch's own re-measured side by side, docs/live.md).
  ;;
*) echo "gpu_session.sh: unknown step '$step' (record, study)" >&2; exit 2 ;;
esac
