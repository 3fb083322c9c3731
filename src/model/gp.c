/* gp.c: Gaussian-process regression (gp.h): Matern-5/2 ARD kernel, times a categorical
 * kernel on the coordinates marked categorical, fidelity-dependent noise, log marginal
 * likelihood with analytic gradients (one LAPACK dpotrf + dpotri per evaluation), BFGS fit
 * with deterministic restarts or a warm refit, incremental Cholesky updates, batched
 * predictions (BLAS level 2/3) and the incrementally updated posterior of a fixed candidate
 * set (mfbo_gp_cands). It must stay free of MPI, HDF5 and randomness: searchers build on it.
 *
 * Layout: matrices are row-major with the lower triangle meaningful (L[i * ld + j], j <= i).
 * LAPACK is called column-major with uplo 'U' on the same memory: the column-major upper
 * triangle is the row-major lower one, and A = U^T U there is A = L L^T here, so no
 * transposed copies (LAPACKE's row-major path would malloc one, unaligned). */
#include "gp.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#include <lapacke.h>

/* exp in vector form (glibc's libmvec, as <math.h> declares it under -ffast-math, which this
 * file is not built with): kernel_row's `omp simd` loops call it two values at a time, with
 * -fopenmp-simd -fno-math-errno (CMakeLists.txt). About 40% off the candidate set's kernel
 * values (docs/mfbo-speed.md); results within a few ulp of the scalar exp. */
#ifdef MFBO_LIBMVEC
#pragma omp declare simd notinbranch
double exp(double);
#define MFBO_SIMD _Pragma("omp simd")
#else
#define MFBO_SIMD
#endif

#define SQRT5 2.23606797749978969641
#define KERNEL_BLOCK 256     /* kernel values per block of kernel_row's exp loop */
#define PREDICT_CHUNK 2048   /* candidates per K_* block: bounds memory for big pools */
#define THETA_LIMIT 12.0     /* |log hyperparameter| beyond this is rejected by the fit */
#define BAD_OBJECTIVE 1e30
#define COLD_GTOL 1e-4       /* a cold fit's BFGS stops below this gradient norm */

struct mfbo_gp {
  int dim, n, cap;
  double *X;      /* cap x dim */
  double *XT;     /* dim x cap: coordinate q of point j at XT[q * cap + j] (kernel rows) */
  double *y;      /* targets, caller's units */
  double *yn;     /* normalised targets */
  double *fid;    /* fidelity (repetitions) of each observation */
  double *L;      /* cap x cap, lower Cholesky factor of the first n_factored points */
  double *alpha;  /* K^-1 yn */
  double *theta;  /* dim log length scales, log signal variance, log sigma_n^2 */
  int *cont, *cat; /* indices of the continuous and the categorical coordinates */
  int n_cont, n_cat;
  double nugget, jitter;
  double y_mean, y_sd;
  int n_factored; /* -1 while stale */
  unsigned long generation; /* changes whenever L, theta or yn change other than by appends */
  /* likelihood workspace (n x n each, stride ws_cap), kept between evaluations */
  double *wsA;    /* K, then its Cholesky factor, then K^-1 (lower) */
  double *wsK;    /* the signal kernel values k_ij, j < i */
  double *wsC;    /* the continuous derivative factor of k_ij (see kernel_row) */
  double *wsG;    /* dim x n gradient accumulators, and 3 rows of n scratch */
  double *wsa;    /* alpha */
  int ws_cap;
  /* wsA holds the Cholesky factor (and wsa alpha) of ws_theta for this generation and n */
  double *ws_theta, ws_lml, ws_nugget;
  unsigned long ws_generation;
  int ws_n, ws_valid;
  /* the BFGS inverse Hessian ((dim + 2)^2) where the last fit ended: a warm refit starts
   * from it (a few iterations, where the identity took 8-14: docs/mfbo-speed.md) */
  double *hess;
  int hess_valid;
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
                                .use_prior = 1, .warm = 0, .warm_max_iter = 20,
                                .warm_gtol = 1e-2, .ftol = 1e-7, .warm_ftol = 1e-6,
                                .cold_subset = 256};
}

static void default_theta(int dim, double log_ell, double log_sn2, double *theta) {
  for (int k = 0; k < dim; k++) theta[k] = log_ell;
  theta[dim] = 0.0;
  theta[dim + 1] = log_sn2;
}

