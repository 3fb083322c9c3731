/* test_synthetic.c: the `synthetic` benchmark family: deterministic per instance and
 * different across instances; the dimension setting (and its mix of kinds); the optimum by
 * enumeration only for enumerable spaces; the invalid fraction following its knob; knobs
 * scaling one fixed structure; [space] overrides keeping the landscape; the noise (mean
 * exactly the true time, always positive, heavy-tailed) and the cost model. */
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mfbo/benchmark.h"
#include "core/stream.h"

/* A landscape with the given settings "key", "value", ... (NULL-terminated). */
static mfbo_benchmark *synthetic(int instance, const char *const *kv, const char *const *space_kv,
                                 mfbo_error *err) {
  mfbo_settings settings, space;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  for (int i = 0; kv && kv[i]; i += 2) mfbo_settings_add(&settings, kv[i], kv[i + 1], 4 + i, NULL);
  for (int i = 0; space_kv && space_kv[i]; i += 2)
    mfbo_settings_add(&space, space_kv[i], space_kv[i + 1], 20 + i, NULL);
  mfbo_error_clear(err);
  mfbo_benchmark *b =
      mfbo_benchmark_alloc(&mfbo_benchmark_synthetic, &settings, &space, instance, err);
  if (!b && !kv && !space_kv) mfbo_error_print(err, stderr);
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
  return b;
}

/* True times of n random configurations drawn from a fixed stream. */
static void sample_times(const mfbo_benchmark *b, int n, double *t) {
  gsl_rng *rng = mfbo_stream_alloc(99, "test-sample");
  int cfg[16];
  for (int i = 0; i < n; i++) {
    mfbo_space_random(b->space, rng, cfg);
    t[i] = mfbo_benchmark_true_ms(b, cfg);
  }
  gsl_rng_free(rng);
}

static void test_determinism(void) {
  mfbo_error err;
  enum { N = 2000 };
  static double a[N], b2[N], c[N];
  mfbo_benchmark *x = synthetic(3, NULL, NULL, &err), *y = synthetic(3, NULL, NULL, &err);
  mfbo_benchmark *z = synthetic(4, NULL, NULL, &err);
  CHECK(x && y && z);
  if (!x || !y || !z) return;
  sample_times(x, N, a);
  sample_times(y, N, b2);
  sample_times(z, N, c);
  int same = 1, differ = 0;
  for (int i = 0; i < N; i++) {
    same &= a[i] == b2[i] || (isinf(a[i]) && isinf(b2[i]));
    differ += a[i] != c[i];
  }
  CHECK(same);
  CHECK(differ > N * 9 / 10);
  CHECK(x->optimum_ms == y->optimum_ms && x->optimum_index == y->optimum_index);
  CHECK(x->optimum_ms != z->optimum_ms);
  CHECK(x->key != z->key);
  mfbo_benchmark_free(x);
  mfbo_benchmark_free(y);
  mfbo_benchmark_free(z);
}

static void test_dimension(void) {
  mfbo_error err;
  for (int d = 5; d <= 15; d++) {
    char text[8];
    snprintf(text, sizeof text, "%d", d);
    mfbo_benchmark *b = synthetic(1, (const char *const[]){"dimension", text, NULL}, NULL, &err);
    CHECK(b != NULL);
    if (!b) continue;
    CHECK(b->space->n_params == d);
    int kinds[4] = {0};
    for (int j = 0; j < d; j++) kinds[b->space->params[j].kind]++;
    CHECK(kinds[MFBO_PARAM_POW2] >= 2 && kinds[MFBO_PARAM_INT] >= 1 &&
          kinds[MFBO_PARAM_ENUM] >= 1 && kinds[MFBO_PARAM_BOOL] >= 1);
    /* the optimum by enumeration only when the space is enumerable */
    if (mfbo_space_size(b->space) <= MFBO_SPACE_ENUMERABLE)
      CHECK(isfinite(b->optimum_ms) && b->optimum_index >= 0);
    else
      CHECK(isnan(b->optimum_ms) && b->optimum_index == -1);
    mfbo_benchmark_free(b);
  }
  mfbo_benchmark *b = synthetic(1, NULL, NULL, &err);
  CHECK(b && b->space->n_params == 8 && mfbo_space_size(b->space) == 60000);
  mfbo_benchmark_free(b);
  CHECK(synthetic(1, (const char *const[]){"dimension", "4", NULL}, NULL, &err) == NULL);
  CHECK(err.line == 4 && strstr(err.msg, "between 5 and 15"));
  CHECK(synthetic(1, (const char *const[]){"dimension", "16", NULL}, NULL, &err) == NULL);
  CHECK(synthetic(1, (const char *const[]){"spread", "1", "wobble", "2", NULL}, NULL, &err) ==
        NULL);
  CHECK(err.line == 6 && strstr(err.msg, "unknown key 'wobble'"));
}

