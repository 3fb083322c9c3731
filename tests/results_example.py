"""results_example.py: the five-line example of docs/results-format.md, reading an
mfbo-sweep results file with h5py and pandas: the median final incumbent time per algorithm.
Usage: /usr/bin/python3 results_example.py FILE.h5"""
import sys, h5py, pandas as pd
f = h5py.File(sys.argv[1], "r")
runs = pd.DataFrame(f["runs"][:])
runs["algorithm"] = runs["algorithm"].str.decode("utf-8")
print(runs.groupby("algorithm")["incumbent_true_ms"].median())
