/* gp.h: a Gaussian-process regression model on encoded configurations, for model-based
 * searchers (mfbo.c). Matern-5/2 kernel with one length scale per input dimension (ARD),
 * a constant mean, and a noise variance that depends on each observation's fidelity:
 * sigma_n^2 / r_i + nugget, where r_i is the repetitions behind observation i, so that a
 * low-fidelity point informs without dominating.
 *
 * The caller gives targets on the scale it wants modelled (mfbo.c: log of the measured
 * time in ms); the model normalises them (mean 0, sd 1: the constant mean is the sample
 * mean) when it is fitted, and keeps that normalisation until the next fit. Predictions
 * are in the caller's units. Inputs should be scaled to about [0, 1] per dimension.
 *
 * Hyperparameters theta (all logs): log length scale of each dimension, log signal
 * variance, log sigma_n^2 (normalised units). Fitting maximises the log marginal
 * likelihood plus a weak Gaussian prior on theta (which keeps restarts away from
 * degenerate corners), with analytic gradients, BFGS (backtracking line search: a trial
 * point costs one Cholesky, the gradient is taken at accepted points only) and a few
 * deterministic restarts, or a cheap warm refit from the last fit
 * (mfbo_gp_fit_settings.warm). One likelihood evaluation is one LAPACK Cholesky (dpotrf)
 * and, with the gradient, one inverse (dpotri) and one O(dim n^2) pass; serial OpenBLAS,
 * every operand 64-byte aligned (deterministic). Coordinates may be categorical
 * (mfbo_gp_set_categorical). Between fits, added points update the Cholesky factor
 * incrementally, and a fixed candidate set (mfbo_gp_cands) updates its posterior
 * incrementally too.
 *
 * Failed (infinite) targets are not this module's business: callers must not add them
 * (mfbo.c keeps failed configurations in a separate set and never proposes them again).
 * No MPI, no HDF5, no randomness. */
#ifndef MFBO_MODEL_GP_H
#define MFBO_MODEL_GP_H

#include <stddef.h>

typedef struct mfbo_gp mfbo_gp;

/* How mfbo_gp_fit optimises. A cold fit (warm = 0, the default) runs BFGS from the current
 * theta (the last fit's, or the defaults) and from n_restarts - 1 fixed starting points,
 * max_iter iterations each, until the gradient's norm is below 1e-4, and keeps the best.
 * A warm refit (warm = 1) runs BFGS once, from the current theta only, for at most
 * warm_max_iter iterations, until the gradient's norm is below warm_gtol, with the inverse
 * Hessian where the gp's last fit ended as its first (the identity if none: a cold fit
 * without a subset, a failed fit, a new gp): for refitting
 * after a few observations were added to a fitted model, whose optimum moved little
 * (tests/test_gp.c checks that it reaches the cold fit's objective). A zero-initialised
 * struct is a valid cold fit with no restarts beyond the first start; take
 * mfbo_gp_fit_defaults() and change fields rather than writing every field. */
typedef struct {
  int n_restarts;    /* cold fit: starting points of the optimiser (>= 1; at most 5) */
  int max_iter;      /* cold fit: BFGS iterations per start */
  double nugget;     /* added to every diagonal entry, normalised units */
  int use_prior;     /* 1: maximise LML + log prior; 0: LML alone */
  int warm;          /* 0: cold fit (default); 1: warm refit from the current theta only */
  int warm_max_iter; /* warm refit: BFGS iterations (default 20; 0 = keep theta, refactorise) */
  double warm_gtol;  /* warm refit: stop when |gradient| < warm_gtol (default 1e-2) */
  double ftol;       /* cold fit: also stop when the objective rose by less than
                        ftol (1 + |objective|) in each of two iterations (default 1e-7;
                        0: the gradient test alone) */
  double warm_ftol;  /* warm refit: the same (default 1e-6) */
  int cold_subset;   /* cold fit with n > cold_subset >= 2 (default 256; 0: never): the
                        starts run on cold_subset observations spread evenly over the order
                        of arrival, then BFGS from the best of them on all n */
} mfbo_gp_fit_settings;

/* n_restarts 3, max_iter 60, nugget 1e-6, use_prior 1, warm 0, warm_max_iter 20,
 * warm_gtol 1e-2. */
mfbo_gp_fit_settings mfbo_gp_fit_defaults(void);

mfbo_gp *mfbo_gp_alloc(int dim);
void mfbo_gp_free(mfbo_gp *gp);
int mfbo_gp_dim(const mfbo_gp *gp);
int mfbo_gp_n(const mfbo_gp *gp);
/* Marks coordinates as categorical (is_cat[k] != 0; dim flags; NULL = none, the default).
 * A categorical coordinate holds a level code: any doubles, equal means the same level,
 * no order and no distance. The kernel is then a product:
 *   k(x, x') = sf2 * matern52(r) * exp(-sum_{k categorical} [x_k != x'_k] / ell_k^2),
 *   r^2 = sum_{k continuous} (x_k - x'_k)^2 / ell_k^2   (matern52(0) = 1 if none),
 * with theta_k = log ell_k for both kinds (theta's layout does not change). With no
 * categorical coordinate the kernel is bit for bit the plain Matern-5/2 ARD kernel. The
 * factor is recomputed on the next use. */
