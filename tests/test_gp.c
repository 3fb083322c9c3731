/* test_gp.c: the Gaussian process (src/model/gp.c) and the acquisitions
 * (src/model/acquisition.c) against answers computed by hand: posterior mean and variance
 * and the log marginal likelihood on 2 and 3 points (closed-form 2x2 and 3x3 inverses), the
 * analytic gradient against central finite differences, the incremental Cholesky update
 * against a full refactorisation, the fit, the candidate set's incremental posterior against
 * mfbo_gp_predict (and that it is incremental), and EI / PI / LCB / cost-aware EI values;
 * the categorical kernel by hand (3 points, posterior and log marginal), its gradient against
 * finite differences, and a warm refit against a cold fit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/acquisition.h"
#include "model/gp.h"
#include "check.h"

static double matern52(double r) {
  double s = sqrt(5.0) * r;
  return (1 + s + s * s / 3) * exp(-s);
}

/* 3x3 inverse by cofactors; returns the determinant. */
static double inverse3(const double A[3][3], double B[3][3]) {
  double det = A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) -
               A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) +
               A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
      B[i][j] = (A[r0][c0] * A[r1][c1] - A[r0][c1] * A[r1][c0]) / det;
    }
  return det;
}

/* Two 1-D points; targets -1, 1 (mean 0, sd sqrt 2). ell = 0.7, sf2 = 1.5, sn2 = 0.2 at
 * fidelity 2 and 1. Everything by hand with the 2x2 inverse. */
static void test_two_points(void) {
  double ell = 0.7, sf2 = 1.5, sn2 = 0.2, nug = 1e-6;
  double theta[3] = {log(ell), log(sf2), log(sn2)};
  mfbo_gp *gp = mfbo_gp_alloc(1);
  double x0 = 0.1, x1 = 0.6;
  CHECK(mfbo_gp_add(gp, &x0, -1.0, 2) == 0 && mfbo_gp_add(gp, &x1, 1.0, 1) == 0);
  mfbo_gp_set_theta(gp, theta, nug);
  CHECK(mfbo_gp_factor(gp) == 0);
  double s = sqrt(2.0), y[2] = {-1 / s, 1 / s};
  double a = sf2 + sn2 / 2 + nug, c = sf2 + sn2 + nug, b = sf2 * matern52(0.5 / ell);
  double det = a * c - b * b;
  double Ki[2][2] = {{c / det, -b / det}, {-b / det, a / det}};
  double quad = y[0] * (Ki[0][0] * y[0] + Ki[0][1] * y[1]) + y[1] * (Ki[1][0] * y[0] + Ki[1][1] * y[1]);
  double lml = -0.5 * quad - 0.5 * log(det) - log(2 * 3.14159265358979323846);
  CHECK_NEAR(mfbo_gp_log_marginal(gp, theta, NULL), lml, 1e-12);
  double xs = 0.3, mu, var;
  CHECK(mfbo_gp_predict(gp, 1, &xs, &mu, &var) == 0);
  double k[2] = {sf2 * matern52(0.2 / ell), sf2 * matern52(0.3 / ell)};
  double w0 = Ki[0][0] * k[0] + Ki[0][1] * k[1], w1 = Ki[1][0] * k[0] + Ki[1][1] * k[1];
  CHECK_NEAR(mu, s * (w0 * y[0] + w1 * y[1]), 1e-12);
  CHECK_NEAR(var, 2.0 * (sf2 - (k[0] * w0 + k[1] * w1)), 1e-12);
  mfbo_gp_free(gp);
}

