/* mfbo_speed.c: speed of the GP behind mfbo (not a test): one suggestion = the posterior
 * mean and variance of m candidates given n observations, plus expected improvement and
 * the argmax, on one core; medians (and minima) of 21 repetitions. Also the time of one fit.
 *   build/bench/mfbo_speed [--dim D] [--no-fit] [n ...]   (defaults: n = 500, 10 dimensions)
 * --no-fit factorises with the default hyperparameters instead of fitting (the fit at
 * n = 1000 takes half an hour; the timings below hardly depend on the hyperparameters).
 * For each n and m = 1024, 17956 candidates, side by side:
 *   (a) predict: mfbo_gp_predict over all candidates (V = L^-1 K_*^T afresh, m n^2 flops);
 *   (b) afresh:  mfbo_gp_cands_predict as the first call after a factorisation (computes V,
 *                m n^2 flops as (a), and keeps it);
 *   (c) steady:  mfbo_gp_add of one observation (no refit) then mfbo_gp_cands_predict, which
 *                appends one row of V (m n flops); starts from n - 1 observations factorised
 *                with the fitted hyperparameters, each repetition adds one more (n .. n+20).
 * "mean diff" and "var diff" are the largest relative differences of (c)'s last means and
 * variances from mfbo_gp_predict's on the same gp (the candidate set is exact up to
 * rounding). Both compute a variance as sf2 - |L^-1 k|^2; where that cancels (fitted sf2
 * far above the posterior variance), both lose digits, and "var diff" shows it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/model/acquisition.h"
#include "../src/model/gp.h"

#define REPS 21

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static unsigned rng_state = 12345;
static double uniform(void) {
  return (rng_state = rng_state * 1103515245u + 12345u) / 4294967296.0;
}

/* The synthetic observation i: uniform x, y = |x|^2, fidelities 5, 15, 25. */
static void add_observation(mfbo_gp *gp, const double *points, int i) {
  int dim = mfbo_gp_dim(gp);
  const double *x = points + (size_t)i * dim;
  double y = 0;
  for (int k = 0; k < dim; k++) y += x[k] * x[k];
  mfbo_gp_add(gp, x, y, 5 + i % 3 * 10);
}

/* Expected improvement (incumbent 0) at every candidate; returns the argmax. */
static int ei_argmax(int m, const double *mu, const double *var) {
  double top = -1;
  int pick = 0;
  for (int i = 0; i < m; i++) {
    double a = mfbo_acq_ei(mu[i], var[i] > 0 ? sqrt(var[i]) : 0, 0.0, 0.0);
    if (a > top) top = a, pick = i;
  }
  return pick;
}

typedef struct {
  double median, min;
} timing;

static timing summarise(double *t) {
  qsort(t, REPS, sizeof *t, cmp);
  return (timing){t[REPS / 2], t[0]};
}

/* (a): mfbo_gp_predict + EI argmax on the fitted gp. */
static timing time_predict(mfbo_gp *gp, int m, const double *X, double *mu, double *var) {
  double t[REPS];
  for (int r = 0; r < REPS; r++) {
    double t0 = now_s();
    mfbo_gp_predict(gp, m, X, mu, var);
    ei_argmax(m, mu, var);
    t[r] = 1000 * (now_s() - t0);
  }
  return summarise(t);
}

/* (b): refactorise (not timed), then the candidate set's first prediction + EI argmax. */
static timing time_afresh(mfbo_gp *gp, mfbo_gp_cands *c, int m, double *mu, double *var) {
  double t[REPS];
  for (int r = 0; r < REPS; r++) {
    mfbo_gp_factor(gp);
    double t0 = now_s();
    mfbo_gp_cands_predict(gp, c, mu, var);
    ei_argmax(m, mu, var);
    t[r] = 1000 * (now_s() - t0);
    int kept, computed;
    mfbo_gp_cands_last(c, &kept, &computed);
    if (kept != 0) fprintf(stderr, "warning: (b) kept %d rows\n", kept);
  }
  return summarise(t);
}

/* (c): gp holds n - 1 observations, factorised, and c is up to date with them; each
 * repetition adds observation n + r and predicts. */
static timing time_steady(mfbo_gp *gp, mfbo_gp_cands *c, const double *points, int n, int m,
                          double *mu, double *var) {
  double t[REPS];
  for (int r = 0; r < REPS; r++) {
    double t0 = now_s();
    add_observation(gp, points, n - 1 + r);
    mfbo_gp_cands_predict(gp, c, mu, var);
    ei_argmax(m, mu, var);
    t[r] = 1000 * (now_s() - t0);
    int kept, computed;
    mfbo_gp_cands_last(c, &kept, &computed);
    if (kept != n - 1 + r || computed != 1)
      fprintf(stderr, "warning: (c) kept %d rows, computed %d\n", kept, computed);
  }
  return summarise(t);
}

