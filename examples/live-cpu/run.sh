#!/bin/sh
# run.sh: the command of jobs/live-cpu.ini: compiles matmul.c with the configuration the
# `command` benchmark passes in the environment (MFBO_BLOCK_I, MFBO_BLOCK_J, MFBO_BLOCK_K,
# MFBO_UNROLL), reports the compile time as compile_s=..., then runs it for MFBO_REPS timed
# repetitions (it prints time_ms=... per repetition). Any failure exits non-zero: the
# configuration is then invalid. The binary goes to a temporary directory (the installed
# example directory may be read-only). CC picks the compiler (default cc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s.%N)
${CC:-cc} -O2 -DBLOCK_I="$MFBO_BLOCK_I" -DBLOCK_J="$MFBO_BLOCK_J" -DBLOCK_K="$MFBO_BLOCK_K" \
  -DUNROLL="$MFBO_UNROLL" -o "$tmp/matmul" "$here/matmul.c"
end=$(date +%s.%N)
echo "compile_s=$(awk "BEGIN { print $end - $start }")"
"$tmp/matmul" "$MFBO_REPS"
