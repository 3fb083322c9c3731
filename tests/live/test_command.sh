#!/usr/bin/env bash
# test_command.sh: the `command` benchmark (live measurement) through mfbo-sweep:
#  1. the shipped CPU example (examples/live-cpu: a blocked matmul compiled with cc -O2 -D...)
#     tuned live by two searchers over two seeds: finite measured times, NaN true times, a
#     finite final re-measured incumbent time per run, regret NaN; mfbo-analyze reads it;
#  2. a fake command (fake.sh) over every configuration: the median of the printed times,
#     the {X} placeholder and MFBO_REPS, the final re-measurement at final_reps,
#     charge_compile = once on the re-timed configurations; a non-zero
#     exit, unparsable output, output without a time and a hanging command (killed at
#     timeout_s, its process group with it) are invalid (measured_ms = inf);
#  3. loading the job (mfbo-landscape, --csv, --dry-run) never runs the command.
# Usage: test_command.sh BUILD_DIR SOURCE_DIR
set -u
bin=$1
src=$(cd "$2" && pwd)
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3

# ---- 1. the CPU example, live
cat >"$tmp/cpu.ini" <<JOB
[sweep]
seeds = 1-2
budget_evals = 6
[benchmark]
type = command
command = sh $src/examples/live-cpu/run.sh
param.BLOCK_I = 32, 8, 16, 64
param.BLOCK_J = 32, 8, 16, 64
param.BLOCK_K = 32, 8, 16, 64
param.UNROLL = 1, 2, 4
timeout_s = 20
final_reps = 5
failures = silent
[algorithm random]
fidelity = 2
[algorithm pattern]
JOB
"$bin/mfbo-sweep" "$tmp/cpu.ini" -o "$tmp/cpu.h5" --quiet
check "the CPU job runs (exit 0)" "[ $? -eq 0 ]"
$py - "$tmp/cpu.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
runs, trace = f["runs"][:], f["trace"][:]
ok = True
def expect(what, cond):
    global ok
    print(("ok: " if cond else "FAILED: ") + what, file=sys.stdout if cond else sys.stderr)
    ok &= bool(cond)
expect("4 runs (2 algorithms x 2 seeds)", len(runs) == 4)
expect("every run ok with 6 evaluations", all(runs["status"] == 0) and all(runs["n_evals"] == 6))
expect("true_ms is NaN in every trace row", np.isnan(trace["true_ms"]).all())
expect("incumbent_true_ms is NaN in every trace row", np.isnan(trace["incumbent_true_ms"]).all())
m = trace["measured_ms"]
expect("measured times: finite or inf (invalid), never NaN", not np.isnan(m).any())
expect("most measured times are finite and > 0", (np.isfinite(m) & (m > 0)).sum() >= 12)
expect("every evaluation cost real time (0 < cost_s < 20)", ((trace["cost_s"] > 0) & (trace["cost_s"] < 20)).all())
expect("final re-measured incumbent time finite and > 0 in every run",
       (np.isfinite(runs["incumbent_true_ms"]) & (runs["incumbent_true_ms"] > 0)).all())
expect("regret NaN (no known optimum)", np.isnan(runs["regret"]).all())
expect("instance optimum unknown (NaN)", np.isnan(f["benchmark/instances"]["optimum_ms"]).all())
sys.exit(0 if ok else 1)
PY
check "the CPU results file" "[ $? -eq 0 ]"
"$bin/mfbo-analyze" "$tmp/cpu.h5" -o "$tmp/cpu-analysis" >"$tmp/analysis.txt" 2>&1
check "mfbo-analyze reads a live file (exit 0)" "[ $? -eq 0 ]"
check "mfbo-analyze says it is live" "grep -q '^benchmark: command, 1 instance; LIVE' $tmp/analysis.txt"
check "mfbo-analyze: a finite final regret" "grep -Eq '^pattern +pattern +2 .* [0-9.]+% \[' $tmp/analysis.txt"

# ---- 2. a fake command: every outcome
mkdir "$tmp/fake"
cp "$src/tests/live/fake.sh" "$tmp/fake/"
cat >"$tmp/fake/fake.ini" <<JOB
[sweep]
seeds = 1
[benchmark]
type = command
command = sh fake.sh {X}
param.MODE = ok, fail, garbage, none, hang
param.X = 1, 2, 3
timeout_s = 3
final_reps = 7
charge_compile = once
[algorithm random]
count = 100
fidelity = 3
final_retime = 2
final_fidelity = 5
JOB
# 3. loading runs nothing
"$bin/mfbo-landscape" "$tmp/fake/fake.ini" >"$tmp/landscape.txt"
check "mfbo-landscape describes a live job (exit 0)" "[ $? -eq 0 ] && grep -q '^space: 15 configurations' $tmp/landscape.txt"
"$bin/mfbo-landscape" --csv "$tmp/fake/fake.ini" >/dev/null 2>"$tmp/csv.err"
check "mfbo-landscape --csv refuses a live job (exit 2)" "[ $? -eq 2 ] && grep -q 'live benchmark' $tmp/csv.err"
"$bin/mfbo-sweep" "$tmp/fake/fake.ini" --dry-run -o "$tmp/fake.h5" >/dev/null
check "--dry-run exits 0" "[ $? -eq 0 ]"
check "loading the job never ran the command" "[ ! -e $tmp/fake/calls.log ]"

