#!/usr/bin/env bash
# test_analyze.sh BUILD_DIR SOURCE_DIR: mfbo-analyze from the outside, on a small sweep made
# by mfbo-sweep (tests/analysis/small.ini): exit codes and files; the summary recomputed from
# the results file with h5py (check_summary.py); the figures rendered headless by gnuplot
# with exit 0, an empty stderr and real PNG/SVG/PDF output, and their plotted medians and
# ECDF levels checked with `set table` (check_figures.py); failed runs reported; bad input
# (missing file, not ours, newer format, incomplete sweep, bad options) refused with exit 2
# and nothing written.
set -u
bin=$1; src=$2
analyze=$bin/mfbo-analyze
py=/usr/bin/python3 # Debian's, with h5py and NumPy (see docs/hpc-notes.md)
here=$src/tests/analysis
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

"$bin/mfbo-sweep" "$here/small.ini" -o "$tmp/s.h5" --quiet
check "the sweep for the tests" "[ $? -eq 0 ] && [ -f $tmp/s.h5 ]"

# ---- the analysis, default options
"$analyze" s.h5 >out.txt 2>err.txt; rc=$?
check "analysis exits 0" "[ $rc -eq 0 ]"
dir=$tmp/s-analysis
check "default DIR is FILE without .h5, plus -analysis" "[ -d $dir ]"
check "stdout is summary.txt" "cmp -s out.txt $dir/summary.txt"
check "the seed's table comes first" "grep -m1 '^[0-9]\. ' out.txt | grep -q \"seed's table\" && grep -q 'Best Perf (ms)' out.txt"
check "absent default baseline said" "grep -q '\"pattern\", the default baseline, is not in this file' out.txt"
check "speedup labelled as a ratio of evaluation counts" "grep -q 'eval-count ratio vs random' out.txt"
check "ERT and speedup in cost" "grep -q 'ERT (s) \[95% CI\]' out.txt && grep -q 'Speedup in cost vs random' out.txt"
check "pairwise tests with Holm" "grep -q 'Holm' out.txt && grep -q '^random  *random-r5' out.txt"
check "most often returned configuration" "grep -q 'BLOCK_M=128 BLOCK_N=128 BLOCK_K=64 num_warps=8 num_stages=3' out.txt"
check "progress on stderr, not stdout" "grep -q 'wrote' err.txt && ! grep -q 'wrote' out.txt"
check "summary.csv: header + one row per algorithm" "[ \$(wc -l <$dir/summary.csv) -eq 3 ]"
check "summary agrees with the results file (h5py)" "$py $here/check_summary.py s.h5 $dir/summary.csv"

# ---- the figures
for f in convergence-evals convergence-cost ecdf-cost final-regret; do
  check "$f.png is a PNG of some size" \
    "[ \"\$(head -c 8 $dir/$f.png | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ] && [ \$(stat -c %s $dir/$f.png) -gt 15000 ]"
  check "$f.gp is self-contained (data inline)" "grep -q '<< EOD' $dir/$f.gp && ! grep -q \"s.h5'\" $dir/$f.gp"
  mkdir -p "re/$f" && cp "$dir/$f.gp" "re/$f/"
  (cd "re/$f" && gnuplot "$f.gp" >stdout 2>stderr); rc=$?
  check "$f.gp re-renders alone: exit 0, empty stderr" "[ $rc -eq 0 ] && [ ! -s re/$f/stderr ] && [ -s re/$f/$f.png ]"
done
check "plotted medians and ECDF levels agree with the file (set table)" "$py $here/check_figures.py s.h5 $dir"
$py "$src/analysis/convergence.py" s.h5 100 >conv.txt; rc=$?
first=$(awk '$1 == 1 {print $2; exit}' conv.txt)
check "analysis/convergence.py (the README's Python example) runs" "[ $rc -eq 0 ] && grep -q 'random-r5' conv.txt"
check "... and its median after 1 evaluation is the figure's" \
  "grep -A1 '^\\\$a1 << EOD' $dir/convergence-evals.gp | tail -1 | awk '{printf \"%.4g\", \$4}' | grep -qx '$first'"
check "the regret axis says where 0 is drawn" "grep -q '0 drawn at 0.0001' $dir/convergence-evals.gp"

# ---- options: baseline, targets, formats, output dir
"$analyze" s.h5 -o "$tmp/b" --baseline random-r5 --targets 15%,1.5 -q >out2.txt; rc=$?
check "--baseline/--targets exit 0" "[ $rc -eq 0 ]"
check "--baseline is the baseline" "grep -q '^baseline: random-r5$' out2.txt && grep -q '^random-r5,random,1,' $tmp/b/summary.csv"
check "--targets: columns per target" "head -1 $tmp/b/summary.csv | grep -q 'ert_s_regret_le_0.15,.*ert_s_regret_le_1.5,'"
check "--targets: summary agrees" "$py $here/check_summary.py s.h5 $tmp/b/summary.csv 0.15 1.5"
check "--targets: figures agree" "$py $here/check_figures.py s.h5 $tmp/b 0.15 1.5"
"$analyze" s.h5 -o "$tmp/svg" --format svg -q >/dev/null; rc=$?
check "--format svg" "[ $rc -eq 0 ] && grep -q '<svg' $tmp/svg/convergence-cost.svg && [ ! -e $tmp/svg/convergence-cost.png ]"
"$analyze" s.h5 -o "$tmp/pdf" --format pdf -q >/dev/null; rc=$?
check "--format pdf" "[ $rc -eq 0 ] && [ \"\$(head -c 4 $tmp/pdf/final-regret.pdf)\" = '%PDF' ]"
"$analyze" --help >help.txt; rc=$?
check "--help exits 0 and names the options" "[ $rc -eq 0 ] && grep -q -- --targets help.txt && grep -q -- --baseline help.txt"
"$analyze" --version | grep -q '^mfbo-analyze '; check "--version" "[ $? -eq 0 ]"

