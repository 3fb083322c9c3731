# lib.sh: shared helpers of the sweep tests (sourced). Needs $bin (the build dir).
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }

# /runs, /trace and /benchmark bit for bit (what must not depend on ranks or interruptions).
same_results() { /usr/bin/python3 "$src/tests/sweep/same_results.py" "$1" "$2"; }

# Runs "$@" in a new session in the background; sets $sid (its id: the leader's pid).
start_session() { setsid "$@" & sid=$!; }

# Waits until FILE exists and holds at least BYTES bytes (at most 60 s); 1 on time-out.
wait_bytes() {
  local i
  for i in $(seq 600); do
    [ -f "$1" ] && [ "$(stat -c %s "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# SIGKILL to every process of the session at once (MPI ranks have their own process
# groups, so a group kill would miss them), then waits until none is left running.
kill_session() {
  pkill -KILL -s "$1"
  while ps -o stat= -s "$1" 2>/dev/null | grep -qv '^Z'; do sleep 0.05; done
  wait "$1" 2>/dev/null
}
