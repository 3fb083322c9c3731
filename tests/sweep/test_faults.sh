#!/usr/bin/env bash
# test_faults.sh: a sweep killed with SIGKILL (the whole MPI job) at several points resumes
# to the same results as an uninterrupted one; SIGUSR1 (Slurm's warning) and SIGTERM stop
# it with exit 3 and a resumable file; --deadline does the same; a different job is refused.
set -u
bin=$1; src=$2
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Killed MPI jobs leave shared-memory segments and session directories behind: keep them in
# $tmp, which is removed at the end.
export OMPI_MCA_btl_vader_backing_directory=$tmp OMPI_MCA_orte_tmpdir_base=$tmp
job=$src/tests/sweep/long.ini
sweep() { mpirun -n 2 "$bin/mfbo-sweep" "$job" --quiet "$@"; }

sweep -o "$tmp/ref.h5"; check "uninterrupted sweep exits 0" "[ $? -eq 0 ]"

# SIGKILL to the whole MPI job (mpirun and every rank), then resume; each resumed run is
# killed again, at several points: while starting, then each time the journal has grown.
out=$tmp/killed.h5
start_session mpirun -n 2 "$bin/mfbo-sweep" "$job" -o "$out" --quiet
sleep 0.2; kill_session $sid
check "killed while starting: no complete file" "[ ! -e $out ]"
for bytes in 50000 150000 300000; do
  start_session mpirun -n 2 "$bin/mfbo-sweep" "$job" -o "$out" --quiet --resume
  wait_bytes "$out.partial" $bytes; kill_session $sid
  check "killed with $bytes bytes in the journal: no complete file yet" "[ ! -e $out ]"
done
check "the kills left a partial file" "[ -f $out.partial ]"
sweep -o "$out" --resume; check "resume after SIGKILL exits 0" "[ $? -eq 0 ]"
check "resumed = uninterrupted" "same_results $tmp/ref.h5 $out"

# SIGUSR1 to mpirun: forwarded to the ranks, exit 3, resumable.
out=$tmp/usr1.h5
start_session mpirun -n 2 "$bin/mfbo-sweep" "$job" -o "$out" --quiet
wait_bytes "$out.partial" 100000; kill -USR1 $sid; wait $sid; rc=$?
check "SIGUSR1 gives exit 3" "[ $rc -eq 3 ]"
check "SIGUSR1 leaves a partial file" "[ -f $out.partial ] && [ ! -e $out ]"
sweep -o "$out" --resume; check "resume after SIGUSR1 exits 0" "[ $? -eq 0 ]"
check "resumed after SIGUSR1 = uninterrupted" "same_results $tmp/ref.h5 $out"

# SIGTERM to a plain process (no mpirun): exit 3.
out=$tmp/term.h5
"$bin/mfbo-sweep" "$job" -o "$out" --quiet & pid=$!
wait_bytes "$out.partial" 100000; kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM gives exit 3" "[ $rc -eq 3 ] && [ -f $out.partial ]"
"$bin/mfbo-sweep" "$job" -o "$out" --quiet --resume; check "resume after SIGTERM exits 0" "[ $? -eq 0 ]"
check "resumed after SIGTERM = uninterrupted" "same_results $tmp/ref.h5 $out"

# --deadline: a short one (0.2 s), so that it falls inside the sweep on a fast machine too
# (the whole sweep takes about 1 s on a fast one; a 1 s deadline once missed it in CI).
out=$tmp/deadline.h5
sweep -o "$out" --deadline 0.2; rc=$?
check "--deadline gives exit 3" "[ $rc -eq 3 ] && [ -f $out.partial ]"
sum=$(md5sum <"$out.partial")
"$bin/mfbo-sweep" "$src/tests/sweep/small.ini" -o "$out" --resume --quiet 2>"$tmp/err"; rc=$?
check "resuming with a different job exits 2" "[ $rc -eq 2 ] && grep -q 'different job' $tmp/err"
check "... and leaves the partial file untouched" "[ \"\$(md5sum <$out.partial)\" = '$sum' ]"
sweep -o "$out" --resume; check "resume after --deadline exits 0" "[ $? -eq 0 ]"
check "resumed after --deadline = uninterrupted" "same_results $tmp/ref.h5 $out"
exit $fail
