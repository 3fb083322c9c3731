#!/usr/bin/python3
"""convergence.py RESULTS.h5 [EVERY]: the convergence of every algorithm in a results file of
mfbo-sweep, as a table: median and quartiles over runs of the regret of the incumbent (the
configuration a run would return; its TRUE time) after k evaluations, every EVERY (default
10) evaluations. h5py, pandas and NumPy only, no code of mfbo-sweep: the same numbers as the
median line and inter-quartile band of mfbo-analyze's convergence-evals figure.
Debian: apt-get install python3-h5py python3-pandas, then run it with /usr/bin/python3."""
import sys

import h5py
import numpy as np
import pandas as pd


def load(path):
    """/runs and /trace as DataFrames, with the regret of the incumbent on each trace row."""
    with h5py.File(path, "r") as f:
        runs = pd.DataFrame(f["runs"][:])                 # one row per run (task)
        trace = pd.DataFrame(f["trace"][:])               # one row per evaluation
        optima = pd.DataFrame(f["benchmark/instances"][:])[["instance", "optimum_ms"]]
    runs["algorithm"] = runs["algorithm"].str.decode("utf-8")  # strings in tables are bytes
    trace = trace.merge(runs[["task_id", "algorithm", "instance"]], on="task_id")
    trace = trace.merge(optima, on="instance")
    # regret = true time / optimum - 1 (NaN when the optimum is unknown); +inf before the
    # first valid measurement (no incumbent yet)
    trace["regret"] = (trace["incumbent_true_ms"] / trace["optimum_ms"] - 1).clip(lower=0)
    return runs, trace


def curves(runs, trace):
    """Per algorithm, a DataFrame indexed by evaluation k = 1..max: q25, median, q75."""
    # one column per run, one row per evaluation: a step function on the common grid k
    wide = trace.pivot(index="eval", columns="task_id", values="regret")
    # a run that ended earlier holds its final value (its incumbent does not change)
    wide = wide.ffill()
    out = {}
    for algorithm, ids in runs.groupby("algorithm", sort=False)["task_id"]:
        present = [i for i in ids if i in wide.columns]   # runs with 0 evaluations have no rows
        w = wide[present].to_numpy()
        last = int(runs.loc[runs["algorithm"] == algorithm, "n_evals"].max())
        # NumPy's default quantile ("linear") is the one mfbo-analyze uses (type 7, GSL's)
        q = np.percentile(w[:last], [25, 50, 75], axis=1)
        out[algorithm] = pd.DataFrame({"q25": q[0], "median": q[1], "q75": q[2]},
                                      index=pd.RangeIndex(1, last + 1, name="eval"))
    return out


def main():
    path = sys.argv[1]
    every = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    runs, trace = load(path)
    table = pd.concat({a: c["median"] for a, c in curves(runs, trace).items()}, axis=1)
    rows = table.index[(table.index == 1) | (table.index % every == 0) | (table.index == table.index[-1])]
    print("median regret of the incumbent after k evaluations (runs that ended hold their value;"
          " blank: the algorithm's longest run ended earlier)")
    print(table.loc[rows].to_string(float_format=lambda v: f"{v:.4g}", na_rep=""))


if __name__ == "__main__":
    main()