start=$(date +%s)
# An MFBO_MODE already in mfbo-sweep's environment must not reach the command (the command
# benchmark leaves inherited MFBO_* out; dash would also take the later entry, so this
# check passes without that too: a check of the behaviour, not of the mechanism).
MFBO_MODE=hang "$bin/mfbo-sweep" "$tmp/fake/fake.ini" -o "$tmp/fake.h5" --quiet 2>"$tmp/fake.err"
check "the fake job runs (exit 0)" "[ $? -eq 0 ]"
elapsed=$(( $(date +%s) - start ))
# (a backstop: each hang's cost is checked below. Once, on the shared 2-core VM under load,
# this sweep took 51 s with every evaluation's cost as usual, about 3.5 s in all: the time
# went elsewhere, not found; so the bound is loose)
check "three hanging configurations did not run their 31 s each (took ${elapsed} s)" "[ $elapsed -lt 90 ]"
check "no hanging command survives its timeout" "! pgrep -f 'sleep 31.25' >/dev/null"
check "a failure is reported on stderr" "grep -q 'MODE=fail, X=1 (reps 3): exit status 3' $tmp/fake.err"
check "a timeout is reported on stderr" "grep -q 'MODE=hang, X=2 (reps 3): timed out' $tmp/fake.err"
check "output without a time is reported" "grep -q 'MODE=none, X=1 (reps 3): no time_ms=... line in its output' $tmp/fake.err"
check "no output is reported" "grep -q 'MODE=none, X=2 (reps 3): no output' $tmp/fake.err"
check "a bad number is reported" "grep -q \"MODE=garbage, X=3 (reps 3): bad output line 'time_ms=fast'\" $tmp/fake.err"
check "the final re-measurement ran at final_reps" "grep -q '^ok 1 7$' $tmp/fake/calls.log"
$py - "$tmp/fake.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
runs, trace = f["runs"][:], f["trace"][:]
modes = list(f["benchmark/parameters/MODE/labels"][:]) if "benchmark/parameters/MODE/labels" in f else None
ok = True
def expect(what, cond):
    global ok
    print(("ok: " if cond else "FAILED: ") + what, file=sys.stdout if cond else sys.stderr)
    ok &= bool(cond)
expect("17 evaluations: the whole space, then the best two re-timed", len(trace) == 17)
retimed = trace[15:]
expect("the re-timed two: ok, X = 1 and 2, at 5 repetitions (median 100 X + 9)",
       (retimed["MODE"] == 0).all() and sorted(retimed["X"]) == [1, 2] and
       (retimed["fidelity"] == 5).all() and
       np.array_equal(retimed["measured_ms"], 100 * retimed["X"] + 9))
expect("charge_compile = once: a re-evaluation is not charged the compile_s (30 s) it printed",
       (retimed["cost_s"] == 0).all())
first = trace[:15]
expect("... a first evaluation is (its whole wall time)",
       (first["cost_s"][first["MODE"] == 0] > 0).all())
trace = first
mode = trace["MODE"].astype(int)  # label index: ok, fail, garbage, none, hang
x = trace["X"]
m = trace["measured_ms"]
good = mode == 0
expect("ok: the median of the printed times (100 X + 4 at 3 repetitions; the mean would be 100 X + 4.67)",
       np.array_equal(m[good], 100 * x[good] + 4))
expect("fail, garbage, none, hang: invalid (measured_ms = inf)", np.isinf(m[~good]).all())
hang = mode == 4
expect("a hang costs its timeout (3 s <= cost_s < 15 s: killing and reaping under load)",
       ((trace["cost_s"][hang] >= 3) & (trace["cost_s"][hang] < 15)).all())
expect("the others cost less than the timeout (3 s)", (trace["cost_s"][~hang] < 3).all())
expect("the run returns X=1, MODE=ok", runs["MODE"][0] == 0 and runs["X"][0] == 1)
expect("its final time is the re-measurement at final_reps = 7 (100 + 16)",
       runs["incumbent_true_ms"][0] == 116)
expect("the run's cost leaves the final re-measurement out",
       abs(runs["cost_s"][0] - f["trace"]["cost_s"].sum()) < 1e-9)
sys.exit(0 if ok else 1)
PY
check "the fake results file" "[ $? -eq 0 ]"

# ---- 4. timeout_s holds whatever the command's descendants do (issue 26): a command that
# leaves a process holding its stdout open (in its own session, or in the command's group)
# is done when it exits; what it printed is taken. Before the fix each evaluation lasted
# until the descendant's 30 s sleep ended.
cat >"$tmp/fake/daemon.ini" <<JOB
[sweep]
seeds = 1
[benchmark]
type = command
command = sh fake.sh {X}
param.MODE = daemon, straggler
param.X = 1, 2
timeout_s = 5
final_reps = 3
[algorithm random]
count = 4
fidelity = 1
JOB
start=$(date +%s)
"$bin/mfbo-sweep" "$tmp/fake/daemon.ini" -o "$tmp/daemon.h5" --quiet 2>"$tmp/daemon.err"
rc=$?
elapsed=$(( $(date +%s) - start ))
check "descendants holding stdout: the sweep runs (exit 0)" "[ $rc -eq 0 ]"
check "... and is not stretched by them (5 evaluations, timeout_s = 5: ${elapsed} s < 20 s)" "[ $elapsed -lt 20 ]"
check "... a straggler in the command's process group is killed" "! pgrep -f 'sleep 30.5' >/dev/null"
pkill -f 'sleep 30.75' # out of reach in its own session (docs/live.md): the test cleans up
$py - "$tmp/daemon.h5" <<'PY'
import sys, h5py, numpy as np
t = h5py.File(sys.argv[1], "r")["trace"][:]
ok = len(t) == 4 and np.array_equal(t["measured_ms"], 100.0 * t["X"]) and (t["cost_s"] < 5).all()
print(("ok: " if ok else "FAILED: ") + "what they printed is taken, each in less than timeout_s",
      file=sys.stdout if ok else sys.stderr)
sys.exit(0 if ok else 1)
PY
check "the descendants' results file" "[ $? -eq 0 ]"
exit $fail
