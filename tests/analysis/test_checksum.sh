#!/usr/bin/env bash
# test_checksum.sh BUILD_DIR SOURCE_DIR: the checksums of a results file (issue 26 item 5).
# A small sweep on a synthetic landscape (string enums: /benchmark/labels; 4800 trace rows,
# two chunks) is written by mfbo-sweep (its tables by the threaded packer, whose direct chunk
# writes append the Fletcher-32 checksum themselves); h5dump and h5py read it back
# whole; flip_chunks.py flips a byte inside each dataset's chunk: h5py must raise and
# mfbo-analyze exit 2 with a message, not print wrong numbers; `mfbo-sweep --resume` refuses
# such a copy too (exit 2), where it once called a damaged complete file complete.
set -u
bin=$1; src=$2
py=/usr/bin/python3 # Debian's, with h5py
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cat >syn.ini <<'JOB'
[sweep]
name = checksum
seeds = 1-60
budget_evals = 40

[benchmark]
type = synthetic
instances = 1-2
dimension = 8

[algorithm random]
preset = quick
JOB
for job in "$tmp/syn.ini"; do
  name=$(basename "$job" .ini)
  "$bin/mfbo-sweep" "$job" -o "$tmp/$name.h5" --quiet
  check "$name: the sweep" "[ $? -eq 0 ] && [ -f $tmp/$name.h5 ]"
  check "$name: h5dump reads it whole" "h5dump $tmp/$name.h5 >/dev/null 2>&1"
  check "$name: h5dump shows the filter" "h5dump -p -H $tmp/$name.h5 | grep -q 'CHECKSUM FLETCHER32'"
  check "$name: mfbo-analyze reads it" "$bin/mfbo-analyze $tmp/$name.h5 -o $tmp/$name-analysis -q >/dev/null"
  check "$name: --resume of the intact file: complete, exit 0" \
    "$bin/mfbo-sweep $job -o $tmp/$name.h5 --resume --quiet 2>/dev/null"
  mkdir -p "$tmp/$name-flips"
  check "$name: every dataset checksummed; a flipped byte is an error to mfbo-analyze and to --resume (flip_chunks.py)" \
    "$py $src/tests/analysis/flip_chunks.py $tmp/$name.h5 $bin/mfbo-analyze $tmp/$name-flips $bin/mfbo-sweep $job"
done
exit $fail
