#!/usr/bin/env python3
"""study_walltime.py: wall-clock time per task, per algorithm, from mfbo-sweep results files.

    /usr/bin/python3 bench/study_walltime.py [--markdown] FILE.h5 ...

Reads /runs (algorithm label, evaluations) and /timing (wall_s, the run's wall-clock time
on the rank that ran it; docs/results-format.md) and prints, per file and algorithm label
(pooled over instances): tasks, median / mean / max wall time per task in ms, the total in
s, and the median wall time per evaluation in us. Wall times depend on the machine and on
its load; the root attribute mpi_ranks says how many ranks shared it. h5py + pandas only.
"""
import argparse
import os

import h5py
import pandas as pd

FIELDS = {"runs": ["task_id", "algorithm", "n_evals"], "timing": ["task_id", "wall_s"]}


class BadInput(Exception):
    """A file that cannot be read as a results file; the message names it."""


def read(path):
    """/runs and /timing (the FIELDS) as DataFrames and the rank count, or BadInput."""
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
                out.append(pd.DataFrame(d.fields(fields)[:]))
            ranks = int(f.attrs.get("mpi_ranks", 0))
    except OSError:
        raise BadInput(f"{path}: not an HDF5 file (or a damaged one)") from None
    return out[0], out[1], ranks


def table(path):
    runs, timing, ranks = read(path)
    runs["algorithm"] = runs["algorithm"].str.decode("utf-8").str.rstrip("\x00")
    d = runs.merge(timing, on="task_id")
    d["us_per_eval"] = 1e6 * d["wall_s"] / d["n_evals"].clip(lower=1)
    g = d.groupby("algorithm", sort=False)
    t = pd.DataFrame({
        "tasks": g.size(),
        "median_ms": 1e3 * g["wall_s"].median(),
        "mean_ms": 1e3 * g["wall_s"].mean(),
        "max_ms": 1e3 * g["wall_s"].max(),
        "total_s": g["wall_s"].sum(),
        "us_per_eval": g["us_per_eval"].median(),
    })
    return t, ranks


def fmt(x):
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--markdown", action="store_true",
                    help="one markdown table of every file (docs/results/speed.md)")
    ap.add_argument("files", metavar="FILE.h5", nargs="+", help="results files of mfbo-sweep")
    opt = ap.parse_args()
    markdown, files = opt.markdown, opt.files
    try:  # every file read before anything is printed
        tables = {path: table(path) for path in files}
    except BadInput as e:
        ap.exit(2, f"{ap.prog}: {e}\n")
    cols = ["tasks", "median_ms", "mean_ms", "max_ms", "total_s", "us_per_eval"]
    heads = ["tasks", "median ms/task", "mean ms/task", "max ms/task", "total s", "median us/eval"]
    if markdown:
        print("| results file | ranks | algorithm | " + " | ".join(heads) + " |")
        print("|---|---|---|" + "---|" * len(heads))
    for path in files:
        t, ranks = tables[path]
        name = os.path.basename(path)
        if markdown:
            for alg, row in t.iterrows():
                vals = [str(int(row["tasks"]))] + [fmt(row[c]) for c in cols[1:]]
                print(f"| {name} | {ranks} | {alg} | " + " | ".join(vals) + " |")
        else:
            print(f"{name} ({ranks} rank(s)): wall-clock time per task")
            out = t.copy()
            for c in cols[1:]:
                out[c] = out[c].map(fmt)
            out.columns = heads
            print(out.to_string())
            print()


if __name__ == "__main__":
    main()
