#!/usr/bin/python3
"""convergence.py RESULTS.h5 [EVERY]: the convergence of every algorithm in a results file of
mfbo-sweep, as a table: median and quartiles over runs of the regret of the incumbent (the
configuration a run would return; its TRUE time) after k evaluations, every EVERY (default
10) evaluations. h5py, pandas and NumPy only, no code of mfbo-sweep: the same numbers as the
median line and inter-quartile band of mfbo-analyze's convergence-evals figure.
Debian: apt-get install python3-h5py python3-pandas, then run it with /usr/bin/python3."""
import argparse
import os

import h5py
import numpy as np
import pandas as pd


class BadInput(Exception):
    """A file that cannot be read as a results file; the message names it."""


# the datasets and fields used here (docs/results-format.md)
FIELDS = {"runs": ("task_id", "algorithm", "instance", "n_evals"),
          "trace": ("task_id", "eval", "incumbent_true_ms"),
          "benchmark/instances": ("instance", "optimum_ms")}


def read(path):
    """The datasets of FIELDS as DataFrames, or BadInput (no such file, not HDF5, not a
    results file)."""
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file")
    try:
        with h5py.File(path, "r") as f:
            out = []
            for name, fields in FIELDS.items():
                d = f.get(name)
                if not isinstance(d, h5py.Dataset):
                    raise BadInput(f"{path}: no /{name} dataset: not an mfbo-sweep results file")
                missing = [c for c in fields if c not in (d.dtype.names or ())]
                if missing:
                    raise BadInput(f"{path}: /{name} has no field {missing[0]}: "
                                     "not an mfbo-sweep results file")
                out.append(pd.DataFrame(d[:]))
    except OSError:
        raise BadInput(f"{path}: not an HDF5 file (or a damaged one)") from None
    return out


def load(path):
    """/runs and /trace as DataFrames, with the regret of the incumbent on each trace row."""
    runs, trace, optima = read(path)
    optima = optima[["instance", "optimum_ms"]]
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


def positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", metavar="RESULTS.h5", help="a results file of mfbo-sweep")
    ap.add_argument("every", metavar="EVERY", nargs="?", type=positive, default=10,
                    help="print a row every EVERY evaluations (default 10)")
    opt = ap.parse_args()
    try:
        runs, trace = load(opt.results)
    except BadInput as e:
        ap.exit(2, f"{ap.prog}: {e}\n")
    every = opt.every
    table = pd.concat({a: c["median"] for a, c in curves(runs, trace).items()}, axis=1)
    rows = table.index[(table.index == 1) | (table.index % every == 0) | (table.index == table.index[-1])]
    print("median regret of the incumbent after k evaluations (runs that ended hold their value;"
          " blank: the algorithm's longest run ended earlier)")
    print(table.loc[rows].to_string(float_format=lambda v: f"{v:.4g}", na_rep=""))


if __name__ == "__main__":
    main()