void mfbo_gp_set_categorical(mfbo_gp *gp, const int *is_cat) {
  gp->n_cont = gp->n_cat = 0;
  for (int k = 0; k < gp->dim; k++) {
    if (is_cat && is_cat[k])
      gp->cat[gp->n_cat++] = k;
    else
      gp->cont[gp->n_cont++] = k;
  }
  gp->n_factored = -1;
  new_generation(gp);
}

mfbo_gp *mfbo_gp_alloc(int dim) {
  if (dim < 1) return NULL;
  mfbo_gp *gp = calloc(1, sizeof *gp);
  if (!gp) return NULL;
  gp->dim = dim;
  gp->theta = malloc((size_t)(dim + 2) * sizeof *gp->theta);
  gp->ws_theta = malloc((size_t)(dim + 2) * sizeof *gp->ws_theta);
  gp->cont = malloc((size_t)dim * sizeof *gp->cont);
  gp->cat = malloc((size_t)dim * sizeof *gp->cat);
  gp->hess = dalloc((size_t)(dim + 2) * (dim + 2));
  if (!gp->theta || !gp->ws_theta || !gp->cont || !gp->cat || !gp->hess) {
    mfbo_gp_free(gp);
    return NULL;
  }
  default_theta(dim, log(0.5), log(0.01), gp->theta);
  gp->nugget = 1e-6;
  gp->y_sd = 1.0;
  mfbo_gp_set_categorical(gp, NULL);
  return gp;
}

static void ws_free(mfbo_gp *gp) {
  free(gp->wsA), free(gp->wsK), free(gp->wsC), free(gp->wsG), free(gp->wsa);
  gp->wsA = gp->wsK = gp->wsC = gp->wsG = gp->wsa = NULL;
  gp->ws_cap = 0;
  gp->ws_valid = 0;
}

void mfbo_gp_free(mfbo_gp *gp) {
  if (!gp) return;
  free(gp->X);
  free(gp->XT);
  free(gp->y);
  free(gp->yn);
  free(gp->fid);
  free(gp->L);
  free(gp->alpha);
  free(gp->theta);
  free(gp->ws_theta);
  free(gp->cont);
  free(gp->cat);
  ws_free(gp);
  free(gp->hess);
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
  double *L = dalloc((size_t)cap * cap), *XT = dalloc((size_t)cap * d);
  if (!X || !y || !yn || !fid || !alpha || !L || !XT) {
    free(L), free(XT);
    return -1;
  }
  memset(L, 0, (size_t)cap * cap * sizeof *L);
  for (int i = 0; i < gp->n; i++)
    memcpy(L + (size_t)i * cap, gp->L + (size_t)i * gp->cap, (size_t)(i + 1) * sizeof *L);
  for (size_t q = 0; q < d; q++)
    if (n) memcpy(XT + q * (size_t)cap, gp->XT + q * (size_t)gp->cap, n * sizeof *XT);
  free(gp->L), free(gp->XT);
  gp->L = L;
  gp->XT = XT;
  gp->cap = cap;
  return 0;
}

/* ---- The kernel: one function for every kernel value this file computes. ---- */

/* The hyperparameters as the kernel uses them: w[k] = 1 / ell_k^2, sf2. */
typedef struct {
  const mfbo_gp *gp; /* the coordinate kinds */
  const double *w;
  double sf2;
} kern;

static kern kern_make(const mfbo_gp *gp, const double *theta, double *w) {
  for (int k = 0; k < gp->dim; k++) w[k] = exp(-2 * theta[k]);
  return (kern){gp, w, exp(theta[gp->dim])};
}

/* out[j] = k(x, p_j) for j < n, where point p_j's coordinate q is P[q * ld + j] (points as
 * columns, so that the loops run over j and vectorise). If dfac != NULL, dfac[j] is the
 * continuous derivative factor sf2 (5/3) (1 + s) exp(-s) c_j (s = sqrt(5) r, c_j the
 * categorical factor): d k / d log ell_q = dfac[j] (x_q - p_jq)^2 / ell_q^2 for a
 * continuous q, and k (2 [x_q != p_jq] / ell_q^2) for a categorical q. tmp: n doubles of
 * scratch when the gp has categorical coordinates (else unused, may be NULL).
 * r^2 sums (x_q - p_jq)^2 / ell_q^2 in coordinate order and k = sf2 * ((1 + s + s^2 / 3)
 * exp(-s)) (times exp(-categorical sum)); exp in vector form (libmvec) where built so. */
