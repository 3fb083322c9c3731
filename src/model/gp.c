/* gp.c: Gaussian-process regression (gp.h): Matern-5/2 ARD kernel, fidelity-dependent
 * noise, log marginal likelihood with analytic gradients, BFGS fit with deterministic
 * restarts, incremental Cholesky updates, batched predictions (BLAS level 2/3) and the
 * incrementally updated posterior of a fixed candidate set (mfbo_gp_cands).
 * It must stay free of MPI, HDF5 and randomness: searchers build on it. */
#include "gp.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

#define SQRT5 2.23606797749978969641
#define PREDICT_CHUNK 2048   /* candidates per K_* block: bounds memory for big pools */
#define THETA_LIMIT 12.0     /* |log hyperparameter| beyond this is rejected by the fit */
#define BAD_OBJECTIVE 1e30

struct mfbo_gp {
  int dim, n, cap;
  double *X;      /* cap x dim */
  double *y;      /* targets, caller's units */
  double *yn;     /* normalised targets */
  double *fid;    /* fidelity (repetitions) of each observation */
  double *L;      /* cap x cap, lower Cholesky factor of the first n_factored points */
  double *alpha;  /* K^-1 yn */
  double *theta;  /* dim log length scales, log signal variance, log sigma_n^2 */
  double nugget, jitter;
  double y_mean, y_sd;
  int n_factored; /* -1 while stale */
  unsigned long generation; /* changes whenever L, theta or yn change other than by appends */
};

/* Factor generations come from one process-wide counter, so that no two factorisations of
 * any gps share one: a candidate set can never take one gp's rows for another's. */
static atomic_ulong last_generation;

static void new_generation(mfbo_gp *gp) {
  gp->generation = atomic_fetch_add(&last_generation, 1) + 1;
}

/* Every array that reaches BLAS is 64-byte aligned: OpenBLAS's kernels round differently
 * depending on where an array starts, so malloc'd buffers made results depend on the heap's
 * history (two identical mfbo runs in one process differed in their last digits, then in
 * their picks). With aligned bases and fixed strides the arithmetic is the same every time. */
static double *dalloc(size_t n) {
  size_t bytes = ((n ? n : 1) * sizeof(double) + 63) & ~(size_t)63;
  return aligned_alloc(64, bytes);
}

/* A bigger aligned copy of p's first old_n values; p is freed on success only. */
static double *dgrow(double *p, size_t old_n, size_t new_n) {
  double *q = dalloc(new_n);
  if (!q) return NULL;
  if (p) memcpy(q, p, old_n * sizeof *q);
  free(p);
  return q;
}

mfbo_gp_fit_settings mfbo_gp_fit_defaults(void) {
  return (mfbo_gp_fit_settings){.n_restarts = 3, .max_iter = 60, .nugget = 1e-6,
                                .use_prior = 1};
}

static void default_theta(int dim, double log_ell, double log_sn2, double *theta) {
  for (int k = 0; k < dim; k++) theta[k] = log_ell;
  theta[dim] = 0.0;
  theta[dim + 1] = log_sn2;
}

mfbo_gp *mfbo_gp_alloc(int dim) {
  mfbo_gp *gp = calloc(1, sizeof *gp);
  if (!gp) return NULL;
  gp->dim = dim;
  gp->theta = malloc((size_t)(dim + 2) * sizeof *gp->theta);
  if (!gp->theta) {
    free(gp);
    return NULL;
  }
  default_theta(dim, log(0.5), log(0.01), gp->theta);
  gp->nugget = 1e-6;
  gp->y_sd = 1.0;
  gp->n_factored = -1;
  new_generation(gp);
  return gp;
}

void mfbo_gp_free(mfbo_gp *gp) {
  if (!gp) return;
  free(gp->X);
  free(gp->y);
  free(gp->yn);
  free(gp->fid);
  free(gp->L);
  free(gp->alpha);
  free(gp->theta);
  free(gp);
}

int mfbo_gp_dim(const mfbo_gp *gp) { return gp->dim; }
int mfbo_gp_n(const mfbo_gp *gp) { return gp->n; }
int mfbo_gp_n_theta(const mfbo_gp *gp) { return gp->dim + 2; }

void mfbo_gp_get_theta(const mfbo_gp *gp, double *theta) {
  memcpy(theta, gp->theta, (size_t)(gp->dim + 2) * sizeof *theta);
}

