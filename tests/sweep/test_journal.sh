#!/usr/bin/env bash
# test_journal.sh BIN SRC CASE: --resume on a journal (FILE.partial) that was tampered with.
#   forged: records with a valid CRC whose fields do not fit the job (issue 14, case 3; like
#           the forged_cfg_index.h5.partial, made here by forge_journal.py): the
#           resume is refused with exit 2 and a message naming the task and the field, the
#           journal is left untouched, nothing crashes (1 rank and 2 ranks).
#   data:   the Kernel Tuner data file changed between the stop and the resume (issue 14,
#           case 4): refused with exit 2, the journal untouched.
#   flip:   one byte flipped in a record in the middle (issue 14, case 6): only that record
#           is lost; the intact records after it are kept, and the message says so.
set -u
bin=$1; src=$2; case=$3
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_MCA_btl_vader_backing_directory=$tmp OMPI_MCA_orte_tmpdir_base=$tmp
forge() { /usr/bin/python3 "$src/tests/sweep/forge_journal.py" "$@"; }
md5() { md5sum <"$1"; }

# f.ini with 200 seeds (400 tasks, about 30 s on 1 rank), stopped after 1 s: a journal of
# the first tasks, with the job's budget of 40 evaluations.
sed 's/^seeds = 1-20$/seeds = 1-200/' "$src/tests/sweep/f.ini" >"$tmp/job.ini"
job=$tmp/job.ini
"$bin/mfbo-sweep" "$job" -o "$tmp/base.h5" --deadline 1 --quiet
rc=$?
check "a journal to tamper with (exit 3)" "[ $rc -eq 3 ] && [ -f $tmp/base.h5.partial ]"
[ $rc -eq 3 ] || exit 1

case $case in
forged)
  for how in cfg-index cfg-negative incumbent status task-id eval fidelity n-evals; do
    out=$tmp/$how.h5
    cp "$tmp/base.h5.partial" "$out.partial"
    forge "$out.partial" "$how" >/dev/null
    sum=$(md5 "$out.partial")
    timeout -k 5 60 "$bin/mfbo-sweep" "$job" -o "$out" --resume --quiet 2>"$tmp/err"; rc=$?
    check "forged record ($how): --resume exits 2 (got $rc)" "[ $rc -eq 2 ]"
    check "... saying which record and what is wrong" \
      "grep -q 'the record of task [0-9]* in .* is not a result of this job' $tmp/err"
    check "... nothing crashed" "! grep -qiE 'sanitizer|signal|segmentation' $tmp/err"
    check "... the journal untouched, no other file" \
      "[ \"\$(md5 $out.partial)\" = '$sum' ] && [ ! -e $out ] && [ ! -e $out.tmp ]"
    [ $rc -eq 2 ] || cat "$tmp/err" >&2
  done
  out=$tmp/cfg-index.h5
  timeout -k 5 60 mpirun -n 2 "$bin/mfbo-sweep" "$job" -o "$out" --resume --quiet 2>"$tmp/err"
  rc=$?
  check "2 ranks, forged record: exit 2, no hang (got $rc)" "[ $rc -eq 2 ]"
  check "... with the message" "grep -q 'configuration index\|index 1000000 for parameter' $tmp/err"
  # the checks accept what the program writes: the untouched journal resumes
  cp "$tmp/base.h5.partial" "$tmp/good.h5.partial"
  "$bin/mfbo-sweep" "$job" -o "$tmp/good.h5" --resume --deadline 1 --quiet 2>"$tmp/err"; rc=$?
  check "the untouched journal resumes (stopped again: exit 3)" "[ $rc -eq 3 ]"
  ;;