/* Three 2-D points, 3x3 inverse by cofactors; the batch prediction of two candidates. */
static void test_three_points(void) {
  double ell[2] = {0.5, 1.3}, sf2 = 0.8, sn2 = 0.05, nug = 1e-6;
  double theta[4] = {log(ell[0]), log(ell[1]), log(sf2), log(sn2)};
  double X[3][2] = {{0, 0}, {0.5, 0.2}, {1, 1}}, yraw[3] = {2, 3, 7}, fid[3] = {1, 5, 10};
  mfbo_gp *gp = mfbo_gp_alloc(2);
  for (int i = 0; i < 3; i++) CHECK(mfbo_gp_add(gp, X[i], yraw[i], fid[i]) == 0);
  mfbo_gp_set_theta(gp, theta, nug);
  CHECK(mfbo_gp_factor(gp) == 0);
  double mean = 4, sd = sqrt(7.0); /* sample sd of 2, 3, 7 */
  double y[3], K[3][3], Ki[3][3];
  for (int i = 0; i < 3; i++) y[i] = (yraw[i] - mean) / sd;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double d0 = (X[i][0] - X[j][0]) / ell[0], d1 = (X[i][1] - X[j][1]) / ell[1];
      K[i][j] = sf2 * matern52(sqrt(d0 * d0 + d1 * d1)) + (i == j ? sn2 / fid[i] + nug : 0);
    }
  double det = inverse3(K, Ki), quad = 0;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) quad += y[i] * Ki[i][j] * y[j];
  CHECK_NEAR(mfbo_gp_log_marginal(gp, theta, NULL), -0.5 * quad - 0.5 * log(det) - 1.5 * log(2 * 3.14159265358979323846),
             1e-12);
  double Xs[2][2] = {{0.2, 0.4}, {0.9, 0.1}}, mu[2], var[2];
  CHECK(mfbo_gp_predict(gp, 2, &Xs[0][0], mu, var) == 0);
  for (int c = 0; c < 2; c++) {
    double k[3], w[3] = {0, 0, 0}, m = 0, kk = 0;
    for (int i = 0; i < 3; i++) {
      double d0 = (Xs[c][0] - X[i][0]) / ell[0], d1 = (Xs[c][1] - X[i][1]) / ell[1];
      k[i] = sf2 * matern52(sqrt(d0 * d0 + d1 * d1));
    }
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) w[i] += Ki[i][j] * k[j];
    for (int i = 0; i < 3; i++) m += w[i] * y[i], kk += w[i] * k[i];
    CHECK_NEAR(mu[c], mean + sd * m, 1e-11);
    CHECK_NEAR(var[c], 7.0 * (sf2 - kk), 1e-11);
  }
  mfbo_gp_free(gp);
}

/* Deterministic pseudo-data, point i: dim 3, mixed fidelities; point 7 repeats point 0's
 * configuration (a re-time at another fidelity). */
static double data_point(int i, double *x, double *fid) {
  int k = i == 7 ? 0 : i;
  x[0] = fmod(0.37 * k, 1.0), x[1] = fmod(0.61 * k + 0.1, 1.0), x[2] = (k % 4) / 3.0;
  *fid = (i % 3 == 0) ? 5 : (i % 3 == 1) ? 15 : 50;
  return sin(3 * x[0]) + x[1] * x[1] - 0.5 * x[2] + 0.05 * cos(17.0 * i);
}

static mfbo_gp *make_data(int n) {
  mfbo_gp *gp = mfbo_gp_alloc(3);
  for (int i = 0; i < n; i++) {
    double x[3], fid, y = data_point(i, x, &fid);
    mfbo_gp_add(gp, x, y, fid);
  }
  return gp;
}

/* The analytic gradient of the objective (with and without the prior) against central
 * finite differences, at a fixed theta of a 3-D model. */
static void check_gradient(mfbo_gp *gp) {
  double theta[5] = {log(0.4), log(0.9), log(1.7), log(1.3), log(0.02)}, grad[5];
  for (int prior = 0; prior < 2; prior++) {
    double f = mfbo_gp_objective(gp, theta, prior, grad);
    CHECK(isfinite(f));
    for (int q = 0; q < 5; q++) {
      double h = 1e-5, tp[5], tm[5];
      memcpy(tp, theta, sizeof tp);
      memcpy(tm, theta, sizeof tm);
      tp[q] += h, tm[q] -= h;
      double fd = (mfbo_gp_objective(gp, tp, prior, NULL) - mfbo_gp_objective(gp, tm, prior, NULL)) /
                  (2 * h);
      CHECK_NEAR(grad[q], fd, 1e-6 * (1 + fabs(fd)));
    }
  }
}

static void test_gradient(void) {
  mfbo_gp *gp = make_data(12);
  CHECK(mfbo_gp_factor(gp) == 0);
  check_gradient(gp);
  mfbo_gp_free(gp);
}

