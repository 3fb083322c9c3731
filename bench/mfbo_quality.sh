#!/bin/sh
# mfbo_quality.sh: the quality figures of docs/mfbo.md: mfbo (defaults), pattern and random
# (quick preset, 100 configurations) on the seed benchmark (50 seeds) and the three Kernel
# Tuner landscapes (20 seeds). Run from the repository root after building:
#   sh bench/mfbo_quality.sh [build]
B=${1:-build}/bench/mfbo_quality
for a in mfbo pattern; do $B jobs/seed-quick.ini $a "" 1 50; done
for j in jobs/kt-*.ini; do
  for a in mfbo pattern; do $B $j $a "" 1 20; done
  $B $j random "preset=quick" 1 20
done
