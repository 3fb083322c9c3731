#!/usr/bin/env bash
# test_ranks.sh: the same job on 1 rank (a plain process), 2, 5 and 64 ranks gives identical
# /runs, /trace and /benchmark; --dry-run prints the plan; an existing file is not replaced.
set -u
bin=$1; src=$2
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
job=$src/tests/sweep/small.ini

"$bin/mfbo-sweep" "$job" -o "$tmp/r1.h5" --quiet; check "1 rank (plain process) exits 0" "[ $? -eq 0 ]"
check "complete file, no partial" "[ -f $tmp/r1.h5 ] && [ ! -e $tmp/r1.h5.partial ]"
check "12 runs" "[ \$(h5dump -H -d /runs $tmp/r1.h5 | grep -o 'DATASPACE  SIMPLE { ( [0-9]* )' | grep -o '[0-9][0-9]*') -eq 12 ]"
for n in 2 5; do
  mpirun -n $n "$bin/mfbo-sweep" "$job" -o "$tmp/r$n.h5" --quiet; check "$n ranks exit 0" "[ $? -eq 0 ]"
  check "$n ranks: same results as 1" "same_results $tmp/r1.h5 $tmp/r$n.h5"
done
mpirun -n 64 "$bin/mfbo-sweep" "$job" -o "$tmp/r64.h5" 2>"$tmp/err64"; check "64 ranks exit 0" "[ $? -eq 0 ]"
check "64 ranks: same results as 1" "same_results $tmp/r1.h5 $tmp/r64.h5"
check "progress has a final line" "grep -q 'complete: 12/12 tasks' $tmp/err64"
sed 's/^seeds = 1-6/seeds = 2-7/' "$job" >"$tmp/other.ini"
"$bin/mfbo-sweep" "$tmp/other.ini" -o "$tmp/other.h5" --quiet
check "other seeds: different results (the comparison can fail)" "! same_results $tmp/r1.h5 $tmp/other.h5 2>/dev/null"
check "mpi_ranks attribute is 64" "h5dump -a /mpi_ranks $tmp/r64.h5 | grep -q '(0): 64'"

# chunks (issue 17): short tasks go out several at a time; every one must come back
sed 's/^seeds *=.*/seeds = 1-400/' "$src/jobs/zero-cost-tasks.ini" >"$tmp/short.ini"
"$bin/mfbo-sweep" "$tmp/short.ini" -o "$tmp/s1.h5" --quiet
mpirun -n 3 "$bin/mfbo-sweep" "$tmp/short.ini" -o "$tmp/s3.h5" --quiet
check "400 short tasks on 3 ranks (chunks) exit 0" "[ $? -eq 0 ]"
check "400 short tasks on 3 ranks: same results as 1" "same_results $tmp/s1.h5 $tmp/s3.h5"

"$bin/mfbo-sweep" "$job" --dry-run >"$tmp/plan"; check "--dry-run exits 0" "[ $? -eq 0 ]"
check "--dry-run lists 12 tasks" "[ \$(grep -c '^[0-9]' $tmp/plan) -eq 12 ]"
check "--dry-run writes no file" "[ ! -e small.h5 ] && [ ! -e small.h5.partial ]"

sum=$(md5sum <"$tmp/r1.h5")
"$bin/mfbo-sweep" "$job" -o "$tmp/r1.h5" --quiet 2>"$tmp/err"; rc=$?
check "an existing file is refused with exit 2" "[ $rc -eq 2 ] && grep -q -- --resume $tmp/err"
check "... and left untouched" "[ \"\$(md5sum <$tmp/r1.h5)\" = '$sum' ]"
"$bin/mfbo-sweep" "$job" -o "$tmp/r1.h5" --resume --quiet; check "--resume of a complete file exits 0" "[ $? -eq 0 ]"
check "... and leaves it untouched" "[ \"\$(md5sum <$tmp/r1.h5)\" = '$sum' ]"
"$bin/mfbo-sweep" --help | grep -q -- --deadline; check "--help" "[ $? -eq 0 ]"
exit $fail