/* Points added after a factorisation: the appended rows equal a full refactorisation. */
static void test_incremental(void) {
  mfbo_gp *a = make_data(20), *b = make_data(30);
  double theta[5] = {log(0.4), log(0.9), log(1.7), log(1.3), log(0.02)};
  mfbo_gp_set_theta(a, theta, 1e-6);
  mfbo_gp_set_theta(b, theta, 1e-6);
  CHECK(mfbo_gp_factor(a) == 0);
  for (int i = 20; i < 30; i++) {
    double x[3], fid, y = data_point(i, x, &fid);
    CHECK(mfbo_gp_add(a, x, y, fid) == 0);
  }
  CHECK(mfbo_gp_factor(b) == 0);
  int sa, sb;
  const double *La = mfbo_gp_cholesky(a, &sa), *Lb = mfbo_gp_cholesky(b, &sb);
  double maxdiff = 0;
  for (int i = 0; i < 30; i++)
    for (int j = 0; j <= i; j++) {
      double d = fabs(La[(size_t)i * sa + j] - Lb[(size_t)i * sb + j]);
      if (d > maxdiff) maxdiff = d;
    }
  CHECK(mfbo_gp_n(a) == 30);
  CHECK(maxdiff < 1e-10);
  /* the incremental model predicts as the refactorised one with a's normalisation */
  double xs[6] = {0.2, 0.3, 0.5, 0.9, 0.1, 1}, mu_a[2], var_a[2], mu_b[2], var_b[2];
  CHECK(mfbo_gp_predict(a, 2, xs, mu_a, var_a) == 0);
  CHECK(mfbo_gp_factor(a) == 0); /* renormalises: predictions stay close, not equal */
  CHECK(mfbo_gp_predict(a, 2, xs, mu_b, var_b) == 0);
  CHECK(fabs(mu_a[0] - mu_b[0]) < 0.5 && var_a[0] > 0 && var_b[0] > 0);
  mfbo_gp_free(a);
  mfbo_gp_free(b);
}

/* The fit raises the objective above every starting point's, and interpolates. */
static void test_fit(void) {
  mfbo_gp *gp = make_data(25);
  CHECK(mfbo_gp_factor(gp) == 0);
  double theta0[5];
  mfbo_gp_get_theta(gp, theta0);
  double before = mfbo_gp_objective(gp, theta0, 1, NULL);
  mfbo_gp_fit_settings s = mfbo_gp_fit_defaults();
  CHECK(mfbo_gp_fit(gp, &s) == 0);
  double theta[5];
  mfbo_gp_get_theta(gp, theta);
  double after = mfbo_gp_objective(gp, theta, 1, NULL);
  CHECK(after >= before);
  double grad[5];
  mfbo_gp_objective(gp, theta, 1, grad);
  for (int q = 0; q < 5; q++) CHECK(fabs(grad[q]) < 1e-2);
  double x[3], fid, mu, var, y = data_point(3, x, &fid);
  CHECK(mfbo_gp_predict(gp, 1, x, &mu, &var) == 0);
  CHECK(fabs(mu - y) < 0.1);
  mfbo_gp_free(gp);
}

/* Candidates for the candidate-set tests: the first 10 observed configurations (variance
 * near the noise) and a deterministic spread over the cube. */
static double *make_cands(int m) {
  double *X = malloc((size_t)m * 3 * sizeof *X), fid;
  for (int i = 0; i < m; i++) {
    double *x = X + (size_t)i * 3;
    if (i < 10)
      data_point(i, x, &fid);
    else
      x[0] = fmod(0.1234 * i, 1.0), x[1] = fmod(0.5678 * i + 0.3, 1.0), x[2] = fmod(0.91 * i, 1.0);
  }
  return X;
}

/* Largest relative difference between the candidate set's posterior and mfbo_gp_predict's
 * (means relative to max(|mean|, 1e-3), so that no zero crossing blows it up). */
static double cands_rel_diff(mfbo_gp *gp, mfbo_gp_cands *c, int m, const double *X) {
  double *mu = malloc((size_t)m * 4 * sizeof *mu), *var = mu + m, *mu_ref = mu + 2 * m,
         *var_ref = mu + 3 * m, worst = 0;
  CHECK(mfbo_gp_cands_predict(gp, c, mu, var) == 0);
  CHECK(mfbo_gp_predict(gp, m, X, mu_ref, var_ref) == 0);
  for (int i = 0; i < m; i++) {
    double dm = fabs(mu[i] - mu_ref[i]) / fmax(fabs(mu_ref[i]), 1e-3);
    double dv = fabs(var[i] - var_ref[i]) / var_ref[i];
    worst = fmax(worst, fmax(dm, dv));
    if (!(var[i] > 0)) worst = INFINITY;
  }
  free(mu);
  return worst;
}

