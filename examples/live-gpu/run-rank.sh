#!/bin/sh
# run-rank.sh: runs a command on this MPI rank's own GPU, for a live sweep with one rank per
# GPU (mpirun -n GPUS mfbo-sweep JOB; docs/live.md). It picks the GPU from the rank's
# number on its node (Open MPI's OMPI_COMM_WORLD_LOCAL_RANK, else Slurm's SLURM_LOCALID,
# else 0): the rank-th entry of CUDA_VISIBLE_DEVICES when the scheduler has set a list
# (HIP_VISIBLE_DEVICES likewise for ROCm), else GPU number rank. Usage, in a job:
#   command = sh run-rank.sh python3 triton_matmul.py
set -eu
rank=${OMPI_COMM_WORLD_LOCAL_RANK:-${SLURM_LOCALID:-0}}
pick() { # pick LIST: the rank-th entry of a comma-separated list, or the rank itself
  if [ -n "$1" ]; then
    entry=$(printf '%s\n' "$1" | cut -d, -f$((rank + 1)))
    if [ -z "$entry" ]; then
      echo "run-rank.sh: local rank $rank has no GPU in '$1'" >&2
      exit 1
    fi
    printf '%s\n' "$entry"
  else
    printf '%s\n' "$rank"
  fi
}
CUDA_VISIBLE_DEVICES=$(pick "${CUDA_VISIBLE_DEVICES:-}")
HIP_VISIBLE_DEVICES=$(pick "${HIP_VISIBLE_DEVICES:-}")
export CUDA_VISIBLE_DEVICES HIP_VISIBLE_DEVICES
exec "$@"
