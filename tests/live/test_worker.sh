#!/usr/bin/env bash
# test_worker.sh: the `worker` benchmark (a persistent measuring process, docs/live.md)
# through mfbo-sweep:
#  1. the shipped CPU worker (examples/live-cpu/worker.py, jobs/live-cpu-worker.ini's space):
#     finite measured times, NaN true times, a re-measured final time per run;
#  2. a fake worker (fake_worker.py) over every outcome: the median of its times; a
#     {"failed"} answer is invalid and keeps the worker; a sticky CUDA error, garbage, a
#     wrong shape, half a line, an exit, a SIGKILL and a hang past timeout_s are invalid and
#     restart it (exactly one start per restart); a descendant holding its output open does
#     not stretch an answer; no worker is left after the sweep;
#  3. cost: each run is charged the worker's start-up once (its first evaluation), and the
#     worker is reset at each run's start (when it says it can); the rest cost their time;
#  4. a sweep killed with SIGKILL leaves no worker behind (PR_SET_PDEATHSIG).
# Usage: test_worker.sh BUILD_DIR SOURCE_DIR
set -u
bin=$1
src=$(cd "$2" && pwd)
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d)
trap 'pkill -f "sleep 29.5"; rm -rf "$tmp"' EXIT
py=/usr/bin/python3
expect_py='
import sys, h5py, numpy as np
ok = True
def expect(what, cond):
    global ok
    print(("ok: " if cond else "FAILED: ") + what, file=sys.stdout if cond else sys.stderr)
    ok &= bool(cond)
f = h5py.File(sys.argv[1], "r")
runs, trace = f["runs"][:], f["trace"][:]
'

# ---- 1. the CPU worker
cat >"$tmp/cpu.ini" <<JOB
[sweep]
seeds = 1-2
budget_evals = 6
[benchmark]
type = worker
command = python3 $src/examples/live-cpu/worker.py
param.BLOCK_I = 32, 8, 16, 64, 128, 256
param.BLOCK_J = 32, 8, 16, 64, 128, 256
param.BLOCK_K = 32, 8, 16, 64, 128, 256
param.UNROLL = 1, 2, 4, 8
timeout_s = 20
final_reps = 5
failures = silent
[algorithm random]
fidelity = 2
[algorithm mfbo]
JOB
"$bin/mfbo-sweep" "$tmp/cpu.ini" -o "$tmp/cpu.h5" --quiet
check "the CPU worker job runs (exit 0)" "[ $? -eq 0 ]"
$py - "$tmp/cpu.h5" <<PY
$expect_py
expect("4 runs of 6 evaluations, all ok", len(runs) == 4 and (runs["status"] == 0).all() and (runs["n_evals"] == 6).all())
expect("true_ms NaN in every trace row", np.isnan(trace["true_ms"]).all())
m = trace["measured_ms"]
expect("measured: finite > 0 or inf (invalid), never NaN; most finite", not np.isnan(m).any() and (np.isfinite(m) & (m > 0)).sum() >= 12)
expect("a re-measured final time > 0 in every run", (np.isfinite(runs["incumbent_true_ms"]) & (runs["incumbent_true_ms"] > 0)).all())
sys.exit(0 if ok else 1)
PY
check "the CPU worker's results file" "[ $? -eq 0 ]"
"$bin/mfbo-analyze" "$tmp/cpu.h5" -o "$tmp/cpu-analysis" >"$tmp/analysis.txt" 2>&1
check "mfbo-analyze: a live file's final time is RE-MEASURED" "grep -q 'RE-MEASURED' $tmp/analysis.txt && ! grep -q 'TRUE (noise-free)' $tmp/analysis.txt"