void mfbo_gp_set_theta(mfbo_gp *gp, const double *theta, double nugget) {
  memcpy(gp->theta, theta, (size_t)(gp->dim + 2) * sizeof *theta);
  gp->nugget = nugget;
  gp->n_factored = -1;
  new_generation(gp);
}

const double *mfbo_gp_cholesky(const mfbo_gp *gp, int *stride) {
  *stride = gp->cap;
  return gp->L;
}

static int grow(mfbo_gp *gp) {
  if (gp->n < gp->cap) return 0;
  int cap = gp->cap ? 2 * gp->cap : 64;
  size_t n = (size_t)gp->n, d = (size_t)gp->dim;
  double *X = dgrow(gp->X, n * d, (size_t)cap * d);
  if (X) gp->X = X;
  double *y = dgrow(gp->y, n, (size_t)cap);
  if (y) gp->y = y;
  double *yn = dgrow(gp->yn, n, (size_t)cap);
  if (yn) gp->yn = yn;
  double *fid = dgrow(gp->fid, n, (size_t)cap);
  if (fid) gp->fid = fid;
  double *alpha = dgrow(gp->alpha, n, (size_t)cap);
  if (alpha) gp->alpha = alpha;
  double *L = dalloc((size_t)cap * cap);
  if (!X || !y || !yn || !fid || !alpha || !L) {
    free(L);
    return -1;
  }
  memset(L, 0, (size_t)cap * cap * sizeof *L);
  for (int i = 0; i < gp->n; i++)
    memcpy(L + (size_t)i * cap, gp->L + (size_t)i * gp->cap, (size_t)(i + 1) * sizeof *L);
  free(gp->L);
  gp->L = L;
  gp->cap = cap;
  return 0;
}

/* Matern-5/2 correlation at scaled distance r. */
static double matern52(double r) {
  double s = SQRT5 * r;
  return (1 + s + s * s / 3) * exp(-s);
}

/* Scaled squared distance between a and b, inv_ell2 = 1 / length scale^2. */
static double dist2(const double *a, const double *b, const double *inv_ell2, int dim) {
  double r2 = 0;
  for (int k = 0; k < dim; k++) {
    double d = a[k] - b[k];
    r2 += d * d * inv_ell2[k];
  }
  return r2;
}

static void inverse_ell2(const double *theta, int dim, double *inv_ell2) {
  for (int k = 0; k < dim; k++) inv_ell2[k] = exp(-2 * theta[k]);
}

/* Noise variance of observation i in normalised units. */
static double noise_var(const mfbo_gp *gp, const double *theta, int i, double extra) {
  return exp(theta[gp->dim + 1]) / gp->fid[i] + gp->nugget + extra;
}

static void normalise(mfbo_gp *gp) {
  double mean = 0, ss = 0;
  for (int i = 0; i < gp->n; i++) mean += gp->y[i];
  mean = gp->n ? mean / gp->n : 0;
  for (int i = 0; i < gp->n; i++) ss += (gp->y[i] - mean) * (gp->y[i] - mean);
  double sd = gp->n > 1 ? sqrt(ss / (gp->n - 1)) : 1.0;
  gp->y_mean = mean;
  gp->y_sd = sd > 1e-12 ? sd : 1.0;
  for (int i = 0; i < gp->n; i++) gp->yn[i] = (gp->y[i] - gp->y_mean) / gp->y_sd;
  new_generation(gp);
}

/* K (signal + noise) of the n points into A (n x n, stride lda), full symmetric. */
static void build_K(const mfbo_gp *gp, const double *theta, double extra, double *A, int lda) {
  int dim = gp->dim;
  double inv_ell2[dim > 0 ? dim : 1];
  inverse_ell2(theta, dim, inv_ell2);
  double sf2 = exp(theta[dim]);
  for (int i = 0; i < gp->n; i++) {
    const double *xi = gp->X + (size_t)i * dim;
    for (int j = 0; j < i; j++) {
      double k = sf2 * matern52(sqrt(dist2(xi, gp->X + (size_t)j * dim, inv_ell2, dim)));
      A[(size_t)i * lda + j] = k;
      A[(size_t)j * lda + i] = k;
    }
    A[(size_t)i * lda + i] = sf2 + noise_var(gp, theta, i, extra);
  }
}

