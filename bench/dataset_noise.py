#!/usr/bin/env python3
"""dataset_noise.py: what the shared Kernel Tuner datasets say about measurement noise, compile
time and failures, to set the synthetic family's defaults against (docs/landscapes.md).
Per file: the share of failed entries; over valid entries, the median coefficient of
variation of the recorded repetitions and the median kurtosis (3 for normal noise) of those
repetitions; the median compile time (s) and the standard deviation of its log; the median
per-repetition overhead ((benchmark_time - sum(times)) / reps, ms). Standard library only.
Usage: python3 bench/dataset_noise.py [DATASETS_DIR]   (default data)"""
import gzip
import json
import math
import os
import statistics as st
import sys

FILES = ["convolution_milo_A100.json.gz", "dedispersion_milo_MI250X.json.gz",
         "pnpoly_RTX3090.json.gz"]


def kurtosis(x):
    m, sd = st.fmean(x), st.pstdev(x)
    return sum(((v - m) / sd) ** 4 for v in x) / len(x) if sd > 0 else float("nan")


def describe(path):
    with gzip.open(path, "rt") as f:
        cache = json.load(f)["cache"]
    valid = [e for e in cache.values() if not isinstance(e["time"], str) and e.get("times")]
    cv = [st.pstdev(e["times"]) / st.fmean(e["times"]) for e in valid]
    kurt = [k for k in (kurtosis(e["times"]) for e in valid) if not math.isnan(k)]
    compile_s = [e.get("compile_time", 0) / 1000 for e in cache.values()]
    log_compile = [math.log(c) for c in compile_s if c > 0]
    overhead = [(e.get("benchmark_time", 0) - sum(e["times"])) / len(e["times"]) for e in valid]
    return (1 - len(valid) / len(cache), st.median(cv), st.median(kurt), st.median(compile_s),
            st.pstdev(log_compile), st.median(overhead))


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "data"
    print(f"{'dataset':34} {'failed':>7} {'rep_cv':>7} {'rep_kurt':>8} {'compile_s':>9} "
          f"{'log_sd':>6} {'ovh_ms':>6}")
    for name in FILES:
        failed, cv, kurt, comp, log_sd, ovh = describe(os.path.join(folder, name))
        print(f"{name:34} {100 * failed:6.2f}% {100 * cv:6.2f}% {kurt:8.1f} {comp:9.3f} "
              f"{log_sd:6.2f} {ovh:6.3f}")


if __name__ == "__main__":
    main()
