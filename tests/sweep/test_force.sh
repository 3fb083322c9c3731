#!/usr/bin/env bash
# test_force.sh BIN SRC: --force keeps the old complete file until the new one is complete
# (issue 14, case 5): a --force run that is stopped or killed leaves the old file as it was;
# --resume then continues the new run and replaces the old file at its end. A partial left
# by a finish stopped between its rename and its unlink is still recognised as stale.
set -u
bin=$1; src=$2
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_MCA_btl_vader_backing_directory=$tmp OMPI_MCA_orte_tmpdir_base=$tmp
md5() { md5sum <"$1"; }
job=$src/tests/sweep/f.ini
# f.ini with 200 seeds: long enough (about 30 s) to be stopped part-way
sed 's/^seeds = 1-20$/seeds = 1-200/' "$job" >"$tmp/long.ini"
long=$tmp/long.ini

out=$tmp/out.h5
"$bin/mfbo-sweep" "$src/tests/sweep/small.ini" -o "$out" --quiet
check "an old complete file (another job)" "[ $? -eq 0 ] && [ -f $out ]"
old=$(md5 "$out")

# stopped by --deadline
"$bin/mfbo-sweep" "$long" -o "$out" --force --deadline 1 --quiet; rc=$?
check "--force stopped by --deadline: exit 3" "[ $rc -eq 3 ] && [ -f $out.partial ]"
check "... the old file is still there, unchanged" "[ -f $out ] && [ \"\$(md5 $out)\" = '$old' ]"

# killed (SIGKILL to the whole MPI job) while the new journal grows
start_session mpirun -n 2 "$bin/mfbo-sweep" "$long" -o "$out" --force --quiet
wait_bytes "$out.partial" 30000; kill_session $sid
check "--force killed: the old file is still there, unchanged" \
  "[ -f $out ] && [ \"\$(md5 $out)\" = '$old' ]"
check "... beside the new journal" "[ -f $out.partial ]"

# a plain new sweep still refuses; --resume continues the --force run and replaces the file
"$bin/mfbo-sweep" "$long" -o "$out" --quiet 2>/dev/null
check "a new sweep (no flag) refuses: exit 2" "[ $? -eq 2 ]"
"$bin/mfbo-sweep" "$long" -o "$out" --resume --deadline 1 --quiet 2>"$tmp/err"; rc=$?
check "--resume continues the --force run (stopped again: exit 3)" "[ $rc -eq 3 ]"
check "... saying it replaces the old file" "grep -q 'replaces $out when it completes' $tmp/err"
check "... the old file still unchanged" "[ \"\$(md5 $out)\" = '$old' ]"

# with the short job: --force to the end replaces the old file
"$bin/mfbo-sweep" "$job" -o "$tmp/ref.h5" --quiet
"$bin/mfbo-sweep" "$job" -o "$out" --force --deadline 0.001 --quiet
mpirun -n 2 "$bin/mfbo-sweep" "$job" -o "$out" --resume --quiet; rc=$?
check "--force then --resume to the end: exit 0, no partial" "[ $rc -eq 0 ] && [ ! -e $out.partial ]"
check "... the new file replaced the old one" "same_results $tmp/ref.h5 $out"
"$bin/mfbo-sweep" "$src/tests/sweep/small.ini" -o "$out" --force --quiet
check "--force to the end (1 rank): exit 0" "[ $? -eq 0 ] && [ ! -e $out.partial ]"
check "... the file is of the new job" "h5dump -a /sweep_name $out | grep -q '\"small\"'"

# a finish stopped between its rename and its unlink: the journal, kept by a hard link
# while the sweep runs, comes back beside the complete file made from it
out=$tmp/stale.h5
"$bin/mfbo-sweep" "$job" -o "$out" --deadline 0.001 --quiet
ln "$out.partial" "$tmp/keep"
"$bin/mfbo-sweep" "$job" -o "$out" --resume --quiet
ln "$tmp/keep" "$out.partial"
sum=$(md5 "$out")
"$bin/mfbo-sweep" "$job" -o "$out" --resume --quiet 2>"$tmp/err"; rc=$?
check "stale partial beside its complete file: --resume exits 0" "[ $rc -eq 0 ]"
check "... the stale partial removed, the file unchanged" \
  "[ ! -e $out.partial ] && [ \"\$(md5 $out)\" = '$sum' ]"
exit $fail