/* Cholesky in place without GSL's abort-on-error handler. 0 or -1 (not pos. definite). */
static int cholesky(double *A, int n, int lda) {
  if (n == 0) return 0;
  gsl_matrix_view m = gsl_matrix_view_array_with_tda(A, (size_t)n, (size_t)n, (size_t)lda);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int rc = gsl_linalg_cholesky_decomp1(&m.matrix);
  gsl_set_error_handler(old);
  return rc == GSL_SUCCESS ? 0 : -1;
}

/* x := L^-T L^-1 x for the lower factor L (n x n, stride lda). */
static void cholesky_solve(const double *L, int n, int lda, double *x) {
  if (n == 0) return;
  gsl_matrix_const_view m = gsl_matrix_const_view_array_with_tda(L, (size_t)n, (size_t)n,
                                                                 (size_t)lda);
  gsl_vector_view v = gsl_vector_view_array(x, (size_t)n);
  gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &m.matrix, &v.vector);
  gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &m.matrix, &v.vector);
}

/* Full factorisation with the current theta and normalisation; adds jitter if needed. */
static int factor(mfbo_gp *gp) {
  new_generation(gp);
  gp->jitter = 0;
  for (int attempt = 0; attempt < 8; attempt++) {
    build_K(gp, gp->theta, gp->jitter, gp->L, gp->cap);
    if (cholesky(gp->L, gp->n, gp->cap) == 0) {
      memcpy(gp->alpha, gp->yn, (size_t)gp->n * sizeof *gp->alpha);
      cholesky_solve(gp->L, gp->n, gp->cap, gp->alpha);
      gp->n_factored = gp->n;
      return 0;
    }
    gp->jitter = gp->jitter > 0 ? 10 * gp->jitter : 1e-6;
  }
  gp->n_factored = -1;
  return -1;
}

int mfbo_gp_factor(mfbo_gp *gp) {
  normalise(gp);
  return factor(gp);
}

/* Appends row n-1 to the factor of the first n-1 points: solve L l = k, then the new
 * diagonal sqrt(k_nn - l.l). Falls back to a full factorisation if it is not positive. */
static int update_factor(mfbo_gp *gp) {
  int n = gp->n - 1, dim = gp->dim;
  double inv_ell2[dim > 0 ? dim : 1];
  inverse_ell2(gp->theta, dim, inv_ell2);
  double sf2 = exp(gp->theta[dim]);
  double *row = gp->L + (size_t)n * gp->cap;
  const double *xn = gp->X + (size_t)n * dim;
  for (int j = 0; j < n; j++)
    row[j] = sf2 * matern52(sqrt(dist2(xn, gp->X + (size_t)j * dim, inv_ell2, dim)));
  if (n > 0) {
    gsl_matrix_const_view m = gsl_matrix_const_view_array_with_tda(gp->L, (size_t)n,
                                                                   (size_t)n, (size_t)gp->cap);
    gsl_vector_view v = gsl_vector_view_array(row, (size_t)n);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &m.matrix, &v.vector);
  }
  double ll = 0;
  for (int j = 0; j < n; j++) ll += row[j] * row[j];
  double d2 = sf2 + noise_var(gp, gp->theta, n, gp->jitter) - ll;
  if (!(d2 > 1e-12 * sf2)) return factor(gp);
  row[n] = sqrt(d2);
  gp->n_factored = gp->n;
  memcpy(gp->alpha, gp->yn, (size_t)gp->n * sizeof *gp->alpha);
  cholesky_solve(gp->L, gp->n, gp->cap, gp->alpha);
  return 0;
}

int mfbo_gp_add(mfbo_gp *gp, const double *x, double y, double fidelity) {
  if (!isfinite(y) || !(fidelity >= 1) || grow(gp) != 0) return -1;
  memcpy(gp->X + (size_t)gp->n * gp->dim, x, (size_t)gp->dim * sizeof *x);
  gp->y[gp->n] = y;
  gp->yn[gp->n] = (y - gp->y_mean) / gp->y_sd;
  gp->fid[gp->n] = fidelity;
  int incremental = gp->n_factored == gp->n;
  gp->n++;
  if (incremental) return update_factor(gp);
  gp->n_factored = -1;
  return 0;
}