# ---- a failed run is counted and reported, not dropped
cp s.h5 failed.h5
$py - failed.h5 <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    runs = f["runs"][:]
    runs["status"][2] = 1
    runs["message"][2] = b"searcher failed: test"
    f["runs"][:] = runs
PY
"$analyze" failed.h5 -q >out3.txt; rc=$?
check "a file with a failed run: exit 0" "[ $rc -eq 0 ]"
check "... counted in the header" "grep -q '23 ok, 1 FAILED' out3.txt"
check "... listed with its message" "grep -q 'task 2: random, seed 3, .*searcher failed: test' out3.txt"
check "... in summary.csv" "grep -q '^random,random,1,12,1,' $tmp/failed-analysis/summary.csv"

# ---- an algorithm whose runs all failed before their first evaluation: nothing to draw for
# it, and gnuplot must still get no empty data block (it would warn)
cp s.h5 zero.h5
$py - zero.h5 <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    runs = f["runs"][:]
    m = runs["algorithm"] == b"random-r5"
    for column, value in (("n_evals", 0), ("trace_len", 0), ("status", 1), ("cost_s", 0),
                          ("incumbent_true_ms", np.inf), ("regret", np.inf)):
        runs[column][m] = value
    for name in f["benchmark"].attrs["parameter_names"]:
        runs[name][m] = np.nan
    f["runs"][:] = runs
PY
"$analyze" zero.h5 -q >out4.txt 2>err4.txt; rc=$?
check "runs without any evaluation: exit 0, nothing on stderr" "[ $rc -eq 0 ] && [ ! -s err4.txt ]"
check "... reported" "grep -q '12 ok, 12 FAILED' out4.txt"
check "... ERT infinite, no evaluation-count ratio" "grep -Eq 'random-r5 +0/12 \(0%\) +inf \[inf, inf\]' out4.txt && grep -q 'n/a (no evaluations)' out4.txt"
check "... said in the figure" "grep -q 'no run has' $tmp/zero-analysis/final-regret.gp"

# ---- bad input: exit 2, a clear message, nothing written
bad() { # bad NAME EXPECTED-MESSAGE ARGS...
  local name=$1 msg=$2; shift 2
  rm -rf "$tmp/bad-out"
  "$analyze" "$@" -o "$tmp/bad-out" >bad.out 2>bad.err; local rc=$?
  check "$name: exit 2" "[ $rc -eq 2 ]"
  check "$name: says '$msg'" "grep -q -- \"$msg\" bad.err"
  check "$name: writes nothing" "[ ! -e $tmp/bad-out ] && [ ! -s bad.out ]"
}
bad "missing file" "cannot open" "$tmp/missing.h5"
echo "not hdf5" >text.h5
bad "not HDF5" "not an HDF5 file" text.h5
$py -c "import h5py; f = h5py.File('other.h5', 'w'); f.attrs['format'] = 'something-else'; f.close()"
bad "HDF5 of another program" "not a results file of mfbo-sweep (format attribute: something-else)" other.h5
$py -c "import h5py; h5py.File('bare.h5', 'w').close()"
bad "HDF5 without a format" "format attribute: missing" bare.h5
cp s.h5 newer.h5
$py -c "import h5py, numpy; f = h5py.File('newer.h5', 'r+'); f.attrs['format_version'] = numpy.int32(2); f.close()"
bad "newer format_version" "newer mfbo-sweep (format_version 2" newer.h5
printf 'MFBO journal, not HDF5\n' >run.h5.partial
bad "a FILE.partial" "incomplete sweep: finish it with mfbo-sweep JOB --resume" run.h5.partial
bad "FILE missing, FILE.partial there" "incomplete sweep: finish it with mfbo-sweep JOB --resume" run.h5
bad "unknown --baseline" "no such algorithm label" s.h5 --baseline nosuch
bad "bad --targets" "--targets" s.h5 --targets 5%,lots
bad "bad --format" "--format gif" s.h5 --format gif
PATH=/nonexistent "$analyze" s.h5 -o "$tmp/nognuplot" -q >/dev/null 2>nognuplot.err; rc=$?
check "without gnuplot: exit 1, said" "[ $rc -eq 1 ] && grep -q 'cannot run gnuplot' nognuplot.err"
"$analyze" 2>/dev/null; check "no FILE: exit 2" "[ $? -eq 2 ]"
"$analyze" s.h5 other.h5 2>/dev/null; check "two FILEs: exit 2" "[ $? -eq 2 ]"
exit $fail
