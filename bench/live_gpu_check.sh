#!/bin/sh
# live_gpu_check.sh: the GPU live example's command run by hand on one GPU, outside
# mfbo-sweep: three configurations of examples/live-gpu/triton_matmul.py through
# run-rank.sh (local rank 0), 5 timed repetitions each, with the wall time of each command
# (what the `command` benchmark charges as cost_s). The last configuration needs more shared
# memory than an H100/H200 has and must fail (a non-zero exit: invalid). Needs torch and
# triton. Results: docs/live.md. Usage: sh bench/live_gpu_check.sh
cd "$(dirname "$0")/../examples/live-gpu" || exit 1
for c in "128 128 64 4 3" "64 64 32 4 2" "256 256 128 8 5"; do
  set -- $c
  start=$(date +%s.%N)
  MFBO_BLOCK_M=$1 MFBO_BLOCK_N=$2 MFBO_BLOCK_K=$3 MFBO_num_warps=$4 MFBO_num_stages=$5 \
    MFBO_REPS=5 OMPI_COMM_WORLD_LOCAL_RANK=0 sh run-rank.sh python3 triton_matmul.py \
    >out.txt 2>err.txt
  rc=$?
  tail -3 out.txt
  [ $rc -ne 0 ] && tail -1 err.txt
  echo "exit $rc, $c, wall $(awk "BEGIN { print $(date +%s.%N) - $start }") s"
done
rm -f out.txt err.txt