void mfbo_gp_set_categorical(mfbo_gp *gp, const int *is_cat);
/* Number of hyperparameters: dim + 2. */
int mfbo_gp_n_theta(const mfbo_gp *gp);
void mfbo_gp_get_theta(const mfbo_gp *gp, double *theta);
/* Sets the hyperparameters and the nugget; the factor is recomputed on the next use. */
void mfbo_gp_set_theta(mfbo_gp *gp, const double *theta, double nugget);

/* Adds an observation (target y, finite; fidelity >= 1). If the model is factorised it
 * is updated incrementally (one new row of the Cholesky factor), else it stays stale
 * until the next mfbo_gp_factor or mfbo_gp_fit. 0, or -1 (out of memory, bad input). */
int mfbo_gp_add(mfbo_gp *gp, const double *x, double y, double fidelity);

/* Normalises the targets afresh and factorises with the current hyperparameters. */
int mfbo_gp_factor(mfbo_gp *gp);
/* Normalises, optimises the hyperparameters, factorises. 0 or -1. */
int mfbo_gp_fit(mfbo_gp *gp, const mfbo_gp_fit_settings *s);

/* Log marginal likelihood of the normalised targets under theta (no prior), with its
 * gradient w.r.t. theta when grad != NULL. Uses the normalisation of the last
 * factor/fit. NAN if K is not positive definite. */
double mfbo_gp_log_marginal(mfbo_gp *gp, const double *theta, double *grad);
/* The objective the fit maximises: log marginal + (use_prior) log prior. */
double mfbo_gp_objective(mfbo_gp *gp, const double *theta, int use_prior, double *grad);

/* Posterior mean and variance (of the latent function, without noise) at m candidates
 * (rows of X, m x dim), in the caller's units. Factorises first if stale. 0 or -1. */
int mfbo_gp_predict(mfbo_gp *gp, int m, const double *X, double *mean, double *var);

/* Posterior mean of the latent function at each observation's input (mean[i] for row i,
 * caller's units), from the factor: yn_i - noise_i alpha_i, O(n). Rows at the same input
 * get the same value. Factorises first if stale. 0 or -1. */
int mfbo_gp_train_mean(mfbo_gp *gp, double *mean);

/* The kernel's correlation k(a, b) / signal variance, in [0, 1], under the current
 * hyperparameters (and categorical coordinates): the same kernel as every other function. */
double mfbo_gp_corr(const mfbo_gp *gp, const double *a, const double *b);

/* A fixed set of m candidates whose posterior is kept up to date incrementally, for a
 * searcher that asks for the posterior over the same candidates after every observation.
 * The set holds V = L^-1 K(X_obs, X_cand) (one row per observation, m doubles a row) and
 * running sums of its columns. While the gp only gains observations (mfbo_gp_add without a
 * refit) a prediction appends one row per new observation: m kernel evaluations and one
 * matrix-vector product, m n flops, instead of the m n^2 of mfbo_gp_predict. Anything that
 * refactorises the gp (fit, factor, set_theta, a failed incremental update) starts a new
 * "factor generation" and the next prediction recomputes V in full (as mfbo_gp_predict
 * costs). Exact up to rounding: the same posterior as mfbo_gp_predict, not an approximation.
 * Not thread-safe per set; one set may serve several gps (it notices the change). */
typedef struct mfbo_gp_cands mfbo_gp_cands;

/* V above this size is not kept: mfbo_gp_cands_predict then calls mfbo_gp_predict. */
#define MFBO_GP_CANDS_MAX_BYTES ((size_t)512 << 20)

/* The candidates X (m x dim, rows; copied). NULL if out of memory or m < 0, dim < 1. */
mfbo_gp_cands *mfbo_gp_cands_alloc(int m, int dim, const double *X);
void mfbo_gp_cands_free(mfbo_gp_cands *c);
/* Changes the memory limit of V (default MFBO_GP_CANDS_MAX_BYTES); for tests. */
void mfbo_gp_cands_set_max_bytes(mfbo_gp_cands *c, size_t max_bytes);

/* Same results as mfbo_gp_predict(gp, m, X, mean, var) up to rounding, reusing the work of
 * the previous call if the gp has only gained observations since. Typically 1e-11
 * relative; both compute a variance as sf2 - |L^-1 k|^2, so where the fitted sf2 is far
 * above the posterior variance both lose digits alike (1e-6 relative at a ratio of 1e9,
 * and each is that far from a long-double reference too). The last digits depend on
 * which rows were appended rather than computed afresh: deterministic for a given
 * sequence of calls. Factorises first if stale. Falls back to mfbo_gp_predict when V would
 * exceed the memory limit (n m 8 bytes > MFBO_GP_CANDS_MAX_BYTES: n > 3737 for
 * m = 17956) or cannot be allocated. 0 or -1 (dimension mismatch, or the gp cannot be
 * factorised). */
int mfbo_gp_cands_predict(mfbo_gp *gp, mfbo_gp_cands *c, double *mean, double *var);

/* What the last mfbo_gp_cands_predict did, for tests and benchmarks: rows of V kept from
 * the call before (0 after a refactorisation) and rows computed; -1 and -1 if it fell back
 * to mfbo_gp_predict (or failed). */
void mfbo_gp_cands_last(const mfbo_gp_cands *c, int *rows_kept, int *rows_computed);

/* The lower-triangular Cholesky factor (n x n, row stride returned), for tests. */
const double *mfbo_gp_cholesky(const mfbo_gp *gp, int *stride);

#endif
