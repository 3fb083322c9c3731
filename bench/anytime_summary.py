#!/usr/bin/env python3
"""anytime_summary.py: the one-table summary of bench/mfbo_anytime.sh's CSVs that
docs/mfbo.md quotes (docs/results.md has its own: bench/results_doc.sh): per landscape,
mfbo's median regret (%) and the best other searcher's at 1/16 .. 1 x C (C = pattern's
median cost there), the verdict at each point, the final <= 1% target and mfbo's median
wall seconds per run.
  python3 bench/anytime_summary.py DIR      (DIR: the OUTDIR of bench/mfbo_anytime.sh)"""
import argparse
import csv
import os

FRACTIONS = ["1/16", "1/8", "1/4", "1/2", "1"]
ORDER = ["kt-convolution-A100", "kt-dedispersion-MI250X", "kt-pnpoly-RTX3090",
         "kt-matmul-H100", "kt-softmax-H100"] + [
    f"anytime-synthetic-d{d}" for d in range(5, 16)]
# the columns used here (bench/mfbo_anytime.c --csv)
COLUMNS = ["searcher", "fraction", "verdict", "regret_median", "best_other_median",
           "best_other", "reference", "runs", "cost_cap_s", "wall_s_median"]


class BadInput(Exception):
    """An input that cannot be read; the message names it."""


def read(path):
    """mfbo's rows of a CSV of bench/mfbo_anytime.sh by fraction, or BadInput."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadInput(f"{path}: cannot be read ({e})") from None
    if missing:
        raise BadInput(f"{path}: no column {missing[0]}: not a CSV of bench/mfbo_anytime.sh")
    m = {r["fraction"]: r for r in rows if r["searcher"] == "mfbo"}
    absent = [f for f in FRACTIONS if f not in m]
    if absent:
        raise BadInput(f"{path}: no mfbo row at fraction {absent[0]}")
    return m


def row(path, name):
    m = read(path)
    try:
        return line(m, name)
    except (ValueError, TypeError) as e:  # a number that is not one
        raise BadInput(f"{path}: {e}") from None


def line(m, name):
    cells = []
    for f in FRACTIONS:
        r = m[f]
        miss = "" if r["verdict"] == "MET" else " **MISSED**"
        cells.append(f"{100 * float(r['regret_median']):.2f} / "
                     f"{100 * float(r['best_other_median']):.2f} ({r['best_other']}){miss}")
    last = m["1"]
    final = 100 * float(last["regret_median"])
    label = name.replace("anytime-synthetic-", "synthetic ")
    if last["reference"] != "optimum":
        label += " (ref: best found)"
    return (f"| {label} | {last['runs']} | {float(last['cost_cap_s']):.0f} | " + " | ".join(cells) +
            f" | {final:.2f}% {'met' if final <= 1 else '**missed**'} | "
            f"{float(last['wall_s_median']):.1f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", metavar="DIR", help="the OUTDIR of bench/mfbo_anytime.sh "
                    "(LANDSCAPE.csv for the landscapes it found)")
    d = ap.parse_args().dir
    try:  # everything read before anything is printed
        if not os.path.isdir(d):
            raise BadInput(f"{d}: " + ("not a directory" if os.path.exists(d) else
                                       "no such directory"))
        lines = [row(os.path.join(d, name + ".csv"), name) for name in ORDER
                 if os.path.exists(os.path.join(d, name + ".csv"))]
        if not lines:
            raise BadInput(f"{d}: no LANDSCAPE.csv of bench/mfbo_anytime.sh "
                           f"(such as {ORDER[0]}.csv)")
    except BadInput as e:
        ap.exit(2, f"{ap.prog}: {e}\n")
    print("| landscape | runs | C (s) | " +
          " | ".join(f"{f} x C: mfbo / best other" for f in FRACTIONS) +
          " | final <= 1% | mfbo wall s/run |")
    print("|---|---|---|" + "---|" * len(FRACTIONS) + "---|---|")
    for text in lines:
        print(text)


if __name__ == "__main__":
    main()