static void kernel_row(const kern *kp, const double *x, const double *P, size_t ld, int n,
                       double *restrict out, double *restrict tmp, double *restrict dfac) {
  const mfbo_gp *gp = kp->gp;
  for (int j = 0; j < n; j++) out[j] = 0;
  for (int c = 0; c < gp->n_cont; c++) {
    int q = gp->cont[c];
    const double *restrict p = P + (size_t)q * ld;
    double xq = x[q], wq = kp->w[q];
    for (int j = 0; j < n; j++) {
      double d = xq - p[j];
      out[j] += d * d * wq;
    }
  }
  if (gp->n_cat) {
    for (int j = 0; j < n; j++) tmp[j] = 0;
    for (int c = 0; c < gp->n_cat; c++) {
      int q = gp->cat[c];
      const double *restrict p = P + (size_t)q * ld;
      double xq = x[q], wq = kp->w[q];
      for (int j = 0; j < n; j++) tmp[j] += xq != p[j] ? wq : 0.0;
    }
  }
  double sf2 = kp->sf2;
  for (int j0 = 0; j0 < n; j0 += KERNEL_BLOCK) {
    int nb = n - j0 < KERNEL_BLOCK ? n - j0 : KERNEL_BLOCK;
    double s[KERNEL_BLOCK], e[KERNEL_BLOCK], f[KERNEL_BLOCK];
    for (int b = 0; b < nb; b++) s[b] = SQRT5 * sqrt(out[j0 + b]);
    MFBO_SIMD
    for (int b = 0; b < nb; b++) e[b] = exp(-s[b]);
    if (gp->n_cat) {
      MFBO_SIMD
      for (int b = 0; b < nb; b++) f[b] = exp(-tmp[j0 + b]);
    } else {
      for (int b = 0; b < nb; b++) f[b] = 1;
    }
    for (int b = 0; b < nb; b++) out[j0 + b] = sf2 * ((1 + s[b] + s[b] * s[b] / 3) * e[b]) * f[b];
    if (dfac)
      for (int b = 0; b < nb; b++) dfac[j0 + b] = sf2 * (5.0 / 3.0) * (1 + s[b]) * e[b] * f[b];
  }
}

/* k(a, b) for two points (rows). */
static double kernel_pair(const kern *kp, const double *a, const double *b) {
  double k, tmp = 0;
  kernel_row(kp, a, b, 1, 1, &k, &tmp, NULL);
  return k;
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

/* K (signal + noise) of the n points into the lower triangle of A (n x n, stride lda);
 * with Ks != NULL, the signal values k_ij (j < i) also into Ks and the derivative factors
 * into C (stride lds). tmp: n doubles of scratch. */
static void build_K(const mfbo_gp *gp, const double *theta, double extra, double *A, size_t lda,
                    double *Ks, double *C, size_t lds, double *tmp) {
  double w[gp->dim];
  kern kp = kern_make(gp, theta, w);
  for (int i = 0; i < gp->n; i++) {
    double *row = Ks ? Ks + (size_t)i * lds : A + (size_t)i * lda;
    kernel_row(&kp, gp->X + (size_t)i * gp->dim, gp->XT, (size_t)gp->cap, i, row, tmp,
               C ? C + (size_t)i * lds : NULL);
    if (Ks) memcpy(A + (size_t)i * lda, row, (size_t)i * sizeof *A);
    A[(size_t)i * lda + i] = kp.sf2 + noise_var(gp, theta, i, extra);
  }
}

/* LAPACK Cholesky of the row-major lower triangle, in place. 0 or -1 (not pos. definite). */
static int cholesky(double *A, int n, int lda) {
  if (n == 0) return 0;
  return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', n, A, lda) == 0 ? 0 : -1;
}

/* x := L^-T L^-1 x for the lower factor L (n x n, stride lda). */
static void cholesky_solve(const double *L, int n, int lda, double *x) {
  if (n == 0) return;
  LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'U', n, 1, L, lda, x, n);
}

