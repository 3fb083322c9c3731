#!/usr/bin/env python3
"""dataset_noise.py: what the shared Kernel Tuner datasets say about measurement noise, compile
time and failures, to set the synthetic family's defaults against (docs/landscapes.md).
Per file: the share of failed entries; over valid entries, the median coefficient of
variation of the recorded repetitions and the median kurtosis (3 for normal noise) of those
repetitions; the median compile time (s) and the standard deviation of its log; the median
per-repetition overhead ((benchmark_time - sum(times)) / reps, ms). Standard library only.
Usage: python3 bench/dataset_noise.py [DATASETS_DIR]   (default data)"""
import argparse
import gzip
import json
import math
import os
import statistics as st

FILES = ["convolution_milo_A100.json.gz", "dedispersion_milo_MI250X.json.gz",
         "pnpoly_RTX3090.json.gz"]


def kurtosis(x):
    m, sd = st.fmean(x), st.pstdev(x)
    return sum(((v - m) / sd) ** 4 for v in x) / len(x) if sd > 0 else float("nan")


class BadInput(Exception):
    """An input that cannot be read; the message names it."""


def describe(path):
    """The row of one dataset, or BadInput: its file is missing, not gzip'd JSON, or not a
    Kernel Tuner cache with valid entries."""
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file")
    try:
        return numbers(path)
    except (OSError, EOFError, ValueError) as e:  # gzip, JSON, UTF-8, statistics
        raise BadInput(f"{path}: not a gzip'd Kernel Tuner cache ({e})") from None
    except (KeyError, TypeError, AttributeError, ZeroDivisionError) as e:
        raise BadInput(f"{path}: not a Kernel Tuner cache ({type(e).__name__}: {e})") from None


def numbers(path):
    with gzip.open(path, "rt") as f:
        cache = json.load(f)["cache"]
    valid = [e for e in cache.values() if not isinstance(e["time"], str) and e.get("times")]
    if not valid:
        raise BadInput(f"{path}: no valid entry with times: nothing to describe")
    cv = [st.pstdev(e["times"]) / st.fmean(e["times"]) for e in valid]
    kurt = [k for k in (kurtosis(e["times"]) for e in valid) if not math.isnan(k)]
    compile_s = [e.get("compile_time", 0) / 1000 for e in cache.values()]
    log_compile = [math.log(c) for c in compile_s if c > 0]
    overhead = [(e.get("benchmark_time", 0) - sum(e["times"])) / len(e["times"]) for e in valid]
    return (1 - len(valid) / len(cache), st.median(cv), st.median(kurt), st.median(compile_s),
            st.pstdev(log_compile), st.median(overhead))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", metavar="DATASETS_DIR", nargs="?", default="data",
                    help="holds " + ", ".join(FILES) + " (default data)")
    folder = ap.parse_args().folder
    try:  # everything read before anything is printed
        if not os.path.isdir(folder):
            raise BadInput(f"{folder}: " + ("not a directory" if os.path.exists(folder) else
                                            "no such directory"))
        rows = [(name, describe(os.path.join(folder, name))) for name in FILES]
    except BadInput as e:
        ap.exit(2, f"{ap.prog}: {e}\n")
    print(f"{'dataset':34} {'failed':>7} {'rep_cv':>7} {'rep_kurt':>8} {'compile_s':>9} "
          f"{'log_sd':>6} {'ovh_ms':>6}")
    for name, (failed, cv, kurt, comp, log_sd, ovh) in rows:
        print(f"{name:34} {100 * failed:6.2f}% {100 * cv:6.2f}% {kurt:8.1f} {comp:9.3f} "
              f"{log_sd:6.2f} {ovh:6.3f}")


if __name__ == "__main__":
    main()
