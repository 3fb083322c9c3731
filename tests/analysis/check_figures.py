#!/usr/bin/python3
"""check_figures.py RESULTS.h5 DIR: checks what gnuplot actually plots in mfbo-analyze's
figures against values recomputed from the results file (h5py + NumPy, no code of ours).
Each script is run with `set table` instead of its output, so the points are the ones
gnuplot draws after its own filtering (a log axis silently drops values <= 0).
- convergence-evals: at every x of each algorithm's median line, the last point equals
  the median over runs of the regret after min(x, n_evals) evaluations (regret 0 drawn at
  the floor the y label states), and no point is undefined or off the axis;
- ecdf-cost: each algorithm's line climbs through k/N at the costs where (run, target)
  pairs are first reached, and ends at the fraction reached;
- no data value on a log axis is <= 0.
Exit 1 on a mismatch, naming it."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

REL = 1e-5  # gnuplot's table prints 6 significant digits
failures = []


def table_of(script_path):
    """The curves gnuplot plots for script_path: {title: [(x, y, type), ...]}."""
    work = tempfile.mkdtemp()
    try:
        text = open(script_path).read()
        text = re.sub(r"^set output .*$", "set table 'table.txt'", text, flags=re.M)
        open(os.path.join(work, "t.gp"), "w").write(text)
        p = subprocess.run(["gnuplot", "--default-settings", "t.gp"], cwd=work,
                           capture_output=True, text=True)
        if p.returncode != 0 or p.stderr:
            failures.append(f"{script_path} under set table: exit {p.returncode}, {p.stderr!r}")
        curves, title = {}, None
        for line in open(os.path.join(work, "table.txt")):
            m = re.match(r'# Curve title: "(.*)"', line)
            if m:
                title = m.group(1)
                curves[title] = []
            elif line.startswith("# Curve"):
                title = None
            elif title is not None and line.strip() and not line.startswith("#"):
                parts = line.split()
                curves[title].append((float(parts[0]), float(parts[1]), parts[-1]))
        return curves
    finally:
        shutil.rmtree(work)


def near(a, b):
    return abs(a - b) <= REL * max(abs(a), abs(b))


def last_y_at_each_x(points):
    out = {}
    for x, y, kind in points:
        out[x] = (y, kind)
    return out


def run_traces(f):
    runs = f["runs"][:]
    trace = f["trace"][:]
    optimum = {int(r["instance"]): float(r["optimum_ms"]) for r in f["benchmark/instances"][:]}
    by_label = {}
    for r in runs:
        rows = trace[int(r["trace_start"]):int(r["trace_start"] + r["trace_len"])]
        regret = np.maximum(rows["incumbent_true_ms"] / optimum[int(r["instance"])] - 1, 0)
        by_label.setdefault(r["algorithm"].decode(), []).append(
            (regret, rows["cum_cost_s"], float(r["cost_s"])))
    return by_label


def check_convergence(dir_, by_label):
    script = os.path.join(dir_, "convergence-evals.gp")
    floor = float(re.search(r"0 drawn at ([0-9.e+-]+)\)", open(script).read()).group(1))
    curves = table_of(script)
    for label, runs in by_label.items():
        if label not in curves:
            failures.append(f"convergence-evals: no median line titled {label!r}")
            continue
        for x, (y, kind) in last_y_at_each_x(curves[label]).items():
            k = int(round(x))
            values = [r[0][min(k, len(r[0])) - 1] if len(r[0]) else np.inf for r in runs]
            want = max(float(np.median(values)), floor)
            if kind != "i" or not near(y, want):
                failures.append(f"convergence-evals {label} at {k} evaluations: plotted {y} "
                                f"({kind}), median regret is {want}")
        if len(curves[label]) < 2:
            failures.append(f"convergence-evals {label}: only {len(curves[label])} points")


def check_ecdf(dir_, by_label, targets):
    curves = table_of(os.path.join(dir_, "ecdf-cost.gp"))
    for label, runs in by_label.items():
        hits = []
        for regret, cum_cost, _ in runs:
            for t in targets:
                reached = np.nonzero(regret <= t + 1e-12)[0]
                hits.append(cum_cost[reached[0]] if len(reached) else np.inf)
        hits = np.sort(hits)
        n = len(hits)
        finite = hits[np.isfinite(hits)]
        levels = [0.0] + [np.sum(finite <= h) / n for h in np.unique(finite)]
        points = curves.get(label, [])
        plotted = [y for i, (_, y, _) in enumerate(points) if i == 0 or y != points[i - 1][1]]
        if len(plotted) != len(levels) or not all(near(a, b) or a == b == 0
                                                  for a, b in zip(plotted, levels)):
            failures.append(f"ecdf-cost {label}: levels {plotted}, expected {levels}")
        jumps = [points[i][0] for i in range(1, len(points)) if points[i][1] != points[i - 1][1]]
        if not all(near(a, b) for a, b in zip(jumps, np.unique(finite))):
            failures.append(f"ecdf-cost {label}: jumps at {jumps}, expected {np.unique(finite)}")


def check_log_data(dir_):
    """Every number drawn on a log axis is > 0 (or NaN: not drawn): x and y of the
    convergence blocks, x of the ECDF, the box statistics and the runs' regrets."""
    log_columns = {"$a": None, "$box": None, "$e": [0], "$ok": [1], "$fail": [1]}  # None: all
    for name in ("convergence-evals", "convergence-cost", "ecdf-cost", "final-regret"):
        text = open(os.path.join(dir_, name + ".gp")).read()
        for block, body in re.findall(r"^(\$[a-z]+)\d+(?:_end)? << EOD\n(.*?)^EOD$", text,
                                      flags=re.S | re.M):
            columns = log_columns[block]
            for line in body.splitlines():
                values = line.split()
                picked = values[1:] if block == "$box" else values if columns is None else \
                    [values[c] for c in columns]
                if any(v != "NaN" and float(v) <= 0 for v in picked):
                    failures.append(f"{name}.gp {block}: a value <= 0 on a log axis: {line!r}")


def main():
    path, dir_ = sys.argv[1], sys.argv[2]
    targets = [float(t) for t in sys.argv[3:]] or [0.01, 0.05, 0.10]
    with h5py.File(path, "r") as f:
        by_label = run_traces(f)
    check_convergence(dir_, by_label)
    check_ecdf(dir_, by_label, targets)
    check_log_data(dir_)
    for line in failures:
        print("check_figures:", line, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