/* Full factorisation with the current theta and normalisation; adds jitter if needed. */
static int factor(mfbo_gp *gp) {
  new_generation(gp);
  gp->jitter = 0;
  double *tmp = gp->n_cat ? dalloc((size_t)gp->n) : NULL;
  if (gp->n_cat && !tmp) return gp->n_factored = -1;
  for (int attempt = 0; attempt < 8; attempt++) {
    build_K(gp, gp->theta, gp->jitter, gp->L, (size_t)gp->cap, NULL, NULL, 0, tmp);
    if (cholesky(gp->L, gp->n, gp->cap) == 0) {
      memcpy(gp->alpha, gp->yn, (size_t)gp->n * sizeof *gp->alpha);
      cholesky_solve(gp->L, gp->n, gp->cap, gp->alpha);
      gp->n_factored = gp->n;
      free(tmp);
      return 0;
    }
    gp->jitter = gp->jitter > 0 ? 10 * gp->jitter : 1e-6;
  }
  free(tmp);
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
  double w[dim];
  kern kp = kern_make(gp, gp->theta, w);
  double *row = gp->L + (size_t)n * gp->cap;
  double *tmp = gp->n_cat ? dalloc((size_t)n) : NULL;
  if (gp->n_cat && !tmp) return factor(gp);
  kernel_row(&kp, gp->X + (size_t)n * dim, gp->XT, (size_t)gp->cap, n, row, tmp, NULL);
  free(tmp);
  if (n > 0) {
    gsl_matrix_const_view m = gsl_matrix_const_view_array_with_tda(gp->L, (size_t)n,
                                                                   (size_t)n, (size_t)gp->cap);
    gsl_vector_view v = gsl_vector_view_array(row, (size_t)n);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &m.matrix, &v.vector);
  }
  double ll = 0;
  for (int j = 0; j < n; j++) ll += row[j] * row[j];
  double d2 = kp.sf2 + noise_var(gp, gp->theta, n, gp->jitter) - ll;
  if (!(d2 > 1e-12 * kp.sf2)) return factor(gp);
  row[n] = sqrt(d2);
  gp->n_factored = gp->n;
  memcpy(gp->alpha, gp->yn, (size_t)gp->n * sizeof *gp->alpha);
  cholesky_solve(gp->L, gp->n, gp->cap, gp->alpha);
  return 0;
}

int mfbo_gp_add(mfbo_gp *gp, const double *x, double y, double fidelity) {
  if (!isfinite(y) || !(fidelity >= 1) || grow(gp) != 0) return -1;
  memcpy(gp->X + (size_t)gp->n * gp->dim, x, (size_t)gp->dim * sizeof *x);
  for (int q = 0; q < gp->dim; q++) gp->XT[(size_t)q * gp->cap + gp->n] = x[q];
  gp->y[gp->n] = y;
  gp->yn[gp->n] = (y - gp->y_mean) / gp->y_sd;
  gp->fid[gp->n] = fidelity;
  int incremental = gp->n_factored == gp->n;
  gp->n++;
  if (incremental) return update_factor(gp);
  gp->n_factored = -1;
  return 0;
}

/* ---- The log marginal likelihood and its gradient. ---- */

/* Room for n points in the workspace. 0 or -1. */
static int ws_reserve(mfbo_gp *gp, int n) {
  if (n <= gp->ws_cap) return 0;
  ws_free(gp);
  size_t c = (size_t)n, d = (size_t)gp->dim;
  gp->wsA = dalloc(c * c), gp->wsK = dalloc(c * c), gp->wsC = dalloc(c * c);
  gp->wsG = dalloc((d + 3) * c), gp->wsa = dalloc(c);
  if (!gp->wsA || !gp->wsK || !gp->wsC || !gp->wsG || !gp->wsa) {
    ws_free(gp);
    return -1;
  }
  gp->ws_cap = n;
  return 0;
}

/* d/dtheta of the LML, -0.5 sum_ij W_ij dK_ij with W = K^-1 - alpha alpha^T, from the
 * lower triangle of K^-1 in wsA, the kernel values in wsK and the derivative factors in
 * wsC: one pass over the pairs j < i, row by row. Per continuous coordinate q the terms
 * W_ij C_ij (x_iq - x_jq)^2 go into a column accumulator G[q][j] (elementwise, so the
 * loops vectorise without reassociating a reduction), summed once at the end. */
