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
 * degenerate corners), with analytic gradients, GSL's BFGS and a few deterministic
 * restarts. Between fits, added points update the Cholesky factor incrementally, and a
 * fixed candidate set (mfbo_gp_cands) updates its posterior incrementally too.
 *
 * Failed (infinite) targets are not this module's business: callers must not add them
 * (mfbo.c keeps failed configurations in a separate set and never proposes them again).
 * No MPI, no HDF5, no randomness. */
#ifndef MFBO_MODEL_GP_H
#define MFBO_MODEL_GP_H

#include <stddef.h>

typedef struct mfbo_gp mfbo_gp;

typedef struct {
  int n_restarts;    /* starting points of the optimiser (>= 1) */
  int max_iter;      /* BFGS iterations per start */
  double nugget;     /* added to every diagonal entry, normalised units */
  int use_prior;     /* 1: maximise LML + log prior; 0: LML alone */
} mfbo_gp_fit_settings;

mfbo_gp_fit_settings mfbo_gp_fit_defaults(void);

mfbo_gp *mfbo_gp_alloc(int dim);
void mfbo_gp_free(mfbo_gp *gp);
int mfbo_gp_dim(const mfbo_gp *gp);
int mfbo_gp_n(const mfbo_gp *gp);
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
 * hyperparameters. */
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