/* The fraction of failing configurations follows invalid_fraction, and grows monotonically. */
static void test_invalid_fraction(void) {
  mfbo_error err;
  static const char *const fractions[] = {"0", "0.05", "0.3"};
  static const double expected[] = {0, 0.05, 0.3};
  enum { N = 20000 };
  static double t[3][N];
  for (int f = 0; f < 3; f++) {
    mfbo_benchmark *b =
        synthetic(2, (const char *const[]){"invalid_fraction", fractions[f], NULL}, NULL, &err);
    CHECK(b != NULL);
    if (!b) return;
    sample_times(b, N, t[f]);
    int invalid = 0;
    for (int i = 0; i < N; i++) invalid += isinf(t[f][i]);
    CHECK_NEAR((double)invalid / N, expected[f], 0.02 + 0.1 * expected[f]);
    mfbo_benchmark_free(b);
  }
  int monotone = 1;
  for (int i = 0; i < N; i++) monotone &= !isinf(t[1][i]) || isinf(t[2][i]);
  CHECK(monotone);
}

/* The knobs scale one structure: with no ruggedness, log(t / base_ms) doubles with spread,
 * and valid configurations keep their order; base_ms scales every time. */
static void test_knobs_scale_structure(void) {
  mfbo_error err;
  enum { N = 500 };
  static double a[N], b2[N], c[N];
  mfbo_benchmark *x =
      synthetic(5, (const char *const[]){"ruggedness", "0", "spread", "0.3", NULL}, NULL, &err);
  mfbo_benchmark *y =
      synthetic(5, (const char *const[]){"ruggedness", "0", "spread", "0.6", NULL}, NULL, &err);
  mfbo_benchmark *z =
      synthetic(5, (const char *const[]){"ruggedness", "0", "spread", "0.3", "base_ms", "10", NULL},
                NULL, &err);
  CHECK(x && y && z);
  if (x && y && z) {
    sample_times(x, N, a);
    sample_times(y, N, b2);
    sample_times(z, N, c);
    int ok = 1;
    for (int i = 0; i < N; i++)
      if (isfinite(a[i]))
        ok &= fabs(log(b2[i]) - 2 * log(a[i])) < 1e-9 && fabs(c[i] / a[i] - 10) < 1e-9;
    CHECK(ok);
  }
  mfbo_benchmark_free(x);
  mfbo_benchmark_free(y);
  mfbo_benchmark_free(z);
}

/* A widened [space] keeps the times of the original configurations. */
static void test_space_override(void) {
  mfbo_error err;
  mfbo_benchmark *x = synthetic(1, NULL, NULL, &err);
  mfbo_benchmark *y =
      synthetic(1, NULL, (const char *const[]){"BLOCK_M", "16-512", "unroll", "1-6", NULL}, &err);
  CHECK(x && y);
  if (x && y) {
    CHECK(mfbo_space_size(y->space) == 60000 / 5 * 6 / 4 * 6);
    int cfg[8], same = 1, finite = 0;
    gsl_rng *rng = mfbo_stream_alloc(1, "test-override");
    for (int i = 0; i < 1000; i++) {
      mfbo_space_random(x->space, rng, cfg); /* BLOCK_M and unroll start at index 0 in both */
      double a = mfbo_benchmark_true_ms(x, cfg), b = mfbo_benchmark_true_ms(y, cfg);
      same &= a == b || (isinf(a) && isinf(b));
      mfbo_space_random(y->space, rng, cfg);
      finite += isfinite(mfbo_benchmark_true_ms(y, cfg));
    }
    CHECK(same);
    CHECK(finite > 500);
    gsl_rng_free(rng);
  }
  mfbo_benchmark_free(x);
  mfbo_benchmark_free(y);
  /* enums and booleans cannot be overridden */
  CHECK(synthetic(1, NULL, (const char *const[]){"prefetch", "0-1", NULL}, &err) == NULL);
  CHECK(err.line == 20);
}