static void lml_gradient(const mfbo_gp *gp, const double *theta, double *grad) {
  int n = gp->n, dim = gp->dim;
  size_t ld = (size_t)gp->ws_cap, cap = (size_t)gp->cap;
  const double *A = gp->wsA, *Kv = gp->wsK, *C = gp->wsC, *alpha = gp->wsa;
  double *G = gp->wsG, *wc = G + (size_t)dim * ld, *wk = wc + ld, *neq = wk + ld;
  double w[dim];
  kern kp = kern_make(gp, theta, w);
  double sn2 = exp(theta[dim + 1]), g_sf2 = 0, g_sn2 = 0;
  memset(G, 0, (size_t)dim * ld * sizeof *G);
  for (int i = 0; i < n; i++) {
    const double *restrict Ai = A + (size_t)i * ld, *restrict Ki = Kv + (size_t)i * ld,
                           *restrict Ci = C + (size_t)i * ld;
    const double *xi = gp->X + (size_t)i * dim;
    double ai = alpha[i], wii = Ai[i] - ai * alpha[i], s = 0;
    g_sf2 += wii * kp.sf2;
    g_sn2 += wii * sn2 / gp->fid[i];
    for (int j = 0; j < i; j++) {
      double wij = Ai[j] - ai * alpha[j];
      wc[j] = wij * Ci[j];
      wk[j] = wij * Ki[j];
    }
    for (int j = 0; j < i; j++) s += wk[j];
    g_sf2 += 2 * s;
    for (int c = 0; c < gp->n_cont; c++) {
      int q = gp->cont[c];
      const double *restrict p = gp->XT + (size_t)q * cap;
      double *restrict g = G + (size_t)q * ld, xq = xi[q];
      for (int j = 0; j < i; j++) {
        double d = xq - p[j];
        g[j] += wc[j] * (d * d);
      }
    }
    for (int c = 0; c < gp->n_cat; c++) {
      int q = gp->cat[c];
      const double *restrict p = gp->XT + (size_t)q * cap;
      double *restrict g = G + (size_t)q * ld, xq = xi[q];
      for (int j = 0; j < i; j++) neq[j] = xq != p[j] ? wk[j] : 0.0;
      for (int j = 0; j < i; j++) g[j] += neq[j];
    }
  }
  for (int q = 0; q < dim; q++) {
    const double *g = G + (size_t)q * ld;
    double s = 0;
    for (int j = 0; j < n; j++) s += g[j];
    int is_cat = 0;
    for (int c = 0; c < gp->n_cat; c++) is_cat |= gp->cat[c] == q;
    /* pairs (i, j) and (j, i): -0.5 * 2 */
    grad[q] = -s * w[q] * (is_cat ? 2.0 : 1.0);
  }
  grad[dim] = -0.5 * g_sf2;
  grad[dim + 1] = -0.5 * g_sn2;
}

double mfbo_gp_log_marginal(mfbo_gp *gp, const double *theta, double *grad) {
  int n = gp->n, nt = gp->dim + 2;
  if (n == 0) {
    if (grad) memset(grad, 0, (size_t)nt * sizeof *grad);
    return 0;
  }
  if (ws_reserve(gp, n) != 0) return NAN;
  int ld = gp->ws_cap;
  double lml;
  /* the gradient at the point of the last value (an accepted line-search step): reuse the factor */
  if (gp->ws_valid && gp->ws_n == n && gp->ws_generation == gp->generation &&
      gp->ws_nugget == gp->nugget && memcmp(gp->ws_theta, theta, (size_t)nt * sizeof *theta) == 0) {
    lml = gp->ws_lml;
  } else {
    gp->ws_valid = 0;
    double *tmp = gp->wsG; /* scratch row: the gradient accumulators are not in use yet */
    build_K(gp, theta, 0, gp->wsA, (size_t)ld, gp->wsK, gp->wsC, (size_t)ld, tmp);
    if (cholesky(gp->wsA, n, ld) != 0) return NAN;
    memcpy(gp->wsa, gp->yn, (size_t)n * sizeof *gp->wsa);
    cholesky_solve(gp->wsA, n, ld, gp->wsa);
    double fit = 0, logdet = 0;
    for (int i = 0; i < n; i++) {
      fit += gp->yn[i] * gp->wsa[i];
      logdet += log(gp->wsA[(size_t)i * ld + i]);
    }
    lml = -0.5 * fit - logdet - 0.5 * n * log(2 * 3.14159265358979323846);
    memcpy(gp->ws_theta, theta, (size_t)nt * sizeof *theta);
    gp->ws_lml = lml, gp->ws_n = n, gp->ws_generation = gp->generation;
    gp->ws_nugget = gp->nugget, gp->ws_valid = 1;
  }
  if (grad) {
    gp->ws_valid = 0; /* wsA becomes K^-1 */
    if (LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'U', n, gp->wsA, ld) != 0) return NAN;
    lml_gradient(gp, theta, grad);
  }
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

/* -objective (BAD_OBJECTIVE outside the box |theta_q| <= THETA_LIMIT or where K is not
 * positive definite), with -gradient into g when g != NULL. */
