/* test_seed.c: the seed benchmark against its spec: the reference table to 1e-9, the
 * space (1024 configurations), the optimum, the median, the noise model's mean and spread
 * at several fidelities, the cost model and [space] overrides; and its instances (issue
 * 15): instance 1 is the spec's landscape, instances >= 2 keep the default configuration
 * and the distribution of times and move the optimum. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "check.h"
#include "mfbo/benchmark.h"
#include "mfbo/job.h"
#include "core/stream.h"

static mfbo_benchmark *seed_instance(mfbo_settings *settings, mfbo_settings *space,
                                     int instance) {
  mfbo_error err;
  mfbo_error_clear(&err);
  mfbo_benchmark *b =
      mfbo_benchmark_alloc(&mfbo_benchmark_seed, settings, space, instance, &err);
  if (!b) mfbo_error_print(&err, stderr);
  return b;
}

static mfbo_benchmark *seed(mfbo_settings *settings, mfbo_settings *space) {
  return seed_instance(settings, space, 1);
}

/* The configuration with these parameter values (all must exist in the space). */
static void cfg_of(const mfbo_space *s, const double *values, int *cfg) {
  for (int j = 0; j < s->n_params; j++) {
    cfg[j] = -1;
    for (int i = 0; i < s->params[j].n_values; i++)
      if (s->params[j].values[i] == values[j]) cfg[j] = i;
  }
}

static void test_reference_table(const mfbo_benchmark *b) {
  static const double table[][6] = {
      {128, 128, 64, 8, 3, 1.998048095156479},  {64, 64, 32, 4, 2, 23.905999999999814},
      {256, 128, 64, 16, 4, 43.81799999999982}, {32, 32, 16, 2, 2, 51.84388984929294},
      {256, 256, 128, 16, 5, 90.42399666535239}, {128, 128, 64, 16, 3, 12.09979636002344},
      {128, 64, 64, 8, 3, 10.476930367045115}};
  int cfg[5];
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    cfg_of(b->space, table[i], cfg);
    CHECK(mfbo_space_contains(b->space, cfg));
    CHECK_NEAR(mfbo_benchmark_true_ms(b, cfg), table[i][5], 1e-9);
  }
  cfg_of(b->space, (const double[]){128, 128, 64, 8, 2}, cfg);
  CHECK_NEAR(mfbo_benchmark_true_ms(b, cfg), 2.247846, 5e-7);
}

static void test_landscape_shape(const mfbo_benchmark *b) {
  CHECK(mfbo_space_size(b->space) == 1024);
  CHECK_NEAR(b->optimum_ms, 1.998048095156479, 1e-9);
  int cfg[5];
  mfbo_space_default(b->space, cfg);
  CHECK(mfbo_space_index(b->space, cfg) == b->optimum_index); /* the default is the optimum */
  double times[1024];
  int within10 = 0;
  for (uint64_t k = 0; k < 1024; k++) {
    mfbo_space_point(b->space, k, cfg);
    times[k] = mfbo_benchmark_true_ms(b, cfg);
    within10 += times[k] <= 1.1 * b->optimum_ms;
  }
  gsl_sort(times, 1, 1024);
  CHECK_NEAR(gsl_stats_median_from_sorted_data(times, 1, 1024), 42.03, 0.01);
  CHECK(within10 == 1);
  CHECK_NEAR(times[1023], 90.42399666535239, 1e-9);
}

/* Mean and sd of many measurements at fidelity r: Normal(t, 0.2/sqrt(r)) (t >> floor). */
static void test_noise(const mfbo_benchmark *b) {
  gsl_rng *noise = mfbo_stream_alloc(42, "test-noise");
  int cfg[5];
  mfbo_space_default(b->space, cfg);
  static const int reps[] = {1, 5, 50, 500};
  enum { N = 20000 };
  static double x[N];
  for (int f = 0; f < 4; f++) {
    double true_ms = 0, cost_s = 0;
    for (int i = 0; i < N; i++)
      mfbo_benchmark_evaluate(b, cfg, reps[f], noise, &true_ms, &x[i], &cost_s);
    double sd = 0.2 / sqrt(reps[f]);
    CHECK_NEAR(gsl_stats_mean(x, 1, N), true_ms, 4 * sd / sqrt(N));
    CHECK_NEAR(gsl_stats_sd(x, 1, N), sd, 0.03 * sd);
    CHECK_NEAR(cost_s, 0.5 + reps[f] * true_ms / 1000, 1e-12);
  }
  gsl_rng_free(noise);
}

