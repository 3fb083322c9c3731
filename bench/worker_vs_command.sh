#!/usr/bin/env bash
# worker_vs_command.sh: what a persistent worker saves (issue 22's target: a worker with a
# slow start-up costs a 20-evaluation run at most a quarter of what the same script costs as
# a `command`). One script, bench/slow_start.py (START_S of start-up, then 10 ms a
# repetition), is run as `type = command` and as `type = worker`, side by side, for RUNS runs
# of 20 evaluations at 3 repetitions each; prints each run's cost (the sum of its
# evaluations' costs, what a user waits for) and the median ratio.
#   bash bench/worker_vs_command.sh [BUILD_DIR] [START_S] [RUNS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
start_s=${2:-1.0}
runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for type in command worker; do
  cat >"$tmp/$type.ini" <<JOB
[sweep]
seeds = 1-$runs
budget_evals = 20
[benchmark]
type = $type
command = python3 $here/slow_start.py $start_s
param.X = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22
timeout_s = 60
final_reps = 3
[algorithm random]
fidelity = 3
JOB
  "$build/mfbo-sweep" "$tmp/$type.ini" -o "$tmp/$type.h5" --quiet
done
py=/usr/bin/python3 # Debian's, with h5py, where there is one
[ -x "$py" ] || py=python3
"$py" - "$tmp/command.h5" "$tmp/worker.h5" "$start_s" <<'PY'
import sys, h5py, numpy as np
cost = {k: h5py.File(p, "r")["runs"]["cost_s"][:] for k, p in zip(("command", "worker"), sys.argv[1:3])}
print("start-up %s s, 20 evaluations a run, %d runs each" % (sys.argv[3], len(cost["command"])))
print("| benchmark | run cost (s), median [min, max] |")
print("|---|---|")
for k, c in cost.items():
    print("| %s | %.2f [%.2f, %.2f] |" % (k, np.median(c), c.min(), c.max()))
r = np.median(cost["worker"]) / np.median(cost["command"])
print("worker / command: %.3f (target <= 0.25: %s)" % (r, "met" if r <= 0.25 else "MISSED"))
PY