static double neg_objective(mfbo_gp *gp, int use_prior, const double *theta, double *g) {
  int nt = gp->dim + 2;
  for (int q = 0; q < nt; q++)
    if (!(fabs(theta[q]) <= THETA_LIMIT)) return BAD_OBJECTIVE;
  double v = mfbo_gp_objective(gp, theta, use_prior, g);
  if (!isfinite(v)) return BAD_OBJECTIVE;
  if (g)
    for (int q = 0; q < nt; q++) g[q] = -g[q];
  return -v;
}

/* BFGS on -objective from theta (updated in place with the end point): inverse Hessian
 * update (BLAS dsymv / dsyr / dsyr2 on the upper triangle), backtracking (Armijo) line
 * search whose trial points cost one Cholesky each; the gradient (one more inverse) only
 * at accepted points. GSL's vector_bfgs2 was used before: its line search takes the
 * gradient at every trial point, 3-5 likelihood evaluations with gradient per iteration
 * against ~1.5 here (docs/mfbo-speed.md). At most max_iter iterations, until |gradient| <
 * gtol, or (ftol > 0) the objective rose by less than ftol (1 + |objective|) in each of the
 * last two iterations, or the line search fails. H_io (NULL: none): the first inverse
 * Hessian if *H_valid (else the identity, scaled after the first step), and on return the
 * last one, *H_valid telling whether the end point's objective is finite. Returns
 * -objective. */
static double minimise_from(mfbo_gp *gp, const mfbo_gp_fit_settings *s, int max_iter,
                            double gtol, double ftol, double *theta, double *H_io, int *H_valid) {
  int nt = gp->dim + 2, up = s->use_prior;
  double *H = dalloc((size_t)nt * nt), *v = dalloc(7 * (size_t)nt);
  if (!H || !v) {
    free(H), free(v);
    if (H_valid) *H_valid = 0;
    return BAD_OBJECTIVE;
  }
  double *g = v, *gn = v + nt, *p = v + 2 * nt, *x = v + 3 * nt, *sv = v + 4 * nt;
  double *yv = v + 5 * nt, *Hy = v + 6 * nt;
  double f = neg_objective(gp, up, theta, g);
  int warm_H = H_io && *H_valid;
  if (warm_H) {
    memcpy(H, H_io, (size_t)nt * nt * sizeof *H);
  } else {
    memset(H, 0, (size_t)nt * nt * sizeof *H);
    for (int q = 0; q < nt; q++) H[q * nt + q] = 1;
  }
  for (int it = 0, small = 0; it < max_iter && f < BAD_OBJECTIVE && small < 2; it++) {
    double gnorm = cblas_dnrm2(nt, g, 1);
    if (gnorm < gtol) break;
    cblas_dsymv(CblasRowMajor, CblasUpper, nt, -1.0, H, nt, g, 1, 0.0, p, 1);
    double slope = cblas_ddot(nt, p, 1, g, 1);
    if (!(slope < 0)) { /* not a descent direction: restart from steepest descent */
      memset(H, 0, (size_t)nt * nt * sizeof *H);
      for (int q = 0; q < nt; q++) H[q * nt + q] = 1, p[q] = -g[q];
      slope = -gnorm * gnorm;
    }
    double pn = cblas_dnrm2(nt, p, 1);
    /* first step at most 1 in theta; backtrack by interpolation, within [0.1, 0.5] */
    double a = pn > 1 ? 1 / pn : 1, fn = BAD_OBJECTIVE;
    int ok = 0;
    for (int ls = 0; ls < 30 && !ok; ls++) {
      for (int q = 0; q < nt; q++) x[q] = theta[q] + a * p[q];
      fn = neg_objective(gp, up, x, NULL);
      ok = fn <= f + 1e-4 * a * slope;
      double an = fn < BAD_OBJECTIVE ? -slope * a * a / (2 * (fn - f - slope * a)) : 0.1 * a;
      if (!ok) a = fmin(fmax(an, 0.1 * a), 0.5 * a);
    }
    if (!ok || !(neg_objective(gp, up, x, gn) < BAD_OBJECTIVE)) break;
    for (int q = 0; q < nt; q++) sv[q] = x[q] - theta[q], yv[q] = gn[q] - g[q];
    double sy = cblas_ddot(nt, sv, 1, yv, 1), yy = cblas_ddot(nt, yv, 1, yv, 1);
    if (sy > 1e-10 * sqrt(yy) * pn * a) { /* curvature: update the inverse Hessian */
      if (it == 0 && !warm_H) /* scale the initial guess (Nocedal & Wright 6.20) */
        for (int q = 0; q < nt; q++) H[q * nt + q] = sy / yy;
      cblas_dsymv(CblasRowMajor, CblasUpper, nt, 1.0, H, nt, yv, 1, 0.0, Hy, 1);
      double yHy = cblas_ddot(nt, yv, 1, Hy, 1);
      /* H += (1 + yHy / sy) / sy s s^T - (Hy s^T + s Hy^T) / sy */
      cblas_dsyr(CblasRowMajor, CblasUpper, nt, (1 + yHy / sy) / sy, sv, 1, H, nt);
      cblas_dsyr2(CblasRowMajor, CblasUpper, nt, -1 / sy, Hy, 1, sv, 1, H, nt);
    }
    small = f - fn < ftol * (1 + fabs(fn)) ? small + 1 : 0;
    memcpy(theta, x, (size_t)nt * sizeof *theta);
    memcpy(g, gn, (size_t)nt * sizeof *g);
    f = fn;
  }
  if (H_io) { /* the next warm refit's start, if this one ended at a finite objective */
    *H_valid = f < BAD_OBJECTIVE;
    memcpy(H_io, H, (size_t)nt * nt * sizeof *H);
  }
  free(H), free(v);
  return f;
}

