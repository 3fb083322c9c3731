/* mfbo_speed.c: speed of the GP behind mfbo (not a test), on one core, medians over
 * repetitions, side by side with scikit-learn on the same data. Run from the repository
 * root:
 *   build/bench/mfbo_speed [--reps R] [--python PY] [--no-sklearn] [--case a|b]
 * Cases: (a) n = 500 observations, 1024 candidates, 5 dimensions; (b) n = 1000, 17956
 * candidates, 15 dimensions. Synthetic smooth data with noise: x uniform in [0, 1]^dim,
 * y = sum_k sin(3 x_k + k) / sqrt(dim) + |x - 0.3|^2 / dim + noise of sd 0.1 / sqrt(fid / 3),
 * fidelities like a real run (80% at 3 repetitions, 15% at 15, 5% at 50).
 * Columns (ms, median (min) over R repetitions; the cold fit over max(R / 3, 2)):
 *   cold fit:  mfbo_gp_fit with the defaults (3 starts, on 256 observations above n = 256,
 *              then BFGS on all n) from the default hyperparameters;
 *   warm refit: one observation added to the cold-fitted model, mfbo_gp_fit with
 *              warm = 1 (from the fitted theta; the new point is not factorised in
 *              between, so the refit includes the full factorisation);
 *   suggest:   right after that refit: mfbo_gp_cands_predict over all candidates (the
 *              whole posterior recomputed: V = L^-1 K(X, C), m n^2 flops) + EI over all
 *              candidates + argmax: what a searcher pays after a refit;
 *   warm+suggest: the sum, per repetition (what the user waits for);
 *   sklearn fit / predict / sum: GaussianProcessRegressor (bench/mfbo_speed_sklearn.py:
 *              ConstantKernel * Matern(2.5, ARD) + WhiteKernel, normalize_y, L-BFGS-B with
 *              n_restarts_optimizer = 0), predict(return_std=True) over the candidates; the
 *              same observations (the n of the cold fit) and candidates, written to a
 *              temporary file; python with OMP/OPENBLAS/MKL_NUM_THREADS=1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/acquisition.h"
#include "model/gp.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return 1000.0 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *t, int k, double *min) {
  qsort(t, (size_t)k, sizeof *t, cmp);
  *min = t[0];
  return k % 2 ? t[k / 2] : 0.5 * (t[k / 2 - 1] + t[k / 2]);
}

static unsigned long long rng_state = 12345;
static double uniform(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Observation: x (dim), returns y; fidelity into *fid. */
static double observation(int dim, double *x, double *fid) {
  double y = 0, u = uniform();
  for (int k = 0; k < dim; k++) {
    x[k] = uniform();
    y += sin(3 * x[k] + k) / sqrt((double)dim) + (x[k] - 0.3) * (x[k] - 0.3) / dim;
  }
  *fid = u < 0.8 ? 3 : u < 0.95 ? 15 : 50;
  double g = 0; /* a normal deviate (sum of 12 uniforms) */
  for (int i = 0; i < 12; i++) g += uniform();
  return y + 0.1 / sqrt(*fid / 3) * (g - 6);
}

/* EI (minimisation, incumbent best) over all candidates; the argmax. */
static int ei_argmax(int m, const double *mu, const double *var, double best) {
  double top = -1;
  int pick = 0;
  for (int i = 0; i < m; i++) {
    double a = mfbo_acq_ei(mu[i], var[i] > 0 ? sqrt(var[i]) : 0, best, 0.0);
    if (a > top) top = a, pick = i;
  }
  return pick;
}

typedef struct {
  const char *name;
  int n, m, dim;
} bench_case;