/* d/dtheta of the LML: -0.5 sum_ij W_ij dK_ij with W = K^-1 - alpha alpha^T. */
static void lml_gradient(const mfbo_gp *gp, const double *theta, const double *W,
                         const double *alpha, double *grad) {
  int n = gp->n, dim = gp->dim;
  double inv_ell2[dim > 0 ? dim : 1];
  inverse_ell2(theta, dim, inv_ell2);
  double sf2 = exp(theta[dim]), sn2 = exp(theta[dim + 1]);
  memset(grad, 0, (size_t)(dim + 2) * sizeof *grad);
  (void)alpha;
  for (int i = 0; i < n; i++) {
    const double *xi = gp->X + (size_t)i * dim;
    double wii = W[(size_t)i * n + i];
    grad[dim] += -0.5 * wii * sf2;
    grad[dim + 1] += -0.5 * wii * sn2 / gp->fid[i];
    for (int j = 0; j < i; j++) {
      const double *xj = gp->X + (size_t)j * dim;
      double wij = W[(size_t)i * n + j];
      double r = sqrt(dist2(xi, xj, inv_ell2, dim));
      double e = exp(-SQRT5 * r);
      double k = sf2 * (1 + SQRT5 * r + 5 * r * r / 3) * e;
      double c = sf2 * (5.0 / 3.0) * (1 + SQRT5 * r) * e; /* dk/dlog ell_k = c d_k^2/ell_k^2 */
      grad[dim] += -wij * k; /* both (i,j) and (j,i) */
      for (int q = 0; q < dim; q++) {
        double d = xi[q] - xj[q];
        grad[q] += -wij * c * d * d * inv_ell2[q];
      }
    }
  }
}

double mfbo_gp_log_marginal(mfbo_gp *gp, const double *theta, double *grad) {
  int n = gp->n;
  if (n == 0) {
    if (grad) memset(grad, 0, (size_t)(gp->dim + 2) * sizeof *grad);
    return 0;
  }
  double *K = dalloc((size_t)n * n);
  double *alpha = dalloc((size_t)n);
  double lml = NAN;
  if (!K || !alpha) goto done;
  build_K(gp, theta, 0, K, n);
  if (cholesky(K, n, n) != 0) goto done;
  memcpy(alpha, gp->yn, (size_t)n * sizeof *alpha);
  cholesky_solve(K, n, n, alpha);
  double fit = 0, logdet = 0;
  for (int i = 0; i < n; i++) {
    fit += gp->yn[i] * alpha[i];
    logdet += log(K[(size_t)i * n + i]);
  }
  lml = -0.5 * fit - logdet - 0.5 * n * log(2 * 3.14159265358979323846);
  if (grad) {
    gsl_matrix_view m = gsl_matrix_view_array(K, (size_t)n, (size_t)n);
    gsl_linalg_cholesky_invert(&m.matrix); /* K now holds K^-1, full */
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) K[(size_t)i * n + j] -= alpha[i] * alpha[j];
    lml_gradient(gp, theta, K, alpha, grad);
  }
done:
  free(K);
  free(alpha);
  return lml;
}

/* The weak prior: independent normals on the log hyperparameters. */
static const double PRIOR_LOG_ELL_MEAN = -0.693147180559945, PRIOR_LOG_ELL_SD = 1.0;
static const double PRIOR_LOG_SF2_MEAN = 0.0, PRIOR_LOG_SF2_SD = 1.0;
static const double PRIOR_LOG_SN2_MEAN = -4.605170185988091, PRIOR_LOG_SN2_SD = 2.0;

static double log_prior(int dim, const double *theta, double *grad) {
  double lp = 0;
  for (int q = 0; q < dim + 2; q++) {
    double mean = q < dim ? PRIOR_LOG_ELL_MEAN : q == dim ? PRIOR_LOG_SF2_MEAN
                                                          : PRIOR_LOG_SN2_MEAN;
    double sd = q < dim ? PRIOR_LOG_ELL_SD : q == dim ? PRIOR_LOG_SF2_SD : PRIOR_LOG_SN2_SD;
    double z = (theta[q] - mean) / sd;
    lp += -0.5 * z * z;
    if (grad) grad[q] += -z / sd;
  }
  return lp;
}

double mfbo_gp_objective(mfbo_gp *gp, const double *theta, int use_prior, double *grad) {
  double v = mfbo_gp_log_marginal(gp, theta, grad);
  if (use_prior && isfinite(v)) v += log_prior(gp->dim, theta, grad);
  return v;
}