/* The cold fit's starts: the current theta, then fixed points; the best end point into
 * best. Returns its -objective. */
static double cold_starts(mfbo_gp *gp, const mfbo_gp_fit_settings *s, double *best) {
  static const double starts[][2] = {{-0.693, -4.6}, {0.0, -2.3}, {-1.6, -6.9}, {0.7, -4.6}};
  int nt = gp->dim + 2;
  double cand[nt], best_f = BAD_OBJECTIVE;
  memcpy(best, gp->theta, (size_t)nt * sizeof *best);
  for (int r = 0; r < s->n_restarts && r < 5; r++) {
    if (r == 0)
      memcpy(cand, gp->theta, (size_t)nt * sizeof *cand); /* warm start: the last fit */
    else
      default_theta(gp->dim, starts[r - 1][0], starts[r - 1][1], cand);
    double f = minimise_from(gp, s, s->max_iter, COLD_GTOL, s->ftol, cand, NULL, NULL);
    if (f < best_f) {
      best_f = f;
      memcpy(best, cand, (size_t)nt * sizeof *best);
    }
  }
  return best_f;
}

/* A gp of the observations floor(i n / k), i < k, spread evenly over the order of
 * arrival, with gp's kinds of coordinates, theta and nugget; normalised. NULL if out of
 * memory. */
static mfbo_gp *subset(const mfbo_gp *gp, int k) {
  mfbo_gp *sub = mfbo_gp_alloc(gp->dim);
  if (!sub) return NULL;
  memcpy(sub->cont, gp->cont, (size_t)gp->dim * sizeof *sub->cont);
  memcpy(sub->cat, gp->cat, (size_t)gp->dim * sizeof *sub->cat);
  sub->n_cont = gp->n_cont, sub->n_cat = gp->n_cat;
  memcpy(sub->theta, gp->theta, (size_t)(gp->dim + 2) * sizeof *sub->theta);
  sub->nugget = gp->nugget;
  for (int i = 0; i < k; i++) {
    int j = (int)((long long)i * gp->n / k);
    if (mfbo_gp_add(sub, gp->X + (size_t)j * gp->dim, gp->y[j], gp->fid[j]) != 0) {
      mfbo_gp_free(sub);
      return NULL;
    }
  }
  normalise(sub);
  return sub;
}

