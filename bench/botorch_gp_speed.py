#!/usr/bin/env python3
"""botorch_gp_speed.py: BoTorch on the sizes of bench/mfbo_speed (issue 24), one thread, for
the ratio against mfbo's GP in docs/mfbo-speed.md. Not run by the tests; needs numpy, torch
and botorch only (the lent GPU machine has them; this runs on its CPU).

  python3 bench/botorch_gp_speed.py [--reps R] [--case a|b|both] [--threads T]

Data as bench/mfbo_speed.c makes it (the same generator, so the same numbers): x uniform in
[0, 1]^dim, y = sum_k sin(3 x_k + k) / sqrt(dim) + |x - 0.3|^2 / dim + noise of sd
0.1 / sqrt(fid / 3), fidelities 3 (80%), 15 (15%), 50 (5%); candidates uniform.
Cases: (a) n = 500, 1024 candidates, dim 5; (b) n = 1000, 17956 candidates, dim 15.
Columns (ms, median (min) over the repetitions; the cold fit over max(R / 3, 2)):
  cold fit:     SingleTaskGP on the n observations (the installed BoTorch's default
                kernel and priors, inferred noise, Standardize outcome, Normalize input),
                fit_gpytorch_mll from the default hyperparameters;
  warm refit:   one observation added; a new SingleTaskGP whose state is loaded from the
                cold-fitted model, then fit_gpytorch_mll (what a run waits for after each
                evaluation, as mfbo's warm refit);
  suggest:      LogExpectedImprovement(best_f = the best y) over all candidates in batches
                (no gradient), argmax;
  warm+suggest: the sum, per repetition.
Prints a Markdown table and the fitted noise and outputscale of the last warm refit.
"""
import argparse
import math
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    p.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    p.add_argument("--case", choices=["a", "b", "both"], default="both")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.add_argument("--batch", type=int, default=4096, help="candidates scored at a time")
    return p.parse_args()


class Lcg:
    """bench/mfbo_speed.c's generator: 64-bit LCG, the top 53 bits as a uniform."""

    def __init__(self, state=12345):
        self.state = state

    def uniform(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.state >> 11) / 9007199254740992.0


def observation(rng, dim):
    x = []
    u = rng.uniform()
    y = 0.0
    for k in range(dim):
        xk = rng.uniform()
        x.append(xk)
        y += math.sin(3 * xk + k) / math.sqrt(dim) + (xk - 0.3) * (xk - 0.3) / dim
    fid = 3.0 if u < 0.8 else 15.0 if u < 0.95 else 50.0
    g = sum(rng.uniform() for _ in range(12))
    return x, y + 0.1 / math.sqrt(fid / 3) * (g - 6), fid


def make_data(n, m, dim, extra):
    import numpy as np
    rng = Lcg()
    xs, ys = [], []
    for _ in range(n + extra):
        x, y, _fid = observation(rng, dim)
        xs.append(x)
        ys.append(y)
    cands = [rng.uniform() for _ in range(m * dim)]
    return (np.array(xs), np.array(ys), np.array(cands).reshape(m, dim))


def median_min(t):
    return statistics.median(t), min(t)


def run_case(name, n, m, dim, reps, batch):
    import torch
    from botorch.acquisition import LogExpectedImprovement
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.models.transforms import Normalize, Standardize
    from gpytorch.mlls import ExactMarginalLogLikelihood

    dtype = torch.double
    X_np, y_np, C_np = make_data(n, m, dim, reps)
    X = torch.tensor(X_np, dtype=dtype)
    Y = -torch.tensor(y_np, dtype=dtype).unsqueeze(-1)  # BoTorch maximises: minimise y
    C = torch.tensor(C_np, dtype=dtype)

    def model_of(x, y, state=None):
        model = SingleTaskGP(x, y, input_transform=Normalize(d=dim),
                             outcome_transform=Standardize(m=1))
        if state is not None:
            model.load_state_dict(state, strict=False)
        return model, ExactMarginalLogLikelihood(model.likelihood, model)

    cold_reps = max(reps // 3, 2)
    t_cold, state = [], None
    for _ in range(cold_reps):
        t0 = time.perf_counter()
        model, mll = model_of(X[:n], Y[:n])
        fit_gpytorch_mll(mll)
        t_cold.append(1000 * (time.perf_counter() - t0))
        # the hyperparameters only: the transforms are refitted to each data set
        state = {k: v for k, v in model.state_dict().items() if "transform" not in k}

    t_warm, t_sug, t_sum = [], [], []
    for r in range(reps):
        k = n + r + 1  # one observation more each time
        t0 = time.perf_counter()
        model, mll = model_of(X[:k], Y[:k], state)
        fit_gpytorch_mll(mll)
        t1 = time.perf_counter()
        model.eval()
        acq = LogExpectedImprovement(model, best_f=Y[:k].max())
        best, pick = -math.inf, -1
        with torch.no_grad():
            for s in range(0, m, batch):
                v = acq(C[s:s + batch].unsqueeze(1))  # b x q=1 x d
                j = int(torch.argmax(v))
                if float(v[j]) > best:
                    best, pick = float(v[j]), s + j
        t2 = time.perf_counter()
        t_warm.append(1000 * (t1 - t0))
        t_sug.append(1000 * (t2 - t1))
        t_sum.append(1000 * (t2 - t0))
    cells = [median_min(t) for t in (t_cold, t_warm, t_sug, t_sum)]
    print("| %s: n=%d, %d candidates, d=%d | %s |" % (
        name, n, m, dim, " | ".join("%.1f (%.1f)" % c for c in cells)))
    noise = float(model.likelihood.noise.detach().mean())
    scale = getattr(model.covar_module, "outputscale", None)
    print("    last warm refit: noise %.4g (standardised y)%s; pick %d" % (
        noise, "" if scale is None else ", outputscale %.4g" % float(scale.detach()), pick),
        file=sys.stderr)


def main():
    args = parse_args()
    if args.reps < 1:
        sys.exit("botorch_gp_speed.py: --reps must be at least 1")
    try:
        import torch
        import botorch
    except ImportError as e:
        sys.exit("botorch_gp_speed.py: needs numpy, torch and botorch (%s)" % e)
    torch.set_num_threads(args.threads)
    print("torch %s, botorch %s, %d thread(s), %d repetitions" % (
        torch.__version__, botorch.__version__, torch.get_num_threads(), args.reps))
    print("| case | cold fit ms | warm refit ms | suggest ms | warm+suggest ms |")
    print("|---|---|---|---|---|")
    cases = {"a": ("a", 500, 1024, 5), "b": ("b", 1000, 17956, 15)}
    for key in (["a", "b"] if args.case == "both" else [args.case]):
        run_case(*cases[key], args.reps, args.batch)


if __name__ == "__main__":
    main()
