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
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel


def main():
    path, reps = sys.argv[1], int(sys.argv[2])
    with open(path) as f:
        n, m, dim = (int(v) for v in f.readline().split())
        data = np.loadtxt(f)
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