/* GSL multimin wrappers: minimise -objective. */
typedef struct {
  mfbo_gp *gp;
  int use_prior;
} fit_params;

static int theta_in_range(const gsl_vector *v) {
  for (size_t q = 0; q < v->size; q++)
    if (!(fabs(gsl_vector_get(v, q)) <= THETA_LIMIT)) return 0;
  return 1;
}

static void neg_objective_fdf(const gsl_vector *v, void *params, double *f, gsl_vector *g) {
  fit_params *p = params;
  int nt = (int)v->size;
  double grad[nt];
  double obj = theta_in_range(v) ? mfbo_gp_objective(p->gp, v->data, p->use_prior, grad) : NAN;
  if (!isfinite(obj)) {
    if (f) *f = BAD_OBJECTIVE;
    if (g) gsl_vector_set_zero(g);
    return;
  }
  if (f) *f = -obj;
  if (g)
    for (int q = 0; q < nt; q++) gsl_vector_set(g, (size_t)q, -grad[q]);
}

static double neg_objective_f(const gsl_vector *v, void *params) {
  double f;
  neg_objective_fdf(v, params, &f, NULL);
  return f;
}

static void neg_objective_df(const gsl_vector *v, void *params, gsl_vector *g) {
  neg_objective_fdf(v, params, NULL, g);
}

/* Runs BFGS from theta (updated in place with the end point); returns -objective. */
static double minimise_from(mfbo_gp *gp, const mfbo_gp_fit_settings *s, double *theta) {
  int nt = gp->dim + 2;
  fit_params p = {gp, s->use_prior};
  gsl_multimin_function_fdf fn = {.f = neg_objective_f, .df = neg_objective_df,
                                  .fdf = neg_objective_fdf, .n = (size_t)nt, .params = &p};
  gsl_multimin_fdfminimizer *m =
      gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, (size_t)nt);
  if (!m) return BAD_OBJECTIVE;
  gsl_vector_view x0 = gsl_vector_view_array(theta, (size_t)nt);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  gsl_multimin_fdfminimizer_set(m, &fn, &x0.vector, 0.1, 0.1);
  for (int it = 0; it < s->max_iter; it++) {
    if (gsl_multimin_fdfminimizer_iterate(m) != GSL_SUCCESS) break;
    if (gsl_multimin_test_gradient(m->gradient, 1e-4) == GSL_SUCCESS) break;
  }
  gsl_set_error_handler(old);
  double f = m->f;
  if (f < BAD_OBJECTIVE) memcpy(theta, m->x->data, (size_t)nt * sizeof *theta);
  gsl_multimin_fdfminimizer_free(m);
  return f;
}

int mfbo_gp_fit(mfbo_gp *gp, const mfbo_gp_fit_settings *s) {
  normalise(gp);
  gp->nugget = s->nugget;
  int nt = gp->dim + 2;
  if (gp->n >= 2) {
    static const double starts[][2] = {{-0.693, -4.6}, {0.0, -2.3}, {-1.6, -6.9}, {0.7, -4.6}};
    double best[nt], cand[nt], best_f = BAD_OBJECTIVE;
    memcpy(best, gp->theta, (size_t)nt * sizeof *best);
    for (int r = 0; r < s->n_restarts && r < 5; r++) {
      if (r == 0)
        memcpy(cand, gp->theta, (size_t)nt * sizeof *cand); /* warm start: the last fit */
      else
        default_theta(gp->dim, starts[r - 1][0], starts[r - 1][1], cand);
      double f = minimise_from(gp, s, cand);
      if (f < best_f) {
        best_f = f;
        memcpy(best, cand, (size_t)nt * sizeof *best);
      }
    }
    memcpy(gp->theta, best, (size_t)nt * sizeof *best);
  }
  return factor(gp);
}

int mfbo_gp_train_mean(mfbo_gp *gp, double *mean) {
  if (gp->n_factored != gp->n && mfbo_gp_factor(gp) != 0) return -1;
  for (int i = 0; i < gp->n; i++)
    mean[i] = gp->y_mean +
              gp->y_sd * (gp->yn[i] - noise_var(gp, gp->theta, i, gp->jitter) * gp->alpha[i]);
  return 0;
}