static void add_points(mfbo_gp *gp, int from, int to) {
  for (int i = from; i < to; i++) {
    double x[3], fid, y = data_point(i, x, &fid);
    CHECK(mfbo_gp_add(gp, x, y, fid) == 0);
  }
}

/* Expects the last cands_predict to have kept `kept` rows and computed `computed`. */
#define CHECK_LAST(c, kept, computed)                                                   \
  do {                                                                                  \
    int k_, n_;                                                                         \
    mfbo_gp_cands_last(c, &k_, &n_);                                                    \
    CHECK_NEAR(k_, kept, 0);                                                            \
    CHECK_NEAR(n_, computed, 0);                                                        \
  } while (0)

/* The candidate set equals mfbo_gp_predict after a fit (computed afresh), after added points
 * (rows appended, one or several per call), after a refit, set_theta and a renormalisation
 * (computed afresh), and again after points added to a stale gp. */
static void test_cands_incremental(void) {
  int m = 300;
  double *X = make_cands(m);
  mfbo_gp *gp = make_data(40);
  mfbo_gp_cands *c = mfbo_gp_cands_alloc(m, 3, X);
  mfbo_gp_fit_settings s = mfbo_gp_fit_defaults();
  CHECK(c && mfbo_gp_fit(gp, &s) == 0);
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 0, 40);
  for (int n = 40; n < 45; n++) { /* one observation a call: one row each */
    add_points(gp, n, n + 1);
    CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
    CHECK_LAST(c, n, 1);
  }
  add_points(gp, 45, 48); /* three at once */
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 45, 3);
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9); /* nothing new */
  CHECK_LAST(c, 48, 0);
  CHECK(mfbo_gp_fit(gp, &s) == 0);
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 0, 48);
  add_points(gp, 48, 49);
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 48, 1);
  double theta[5] = {log(0.4), log(0.9), log(1.7), log(1.3), log(0.02)};
  mfbo_gp_set_theta(gp, theta, 1e-6);
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 0, 49);
  mfbo_gp_set_theta(gp, theta, 1e-6); /* stale: the added point waits for a factorisation */
  add_points(gp, 49, 51);
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 0, 51);
  CHECK(mfbo_gp_factor(gp) == 0);
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 0, 51);
  add_points(gp, 51, 120); /* past the first capacity (64 rows): V grows */
  CHECK(cands_rel_diff(gp, c, m, X) < 1e-9);
  CHECK_LAST(c, 51, 69);
  mfbo_gp_cands_free(c);
  mfbo_gp_free(gp);
  free(X);
}

/* A failed incremental Cholesky update (a repeated point without noise) refactorises the
 * gp, and the candidate set notices. */
static void test_cands_refactorised(void) {
  double theta[5] = {log(0.1), log(0.1), log(0.1), 0, -40}, X[3 * 3] = {0.5, 0.5, 0.5, 0, 0, 0};
  mfbo_gp *gp = mfbo_gp_alloc(3);
  mfbo_gp_set_theta(gp, theta, 0);
  add_points(gp, 0, 5); /* far apart at this length scale: K is nearly the identity */
  mfbo_gp_cands *c = mfbo_gp_cands_alloc(3, 3, X);
  CHECK(mfbo_gp_factor(gp) == 0);
  CHECK(cands_rel_diff(gp, c, 3, X) < 1e-9);
  CHECK_LAST(c, 0, 5);
  add_points(gp, 5, 6);
  CHECK(cands_rel_diff(gp, c, 3, X) < 1e-9);
  CHECK_LAST(c, 5, 1);
  double x[3], fid, y = data_point(2, x, &fid);
  CHECK(mfbo_gp_add(gp, x, y, fid) == 0); /* the same point again: no noise to tell them apart */
  CHECK(cands_rel_diff(gp, c, 3, X) < 1e-9);
  CHECK_LAST(c, 0, 7);
  mfbo_gp_cands_free(c);
  mfbo_gp_free(gp);
}

/* Past the memory limit the set falls back to mfbo_gp_predict (bit for bit); below it
 * again it computes afresh. One set serving two gps, and a gp of another dimension. */
