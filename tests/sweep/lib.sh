# lib.sh: shared helpers of the sweep tests (sourced). Needs $bin (the build dir).
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }

# /runs, /trace and /benchmark bit for bit (what must not depend on ranks or interruptions).
same_results() { /usr/bin/python3 "$src/tests/sweep/same_results.py" "$1" "$2"; }

# Runs "$@" in its own process group in the background; sets $pgid.
start_group() { setsid "$@" & pgid=$!; }