/* Sample kurtosis (3 for a normal distribution). */
static double kurtosis(const double *x, int n) { return gsl_stats_kurtosis(x, 1, (size_t)n) + 3.0; }

/* Noise: mean exactly the true time, never <= 0, heavy-tailed; Gaussian-like without
 * outliers; averaging r repetitions divides the variance by r. */
static void test_noise(void) {
  mfbo_error err;
  enum { N = 200000 };
  static double x[N];
  mfbo_benchmark *b = synthetic(1, NULL, NULL, &err);
  mfbo_benchmark *g = synthetic(1, (const char *const[]){"outlier_prob", "0", NULL}, NULL, &err);
  CHECK(b && g);
  if (!b || !g) return;
  int cfg[8];
  mfbo_space_point(b->space, (uint64_t)b->optimum_index, cfg);
  gsl_rng *noise = mfbo_stream_alloc(8, "test-noise");
  double t, c, lowest = INFINITY;
  for (int i = 0; i < N; i++) {
    mfbo_benchmark_evaluate(b, cfg, 1, noise, &t, &x[i], &c);
    lowest = fmin(lowest, x[i]);
  }
  CHECK(lowest > 0);
  double sd1 = gsl_stats_sd(x, 1, N);
  CHECK_NEAR(gsl_stats_mean(x, 1, N) / t, 1.0, 5 * sd1 / t / sqrt(N));
  CHECK(kurtosis(x, N) > 10);         /* heavy tails: outliers */
  CHECK(gsl_stats_skew(x, 1, N) > 1); /* slowdowns, not speedups */
  for (int i = 0; i < N; i++) mfbo_benchmark_evaluate(g, cfg, 1, noise, &t, &x[i], &c);
  CHECK_NEAR(kurtosis(x, N), 3.0, 0.3); /* lognormal with cv 1%: about normal */
  CHECK_NEAR(gsl_stats_sd(x, 1, N) / t, 0.01, 0.001);
  for (int i = 0; i < N / 10; i++) mfbo_benchmark_evaluate(b, cfg, 10, noise, &t, &x[i], &c);
  CHECK_NEAR(gsl_stats_sd(x, 1, N / 10), sd1 / sqrt(10), 0.1 * sd1 / sqrt(10));
  CHECK_NEAR(gsl_stats_mean(x, 1, N / 10) / t, 1.0, 5 * sd1 / sqrt(10) / t / sqrt(N / 10));
  gsl_rng_free(noise);
  mfbo_benchmark_free(b);
  mfbo_benchmark_free(g);
}

/* Cost: compile (median compile_s, lognormal spread) + reps x (t + overhead); a failure
 * costs its compile time only. */
static void test_cost(void) {
  mfbo_error err;
  mfbo_benchmark *b = synthetic(1,
                                (const char *const[]){"compile_s", "2", "compile_spread", "0.4",
                                                      "invalid_fraction", "0.2", NULL},
                                NULL, &err);
  CHECK(b != NULL);
  if (!b) return;
  enum { N = 20000 };
  static double logc[N];
  gsl_rng *rng = mfbo_stream_alloc(4, "test-cost");
  int cfg[8], n = 0, failed_ok = 1, valid_ok = 1;
  for (int i = 0; i < N; i++) {
    mfbo_space_random(b->space, rng, cfg);
    double t, m, c1, c4;
    mfbo_benchmark_evaluate(b, cfg, 1, rng, &t, &m, &c1);
    mfbo_benchmark_evaluate(b, cfg, 4, rng, &t, &m, &c4);
    if (isinf(t)) {
      failed_ok &= isinf(m) && c1 == c4 && c1 > 0;
    } else {
      double compile = c1 - (t + 0.05) / 1000;
      valid_ok &= fabs(c4 - (compile + 4 * (t + 0.05) / 1000)) < 1e-12;
      logc[n++] = log(compile);
    }
  }
  CHECK(failed_ok && valid_ok);
  CHECK_NEAR(exp(gsl_stats_mean(logc, 1, (size_t)n)), 2.0, 0.05);
  CHECK_NEAR(gsl_stats_sd(logc, 1, (size_t)n), 0.4, 0.03);
  gsl_rng_free(rng);
  mfbo_benchmark_free(b);
}

int main(void) {
  test_determinism();
  test_dimension();
  test_invalid_fraction();
  test_knobs_scale_structure();
  test_space_override();
  test_noise();
  test_cost();
  CHECK_DONE();
}
