#!/usr/bin/python3
"""check_summary.py RESULTS.h5 SUMMARY.csv [TARGET ...]: recomputes the numbers of
mfbo-analyze's summary.csv from the results file with h5py and NumPy alone (no code of
ours) and compares. Quantiles are NumPy's default ("linear", type 7, as GSL's). ERT is
recomputed from /trace; the bootstrap interval only has to bracket it. Exit 1 on a
mismatch, naming it."""
import collections
import csv
import math
import sys

import h5py
import numpy as np

TOL = 1e-8  # summary.csv prints 10 significant digits

failures = []


def close(a, b):
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def expect(what, got, want):
    if not close(float(got), float(want)):
        failures.append(f"{what}: summary.csv has {got}, the file says {want}")


def spread(values):
    v = np.sort(np.asarray(values, dtype=float))
    # NumPy interpolates inf - inf to nan where mfbo-analyze keeps inf; the test data have
    # finite values only
    return np.percentile(v, 50), np.percentile(v, 25), np.percentile(v, 75)


def main():
    path, csv_path = sys.argv[1], sys.argv[2]
    targets = [float(t) for t in sys.argv[3:]] or [0.01, 0.05, 0.10]
    f = h5py.File(path, "r")
    runs = f["runs"][:]
    trace = f["trace"][:]
    names = list(f["benchmark"].attrs["parameter_names"])
    optimum = {int(r["instance"]): float(r["optimum_ms"]) for r in f["benchmark/instances"][:]}
    labels = list(dict.fromkeys(a.decode() for a in runs["algorithm"]))
    rows = {r["algorithm"]: r for r in csv.DictReader(open(csv_path))}
    if list(rows) != labels:
        failures.append(f"algorithms: summary.csv has {list(rows)}, the file {labels}")
    for label in labels:
        mine = runs[runs["algorithm"] == label.encode()]
        row = rows.get(label)
        if row is None:
            continue
        check_runs(label, row, mine)
        check_targets(label, row, mine, trace, optimum, targets)
        check_mode(label, row, mine, names)
    f.close()
    for line in failures:
        print("check_summary:", line, file=sys.stderr)
    return 1 if failures else 0


def check_runs(label, row, mine):
    expect(f"{label} runs", row["runs"], len(mine))
    expect(f"{label} failed", row["failed"], int(np.sum(mine["status"] != 0)))
    for name, column in (("best_true_ms", "incumbent_true_ms"), ("evals", "n_evals"),
                         ("cost_s", "cost_s"), ("final_regret", "regret")):
        median, q25, q75 = spread(mine[column])
        expect(f"{label} {name}_median", row[f"{name}_median"], median)
        expect(f"{label} {name}_q25", row[f"{name}_q25"], q25)
        expect(f"{label} {name}_q75", row[f"{name}_q75"], q75)


def check_targets(label, row, mine, trace, optimum, targets):
    for t in targets:
        spent, successes = 0.0, 0
        for r in mine:
            rows = trace[int(r["trace_start"]):int(r["trace_start"] + r["trace_len"])]
            regret = rows["incumbent_true_ms"] / optimum[int(r["instance"])] - 1
            hit = np.nonzero(regret <= t + 1e-12)[0]
            if len(hit):
                spent += rows["cum_cost_s"][hit[0]]
                successes += 1
            else:
                spent += r["cost_s"]
        key = f"regret_le_{t:g}"
        ert = spent / successes if successes else math.inf
        expect(f"{label} successes_{key}", row[f"successes_{key}"], successes)
        expect(f"{label} ert_s_{key}", row[f"ert_s_{key}"], ert)
        lo, hi = float(row[f"ert_s_lo_{key}"]), float(row[f"ert_s_hi_{key}"])
        if not lo <= float(row[f"ert_s_{key}"]) <= hi:
            failures.append(f"{label} {key}: the ERT is outside its interval [{lo}, {hi}]")


def check_mode(label, row, mine, names):
    ok = mine[np.isfinite(mine["incumbent_true_ms"])]
    counts = collections.Counter(tuple(float(r[n]) for n in names) for r in ok)
    if not counts:
        return
    top = max(counts.values())
    best = min((float(r["incumbent_true_ms"]), tuple(float(r[n]) for n in names)) for r in ok
               if counts[tuple(float(r[n]) for n in names)] == top)
    text = " ".join(f"{n}={v:.10g}" for n, v in zip(names, best[1]))
    expect(f"{label} mode_runs", row["mode_runs"], top)
    expect(f"{label} mode_true_ms", row["mode_true_ms"], best[0])
    if row["mode_config"] != text:
        failures.append(f"{label} mode_config: summary.csv has {row['mode_config']!r}, "
                        f"the file says {text!r}")


if __name__ == "__main__":
    sys.exit(main())
