#!/usr/bin/env bash
# test_damaged.sh BUILD_DIR SOURCE_DIR: damaged results files (issue 26 item 5). Every file
# in tests/fuzz/hdf5-crashes/ (HDF5 1.10 itself crashes, overflows buffers or loops on them)
# given to mfbo-analyze, and as FILE to mfbo-sweep --resume (which reads FILE's root
# attributes: tests/analysis/small.ini is not the job they were made from, so an intact
# job attribute is refused as another job's): each must exit 2 within BOUND_S seconds, not
# by a signal nor a time-out, with a message that names the file, and write nothing (no
# analysis directory, FILE unchanged, no FILE.partial or FILE.tmp). Fails on a build before
# the fix (7d29435): SIGSEGV (139) and hangs.
set -u
bin=$1; src=$2
crashes=$src/tests/fuzz/hdf5-crashes
job=$src/tests/analysis/small.ini
BOUND_S=30  # the reader's child has 10 s (plus a second per MB) before it is killed
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
ulimit -c 0

# run NAME COMMAND...: runs it under a hard limit; sets rc, took_s, and err (its stderr)
run() {
  local start end
  start=$(date +%s.%N)
  timeout -k 5 $((BOUND_S + 30)) "$@" >out.txt 2>err.txt; rc=$?
  end=$(date +%s.%N)
  took_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  err=$(cat err.txt)
}

# expect WHAT NAME: exit 2, no signal, in time, one line naming the file
expect_refused() {
  local what=$1 name=$2
  check "$what $name: exit 2 (got $rc, in $took_s s: $err)" "[ $rc -eq 2 ]"
  check "$what $name: not a signal nor a time-out" "[ $rc -lt 124 ]"
  check "$what $name: within $BOUND_S s ($took_s s)" \
    "awk -v t=$took_s -v b=$BOUND_S 'BEGIN { exit !(t < b) }'"
  check "$what $name: one line on stderr naming the file" \
    "[ \$(wc -l <err.txt) -eq 1 ] && grep -qF -- '$name' err.txt"
  check "$what $name: nothing on stdout" "[ ! -s out.txt ]"
}

n=0
for f in "$crashes"/*; do
  name=$(basename "$f")
  n=$((n + 1))
  cp "$f" "$name.h5"
  run "$bin/mfbo-analyze" "$name.h5" -o "$tmp/analysis-$name"
  expect_refused mfbo-analyze "$name.h5"
  check "mfbo-analyze $name: no analysis directory" "[ ! -e $tmp/analysis-$name ]"
  run "$bin/mfbo-sweep" "$job" -o "$name.h5" --resume --quiet
  expect_refused "mfbo-sweep --resume" "$name.h5"
  check "mfbo-sweep --resume $name: FILE unchanged, nothing else written" \
    "cmp -s '$f' '$name.h5' && [ ! -e '$name.h5.partial' ] && [ ! -e '$name.h5.tmp' ]"
  rm -f "$name.h5"
done
check "the damaged inputs are there ($n)" "[ $n -ge 8 ]"
check "no core file" "! ls core* >/dev/null 2>&1"
exit $fail