int mfbo_gp_fit(mfbo_gp *gp, const mfbo_gp_fit_settings *s) {
  normalise(gp);
  gp->nugget = s->nugget;
  int nt = gp->dim + 2;
  if (gp->n >= 2 && s->warm) {
    double cand[nt];
    memcpy(cand, gp->theta, (size_t)nt * sizeof *cand);
    double f = s->warm_max_iter > 0
                   ? minimise_from(gp, s, s->warm_max_iter, s->warm_gtol, s->warm_ftol, cand,
                                   gp->hess, &gp->hess_valid)
                   : BAD_OBJECTIVE;
    if (f < BAD_OBJECTIVE) memcpy(gp->theta, cand, (size_t)nt * sizeof *cand);
  } else if (gp->n >= 2) {
    double best[nt];
    gp->hess_valid = 0; /* set again only by the subset path's final BFGS on all n */
    mfbo_gp *sub = s->cold_subset >= 2 && gp->n > s->cold_subset ? subset(gp, s->cold_subset)
                                                                  : NULL;
    if (sub) { /* the starts on the subset, then the best of them on everything */
      cold_starts(sub, s, best);
      mfbo_gp_free(sub);
      if (minimise_from(gp, s, s->max_iter, COLD_GTOL, s->ftol, best, gp->hess,
                        &gp->hess_valid) >= BAD_OBJECTIVE)
        cold_starts(gp, s, best);
    } else {
      cold_starts(gp, s, best);
    }
    memcpy(gp->theta, best, (size_t)nt * sizeof *best);
  }
  ws_free(gp); /* 3 n^2 doubles: not kept between fits */
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
  double w[gp->dim];
  kern kp = kern_make(gp, gp->theta, w);
  kp.sf2 = 1.0; /* sf2 * m is m exactly */
  return kernel_pair(&kp, a, b);
}

/* Rows [0, m) of K_* into Ks (m x n); tmp: n doubles of scratch. */
static void build_Ks(const mfbo_gp *gp, int m, const double *X, double *Ks, double *tmp) {
  int n = gp->n, dim = gp->dim;
  double w[dim];
  kern kp = kern_make(gp, gp->theta, w);
  for (int i = 0; i < m; i++)
    kernel_row(&kp, X + (size_t)i * dim, gp->XT, (size_t)gp->cap, n, Ks + (size_t)i * n, tmp,
               NULL);
}

/* mu: aligned scratch of m values for the BLAS output; tmp: n doubles. */
static void predict_chunk(const mfbo_gp *gp, int m, const double *X, double *Ks, double *mu_s,
                          double *tmp, double *mean, double *var) {
  int n = gp->n;
  double sf2 = exp(gp->theta[gp->dim]);
  build_Ks(gp, m, X, Ks, tmp);
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
  double *tmp = dalloc((size_t)gp->n);
  for (int i0 = 0; i0 < m && Ks && mu && tmp; i0 += chunk) {
    int mm = m - i0 < chunk ? m - i0 : chunk;
    predict_chunk(gp, mm, X + (size_t)i0 * gp->dim, Ks, mu, tmp, mean + i0, var + i0);
  }
  int rc = Ks && mu && tmp ? 0 : -1;
  free(Ks), free(mu), free(tmp);
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
  double *XT;               /* dim x m: the candidates as columns (kernel rows) */
  double *tmp;              /* m doubles of kernel scratch */
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
  c->XT = dalloc(mm * (size_t)dim);
  c->tmp = dalloc(mm);
  c->mu = dalloc(mm);
  c->vv = dalloc(mm);
  if (!c->X || !c->XT || !c->tmp || !c->mu || !c->vv) {
    mfbo_gp_cands_free(c);
    return NULL;
  }
  if (m > 0) memcpy(c->X, X, (size_t)m * dim * sizeof *c->X);
  for (int i = 0; i < m; i++)
    for (int q = 0; q < dim; q++) c->XT[(size_t)q * m + i] = X[(size_t)i * dim + q];
  return c;
}

void mfbo_gp_cands_free(mfbo_gp_cands *c) {
  if (!c) return;
  free(c->X);
  free(c->XT);
  free(c->tmp);
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
static void cands_kernel_row(const mfbo_gp *gp, const mfbo_gp_cands *c, int j, const kern *kp,
                             double *row) {
  kernel_row(kp, gp->X + (size_t)j * gp->dim, c->XT, (size_t)c->m, c->m, row, c->tmp, NULL);
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
static void cands_recompute(const mfbo_gp *gp, mfbo_gp_cands *c, const kern *kp) {
  int n = gp->n, m = c->m;
  for (int j = 0; j < n; j++) cands_kernel_row(gp, c, j, kp, c->V + (size_t)j * m);
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
static void cands_append_row(const mfbo_gp *gp, mfbo_gp_cands *c, int j, const kern *kp) {
  int m = c->m;
  double *row = c->V + (size_t)j * m;
  cands_kernel_row(gp, c, j, kp, row);
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
  double w[gp->dim];
  kern kp = kern_make(gp, gp->theta, w);
  int n = gp->n, kept = c->generation == gp->generation && c->rows <= n ? c->rows : 0;
  if (kept == 0) {
    cands_recompute(gp, c, &kp);
  } else {
    for (int j = kept; j < n; j++) cands_append_row(gp, c, j, &kp);
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
