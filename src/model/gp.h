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
 * restarts. Between fits, added points update the Cholesky factor incrementally.
 *
 * Failed (infinite) targets are not this module's business: callers must not add them
 * (mfbo.c keeps failed configurations in a separate set and never proposes them again).
 * No MPI, no HDF5, no randomness. */
#ifndef MFBO_MODEL_GP_H
#define MFBO_MODEL_GP_H

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

/* The lower-triangular Cholesky factor (n x n, row stride returned), for tests. */
const double *mfbo_gp_cholesky(const mfbo_gp *gp, int *stride);

#endif