/* Largest relative differences of mu (diff[0]) and var (diff[1]) from mfbo_gp_predict's. */
static void rel_diff(mfbo_gp *gp, int m, const double *X, const double *mu, const double *var,
                     double diff[2]) {
  double *mu_ref = malloc(2 * (size_t)m * sizeof *mu_ref), *var_ref = mu_ref + m;
  mfbo_gp_predict(gp, m, X, mu_ref, var_ref);
  diff[0] = diff[1] = 0;
  for (int i = 0; i < m; i++) {
    diff[0] = fmax(diff[0], fabs(mu[i] - mu_ref[i]) / fmax(fabs(mu_ref[i]), 1e-3));
    diff[1] = fmax(diff[1], fabs(var[i] - var_ref[i]) / var_ref[i]);
  }
  free(mu_ref);
}

/* The first n - 1 observations, factorised with theta (no fit): where (c) starts. */
static mfbo_gp *steady_start(const double *points, int n, int dim, const double *theta,
                             double nugget) {
  mfbo_gp *gp = mfbo_gp_alloc(dim);
  for (int i = 0; i < n - 1; i++) add_observation(gp, points, i);
  mfbo_gp_set_theta(gp, theta, nugget);
  mfbo_gp_factor(gp);
  return gp;
}

/* One n: the fit, then a table row per candidate count. */
static void bench_n(int n, int dim, int fit) {
  int sizes[2] = {1024, 17956};
  double *points = malloc((size_t)(n + REPS) * dim * sizeof *points);
  for (size_t i = 0; i < (size_t)(n + REPS) * dim; i++) points[i] = uniform();
  mfbo_gp *gp = mfbo_gp_alloc(dim);
  for (int i = 0; i < n; i++) add_observation(gp, points, i);
  mfbo_gp_fit_settings fs = mfbo_gp_fit_defaults();
  double t0 = now_s();
  if (fit) {
    mfbo_gp_fit(gp, &fs);
    printf("\nfit: n = %d, dim = %d: %.1f ms\n", n, dim, 1000 * (now_s() - t0));
  } else {
    mfbo_gp_factor(gp);
    printf("\nno fit (default hyperparameters): n = %d, dim = %d\n", n, dim);
  }
  printf("%6s %6s | %20s | %20s | %18s | %7s | %9s %9s\n", "n", "m", "(a) predict",
         "(b) cands afresh", "(c) add + cands", "(a)/(c)", "mean diff", "var diff");
  fflush(stdout);
  double *theta = malloc((size_t)mfbo_gp_n_theta(gp) * sizeof *theta);
  mfbo_gp_get_theta(gp, theta);
  for (int c = 0; c < 2; c++) {
    int m = sizes[c];
    double *X = malloc((size_t)m * dim * sizeof *X), *mu = malloc(2 * (size_t)m * sizeof *mu);
    double *var = mu + m;
    for (size_t i = 0; i < (size_t)m * dim; i++) X[i] = uniform();
    mfbo_gp_cands *afresh = mfbo_gp_cands_alloc(m, dim, X), *cands = mfbo_gp_cands_alloc(m, dim, X);
    timing a = time_predict(gp, m, X, mu, var), b = time_afresh(gp, afresh, m, mu, var);
    mfbo_gp *steady = steady_start(points, n, dim, theta, fs.nugget);
    mfbo_gp_cands_predict(steady, cands, mu, var);
    timing s = time_steady(steady, cands, points, n, m, mu, var);
    double diff[2];
    rel_diff(steady, m, X, mu, var, diff);
    printf("%6d %6d | %9.2f (%8.2f) | %9.2f (%8.2f) | %8.2f (%7.2f) | %6.0fx | %9.1e %9.1e\n",
           n, m, a.median, a.min, b.median, b.min, s.median, s.min, a.median / s.median, diff[0],
           diff[1]);
    fflush(stdout);
    mfbo_gp_cands_free(afresh), mfbo_gp_cands_free(cands);
    mfbo_gp_free(steady);
    free(X), free(mu);
  }
  mfbo_gp_free(gp);
  free(points), free(theta);
}

int main(int argc, char **argv) {
  int dim = 10, ns[64], k = 0, fit = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--dim") == 0 && i + 1 < argc)
      dim = atoi(argv[++i]);
    else if (strcmp(argv[i], "--no-fit") == 0)
      fit = 0;
    else if (k < 64 && atoi(argv[i]) > 1)
      ns[k++] = atoi(argv[i]);
    else {
      fprintf(stderr, "usage: %s [--dim D] [n ...]\n", argv[0]);
      return 2;
    }
  }
  if (k == 0) ns[k++] = 500;
  printf("one suggestion (posterior + EI argmax), ms on one core: median (min) of %d\n", REPS);
  for (int i = 0; i < k; i++) bench_n(ns[i], dim, fit);
  return 0;
}
