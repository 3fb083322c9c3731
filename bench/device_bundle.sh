#!/usr/bin/env bash
# device_bundle.sh: packs what issue 17's scaling runs need on another x86-64 Linux machine
# that has Open MPI 4.x (libmpi.so.40) and HDF5 1.10 (libhdf5_serial.so.103) of its own but
# lacks the rest (such as the 16-core Ubuntu 24.04 machine of docs/speed.md, which has no
# package registry): the programs built here (Debian 12), the shared libraries of theirs
# that such a machine lacks (GSL, serial OpenBLAS, LAPACK(E), inih, jansson, gfortran),
# the jobs and the bench scripts. The data sets are not copied: the jobs' `file = ../data/..`
# is rewritten on the machine to the repository's data/.
#   bash bench/device_bundle.sh BUILD_DIR DEST
# On the machine, from the repository root (DEST/jobs are read from anywhere):
#   export LD_LIBRARY_PATH=$PWD/DEST/lib
#   sed -i "s#= \.\./data/#= $PWD/data/#" DEST/jobs/*.ini
#   bash DEST/bench/scaling.sh -b DEST/bin -c 1-30 DEST/jobs/scaling-dedispersion-MI250X.ini
set -euo pipefail
build=${1:?usage: bash bench/device_bundle.sh BUILD_DIR DEST}
dest=${2:?usage: bash bench/device_bundle.sh BUILD_DIR DEST}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dest"/bin/bench "$dest"/lib "$dest"/jobs "$dest"/bench
cp "$build"/mfbo-sweep "$build"/mfbo-analyze "$dest"/bin/
cp "$build"/bench/results_digest "$dest"/bin/bench/
[ ! -x "$build"/bench/mfbo_speed ] || cp "$build"/bench/mfbo_speed "$dest"/bin/bench/ # the GP step
# the libraries outside the machine's own Open MPI, HDF5 and base system
lacking='libgsl|libgslcblas|libopenblas|libblas|liblapack|liblapacke|libtmglib|libinih|libjansson|libgfortran|libquadmath'
ldd "$build"/mfbo-sweep "$build"/mfbo-analyze | awk '$2 == "=>" {print $1, $3}' | sort -u |
  grep -E "^($lacking)\.so" | while read -r name path; do cp -L "$path" "$dest/lib/$name"; done
cp "$here"/jobs/scaling-*.ini "$here"/jobs/zero-cost-tasks.ini "$here"/jobs/study-real-*.ini "$dest"/jobs/
cp "$here"/bench/scaling.sh "$here"/bench/rank0_limits.sh "$here"/bench/botorch_gp_speed.py \
  "$here"/bench/device_issue24.sh "$dest"/bench/
du -sh "$dest"