static void test_cands_fallback_and_sharing(void) {
  int m = 50;
  double *X = make_cands(m), *mu = malloc(4 * (size_t)m * sizeof *mu), *var = mu + m;
  mfbo_gp *a = make_data(30), *b = make_data(35), *other = mfbo_gp_alloc(2);
  mfbo_gp_cands *c = mfbo_gp_cands_alloc(m, 3, X);
  CHECK(mfbo_gp_factor(a) == 0 && mfbo_gp_factor(b) == 0);
  mfbo_gp_cands_set_max_bytes(c, 16 * (size_t)m * sizeof(double));
  CHECK(cands_rel_diff(a, c, m, X) == 0);
  CHECK_LAST(c, -1, -1);
  mfbo_gp_cands_set_max_bytes(c, MFBO_GP_CANDS_MAX_BYTES);
  CHECK(cands_rel_diff(a, c, m, X) < 1e-9);
  CHECK_LAST(c, 0, 30);
  CHECK(cands_rel_diff(b, c, m, X) < 1e-9); /* another gp: afresh */
  CHECK_LAST(c, 0, 35);
  CHECK(cands_rel_diff(a, c, m, X) < 1e-9);
  CHECK_LAST(c, 0, 30);
  CHECK(mfbo_gp_cands_predict(other, c, mu, var) == -1);
  CHECK(mfbo_gp_cands_alloc(10, 0, X) == NULL);
  mfbo_gp_cands_free(c);
  mfbo_gp_free(a), mfbo_gp_free(b), mfbo_gp_free(other);
  free(X), free(mu);
}

/* The product kernel with categorical coordinates: k = sf2 matern52(r_continuous) *
 * exp(-sum_cat [x_k != x'_k] / ell_k^2), by hand. */
static double cat_kernel(const double *a, const double *b, const double *ell, const int *is_cat,
                         int dim, double sf2) {
  double r2 = 0, c = 0;
  for (int k = 0; k < dim; k++) {
    if (is_cat[k])
      c += a[k] != b[k] ? 1 / (ell[k] * ell[k]) : 0;
    else
      r2 += (a[k] - b[k]) * (a[k] - b[k]) / (ell[k] * ell[k]);
  }
  return sf2 * matern52(sqrt(r2)) * exp(-c);
}

/* Three points, one continuous and two categorical coordinates (level codes 0/1 and
 * 5/7/9): K, its 3x3 inverse by cofactors, the log marginal, the posterior at two
 * candidates (by mfbo_gp_predict and by the candidate set) and mfbo_gp_corr, by hand. */
