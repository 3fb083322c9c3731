#!/bin/sh
# test_blas_binding.sh: the GP's BLAS calls reach the serial OpenBLAS, not GSL's reference
# CBLAS. Both define cblas_*; the dynamic linker binds each call to the first library that
# defines it, and GSL's imported target once put gslcblas first on the link line (the GP's
# triangular solves were 4-10x slower, silently). Runs test_gp with LD_DEBUG=bindings and
# checks where cblas_dtrsm and cblas_dgemv were bound.
#   test_blas_binding.sh TEST_GP_BINARY
set -eu
bin=$1
log=$(mktemp /tmp/test_blas_binding.XXXXXX)
trap 'rm -f "$log"' EXIT
LD_DEBUG=bindings "$bin" >/dev/null 2>"$log"
for sym in cblas_dtrsm cblas_dgemv; do
  line=$(grep "normal symbol \`$sym'" "$log" | head -1)
  [ -n "$line" ] || { echo "FAIL: $sym was never bound (is test_gp still using it?)"; exit 1; }
  case $line in
  *libopenblas*) echo "ok: $sym -> OpenBLAS" ;;
  *) echo "FAIL: $sym bound elsewhere: $line"; exit 1 ;;
  esac
done