# ---- 2. every outcome
mkdir "$tmp/fake"
cp "$src/tests/live/fake_worker.py" "$tmp/fake/"
cat >"$tmp/fake/fake.ini" <<JOB
[sweep]
seeds = 1
[benchmark]
type = worker
command = python3 fake_worker.py
param.MODE = ok, fail, sticky, garbage, badshape, half, crash, killed, hang, daemon
param.X = 1, 2
timeout_s = 2
final_reps = 7
[algorithm random]
count = 100
fidelity = 3
final_retime = 2
final_fidelity = 5
JOB
"$bin/mfbo-sweep" "$tmp/fake/fake.ini" --dry-run -o "$tmp/fake.h5" >/dev/null
check "--dry-run never starts the worker" "[ $? -eq 0 ] && [ ! -e $tmp/fake/worker.log ]"
start=$(date +%s)
"$bin/mfbo-sweep" "$tmp/fake/fake.ini" -o "$tmp/fake.h5" --quiet 2>"$tmp/fake.err"
check "the fake worker job runs (exit 0)" "[ $? -eq 0 ]"
elapsed=$(( $(date +%s) - start ))
check "two hangs at timeout_s = 2 and a 29.5 s daemon did not stretch the sweep (${elapsed} s < 25 s)" "[ $elapsed -lt 25 ]"
check "no worker is left after the sweep" "! pgrep -f 'python3 fake_worker.py' >/dev/null"
starts=$(grep -c ' start$' "$tmp/fake/worker.log")
check "one start, and one more after each of the 14 restarting faults (${starts})" "[ $starts -eq 15 ]"
check "the worker saw the end of its input at the sweep's end" "tail -1 $tmp/fake/worker.log | grep -q ' eof$'"
check "a failed answer is reported and keeps the worker" "grep -q 'MODE=fail, X=1 (reps 3): failed: too many registers\$' $tmp/fake.err"
check "a sticky CUDA error restarts it" "grep -q 'MODE=sticky, X=1 (reps 3): failed: CUDA error: an illegal memory access was encountered' $tmp/fake.err"
check "a crash is reported with its exit status" "grep -q 'MODE=crash, X=2 (reps 3): it ended its output before its answer (it exited with status 3) (worker restarted)' $tmp/fake.err"
check "a SIGKILL is reported" "grep -q 'MODE=killed, X=1 (reps 3): .*killed by signal 9' $tmp/fake.err"
check "half a line is reported" "grep -q 'MODE=half, X=1 (reps 3): it ended in the middle of a line' $tmp/fake.err"
check "garbage is reported" "grep -q \"MODE=garbage, X=2 (reps 3): its answer is not a JSON object: '\\\"not json\\\"'\" $tmp/fake.err"
check "a wrong shape is reported" "grep -q 'MODE=badshape, X=1 (reps 3): its answer is neither' $tmp/fake.err"
check "a hang is reported" "grep -q 'MODE=hang, X=2 (reps 3): no answer within its time-out (killed)' $tmp/fake.err"
$py - "$tmp/fake.h5" <<PY
$expect_py
labels = [s.decode() for s in f["benchmark/parameters/MODE/labels"][:]] if "benchmark/parameters/MODE/labels" in f else None
first = trace[:20]
mode = first["MODE"].astype(int)  # ok, fail, sticky, garbage, badshape, half, crash, killed, hang, daemon
good = (mode == 0) | (mode == 9)
expect("the whole space (20), then the best two re-timed", len(trace) == 22)
expect("ok and daemon: the median of the times (100 X + 4)", np.array_equal(first["measured_ms"][good], 100 * first["X"][good] + 4))
expect("every other outcome: invalid (inf)", np.isinf(first["measured_ms"][~good]).all())
hang = mode == 8
expect("a hang costs its time-out (2 s <= cost_s < 8 s)", ((first["cost_s"][hang] >= 2) & (first["cost_s"][hang] < 8)).all())
expect("the rest cost less than the time-out", (first["cost_s"][~hang] < 2).all())
expect("the run returns X = 1 (ok or daemon), re-measured at final_reps (100 + 16)",
       runs["X"][0] == 1 and runs["incumbent_true_ms"][0] == 116)
sys.exit(0 if ok else 1)
PY
check "the fake results file" "[ $? -eq 0 ]"

# ---- 3. cost and reset over two runs
for variant in reset noreset; do
  d=$tmp/$variant
  mkdir "$d"
  cp "$src/tests/live/fake_worker.py" "$d/"
  cat >"$d/job.ini" <<JOB
[sweep]
seeds = 1-2
[benchmark]
type = worker
command = python3 fake_worker.py 1.5 $variant
param.MODE = ok
param.X = 1, 2, 3, 4
timeout_s = 5
final_reps = 3
[algorithm random]
count = 4
fidelity = 3
JOB
  "$bin/mfbo-sweep" "$d/job.ini" -o "$d/r.h5" --quiet 2>"$d/err"
  check "$variant: two runs (exit 0)" "[ $? -eq 0 ]"
  check "$variant: one worker for both runs" "[ \$(grep -c ' start\$' $d/worker.log) -eq 1 ]"
  resets=$([ $variant = reset ] && echo 1 || echo 0)
  check "$variant: $resets reset (at the second run's start)" "[ \$(grep -c ' reset\$' $d/worker.log) -eq $resets ]"
  $py - "$d/r.h5" <<PY
$expect_py
for run in (0, 1):
    c = trace["cost_s"][trace["task_id"] == run] if "task_id" in trace.dtype.names else trace["cost_s"][4 * run:4 * run + 4]
    expect("run %d: its first evaluation is charged the 1.5 s start-up" % (run + 1), c[0] >= 1.5)
    expect("run %d: the others are not (< 1 s)" % (run + 1), (c[1:] < 1).all())
sys.exit(0 if ok else 1)
PY
  check "$variant: the costs" "[ $? -eq 0 ]"
done

# ---- 4. a sweep killed with SIGKILL leaves no worker
d=$tmp/killed
mkdir "$d"
cp "$src/tests/live/fake_worker.py" "$d/"
cat >"$d/job.ini" <<JOB
[sweep]
seeds = 1
[benchmark]
type = worker
command = python3 fake_worker.py 0.321
param.MODE = hang
param.X = 1, 2
timeout_s = 60
[algorithm random]
count = 2
fidelity = 1
JOB
"$bin/mfbo-sweep" "$d/job.ini" -o "$d/r.h5" --quiet 2>/dev/null &
sweep=$!
for _ in $(seq 100); do grep -q ' hang ' "$d/worker.log" 2>/dev/null && break; sleep 0.1; done
check "the worker hangs in an evaluation" "pgrep -f 'fake_worker.py 0.321' >/dev/null"
kill -9 $sweep
wait $sweep 2>/dev/null
sleep 1
check "after a SIGKILL of the sweep, no worker is left" "! pgrep -f 'fake_worker.py 0.321' >/dev/null"
pkill -9 -f 'fake_worker.py 0.321'
exit $fail