static void test_categorical_closed_form(void) {
  double ell[3] = {0.6, 0.8, 1.5}, sf2 = 1.3, sn2 = 0.04, nug = 1e-6;
  int is_cat[3] = {0, 1, 1};
  double theta[5] = {log(ell[0]), log(ell[1]), log(ell[2]), log(sf2), log(sn2)};
  double X[3][3] = {{0.1, 0, 5}, {0.5, 1, 5}, {0.8, 0, 9}}, yraw[3] = {1, 4, 2.5};
  double fid[3] = {3, 15, 50};
  mfbo_gp *gp = mfbo_gp_alloc(3);
  mfbo_gp_set_categorical(gp, is_cat);
  for (int i = 0; i < 3; i++) CHECK(mfbo_gp_add(gp, X[i], yraw[i], fid[i]) == 0);
  mfbo_gp_set_theta(gp, theta, nug);
  CHECK(mfbo_gp_factor(gp) == 0);
  double mean = 2.5, sd = 1.5, y[3], K[3][3], Ki[3][3]; /* sample mean and sd of 1, 4, 2.5 */
  for (int i = 0; i < 3; i++) y[i] = (yraw[i] - mean) / sd;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      K[i][j] = cat_kernel(X[i], X[j], ell, is_cat, 3, sf2) + (i == j ? sn2 / fid[i] + nug : 0);
  double det = inverse3(K, Ki), quad = 0;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) quad += y[i] * Ki[i][j] * y[j];
  CHECK_NEAR(mfbo_gp_log_marginal(gp, theta, NULL),
             -0.5 * quad - 0.5 * log(det) - 1.5 * log(2 * 3.14159265358979323846), 1e-12);
  double Xs[2][3] = {{0.3, 1, 9}, {0.6, 0, 5}}, mu[2], var[2], cmu[2], cvar[2];
  CHECK(mfbo_gp_predict(gp, 2, &Xs[0][0], mu, var) == 0);
  mfbo_gp_cands *c = mfbo_gp_cands_alloc(2, 3, &Xs[0][0]);
  CHECK(c && mfbo_gp_cands_predict(gp, c, cmu, cvar) == 0);
  for (int q = 0; q < 2; q++) {
    double k[3], w[3] = {0, 0, 0}, m = 0, kk = 0;
    for (int i = 0; i < 3; i++) k[i] = cat_kernel(Xs[q], X[i], ell, is_cat, 3, sf2);
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) w[i] += Ki[i][j] * k[j];
    for (int i = 0; i < 3; i++) m += w[i] * y[i], kk += w[i] * k[i];
    CHECK_NEAR(mu[q], mean + sd * m, 1e-11);
    CHECK_NEAR(var[q], sd * sd * (sf2 - kk), 1e-11);
    CHECK_NEAR(cmu[q], mu[q], 1e-12);
    CHECK_NEAR(cvar[q], var[q], 1e-12);
  }
  CHECK_NEAR(mfbo_gp_corr(gp, X[0], X[2]), cat_kernel(X[0], X[2], ell, is_cat, 3, 1.0), 1e-15);
  CHECK_NEAR(mfbo_gp_corr(gp, Xs[0], Xs[0]), 1.0, 0);
  /* only categorical coordinates: matern52(0) = 1, the same level code means equal */
  int all_cat[3] = {1, 1, 1};
  mfbo_gp_set_categorical(gp, all_cat);
  double a[3] = {0.3, 1, 9}, b[3] = {0.7, 1, 9};
  CHECK_NEAR(mfbo_gp_corr(gp, a, b), exp(-1 / (ell[0] * ell[0])), 1e-15);
  CHECK(mfbo_gp_predict(gp, 2, &Xs[0][0], mu, var) == 0 && var[0] > 0 && var[1] > 0);
  mfbo_gp_cands_free(c);
  mfbo_gp_free(gp);
}

/* All flags 0 is the plain kernel, bit for bit; so is switching categorical on and off. */
static void test_categorical_off_is_default(void) {
  mfbo_gp *a = make_data(20), *b = make_data(20);
  int none[3] = {0, 0, 0}, some[3] = {0, 1, 1};
  mfbo_gp_set_categorical(b, some);
  mfbo_gp_set_categorical(b, none);
  double xs[6] = {0.2, 0.3, 0.5, 0.9, 0.1, 1}, ma[2], va[2], mb[2], vb[2];
  CHECK(mfbo_gp_predict(a, 2, xs, ma, va) == 0 && mfbo_gp_predict(b, 2, xs, mb, vb) == 0);
  for (int i = 0; i < 2; i++) CHECK(ma[i] == mb[i] && va[i] == vb[i]);
  double theta[5];
  mfbo_gp_get_theta(a, theta);
  CHECK(mfbo_gp_log_marginal(a, theta, NULL) == mfbo_gp_log_marginal(b, theta, NULL));
  mfbo_gp_free(a), mfbo_gp_free(b);
}

/* The analytic gradient with categorical coordinates against central finite differences
 * (coordinates 1 and 2 of the pseudo-data as level codes: 10 and 4 levels). */
static void test_categorical_gradient(void) {
  int is_cat[3] = {0, 1, 1};
  mfbo_gp *gp = mfbo_gp_alloc(3);
  mfbo_gp_set_categorical(gp, is_cat);
  for (int i = 0; i < 25; i++) {
    double x[3], fid, y = data_point(i, x, &fid);
    x[1] = floor(x[1] * 10); /* level codes */
    y += 0.3 * (x[1] == 3) - 0.2 * x[2];
    CHECK(mfbo_gp_add(gp, x, y, fid) == 0);
  }
  CHECK(mfbo_gp_factor(gp) == 0);
  check_gradient(gp);
  mfbo_gp_fit_settings s = mfbo_gp_fit_defaults();
  CHECK(mfbo_gp_fit(gp, &s) == 0);
  double theta[5], grad[5];
  mfbo_gp_get_theta(gp, theta);
  mfbo_gp_objective(gp, theta, 1, grad);
  for (int q = 0; q < 5; q++) CHECK(fabs(grad[q]) < 1e-2);
  mfbo_gp_free(gp);
}