static void run_case(const bench_case *bc, int reps, const char *python, int sklearn) {
  int n = bc->n, m = bc->m, dim = bc->dim, extra = reps;
  double *X = malloc((size_t)(n + extra) * dim * sizeof *X), *y = malloc((n + extra) * sizeof *y);
  double *fid = malloc((n + extra) * sizeof *fid), *C = malloc((size_t)m * dim * sizeof *C);
  double *mu = malloc(2 * (size_t)m * sizeof *mu), *var = mu + m, best = INFINITY;
  for (int i = 0; i < n + extra; i++) y[i] = observation(dim, X + (size_t)i * dim, fid + i);
  for (int i = 0; i < n; i++) best = fmin(best, y[i]);
  for (size_t i = 0; i < (size_t)m * dim; i++) C[i] = uniform();
  mfbo_gp_cands *cands = mfbo_gp_cands_alloc(m, dim, C);
  mfbo_gp_fit_settings cold = mfbo_gp_fit_defaults(), warm = cold;
  warm.warm = 1;

  /* cold fits, each from a fresh gp */
  int cold_reps = reps / 3 > 2 ? reps / 3 : 2;
  double t_cold[cold_reps], theta[dim + 2], lml_cold = 0;
  for (int r = 0; r < cold_reps; r++) {
    mfbo_gp *gp = mfbo_gp_alloc(dim);
    for (int i = 0; i < n; i++) mfbo_gp_add(gp, X + (size_t)i * dim, y[i], fid[i]);
    double t0 = now_ms();
    mfbo_gp_fit(gp, &cold);
    t_cold[r] = now_ms() - t0;
    mfbo_gp_get_theta(gp, theta);
    lml_cold = mfbo_gp_objective(gp, theta, 0, NULL);
    mfbo_gp_free(gp);
  }
  /* warm refit after one more observation, then one suggestion */
  double t_warm[reps], t_sug[reps], t_sum[reps], lml_warm = 0;
  mfbo_gp *gp = mfbo_gp_alloc(dim);
  for (int i = 0; i < n; i++) mfbo_gp_add(gp, X + (size_t)i * dim, y[i], fid[i]);
  for (int r = 0; r < reps; r++) {
    mfbo_gp_set_theta(gp, theta, cold.nugget); /* the cold fit's hyperparameters */
    mfbo_gp_add(gp, X + (size_t)(n + r) * dim, y[n + r], fid[n + r]);
    double t0 = now_ms();
    mfbo_gp_fit(gp, &warm);
    double t1 = now_ms();
    mfbo_gp_cands_predict(gp, cands, mu, var);
    ei_argmax(m, mu, var, best);
    double t2 = now_ms();
    t_warm[r] = t1 - t0, t_sug[r] = t2 - t1, t_sum[r] = t2 - t0;
    int kept, computed;
    mfbo_gp_cands_last(cands, &kept, &computed);
    if (kept != 0) fprintf(stderr, "warning: the suggestion kept %d rows\n", kept);
    if (r == 0) {
      double th[dim + 2];
      mfbo_gp_get_theta(gp, th);
      lml_warm = mfbo_gp_objective(gp, th, 0, NULL);
    }
  }
  mfbo_gp_free(gp);
  double mn[4], md[4];
  md[0] = median(t_cold, cold_reps, &mn[0]);
  md[1] = median(t_warm, reps, &mn[1]);
  md[2] = median(t_sug, reps, &mn[2]);
  md[3] = median(t_sum, reps, &mn[3]);
  printf("%s | %5d %6d %3d | %9.1f (%8.1f) | %8.1f (%7.1f) | %8.1f (%7.1f) | %8.1f (%7.1f) |",
         bc->name, n, m, dim, md[0], mn[0], md[1], mn[1], md[2], mn[2], md[3], mn[3]);
  fflush(stdout);
  char line[512] = "", kern[1024] = "";
  if (sklearn) {
    char path[] = "/tmp/mfbo_speed_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f) {
      fprintf(f, "%d %d %d\n", n, m, dim);
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < dim; k++) fprintf(f, "%.17g ", X[(size_t)i * dim + k]);
        fprintf(f, "%.17g %g\n", y[i], fid[i]);
      }
      for (int i = 0; i < m; i++) {
        for (int k = 0; k < dim; k++) fprintf(f, "%.17g ", C[(size_t)i * dim + k]);
        fprintf(f, "0 0\n");
      }
      fclose(f);
      char cmd[1024];
      snprintf(cmd, sizeof cmd,
               "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 %s "
               "bench/mfbo_speed_sklearn.py %s %d",
               python, path, reps / 3 > 2 ? reps / 3 : 2);
      FILE *p = popen(cmd, "r");
      if (p) {
        if (!fgets(line, sizeof line, p)) line[0] = 0;
        if (!fgets(kern, sizeof kern, p)) kern[0] = 0;
        pclose(p);
      }
      unlink(path);
    }
    double sf, sp, ss;
    if (sscanf(line, "sklearn %lf %lf %lf", &sf, &sp, &ss) == 3)
      printf(" %9.1f | %9.1f | %9.1f |", sf, sp, ss);
    else
      printf(" (sklearn failed: run from the repository root with python3-sklearn) |");
  }
  printf("\n  log marginal: cold fit %.3f, warm refit (n + 1) %.3f; %s", lml_cold, lml_warm,
         kern[0] ? kern : "\n");
  fflush(stdout);
  mfbo_gp_cands_free(cands);
  free(X), free(y), free(fid), free(C), free(mu);
}

int main(int argc, char **argv) {
  int reps = 9, sklearn = 1;
  const char *python = getenv("MFBO_PYTHON"); /* a Python with scikit-learn, if not Debian's */
  if (!python) python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  const char *only = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
      reps = atoi(argv[++i]);
    else if (strcmp(argv[i], "--python") == 0 && i + 1 < argc)
      python = argv[++i];
    else if (strcmp(argv[i], "--no-sklearn") == 0)
      sklearn = 0;
    else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc)
      only = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--reps R] [--python PY] [--no-sklearn] [--case a|b]\n",
              argv[0]);
      return 2;
    }
  }
  if (reps < 1) reps = 1;
  bench_case cases[2] = {{"(a)", 500, 1024, 5}, {"(b)", 1000, 17956, 15}};
  printf("ms on one core, median (min); cold fit over %d repetitions, the rest over %d, "
         "sklearn over %d\n", reps / 3 > 2 ? reps / 3 : 2, reps, reps / 3 > 2 ? reps / 3 : 2);
  printf("case |     n      m dim |     cold fit        |     warm refit     |      suggest       "
         "|   warm + suggest   | sk fit    | sk predict| sk sum    |\n");
  for (int c = 0; c < 2; c++)
    if (!only || strcmp(only, cases[c].name + 1) == 0 || only[0] == cases[c].name[1])
      run_case(&cases[c], reps, python, sklearn);
  return 0;
}
