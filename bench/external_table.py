#!/usr/bin/python3
"""external_table.py [DIR]: the markdown tables of issue 16's comparison with external
searchers (once a section of docs/results.md, now in its git history), from mfbo-analyze's summary.csv of each landscape in DIR (default study/external,
written by `bash bench/study.sh external`): per algorithm, median evaluations, cost and final
regret with [25%, 75%], the ERT and success rate at regret <= 5%, and in how many runs the
returned configuration is the optimum (regret 0, from the results file NAME.h5 in DIR)."""
import argparse
import csv
import glob
import os

import h5py

# the columns of summary.csv used here (mfbo-analyze, analysis/README.md)
COLUMNS = ["algorithm", "runs", "evals_median", "evals_q25", "evals_q75", "cost_s_median",
           "cost_s_q25", "cost_s_q75", "final_regret_median", "final_regret_q25",
           "final_regret_q75", "ert_s_regret_le_0.05", "ert_s_lo_regret_le_0.05",
           "ert_s_hi_regret_le_0.05", "successes_regret_le_0.05"]


class BadInput(Exception):
    """An input that cannot be read; the message names it."""


def pct(x):
    return "%.3g%%" % (100 * float(x))


def num(x):
    return "inf" if x == "inf" else "%.4g" % float(x)


def optima(path):
    """Per algorithm label, the runs of results file PATH whose regret is 0, or BadInput."""
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file")
    try:
        with h5py.File(path, "r") as f:
            d = f.get("runs")
            if not isinstance(d, h5py.Dataset):
                raise BadInput(f"{path}: no /runs dataset: not an mfbo-sweep results file")
            missing = [c for c in ("algorithm", "regret") if c not in (d.dtype.names or ())]
            if missing:
                raise BadInput(f"{path}: /runs has no field {missing[0]}: "
                               "not an mfbo-sweep results file")
            runs = d.fields(["algorithm", "regret"])[()]
    except OSError:
        raise BadInput(f"{path}: not an HDF5 file (or a damaged one)") from None
    optimum = {}
    for label, regret in runs:
        label = label.decode()
        optimum[label] = optimum.get(label, 0) + int(regret == 0)
    return optimum


def summary(path):
    """The rows of an mfbo-analyze summary.csv, or BadInput."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadInput(f"{path}: cannot be read ({e})") from None
    if missing:
        raise BadInput(f"{path}: no column {missing[0]}: not a summary.csv of mfbo-analyze")
    return rows


def read(top):
    """[(landscape, summary rows, optimum counts)] for every TOP/NAME/summary.csv, or BadInput."""
    if not os.path.isdir(top):
        raise BadInput(f"{top}: " + ("not a directory" if os.path.exists(top) else
                                     "no such directory"))
    paths = sorted(glob.glob(os.path.join(top, "*", "summary.csv")))
    if not paths:
        raise BadInput(f"{top}: no NAME/summary.csv (run `bash bench/study.sh external`)")
    out = []
    for path in paths:
        optimum = optima(os.path.dirname(path) + ".h5")
        rows = summary(path)
        unknown = [r["algorithm"] for r in rows if r["algorithm"] not in optimum]
        if unknown:
            raise BadInput(f"{os.path.dirname(path)}.h5: no runs of {unknown[0]} "
                           f"(in {path}): not the results file of that summary")
        out.append((os.path.basename(os.path.dirname(path)), rows, optimum))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", metavar="DIR", nargs="?", default="study/external",
                    help="holds NAME/summary.csv and NAME.h5 per landscape "
                         "(default study/external)")
    opt = ap.parse_args()
    try:  # everything read before anything is printed
        tables = read(opt.dir)
    except BadInput as e:
        ap.exit(2, f"{ap.prog}: {e}\n")
    for name, rows, optimum in tables:
        print("### " + name)
        print()
        print("| algorithm | evaluations | cost (s) | final regret | ERT to 5% (s) [95% CI] "
              "| success at 5% | optimum returned |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print("| %s | %s [%s, %s] | %s [%s, %s] | %s [%s, %s] | %s [%s, %s] | %s/%s | %d/%s |" % (
                r["algorithm"], num(r["evals_median"]), num(r["evals_q25"]), num(r["evals_q75"]),
                num(r["cost_s_median"]), num(r["cost_s_q25"]), num(r["cost_s_q75"]),
                pct(r["final_regret_median"]), pct(r["final_regret_q25"]),
                pct(r["final_regret_q75"]), num(r["ert_s_regret_le_0.05"]),
                num(r["ert_s_lo_regret_le_0.05"]), num(r["ert_s_hi_regret_le_0.05"]),
                r["successes_regret_le_0.05"], r["runs"], optimum[r["algorithm"]], r["runs"]))
        print()


if __name__ == "__main__":
    main()
