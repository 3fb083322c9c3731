#!/usr/bin/env bash
# device_issue24.sh: issue 24's measurements on the lent 16-core machine, in one call, from a
# bundle made here (bench/device_bundle.sh): the machine's ceiling and the strong scaling of
# jobs/scaling-dedispersion-MI250X.ini for the bundle's build (part 2), and, if BUNDLE/base/bin
# holds an earlier build's mfbo-sweep and bench/results_digest, the same scaling for it, side
# by side (new, base, new again); then the GP step on one core, bench/mfbo_speed and
# bench/botorch_gp_speed.py one after the other (part 3). Writes its tables under OUT.
# Made here:
#   bash bench/device_bundle.sh build .device     (then optionally a base build's
#   mfbo-sweep and bench/results_digest into .device/base/bin/{,bench/})
# Run there, from the repository root (carry .device):
#   bash .device/bench/device_issue24.sh .device "$OUT"
set -uo pipefail
D=${1:?usage: bash BUNDLE/bench/device_issue24.sh BUNDLE OUT}
out=${2:?usage: bash BUNDLE/bench/device_issue24.sh BUNDLE OUT}
mkdir -p "$out"
export LD_LIBRARY_PATH=$PWD/$D/lib OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sed -i "s#= \.\./data/#= $PWD/data/#" "$D"/jobs/*.ini
{
  date -u; mpirun --version | head -1; lscpu | sed -n '1,20p'; free -g | head -2
  ldd "$D"/bin/mfbo-sweep | grep "not found"; cat /proc/loadavg
  python3 -c 'import torch, botorch, gpytorch as g
print("torch", torch.__version__, "botorch", botorch.__version__, "gpytorch", g.__version__)'
} 2>&1 | tee "$out/env.txt"
job=$D/jobs/scaling-dedispersion-MI250X.ini
bash "$D"/bench/scaling.sh -b "$D"/bin -n "1 8 16" -c 1-30 -x "$job" 2>&1 | tee "$out/ceiling.md"
bash "$D"/bench/scaling.sh -b "$D"/bin -o /tmp/new1 "$job" 2>&1 | tee "$out/new1.md"
if [ -x "$D"/base/bin/mfbo-sweep ]; then
  bash "$D"/bench/scaling.sh -b "$D"/base/bin -o /tmp/base "$job" 2>&1 | tee "$out/base.md"
  bash "$D"/bench/scaling.sh -b "$D"/bin -n "1 16" -o /tmp/new2 "$job" 2>&1 | tee "$out/new2.md"
fi
cp /tmp/new1/*n16.log "$out/" 2>/dev/null
if [ -x "$D"/bin/bench/mfbo_speed ]; then
  export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
  { "$D"/bin/bench/mfbo_speed --reps 5 --no-sklearn --case b
    python3 "$D"/bench/botorch_gp_speed.py --reps 5 --case b; } 2>&1 | tee "$out/gp-speed.txt"
fi
date -u | tee -a "$out/env.txt"
