#!/usr/bin/env bash
# test_load.sh BIN SRC: loading the job on many ranks (issue 14, case 7). Rank 0 reads the
# job file and sends its text to the others, so a job on stdin works; a rank other than 0
# that cannot load the job or build its benchmark (here: a Kernel Tuner file given by a
# path relative to the current directory, which that rank does not have) stops the sweep at
# once with its message, instead of a silent hang.
set -u
bin=$1; src=$2
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_MCA_btl_vader_backing_directory=$tmp OMPI_MCA_orte_tmpdir_base=$tmp
job=$src/tests/sweep/f.ini

# a job on stdin
"$bin/mfbo-sweep" "$job" -o "$tmp/ref.h5" --quiet
cat "$job" | timeout -k 5 ${LOAD_TIMEOUT:-60} mpirun -n 2 "$bin/mfbo-sweep" /dev/stdin -o "$tmp/stdin.h5" --quiet
rc=$?
check "job on stdin, 2 ranks: exit 0 (got $rc)" "[ $rc -eq 0 ]"
check "... same results as the job file" "same_results $tmp/ref.h5 $tmp/stdin.h5"
check "... job_path is /dev/stdin" "h5dump -a /job_path $tmp/stdin.h5 | grep -q '/dev/stdin'"
timeout -k 5 ${LOAD_TIMEOUT:-60} mpirun -n 2 "$bin/mfbo-sweep" "$tmp/missing.ini" -o "$tmp/m.h5" 2>"$tmp/err"
rc=$?
check "a missing job file, 2 ranks: exit 2 (got $rc)" "[ $rc -eq 2 ]"
check "... one message, from rank 0" "[ \$(grep -c 'missing.ini: error: cannot open' $tmp/err) -eq 1 ]"

# a tiny Kernel Tuner cache file beside the job, named relative to it; the job is given by a
# relative path, so each rank looks for the file in its own current directory
mkdir -p "$tmp/a" "$tmp/b"
cp "$src/tests/sweep/tiny-kt.json" "$tmp/a/kt.json" # 5 of 6 configurations measured
printf '[sweep]\nseeds = 1-4\nbudget_evals = 5\n[benchmark]\ntype = kerneltuner\nfile = kt.json\n[algorithm random]\n' >"$tmp/a/kt.ini"
(cd "$tmp/a" && timeout -k 5 ${LOAD_TIMEOUT:-60} mpirun -n 2 "$bin/mfbo-sweep" kt.ini -o "$tmp/kt.h5" --quiet)
check "the data file on every rank: exit 0" "[ $? -eq 0 ]"
for n in 2 3; do
  # rank 0 runs in a/, which has the file; the other ranks in b/, which has not (rank 0 alone
  # reads the job file and sends its text)
  timeout -k 5 ${LOAD_TIMEOUT:-60} mpirun -n 1 -wdir "$tmp/a" "$bin/mfbo-sweep" kt.ini -o "$tmp/kt$n.h5" \
    : -n $((n - 1)) -wdir "$tmp/b" "$bin/mfbo-sweep" kt.ini -o "$tmp/kt$n.h5" 2>"$tmp/err"
  rc=$?
  check "$n ranks, the data file missing on ranks 1..: exit 2, no hang (got $rc)" "[ $rc -eq 2 ]"
  check "... rank 1 says why" "grep -q 'on rank 1 of $n (host .*kt.json.*' $tmp/err"
  check "... nothing written" "[ ! -e $tmp/kt$n.h5 ] && [ ! -e $tmp/kt$n.h5.partial ]"
  [ $rc -eq 2 ] || cat "$tmp/err" >&2
done
exit $fail
