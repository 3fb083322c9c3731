#!/usr/bin/env bash
# Installs what mfbo-sweep needs to build, run and test, from Debian 12 packages (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libopenmpi-dev openmpi-bin \
  libhdf5-dev hdf5-tools \
  libgsl-dev libopenblas-serial-dev \
  libinih-dev libjansson-dev zlib1g-dev \
  gnuplot-nox bc time \
  python3 python3-h5py python3-numpy python3-pandas >/dev/null
echo "install-deps: done"
