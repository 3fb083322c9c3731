#!/usr/bin/env python3
"""mfbo_speed_sklearn.py: scikit-learn's GaussianProcessRegressor on the data that
bench/mfbo_speed wrote (one core: run with OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1), for the
side-by-side table of bench/mfbo_speed.c.
  python3 bench/mfbo_speed_sklearn.py DATA REPS
DATA: text, first line "n m dim", then n rows "x_1 .. x_dim y fidelity", then m rows of
candidates. Kernel ConstantKernel * Matern(nu=2.5, ARD length scales) + WhiteKernel,
normalize_y=True, the default optimizer (L-BFGS-B) with n_restarts_optimizer=0 (one start,
as mfbo's warm refit; mfbo's cold fit has 3), then predict(return_std=True) over the
candidates. Prints one line: "sklearn fit_ms predict_ms sum_ms" (medians of REPS), then the
fitted kernel."""
import argparse
import os
import time
import warnings

import numpy as np


class BadInput(Exception):
    """An input that cannot be read; the message names it."""


def read(path):
    """n, m, dim and the (n + m) x (dim + 2) rows of DATA, or BadInput."""
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file")
    try:
        with open(path) as f:
            head = f.readline().split()
            if len(head) != 3 or not all(v.isdigit() and int(v) > 0 for v in head):
                raise BadInput(f"{path}: the first line is not \"n m dim\" (positive "
                               "integers): not a data file of bench/mfbo_speed")
            n, m, dim = (int(v) for v in head)
            data = np.loadtxt(f, ndmin=2)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise BadInput(f"{path}: cannot be read as a data file of bench/mfbo_speed ({e})") \
            from None
    if data.shape != (n + m, dim + 2):
        raise BadInput(f"{path}: {data.shape[0]} rows of {data.shape[1]} numbers, not "
                       f"n + m = {n + m} rows of dim + 2 = {dim + 2} as its first line says")
    return n, m, dim, data


def positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", metavar="DATA", help="the data file bench/mfbo_speed wrote")
    ap.add_argument("reps", metavar="REPS", type=positive, help="repetitions (medians of)")
    opt = ap.parse_args()
    try:
        n, m, dim, data = read(opt.data)
    except BadInput as e:
        ap.exit(2, f"{ap.prog}: {e}\n")
    reps = opt.reps
    # scikit-learn after the arguments, so that --help and bad input need only NumPy
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    X, y, cands = data[:n, :dim], data[:n, dim], data[n:n + m, :dim]
    warnings.simplefilter("ignore", ConvergenceWarning)
    fit_ms, pred_ms, sum_ms = [], [], []
    for _ in range(reps):
        kernel = ConstantKernel(1.0) * Matern(length_scale=np.full(dim, 0.5), nu=2.5) + \
            WhiteKernel(0.01)
        gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=0,
                                      random_state=0)
        t0 = time.perf_counter()
        gp.fit(X, y)
        t1 = time.perf_counter()
        mu, sd = gp.predict(cands, return_std=True)
        t2 = time.perf_counter()
        fit_ms.append(1000 * (t1 - t0))
        pred_ms.append(1000 * (t2 - t1))
        sum_ms.append(1000 * (t2 - t0))
    print("sklearn %.1f %.1f %.1f" % (np.median(fit_ms), np.median(pred_ms), np.median(sum_ms)))
    print("sklearn kernel: %s, log-marginal %.3f" % (gp.kernel_, gp.log_marginal_likelihood_value_))


if __name__ == "__main__":
    main()
