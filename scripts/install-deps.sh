#!/usr/bin/env bash
# Installs what mfbo-sweep needs to build, run and test, from Debian 12 packages (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libopenmpi-dev openmpi-bin \
  libhdf5-dev hdf5-tools \
  libgsl-dev libopenblas-serial-dev liblapacke-dev \
  libinih-dev libjansson-dev zlib1g-dev \
  gnuplot-nox bc time man-db \
  python3 python3-h5py python3-numpy python3-pandas python3-sklearn python3-optuna \
  clang libclang-rt-14-dev >/dev/null
# python3-optuna: adapters/optuna_tpe.py, the external searcher of docs/external-protocol.md.
# clang and its libFuzzer/sanitizer runtimes (libclang-rt-14-dev, only recommended by clang):
# the fuzzing step of .ci/run (tests/fuzz/run.sh).
# Slurm and munge for the Slurm tests (tests/slurm), which start the daemons themselves.
# A policy-rc.d that exits 101 keeps apt from starting them (or failing to, without
# systemd) during the install; ours is removed afterwards, one already there is kept.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap 'rm -f "$policy"' EXIT # also if the install fails
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
fi
apt-get install -y -qq --no-install-recommends \
  slurmctld slurmd slurm-client munge >/dev/null
echo "install-deps: done"