static void test_settings_and_override(void) {
  mfbo_settings settings, space;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  mfbo_settings_add(&settings, "compile_s", "2.5", 3, NULL);
  mfbo_settings_add(&settings, "noise_sd_ms", "0", 4, NULL);
  mfbo_settings_add(&space, "BLOCK_M", "16-512", 7, NULL);
  mfbo_settings_add(&space, "num_stages", "1, 2, 3, 4, 5, 6", 8, NULL);
  mfbo_benchmark *b = seed(&settings, &space);
  CHECK(b != NULL);
  if (b) {
    CHECK(mfbo_space_size(b->space) == 6 * 4 * 4 * 4 * 6);
    int cfg[5];
    mfbo_space_default(b->space, cfg);
    CHECK(mfbo_space_value(b->space, cfg, 0) == 128);
    CHECK(mfbo_space_value(b->space, cfg, 4) == 3);
    double t, m, c;
    gsl_rng *noise = mfbo_stream_alloc(1, "test");
    mfbo_benchmark_evaluate(b, cfg, 10, noise, &t, &m, &c);
    gsl_rng_free(noise);
    CHECK(m == t); /* noise_sd_ms = 0: exact */
    CHECK_NEAR(c, 2.5 + 10 * t / 1000, 1e-12);
    mfbo_benchmark_free(b);
  }
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);

  /* Huge noise: measurements never go below the 0.1 ms floor, and some sit on it. */
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  mfbo_settings_add(&settings, "noise_sd_ms", "100", 3, NULL);
  b = seed(&settings, &space);
  gsl_rng *noise = mfbo_stream_alloc(2, "test");
  int cfg[5], at_floor = 0, below = 0;
  mfbo_space_default(b->space, cfg);
  for (int i = 0; i < 1000; i++) {
    double t, m, c;
    mfbo_benchmark_evaluate(b, cfg, 1, noise, &t, &m, &c);
    at_floor += m == 0.1;
    below += m < 0.1;
  }
  CHECK(at_floor > 400 && below == 0);
  gsl_rng_free(noise);
  mfbo_benchmark_free(b);
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);

  /* Unknown keys and bad values fail with their line. */
  mfbo_error err;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  mfbo_settings_add(&settings, "compile_seconds", "1", 5, NULL);
  mfbo_error_clear(&err);
  CHECK(mfbo_benchmark_alloc(&mfbo_benchmark_seed, &settings, &space, 1, &err) == NULL);
  CHECK(err.line == 5);
  mfbo_settings_free(&settings);
  mfbo_settings_init(&settings);
  mfbo_settings_add(&space, "BLOCK_K", "16-100", 9, NULL);
  mfbo_error_clear(&err);
  CHECK(mfbo_benchmark_alloc(&mfbo_benchmark_seed, &settings, &space, 1, &err) == NULL);
  CHECK(err.line == 9);
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
}

/* Every true time of the landscape, sorted; the default's and the optimum's index. */
static double *sorted_times(const mfbo_benchmark *b, uint64_t *n, int64_t *default_index) {
  *n = mfbo_space_size(b->space);
  double *t = malloc(*n * sizeof *t);
  int cfg[5];
  mfbo_space_default(b->space, cfg);
  *default_index = mfbo_space_index(b->space, cfg);
  for (uint64_t k = 0; t && k < *n; k++) {
    mfbo_space_point(b->space, k, cfg);
    t[k] = mfbo_benchmark_true_ms(b, cfg);
  }
  if (t) gsl_sort(t, 1, *n);
  return t;
}