/* A smooth 2-D function, 80 points at mixed fidelities. */
static double smooth_point(int i, double *x, double *fid) {
  x[0] = fmod(0.618034 * i, 1.0), x[1] = fmod(0.7548777 * i + 0.2, 1.0);
  if (i >= 55) x[0] = 0.7 + 0.3 * x[0]; /* the last points explore x0 > 0.7 more */
  *fid = i % 10 == 0 ? 50 : i % 4 == 0 ? 15 : 3;
  return sin(5 * x[0] * x[0]) * cos(3 * x[1]) + 0.5 * x[1] + 0.02 * cos(23.0 * i);
}

/* Objective after: a cold fit on the first n - 5 points, 5 more added, then a warm refit
 * with warm_max_iter iterations. */
static double warm_objective(int n, int warm_max_iter) {
  mfbo_gp *gp = mfbo_gp_alloc(2);
  mfbo_gp_fit_settings s = mfbo_gp_fit_defaults();
  for (int i = 0; i < n; i++) {
    double x[2], fid, y = smooth_point(i, x, &fid);
    CHECK(mfbo_gp_add(gp, x, y, fid) == 0);
    if (i == n - 6) CHECK(mfbo_gp_fit(gp, &s) == 0);
  }
  s.warm = 1, s.warm_max_iter = warm_max_iter;
  CHECK(mfbo_gp_fit(gp, &s) == 0);
  double theta[4];
  mfbo_gp_get_theta(gp, theta);
  double v = mfbo_gp_objective(gp, theta, 1, NULL);
  mfbo_gp_free(gp);
  return v;
}

/* The warm refit (from the fit on n - 5 points) reaches the cold fit's objective on n
 * points; without iterations it does not (so the check can fail). */
static void test_warm_refit(void) {
  int n = 60;
  mfbo_gp *gp = mfbo_gp_alloc(2);
  for (int i = 0; i < n; i++) {
    double x[2], fid, y = smooth_point(i, x, &fid);
    CHECK(mfbo_gp_add(gp, x, y, fid) == 0);
  }
  mfbo_gp_fit_settings s = mfbo_gp_fit_defaults();
  CHECK(mfbo_gp_fit(gp, &s) == 0);
  double theta[4];
  mfbo_gp_get_theta(gp, theta);
  double cold = mfbo_gp_objective(gp, theta, 1, NULL), tol = fmax(1e-3 * fabs(cold), 0.05);
  double warm = warm_objective(n, mfbo_gp_fit_defaults().warm_max_iter);
  double none = warm_objective(n, 0);
  CHECK(warm >= cold - tol);
  CHECK(none < cold - tol); /* the test is not vacuous */
  mfbo_gp_free(gp);
}

/* A warm refit starts from the inverse Hessian where the gp's last fit ended: after a
 * chain of warm refits (one point added before each), 2 iterations reach the cold fit's
 * objective; from the identity (a fresh gp with the same points and theta) they do not. */
static void test_warm_hessian(void) {
  int n0 = 40, n = 60;
  mfbo_gp *chain = mfbo_gp_alloc(2), *fresh = mfbo_gp_alloc(2), *cold = mfbo_gp_alloc(2);
  mfbo_gp_fit_settings s = mfbo_gp_fit_defaults(), w = s;
  w.warm = 1, w.warm_max_iter = 2;
  for (int i = 0; i < n; i++) {
    double x[2], fid, y = smooth_point(i, x, &fid);
    CHECK(mfbo_gp_add(chain, x, y, fid) == 0);
    CHECK(mfbo_gp_add(fresh, x, y, fid) == 0);
    CHECK(mfbo_gp_add(cold, x, y, fid) == 0);
    if (i == n0 - 1) CHECK(mfbo_gp_fit(chain, &s) == 0);
    if (i >= n0 && i < n - 1) CHECK(mfbo_gp_fit(chain, &w) == 0);
  }
  double theta[4];
  mfbo_gp_get_theta(chain, theta); /* theta after the refit on n - 1 points, for both */
  mfbo_gp_set_theta(fresh, theta, s.nugget);
  CHECK(mfbo_gp_fit(chain, &w) == 0);
  CHECK(mfbo_gp_fit(fresh, &w) == 0);
  CHECK(mfbo_gp_fit(cold, &s) == 0);
  double t_chain[4], t_fresh[4], t_cold[4];
  mfbo_gp_get_theta(chain, t_chain), mfbo_gp_get_theta(fresh, t_fresh);
  mfbo_gp_get_theta(cold, t_cold);
  double f_cold = mfbo_gp_objective(cold, t_cold, 1, NULL), tol = 1e-5 * fabs(f_cold);
  double f_chain = mfbo_gp_objective(chain, t_chain, 1, NULL);
  double f_fresh = mfbo_gp_objective(fresh, t_fresh, 1, NULL);
  CHECK(f_chain >= f_cold - tol);
  CHECK(f_fresh < f_cold - tol); /* the test is not vacuous */
  mfbo_gp_free(chain), mfbo_gp_free(fresh), mfbo_gp_free(cold);
}

