#!/usr/bin/env bash
# test_anytime.sh BUILD_DIR SOURCE_DIR: bench/mfbo_anytime's options that bench/results_doc.sh
# uses: --instances (only those instances), --runs-csv (one row per run and fraction, the
# same runs with -j 1 and -j 2), --external-seeds (an external searcher on a subset of the
# seeds only), and the --csv columns lowest / lowest_median / p_vs_lowest (the lowest
# median of all searchers at each fraction; a p-value in [0, 1], none for the lowest itself).
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
bin=$build/bench/mfbo_anytime
py=/usr/bin/python3
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 1
job=jobs/anytime-synthetic-d5.ini
ext="rnd:external:command=$src/adapters/random_template.py"

"$bin" "$job" 1-3 --instances 2-3 --searchers "random,pattern,mfbo,$ext" --external-seeds 2-2 \
  -j 2 --csv "$tmp/s2.csv" --runs-csv "$tmp/r2.csv" >"$tmp/out2" 2>"$tmp/err2"
check "a run with --instances, --external-seeds and --runs-csv exits 0" "[ $? -eq 0 ]"
"$bin" "$job" 1-3 --instances 2-3 --searchers "random,pattern,mfbo,$ext" --external-seeds 2-2 \
  -j 1 --runs-csv "$tmp/r1.csv" >/dev/null 2>&1
check "the same with -j 1 exits 0" "[ $? -eq 0 ]"

$py - "$tmp" <<'EOF'
import csv, math, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/r2.csv")))
fails = []
def need(ok, what):
    if not ok: fails.append(what)
need({r["instance"] for r in rows} == {"2", "3"}, "--instances 2-3: instances 2 and 3 only")
n = {}
for r in rows:
    n[r["searcher"]] = n.get(r["searcher"], 0) + 1
need(n == {"random": 30, "pattern": 30, "mfbo": 30, "rnd": 10},
     f"rows per searcher: 2 instances x 3 seeds x 5 fractions, the external one seed 2 only ({n})")
need({r["seed"] for r in rows if r["searcher"] == "rnd"} == {"2"}, "--external-seeds 2-2")
strip = lambda rs: sorted(tuple(v for k, v in r.items() if k != "wall_s") for r in rs)
need(strip(rows) == strip(csv.DictReader(open(f"{d}/r1.csv"))),
     "-j 1 and -j 2 give the same runs (wall time aside)")
summary = list(csv.DictReader(open(f"{d}/s2.csv")))
for f in ["1/16", "1/8", "1/4", "1/2", "1"]:
    at = [r for r in summary if r["fraction"] == f]
    low = min(float(r["regret_median"]) for r in at)
    need(all(float(r["lowest_median"]) == low for r in at), f"{f}: lowest_median is the minimum")
    for r in at:
        p = float(r["p_vs_lowest"])
        if r["searcher"] == r["lowest"]:
            need(math.isnan(p), f"{f}: no p-value for the lowest itself")
        else:
            need(0 <= p <= 1, f"{f}: {r['searcher']}'s p-value in [0, 1] ({p})")
    # the medians are those of the runs
    for r in at:
        v = sorted(float(x["regret"]) for x in rows if x["searcher"] == r["searcher"] and x["fraction"] == f)
        m = (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2
        need(abs(m - float(r["regret_median"])) <= 1e-5 * max(1, abs(m)),
             f"{f}: {r['searcher']}'s median is that of its runs")
for x in fails:
    print("FAILED:", x, file=sys.stderr)
sys.exit(1 if fails else 0)
EOF
check "the CSVs (see above)" "[ $? -eq 0 ]"
check "the table names the lowest median at each fraction" "grep -q '^lowest median of all searchers:' '$tmp/out2'"

"$bin" "$job" 1-2 --instances 7-9 --searchers random >/dev/null 2>"$tmp/err"
check "--instances outside the job's: exit 2" "[ $? -eq 2 ]"
check "--instances outside the job's: says so" "grep -q 'none of the job' '$tmp/err'"
"$bin" "$job" 1-2 --external-seeds x >/dev/null 2>&1
check "--external-seeds not a range: exit 2" "[ $? -eq 2 ]"
exit $fail