/* Instances as in COCO: each of 2..30 is a bijection of instance 1's space (the same sorted
 * times), keeps the default configuration, and moves the optimum off it; different
 * instances put it in different places; an instance is the same every time it is built;
 * with a [space] override too. */
static void test_instances(const char *override_key, const char *override_value) {
  mfbo_settings settings, space;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  if (override_key) mfbo_settings_add(&space, override_key, override_value, 3, NULL);
  mfbo_benchmark *one = seed_instance(&settings, &space, 1);
  CHECK(one != NULL);
  if (!one) return;
  uint64_t n1, n;
  int64_t default1, def;
  double *t1 = sorted_times(one, &n1, &default1);
  CHECK(one->optimum_index == default1 || override_key); /* the spec: default = optimum */
  int distinct_optima = 0;
  int64_t seen[32];
  for (int inst = 2; inst <= 30; inst++) {
    mfbo_benchmark *b = seed_instance(&settings, &space, inst);
    CHECK(b != NULL);
    if (!b) continue;
    double *t = sorted_times(b, &n, &def);
    CHECK(n == n1 && def == default1);
    int same = t != NULL && t1 != NULL;
    for (uint64_t k = 0; same && k < n; k++) same = t[k] == t1[k];
    CHECK(same);
    CHECK(b->optimum_ms == one->optimum_ms);
    CHECK(b->optimum_index != def); /* the optimum moved off the default */
    int is_new = 1;
    for (int i = 0; i < distinct_optima; i++) is_new &= seen[i] != b->optimum_index;
    if (is_new) seen[distinct_optima++] = b->optimum_index;
    if (inst == 2) { /* built again: the same landscape and key */
      mfbo_benchmark *again = seed_instance(&settings, &space, 2);
      CHECK(again && again->optimum_index == b->optimum_index && again->key == b->key);
      int cfg[5];
      for (uint64_t k = 0; again && k < n; k += 37) {
        mfbo_space_point(b->space, k, cfg);
        CHECK(mfbo_benchmark_true_ms(b, cfg) == mfbo_benchmark_true_ms(again, cfg));
      }
      mfbo_benchmark_free(again);
    }
    free(t);
    mfbo_benchmark_free(b);
  }
  printf("seed instances 2-30%s%s%s: %d distinct optima\n", override_key ? " with " : "",
         override_key ? override_key : "", override_key ? " overridden" : "", distinct_optima);
  CHECK(distinct_optima >= 15);
  free(t1);
  mfbo_benchmark_free(one);
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
}

/* The built-in default job runs instances 1-5: instance 1 for the seed's table, and four
 * whose optimum is not the default configuration, so its figures tell searchers apart. */
static void test_default_job(void) {
  mfbo_job job;
  mfbo_error err;
  int rc = mfbo_job_load_text("(built-in default)", mfbo_default_job_text, &job, &err);
  CHECK(rc == 0);
  if (rc != 0) return;
  CHECK(job.benchmark_type == &mfbo_benchmark_seed && job.n_instances == 5);
  int moved = 0;
  for (int i = 0; i < job.n_instances; i++) {
    mfbo_benchmark *b = seed_instance(&job.benchmark, &job.space, job.instances[i]);
    int cfg[5];
    if (!b) continue;
    mfbo_space_default(b->space, cfg);
    moved += b->optimum_index != mfbo_space_index(b->space, cfg);
    mfbo_benchmark_free(b);
  }
  CHECK(job.instances[0] == 1 && moved == 4);
  mfbo_job_free(&job);
}

int main(void) {
  mfbo_settings settings, space;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  mfbo_benchmark *b = seed(&settings, &space);
  CHECK(b != NULL);
  if (b) {
    test_reference_table(b);
    test_landscape_shape(b);
    test_noise(b);
    mfbo_benchmark_free(b);
  }
  test_settings_and_override();
  test_instances(NULL, NULL);
  test_instances("BLOCK_M", "16-512");
  test_default_job();
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
  CHECK_DONE();
}
