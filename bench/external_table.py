#!/usr/bin/python3
"""external_table.py [DIR]: the markdown tables of docs/results.md's section on external
searchers, from mfbo-analyze's summary.csv of each landscape in DIR (default study/external,
written by `bash bench/study.sh external`): per algorithm, median evaluations, cost and final
regret with [25%, 75%], the ERT and success rate at regret <= 5%, and in how many runs the
returned configuration is the optimum (regret 0, from the results file NAME.h5 in DIR)."""
import csv
import glob
import os
import sys

import h5py


def pct(x):
    return "%.3g%%" % (100 * float(x))


def num(x):
    return "inf" if x == "inf" else "%.4g" % float(x)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "study/external"
    for path in sorted(glob.glob(os.path.join(top, "*", "summary.csv"))):
        print("### " + os.path.basename(os.path.dirname(path)))
        print()
        print("| algorithm | evaluations | cost (s) | final regret | ERT to 5% (s) [95% CI] "
              "| success at 5% | optimum returned |")
        print("|---|---|---|---|---|---|---|")
        optimum = {}
        with h5py.File(os.path.dirname(path) + ".h5", "r") as f:
            for run in f["runs"][()]:
                label = run["algorithm"].decode()
                optimum[label] = optimum.get(label, 0) + int(run["regret"] == 0)
        for r in csv.DictReader(open(path)):
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
