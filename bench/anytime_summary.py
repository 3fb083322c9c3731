#!/usr/bin/env python3
"""anytime_summary.py: the one-table summary of bench/mfbo_anytime.sh's CSVs that
docs/mfbo.md and docs/results.md quote: per landscape, mfbo's median regret (%) and the best
other searcher's at 1/16 .. 1 x C (C = pattern's median cost there), the verdict at each
point, the final <= 1% target and mfbo's median wall seconds per run.
  python3 bench/anytime_summary.py DIR      (DIR: the OUTDIR of bench/mfbo_anytime.sh)"""
import csv
import os
import sys

FRACTIONS = ["1/16", "1/8", "1/4", "1/2", "1"]
ORDER = ["kt-convolution-A100", "kt-dedispersion-MI250X", "kt-pnpoly-RTX3090"] + [
    f"anytime-synthetic-d{d}" for d in range(5, 16)]


def row(path, name):
    rows = list(csv.DictReader(open(path)))
    m = {r["fraction"]: r for r in rows if r["searcher"] == "mfbo"}
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
    d = sys.argv[1]
    print("| landscape | runs | C (s) | " +
          " | ".join(f"{f} x C: mfbo / best other" for f in FRACTIONS) +
          " | final <= 1% | mfbo wall s/run |")
    print("|---|---|---|" + "---|" * len(FRACTIONS) + "---|---|")
    for name in ORDER:
        path = os.path.join(d, name + ".csv")
        if os.path.exists(path):
            print(row(path, name))


if __name__ == "__main__":
    main()
