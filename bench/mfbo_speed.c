/* mfbo_speed.c: speed of the GP behind mfbo (not a test): one suggestion = the posterior
 * mean and variance of m candidates given n observations, plus expected improvement and
 * the argmax, on one core; medians of 21 repetitions. Also the time of one fit.
 *   build/bench/mfbo_speed [n] [dim]      (defaults 500 observations, 10 dimensions) */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>

#include "../src/model/acquisition.h"
#include "../src/model/gp.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double suggest_ms(mfbo_gp *gp, int m, const double *X, double *mu, double *var) {
  double t0 = now_s();
  mfbo_gp_predict(gp, m, X, mu, var);
  double top = -1;
  int pick = 0;
  for (int i = 0; i < m; i++) {
    double a = mfbo_acq_ei(mu[i], var[i] > 0 ? sqrt(var[i]) : 0, 0.0, 0.0);
    if (a > top) top = a, pick = i;
  }
  (void)pick;
  return 1000 * (now_s() - t0);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 500, dim = argc > 2 ? atoi(argv[2]) : 10;
  unsigned s = 12345;
  mfbo_gp *gp = mfbo_gp_alloc(dim);
  double *x = malloc((size_t)dim * sizeof *x);
  for (int i = 0; i < n; i++) {
    double y = 0;
    for (int k = 0; k < dim; k++) x[k] = (s = s * 1103515245u + 12345u) / 4294967296.0, y += x[k] * x[k];
    mfbo_gp_add(gp, x, y, 5 + i % 3 * 10);
  }
  mfbo_gp_fit_settings fs = mfbo_gp_fit_defaults();
  double t0 = now_s();
  mfbo_gp_fit(gp, &fs);
  printf("fit: n = %d, dim = %d: %.1f ms\n", n, dim, 1000 * (now_s() - t0));
  int sizes[2] = {1024, 17956};
  for (int c = 0; c < 2; c++) {
    int m = sizes[c];
    double *X = malloc((size_t)m * dim * sizeof *X), *mu = malloc((size_t)m * sizeof *mu);
    double *var = malloc((size_t)m * sizeof *var), t[21];
    for (size_t i = 0; i < (size_t)m * dim; i++) X[i] = (s = s * 1103515245u + 12345u) / 4294967296.0;
    for (int r = 0; r < 21; r++) t[r] = suggest_ms(gp, m, X, mu, var);
    qsort(t, 21, sizeof *t, cmp);
    printf("suggestion: %d observations, %d candidates: median %.2f ms (min %.2f)\n", n, m, t[10],
           t[0]);
    free(X), free(mu), free(var);
  }
  free(x);
  mfbo_gp_free(gp);
  return 0;
}