flip)
  # one byte flipped in a record in the middle (its payload, then its head's length field):
  # that record is skipped, the intact ones after it are kept (issue 14, case 6)
  n=$(forge "$tmp/base.h5.partial" count)
  check "a journal of at least 4 tasks ($n)" "[ $n -ge 4 ]"
  k=$((n / 2))
  for how in flip flip-head; do
    out=$tmp/$how.h5
    cp "$tmp/base.h5.partial" "$out.partial"
    forge "$out.partial" "$how" $k >/dev/null
    timeout -k 5 60 "$bin/mfbo-sweep" "$job" -o "$out" --resume --deadline 0.001 2>"$tmp/err"
    rc=$?
    check "$how in record $k of $n: --resume goes on (stopped: exit 3, got $rc)" "[ $rc -eq 3 ]"
    check "... keeps the $((n - 1)) intact records"       "grep -q 'resuming: $((n - 1)) of 400 tasks already done' $tmp/err"
    check "... says what was damaged" "grep -q 'damaged bytes from byte [0-9]* on' $tmp/err"
    check "... and does not blame an interruption" "! grep -q 'dropped its last' $tmp/err"
    [ $fail -eq 0 ] || cat "$tmp/err" >&2
    # and the next resume finds the same, and runs the damaged record's task once
    timeout -k 5 60 "$bin/mfbo-sweep" "$job" -o "$out" --resume --deadline 0.001 2>"$tmp/err"
    done2=$(sed -n 's/.*resuming: \([0-9]*\) of 400.*/\1/p' "$tmp/err")
    check "... a second resume keeps them too ($done2 tasks)" "[ ${done2:-0} -ge $((n - 1)) ]"
  done
  # a torn end is still cut (an interrupted append), with its message
  out=$tmp/torn.h5
  head -c -100 "$tmp/base.h5.partial" >"$out.partial"
  timeout -k 5 60 "$bin/mfbo-sweep" "$job" -o "$out" --resume --deadline 0.001 2>"$tmp/err"
  check "a torn end: cut, with its message" "grep -q 'dropped its last' $tmp/err && grep -q 'resuming: $((n - 1)) of 400' $tmp/err"
  ;;
data)
  # the data file changes between a stop and the resume (issue 14, case 4): refused
  cp "$src/tests/sweep/tiny-kt.json" "$tmp/kt.json" # 5 of 6 configurations measured
  cp "$tmp/kt.json" "$tmp/kt.json.orig"
  printf '[sweep]
seeds = 1-3000
budget_evals = 5
[benchmark]
type = kerneltuner
file = kt.json
[algorithm random]
' >"$tmp/kt.ini"
  cd "$tmp"
  out=$tmp/kt.h5
  "$bin/mfbo-sweep" kt.ini -o "$out" --deadline 0.001 --quiet
  check "a stopped Kernel Tuner sweep (exit 3)" "[ $? -eq 3 ] && [ -f $out.partial ]"
  # every recorded time changed (1.5 ms becomes 21.5 ms, ...)
  sed -e 's/"time": \([0-9.]*\)/"time": 2\1/g' "$tmp/kt.json.orig" >"$tmp/kt.json"
  sum=$(md5 "$out.partial")
  timeout -k 5 60 "$bin/mfbo-sweep" kt.ini -o "$out" --resume --quiet 2>"$tmp/err"; rc=$?
  check "data file changed: --resume exits 2 (got $rc)" "[ $rc -eq 2 ]"
  check "... saying the data file changed" "grep -q 'data file changed since the sweep started' $tmp/err"
  check "... the journal untouched, no file" "[ \"\$(md5 $out.partial)\" = '$sum' ] && [ ! -e $out ]"
  [ $rc -eq 2 ] || cat "$tmp/err" >&2
  timeout -k 5 60 mpirun -n 2 "$bin/mfbo-sweep" kt.ini -o "$out" --resume --quiet 2>"$tmp/err"
  rc=$?
  check "... on 2 ranks too (got $rc)" "[ $rc -eq 2 ] && grep -q 'data file changed' $tmp/err"
  # the same data again: the resume goes on
  cp "$tmp/kt.json.orig" "$tmp/kt.json"
  "$bin/mfbo-sweep" kt.ini -o "$out" --resume --deadline 0.001 --quiet; rc=$?
  check "the data restored: --resume goes on (stopped again: exit 3, got $rc)" "[ $rc -eq 3 ]"
  ;;
*) echo "unknown case $case" >&2; exit 2 ;;
esac
exit $fail