static void test_acquisitions(void) {
  const double phi0 = 0.3989422804014327, Phi1 = 0.8413447460685429, phi1 = 0.24197072451914337;
  CHECK_NEAR(mfbo_acq_ei(0, 1, 0, 0), phi0, 1e-14);
  CHECK_NEAR(mfbo_acq_ei(0, 1, 1, 0), Phi1 + phi1, 1e-14);
  CHECK_NEAR(mfbo_acq_ei(0, 2, 2.5, 0.5), 2 * (Phi1 + phi1), 1e-13); /* scales with sd */
  CHECK_NEAR(mfbo_acq_ei(3, 0, 5, 1), 1.0, 0);                      /* no uncertainty */
  CHECK_NEAR(mfbo_acq_ei(6, 0, 5, 0), 0.0, 0);
  CHECK_NEAR(mfbo_acq_pi(0, 1, 1, 0), Phi1, 1e-14);
  CHECK_NEAR(mfbo_acq_pi(0, 1, 0, 0), 0.5, 1e-15);
  CHECK_NEAR(mfbo_acq_pi(1, 1, 1, 1), 1 - Phi1, 1e-14);
  CHECK_NEAR(mfbo_acq_lcb(1, 2, 2), 3, 0);
  CHECK_NEAR(mfbo_acq_cost_ei(0, 1, 1, 0, 4), (Phi1 + phi1) / 4, 1e-14);
}

/* mfbo_gp_train_mean (yn - noise alpha) equals mfbo_gp_predict at the observed inputs, also
 * with repeated inputs at different fidelities; mfbo_gp_corr is the kernel's correlation. */
static void test_train_mean(void) {
  mfbo_gp *gp = mfbo_gp_alloc(2);
  double X[6][2] = {{0.1, 0.2}, {0.5, 0.9}, {0.8, 0.1}, {0.1, 0.2}, {0.3, 0.3}, {0.9, 0.7}};
  double y[6] = {1.0, 2.5, 0.3, 1.4, -0.2, 0.9}, fid[6] = {3, 3, 15, 50, 3, 1};
  for (int i = 0; i < 6; i++) CHECK(mfbo_gp_add(gp, X[i], y[i], fid[i]) == 0);
  double theta[4] = {log(0.4), log(0.8), log(0.3), log(0.05)}; /* ells, sf2, sn2 */
  mfbo_gp_set_theta(gp, theta, 1e-6);
  double tm[6], mu[6], var[6];
  CHECK(mfbo_gp_train_mean(gp, tm) == 0);
  CHECK(mfbo_gp_predict(gp, 6, &X[0][0], mu, var) == 0);
  for (int i = 0; i < 6; i++) CHECK_NEAR(tm[i], mu[i], 1e-9);
  CHECK_NEAR(tm[0], tm[3], 1e-9); /* same input, same latent mean */
  double r = sqrt(0.4 * 0.4 / (0.4 * 0.4) + 0.7 * 0.7 / (0.8 * 0.8));
  CHECK_NEAR(mfbo_gp_corr(gp, X[0], X[1]), matern52(r), 1e-14);
  mfbo_gp_free(gp);
}

int main(void) {
  test_train_mean();
  test_two_points();
  test_three_points();
  test_gradient();
  test_incremental();
  test_fit();
  test_cands_incremental();
  test_cands_refactorised();
  test_cands_fallback_and_sharing();
  test_acquisitions();
  test_categorical_closed_form();
  test_categorical_off_is_default();
  test_categorical_gradient();
  test_warm_refit();
  test_warm_hessian();
  CHECK_DONE();
}