double mfbo_gp_corr(const mfbo_gp *gp, const double *a, const double *b) {
  double inv_ell2[gp->dim > 0 ? gp->dim : 1];
  inverse_ell2(gp->theta, gp->dim, inv_ell2);
  return matern52(sqrt(dist2(a, b, inv_ell2, gp->dim)));
}

/* Rows [0, m) of K_* into Ks (m x n). */
static void build_Ks(const mfbo_gp *gp, int m, const double *X, double *Ks) {
  int n = gp->n, dim = gp->dim;
  double inv_ell2[dim > 0 ? dim : 1];
  inverse_ell2(gp->theta, dim, inv_ell2);
  double sf2 = exp(gp->theta[dim]);
  for (int i = 0; i < m; i++) {
    const double *xi = X + (size_t)i * dim;
    for (int j = 0; j < n; j++)
      Ks[(size_t)i * n + j] =
          sf2 * matern52(sqrt(dist2(xi, gp->X + (size_t)j * dim, inv_ell2, dim)));
  }
}

/* mu: aligned scratch of m values for the BLAS output. */
static void predict_chunk(const mfbo_gp *gp, int m, const double *X, double *Ks, double *mu_s,
                          double *mean, double *var) {
  int n = gp->n;
  double sf2 = exp(gp->theta[gp->dim]);
  build_Ks(gp, m, X, Ks);
  gsl_matrix_view K = gsl_matrix_view_array(Ks, (size_t)m, (size_t)n);
  gsl_vector_const_view a = gsl_vector_const_view_array(gp->alpha, (size_t)n);
  gsl_vector_view mu = gsl_vector_view_array(mu_s, (size_t)m);
  gsl_blas_dgemv(CblasNoTrans, 1.0, &K.matrix, &a.vector, 0.0, &mu.vector);
  gsl_matrix_const_view L = gsl_matrix_const_view_array_with_tda(gp->L, (size_t)n, (size_t)n,
                                                                 (size_t)gp->cap);
  /* V = K_* L^-T: row i is L^-1 k_i, so var_i = sf2 - |row i|^2 */
  gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L.matrix, &K.matrix);
  for (int i = 0; i < m; i++) {
    const double *v = Ks + (size_t)i * n;
    double vv = 0;
    for (int j = 0; j < n; j++) vv += v[j] * v[j];
    double s2 = sf2 - vv;
    if (s2 < 1e-12 * sf2) s2 = 1e-12 * sf2;
    mean[i] = gp->y_mean + gp->y_sd * mu_s[i];
    var[i] = gp->y_sd * gp->y_sd * s2;
  }
}

int mfbo_gp_predict(mfbo_gp *gp, int m, const double *X, double *mean, double *var) {
  if (gp->n_factored != gp->n && mfbo_gp_factor(gp) != 0) return -1;
  if (gp->n == 0) {
    double sf2 = exp(gp->theta[gp->dim]);
    for (int i = 0; i < m; i++) {
      mean[i] = gp->y_mean;
      var[i] = gp->y_sd * gp->y_sd * sf2;
    }
    return 0;
  }
  int chunk = m < PREDICT_CHUNK ? m : PREDICT_CHUNK;
  double *Ks = dalloc((size_t)chunk * gp->n), *mu = dalloc((size_t)chunk);
  for (int i0 = 0; i0 < m && Ks && mu; i0 += chunk) {
    int mm = m - i0 < chunk ? m - i0 : chunk;
    predict_chunk(gp, mm, X + (size_t)i0 * gp->dim, Ks, mu, mean + i0, var + i0);
  }
  int rc = Ks && mu ? 0 : -1;
  free(Ks), free(mu);
  if (rc != 0) return -1;
  return 0;
}

/* The candidate set: V (rows x m, row j = L^-1 K(X_obs, X_cand) row j, so row j depends on
 * rows 0..j of L only), w = L^-1 yn (likewise), and per candidate the running sums
 * mu_i = sum_j V[j,i] w_j (normalised posterior mean) and vv_i = sum_j V[j,i]^2 (explained
 * variance). All valid for the first `rows` observations of the gp generation `generation`:
 * within a generation, L and yn only gain rows, so appending rows keeps everything exact. */
