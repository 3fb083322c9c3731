#!/bin/sh
# fake.sh: the command of the test's fake live job (test_command.sh). Its first argument is
# the {X} placeholder; MFBO_MODE and MFBO_REPS come from the environment. Every call is
# logged (calls.log in the current directory: the job's) so that the test can tell whether
# the command ran. MODE: ok prints compile_s=30 (far above its wall time, even on a loaded machine) and REPS lines time_ms=100*X+i*i (i = 1..REPS:
# the median, 100*X + 4 at 3 repetitions and 100*X + 16 at 7, is not the mean); fail exits 3; garbage prints an unparsable time;
# none prints no time line (X = 1) or nothing; hang sleeps far past timeout_s (its process group is killed);
# daemon and straggler print their time and exit, leaving a sleep behind that holds stdout
# open (daemon: in a session of its own, out of reach; straggler: in the command's group).
echo "$MFBO_MODE $1 $MFBO_REPS" >> calls.log
case "$MFBO_MODE" in
ok)
  echo "compile_s=30"
  i=1
  while [ "$i" -le "$MFBO_REPS" ]; do
    echo "time_ms=$((100 * $1 + i * i))"
    i=$((i + 1))
  done ;;
fail) echo "time_ms=1"; exit 3 ;;
garbage) echo "time_ms=fast" ;;
none) if [ "$1" = 1 ]; then echo "hello"; fi ;; # X = 1: a line without a time; else no output
hang) sleep 31.25; echo "time_ms=1" ;;
daemon) setsid sleep 30.75 & echo "time_ms=$((100 * $1))" ;; # a descendant in its own session keeps stdout open
straggler) sleep 30.5 & echo "time_ms=$((100 * $1))" ;; # one left behind in the command's process group
esac
