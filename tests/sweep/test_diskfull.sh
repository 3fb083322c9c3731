#!/usr/bin/env bash
# test_diskfull.sh BIN SRC CASE: the disk fills up during a sweep (a small tmpfs mounted by
# the test, so it needs root; skipped loudly with exit code 77 where mounting is impossible).
#   hang:   the journal write fails on 3 ranks (issue 14, case 1): every run exits 1 with the
#           message, none hangs (10 runs on 3 ranks and 5 on 4, each under a time-out).
#   finish: the final HDF5 write fails (issue 14, case 2): exit 1 with the message, no crash
#           at exit, and the journal is kept so that a resume on a roomier disk completes.
set -u
bin=$1; src=$2; case=$3
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d)
mnt=$tmp/disk
cleanup() { umount "$mnt" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export OMPI_MCA_btl_vader_backing_directory=$tmp OMPI_MCA_orte_tmpdir_base=$tmp
job=$src/tests/sweep/f.ini # issue 14's reproducer job, 40 tasks

# Mounts a fresh tmpfs of $1 at $mnt; exits 77 (skip) where that is impossible.
small_disk() {
  umount "$mnt" 2>/dev/null
  mkdir -p "$mnt"
  if ! mount -t tmpfs -o "size=$1" tmpfs "$mnt" 2>"$tmp/mount.err"; then
    echo "SKIPPED: cannot mount a $1 tmpfs (needs root and mount rights): $(cat "$tmp/mount.err")" >&2
    exit 77
  fi
}

case $case in
hang)
  small_disk 48k
  for n in 3 3 3 3 3 3 3 3 3 3 4 4 4 4 4; do
    rm -f "$mnt"/*
    timeout -k 5 ${HANG_TIMEOUT:-60} mpirun -n $n "$bin/mfbo-sweep" "$job" -o "$mnt/out.h5" --quiet 2>"$tmp/err"
    rc=$?
    check "$n ranks, disk full: exit 1, no hang (got $rc)" "[ $rc -eq 1 ]"
    check "... with the message" "grep -q 'cannot write $mnt/out.h5.partial: No space left on device' $tmp/err"
    check "... the journal kept, no complete file" "[ -f $mnt/out.h5.partial ] && [ ! -e $mnt/out.h5 ]"
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then cat "$tmp/err" >&2; break; fi
  done
  ;;
finish)
  # the journal of f.ini fits in 200k, the HDF5 file beside it does not
  small_disk 200k
  for n in 1 2; do
    rm -f "$mnt"/*
    if [ $n -eq 1 ]; then
      timeout -k 5 120 "$bin/mfbo-sweep" "$job" -o "$mnt/out.h5" --quiet 2>"$tmp/err"; rc=$?
    else
      timeout -k 5 120 mpirun -n $n "$bin/mfbo-sweep" "$job" -o "$mnt/out.h5" --quiet 2>"$tmp/err"; rc=$?
    fi
    check "$n rank(s), final write fails: exit 1, no crash (got $rc)" "[ $rc -eq 1 ]"
    check "... with the message" "grep -q 'cannot write $mnt/out.h5.tmp' $tmp/err"
    check "... no sanitizer or signal report" "! grep -qiE 'sanitizer|signal|segmentation' $tmp/err"
    check "... the journal kept, no complete or temporary file" \
      "[ -f $mnt/out.h5.partial ] && [ ! -e $mnt/out.h5 ] && [ ! -e $mnt/out.h5.tmp ]"
  done
  [ $fail -eq 0 ] || cat "$tmp/err" >&2
  # nothing is lost: the journal, moved to a disk with room, resumes to the complete file
  # without running any task again, equal to an uninterrupted sweep
  cp "$mnt/out.h5.partial" "$tmp/out.h5.partial"
  "$bin/mfbo-sweep" "$job" -o "$tmp/out.h5" --resume 2>"$tmp/err"; rc=$?
  check "resumed elsewhere: exit 0" "[ $rc -eq 0 ]"
  check "... no task ran again" "grep -q 'resuming: 40 of 40 tasks already done' $tmp/err"
  "$bin/mfbo-sweep" "$job" -o "$tmp/ref.h5" --quiet
  check "... equal to an uninterrupted sweep" "same_results $tmp/ref.h5 $tmp/out.h5"
  ;;
*) echo "unknown case $case" >&2; exit 2 ;;
esac
exit $fail
