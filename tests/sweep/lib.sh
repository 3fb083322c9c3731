# lib.sh: shared helpers of the sweep tests (sourced). Needs $bin (the build dir).
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }

# The parts of a results file that must not depend on ranks, timing or interruptions.
results_of() {
  local f=$1
  for d in /runs /trace /benchmark/instances; do h5dump -d "$d" "$f" | tail -n +2; done
  h5dump -A -g /benchmark "$f" | tail -n +2
}

same_results() { cmp -s <(results_of "$1") <(results_of "$2"); }

# Runs "$@" in its own process group in the background; sets $pgid.
start_group() { setsid "$@" & pgid=$!; }