struct mfbo_gp_cands {
  int m, dim;
  double *X;                /* m x dim */
  double *V;                /* cap_rows x m */
  double *w;                /* cap_rows */
  double *mu, *vv;          /* m each */
  int rows, cap_rows;
  unsigned long generation; /* 0: nothing cached */
  size_t max_bytes;
  int last_kept, last_computed;
};

mfbo_gp_cands *mfbo_gp_cands_alloc(int m, int dim, const double *X) {
  if (m < 0 || dim < 1) return NULL;
  mfbo_gp_cands *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->m = m, c->dim = dim, c->max_bytes = MFBO_GP_CANDS_MAX_BYTES;
  c->last_kept = c->last_computed = -1;
  size_t mm = m > 0 ? (size_t)m : 1;
  c->X = dalloc(mm * (size_t)dim);
  c->mu = dalloc(mm);
  c->vv = dalloc(mm);
  if (!c->X || !c->mu || !c->vv) {
    mfbo_gp_cands_free(c);
    return NULL;
  }
  if (m > 0) memcpy(c->X, X, (size_t)m * dim * sizeof *c->X);
  return c;
}

void mfbo_gp_cands_free(mfbo_gp_cands *c) {
  if (!c) return;
  free(c->X);
  free(c->V);
  free(c->w);
  free(c->mu);
  free(c->vv);
  free(c);
}

void mfbo_gp_cands_set_max_bytes(mfbo_gp_cands *c, size_t max_bytes) { c->max_bytes = max_bytes; }

void mfbo_gp_cands_last(const mfbo_gp_cands *c, int *rows_kept, int *rows_computed) {
  *rows_kept = c->last_kept;
  *rows_computed = c->last_computed;
}

/* Forgets the cached rows and releases V. */
static void cands_drop(mfbo_gp_cands *c) {
  free(c->V);
  free(c->w);
  c->V = c->w = NULL;
  c->rows = c->cap_rows = 0;
  c->generation = 0;
}

/* Room for n rows of V (capacity doubles, within the memory limit). 0 or -1. */
static int cands_reserve(mfbo_gp_cands *c, int n) {
  if (n <= c->cap_rows) return 0;
  size_t row_bytes = (size_t)c->m * sizeof *c->V, max_rows = c->max_bytes / row_bytes;
  if ((size_t)n > max_rows) return -1;
  size_t cap = c->cap_rows ? 2 * (size_t)c->cap_rows : 64;
  if (cap < (size_t)n) cap = (size_t)n;
  if (cap > max_rows) cap = max_rows;
  double *V = dgrow(c->V, (size_t)c->cap_rows * c->m, cap * c->m); /* rows keep stride m */
  if (V) c->V = V;
  double *w = dgrow(c->w, (size_t)c->cap_rows, cap);
  if (w) c->w = w;
  if (!V || !w) return -1;
  c->cap_rows = (int)cap;
  return 0;
}

/* row[i] = k(x_j, candidate i), the same values build_Ks gives mfbo_gp_predict. */
static void cands_kernel_row(const mfbo_gp *gp, const mfbo_gp_cands *c, int j,
                             const double *inv_ell2, double *row) {
  double sf2 = exp(gp->theta[gp->dim]);
  const double *xj = gp->X + (size_t)j * gp->dim;
  for (int i = 0; i < c->m; i++)
    row[i] = sf2 * matern52(sqrt(dist2(c->X + (size_t)i * c->dim, xj, inv_ell2, gp->dim)));
}

/* w_j = (yn_j - L[j,0:j] . w[0:j]) / L[j,j] for j in [j0, j1): forward substitution. */
static void cands_extend_w(const mfbo_gp *gp, mfbo_gp_cands *c, int j0, int j1) {
  for (int j = j0; j < j1; j++) {
    const double *Lj = gp->L + (size_t)j * gp->cap;
    double s = gp->yn[j];
    for (int k = 0; k < j; k++) s -= Lj[k] * c->w[k];
    c->w[j] = s / Lj[j];
  }
}

/* Adds rows [j0, j1) of V into mu and vv, in row order (as mfbo_gp_predict sums). */
static void cands_accumulate(mfbo_gp_cands *c, int j0, int j1) {
  double *restrict mu = c->mu, *restrict vv = c->vv;
  for (int j = j0; j < j1; j++) {
    const double *restrict v = c->V + (size_t)j * c->m;
    double wj = c->w[j];
    for (int i = 0; i < c->m; i++) {
      mu[i] += v[i] * wj;
      vv[i] += v[i] * v[i];
    }
  }
}

/* All n rows afresh: V = L^-1 K(X_obs, X_cand), one triangular solve (m n^2 flops). */
static void cands_recompute(const mfbo_gp *gp, mfbo_gp_cands *c, const double *inv_ell2) {
  int n = gp->n, m = c->m;
  for (int j = 0; j < n; j++) cands_kernel_row(gp, c, j, inv_ell2, c->V + (size_t)j * m);
  gsl_matrix_const_view L = gsl_matrix_const_view_array_with_tda(gp->L, (size_t)n, (size_t)n,
                                                                 (size_t)gp->cap);
  gsl_matrix_view V = gsl_matrix_view_array(c->V, (size_t)n, (size_t)m);
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L.matrix, &V.matrix);
  memset(c->mu, 0, (size_t)m * sizeof *c->mu);
  memset(c->vv, 0, (size_t)m * sizeof *c->vv);
  cands_extend_w(gp, c, 0, n);
  cands_accumulate(c, 0, n);
}

/* Row j of V from rows 0..j-1: (k(x_j, X_cand) - L[j,0:j] V[0:j,:]) / L[j,j] (m j flops). */
static void cands_append_row(const mfbo_gp *gp, mfbo_gp_cands *c, int j,
                             const double *inv_ell2) {
  int m = c->m;
  double *row = c->V + (size_t)j * m;
  cands_kernel_row(gp, c, j, inv_ell2, row);
  if (j > 0) {
    gsl_matrix_const_view V = gsl_matrix_const_view_array(c->V, (size_t)j, (size_t)m);
    gsl_vector_const_view l = gsl_vector_const_view_array(gp->L + (size_t)j * gp->cap, (size_t)j);
    gsl_vector_view r = gsl_vector_view_array(row, (size_t)m);
    gsl_blas_dgemv(CblasTrans, -1.0, &V.matrix, &l.vector, 1.0, &r.vector);
  }
  double ljj = gp->L[(size_t)j * gp->cap + j];
  for (int i = 0; i < m; i++) row[i] /= ljj;
}

/* Brings the cache to the gp's n rows: appends if only rows were added, else recomputes. */
static void cands_update(const mfbo_gp *gp, mfbo_gp_cands *c) {
  double inv_ell2[gp->dim];
  inverse_ell2(gp->theta, gp->dim, inv_ell2);
  int n = gp->n, kept = c->generation == gp->generation && c->rows <= n ? c->rows : 0;
  if (kept == 0) {
    cands_recompute(gp, c, inv_ell2);
  } else {
    for (int j = kept; j < n; j++) cands_append_row(gp, c, j, inv_ell2);
    cands_extend_w(gp, c, kept, n);
    cands_accumulate(c, kept, n);
  }
  c->rows = n;
  c->generation = gp->generation;
  c->last_kept = kept;
  c->last_computed = n - kept;
}

/* Posterior in the caller's units from mu and vv, clamped as predict_chunk clamps. */
static void cands_output(const mfbo_gp *gp, const mfbo_gp_cands *c, double *mean, double *var) {
  double sf2 = exp(gp->theta[gp->dim]);
  for (int i = 0; i < c->m; i++) {
    double s2 = sf2 - c->vv[i];
    if (s2 < 1e-12 * sf2) s2 = 1e-12 * sf2;
    mean[i] = gp->y_mean + gp->y_sd * c->mu[i];
    var[i] = gp->y_sd * gp->y_sd * s2;
  }
}

int mfbo_gp_cands_predict(mfbo_gp *gp, mfbo_gp_cands *c, double *mean, double *var) {
  c->last_kept = c->last_computed = -1;
  if (c->dim != gp->dim) return -1;
  if (gp->n_factored != gp->n && mfbo_gp_factor(gp) != 0) return -1;
  if (gp->n == 0 || c->m == 0) {
    cands_drop(c);
    return mfbo_gp_predict(gp, c->m, c->X, mean, var);
  }
  if (cands_reserve(c, gp->n) != 0) {
    cands_drop(c);
    return mfbo_gp_predict(gp, c->m, c->X, mean, var);
  }
  cands_update(gp, c);
  cands_output(gp, c, mean, var);
  return 0;
}
