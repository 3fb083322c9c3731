/* test_analysis_stats.c: the statistics of mfbo-analyze (src/analysis/stats.c) on hand-made
 * data with known answers: type-7 quantiles (with +inf), ERT, the bootstrap interval, ratios
 * of ERTs, the rank-sum test (exact p against brute-force enumeration, the normal
 * approximation with ties against the formula worked by hand), Holm, step functions, the
 * ECDF, and the log-axis floor of the plot writer. The bootstrap's replicates are those of
 * the definition (gsl_rng_uniform_int, summed in draw order) bit for bit; above
 * MFBO_EXACT_BOOT_RUNS its drawn sums give the drawn bootstrap's interval within noise. */
#include <math.h>

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "plot.h"
#include "stats.h"

static void test_quantiles(void) {
  double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK_NEAR(mfbo_quantile_sorted(x, 10, 0.25), 3.25, 1e-12); /* 1 + 0.25 * 9 */
  CHECK_NEAR(mfbo_quantile_sorted(x, 10, 0.50), 5.5, 1e-12);
  CHECK_NEAR(mfbo_quantile_sorted(x, 10, 0.10), 1.9, 1e-12);
  CHECK_NEAR(mfbo_quantile_sorted(x, 10, 0.90), 9.1, 1e-12);
  CHECK(mfbo_quantile_sorted(x, 10, 0) == 1 && mfbo_quantile_sorted(x, 10, 1) == 10);
  double inf[] = {1, 2, 3, INFINITY};
  CHECK_NEAR(mfbo_quantile_sorted(inf, 4, 0.5), 2.5, 1e-12);
  CHECK(isinf(mfbo_quantile_sorted(inf, 4, 0.75))); /* between 3 and +inf */
  CHECK(mfbo_quantile_sorted(inf, 4, 2.0 / 3) == 3); /* exactly on 3: no NaN from 0 * inf */
  double both[] = {INFINITY, INFINITY};
  CHECK(isinf(mfbo_quantile_sorted(both, 2, 0.5)));
  CHECK(isnan(mfbo_quantile_sorted(x, 0, 0.5)));
  double shuffled[] = {7, 1, 10, 3, 5, 2, 9, 4, 8, 6};
  mfbo_spread s = mfbo_spread_of(shuffled, 10);
  CHECK(s.n == 10 && s.min == 1 && s.max == 10);
  CHECK_NEAR(s.median, 5.5, 1e-12);
  CHECK_NEAR(s.q25, 3.25, 1e-12);
  CHECK_NEAR(s.q75, 7.75, 1e-12);
  CHECK(shuffled[0] == 7); /* not sorted in place */
  CHECK(isnan(mfbo_spread_of(x, 0).median));
}

static void test_ert(void) {
  /* two successes at 10 s and 30 s; two failures that ran 100 s and 80 s */
  double hit[] = {10, INFINITY, 30, INFINITY}, total[] = {50, 100, 60, 80};
  CHECK_NEAR(mfbo_ert(hit, total, 4), (10 + 100 + 30 + 80) / 2.0, 1e-12);
  CHECK(mfbo_successes(hit, 4) == 2);
  double never[] = {INFINITY, INFINITY};
  CHECK(isinf(mfbo_ert(never, total, 2)) && mfbo_successes(never, 2) == 0);
  CHECK(isnan(mfbo_ert(hit, total, 0)));

  /* every run succeeds at 5 s: ERT 5, and every resample says so */
  double five[] = {5, 5, 5, 5, 5}, ends[] = {9, 9, 9, 9, 9};
  mfbo_interval i;
  CHECK(mfbo_ert_bootstrap(five, ends, 5, 500, 42, 0.95, &i, NULL) == 0);
  CHECK(i.value == 5 && i.lo == 5 && i.hi == 5);

  /* one success in 10 runs: a resample has none with probability 0.9^10 = 35%: hi = inf */
  double one[10], ten[10];
  for (int k = 0; k < 10; k++) one[k] = INFINITY, ten[k] = 100;
  one[3] = 20;
  double boot[1000];
  CHECK(mfbo_ert_bootstrap(one, ten, 10, 1000, 7, 0.95, &i, boot) == 0);
  CHECK_NEAR(i.value, 920, 1e-9); /* 9 x 100 + 20 */
  CHECK(isinf(i.hi) && i.lo > 0 && i.lo < 920);
  int none = 0;
  for (int b = 0; b < 1000; b++) none += isinf(boot[b]);
  CHECK(none > 250 && none < 450);
  /* the same seed gives the same interval; the data decide the point estimate */
  mfbo_interval j;
  mfbo_ert_bootstrap(one, ten, 10, 1000, 7, 0.95, &j, NULL);
  CHECK(memcmp(&i, &j, sizeof i) == 0);
  mfbo_ert_bootstrap(hit, total, 4, 2000, 1, 0.95, &j, NULL);
  CHECK(j.lo <= j.value && j.value <= j.hi);
}

/* The ERT of resample after resample as defined: gsl_rng_uniform_int, summed in draw order. */
static void reference_replicates(const double *hit, const double *total, size_t n,
                                 size_t n_boot, unsigned long seed32, double *out) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed32);
  for (size_t b = 0; b < n_boot; b++) {
    double spent = 0;
    size_t successes = 0;
    for (size_t k = 0; k < n; k++) {
      size_t i = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
      spent += isfinite(hit[i]) ? hit[i] : total[i];
      successes += isfinite(hit[i]);
    }
    out[b] = successes ? spent / (double)successes : INFINITY;
  }
  gsl_rng_free(rng);
}

/* Synthetic runs: costs spread over two decades, a success with probability p_hit. */
static void synthetic_runs(size_t n, double p_hit, unsigned long seed, double *hit, double *total) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  for (size_t i = 0; i < n; i++) {
    total[i] = pow(10, 2 * gsl_rng_uniform(rng));
    hit[i] = gsl_rng_uniform(rng) < p_hit ? total[i] * gsl_rng_uniform(rng) : INFINITY;
  }
  gsl_rng_free(rng);
}

static void test_bootstrap_draws(void) {
  /* sizes that are not powers of two, so that the scaled draws are rejected at times */
  const size_t sizes[] = {1, 3, 7, 1000, 4099, 65537};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    size_t n = sizes[s], n_boot = 40;
    double *hit = malloc(n * sizeof *hit), *total = malloc(n * sizeof *total);
    double got[40], want[40];
    mfbo_interval i;
    synthetic_runs(n, 0.4, 11 + s, hit, total);
    CHECK(mfbo_ert_bootstrap(hit, total, n, n_boot, 12345, 0.95, &i, got) == 0);
    reference_replicates(hit, total, n, n_boot, 12345, want);
    CHECK(memcmp(got, want, sizeof got) == 0);
    free(hit);
    free(total);
  }
}

/* The drawn sums against the drawn bootstrap on the same runs: the interval's ends agree
 * within a tenth of its width (each end's own Monte Carlo noise is about 2% of it). */
static void test_bootstrap_sums(void) {
  const size_t n = 20000, n_boot = 2000;
  const double p_hits[] = {0.3, 0.004}; /* the second: about 80 successes, drawn one by one */
  double *hit = malloc(n * sizeof *hit), *total = malloc(n * sizeof *total);
  double *boot = malloc(n_boot * sizeof *boot);
  for (int c = 0; c < 2; c++) {
    synthetic_runs(n, p_hits[c], 5 + (unsigned long)c, hit, total);
    mfbo_interval drawn, sums;
    CHECK(mfbo_ert_bootstrap(hit, total, n, n_boot, 99, 0.95, &drawn, NULL) == 0);
    CHECK(mfbo_ert_bootstrap_sums(hit, total, n, n_boot, 99, boot) == 0);
    mfbo_sort(boot, n_boot);
    sums.lo = mfbo_quantile_sorted(boot, n_boot, 0.025);
    sums.hi = mfbo_quantile_sorted(boot, n_boot, 0.975);
    double width = drawn.hi - drawn.lo;
    CHECK(width > 0 && isfinite(width));
    CHECK(fabs(sums.lo - drawn.lo) < 0.1 * width && fabs(sums.hi - drawn.hi) < 0.1 * width);
    CHECK(fabs(sums.hi - sums.lo - width) < 0.1 * width);
  }
  free(hit);
  free(total);
  free(boot);
}

static void test_ratio(void) {
  CHECK_NEAR(mfbo_ert_ratio(10, 5), 2, 1e-12);
  CHECK(isinf(mfbo_ert_ratio(INFINITY, 5)));
  CHECK(mfbo_ert_ratio(5, INFINITY) == 0);
  CHECK(isnan(mfbo_ert_ratio(INFINITY, INFINITY)));
  double a[] = {10, 12, 8, INFINITY}, b[] = {5, 6, INFINITY, INFINITY};
  mfbo_interval r;
  CHECK(mfbo_ratio_interval(10, 5, a, b, 4, 0.5, &r) == 0); /* ratios 2, 2, 0 (inf/inf left out) */
  CHECK_NEAR(r.value, 2, 1e-12);
  CHECK_NEAR(r.lo, 1, 1e-12); /* type-7 quantiles 0.25 and 0.75 of {0, 2, 2} */
  CHECK_NEAR(r.hi, 2, 1e-12);
  double c[] = {INFINITY, INFINITY, INFINITY, 1}, d[] = {INFINITY, INFINITY, INFINITY, 2};
  CHECK(mfbo_ratio_interval(1, 1, c, d, 4, 0.95, &r) == 0 && isnan(r.lo)); /* 3 of 4 undefined */
}

static void test_ranksum(void) {
  mfbo_ranksum t;
  double x1[] = {1, 2, 3}, y1[] = {4, 5, 6};
  CHECK(mfbo_ranksum_test(x1, 3, y1, 3, &t) == 0);
  CHECK(t.exact && t.u_x == 0 && t.p_x_lower == 1);
  CHECK_NEAR(t.p, 0.1, 1e-12); /* 2 / C(6, 3) */
  double x2[] = {1, 3, 5, 7}, y2[] = {2, 4, 6};
  CHECK(mfbo_ranksum_test(x2, 4, y2, 3, &t) == 0);
  CHECK(t.u_x == 6 && t.p == 1);
  /* p by enumerating all C(13, 7) = 1716 splits (python, itertools) */
  double x3[] = {0.5, 1.5, 2.5, 3.5, 9, 10, 11}, y3[] = {4, 5, 6, 7, 8, 12};
  CHECK(mfbo_ranksum_test(x3, 7, y3, 6, &t) == 0);
  CHECK(t.exact && t.u_x == 15);
  CHECK_NEAR(t.p, 0.44522144522144524, 1e-12);
  CHECK_NEAR(mfbo_ranksum_exact_p(15, 7, 6), 0.44522144522144524, 1e-12);
  CHECK_NEAR(mfbo_ranksum_exact_p(0, 5, 5), 2.0 / 252, 1e-15);

  /* 25 vs 23 values with many ties: normal approximation, tie-corrected variance, continuity
   * correction: U = 174, z = 2.3493886309279075, p = erfc(z / sqrt 2) */
  double x4[25], y4[23];
  for (int i = 0; i < 25; i++) x4[i] = i % 7;
  for (int i = 0; i < 23; i++) y4[i] = i % 9 + 1;
  CHECK(mfbo_ranksum_test(x4, 25, y4, 23, &t) == 0);
  CHECK(!t.exact && t.u_x == 174);
  CHECK_NEAR(fabs(t.z), 2.3493886309279075, 1e-9);
  CHECK_NEAR(t.p, 0.018804268508574893, 1e-9);
  CHECK(t.p_x_lower > 0.5);

  /* ties switch the exact test off; +inf (no incumbent) ranks last; all tied: p = 1 */
  double x5[] = {1, 1, INFINITY}, y5[] = {1, 2, INFINITY};
  CHECK(mfbo_ranksum_test(x5, 3, y5, 3, &t) == 0 && !t.exact);
  CHECK_NEAR(t.u_x, 3.5, 1e-12); /* (1>1:½,½) (1>1:½,½) (inf>1, inf>2, inf=inf: 2.5) */
  double same[] = {3, 3, 3};
  CHECK(mfbo_ranksum_test(same, 3, same, 3, &t) == 0 && t.p == 1);
  CHECK(mfbo_ranksum_test(same, 0, same, 3, &t) != 0);
}

static void test_holm(void) {
  double p[] = {0.01, 0.04, 0.03, 0.005}, adj[4];
  mfbo_holm(p, 4, adj);
  /* sorted 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 -> max(0.04, 0.06) */
  CHECK_NEAR(adj[0], 0.03, 1e-12);
  CHECK_NEAR(adj[1], 0.06, 1e-12);
  CHECK_NEAR(adj[2], 0.06, 1e-12);
  CHECK_NEAR(adj[3], 0.02, 1e-12);
  double big[] = {0.5, 0.6}, adj2[2];
  mfbo_holm(big, 2, adj2);
  CHECK(adj2[0] == 1 && adj2[1] == 1);
}

static void test_steps(void) {
  double x[] = {1, 3, 7}, y[] = {10, 5, 2};
  CHECK(mfbo_step_at(x, y, 3, 0.5, INFINITY) == INFINITY);
  CHECK(mfbo_step_at(x, y, 3, 1, -1) == 10);
  CHECK(mfbo_step_at(x, y, 3, 2.9, -1) == 10);
  CHECK(mfbo_step_at(x, y, 3, 3, -1) == 5);
  CHECK(mfbo_step_at(x, y, 3, 100, -1) == 2);
  CHECK(mfbo_step_at(x, y, 0, 100, -1) == -1);
  double e[] = {1, 2, 2, INFINITY};
  CHECK(mfbo_ecdf_sorted(e, 4, 0) == 0);
  CHECK(mfbo_ecdf_sorted(e, 4, 2) == 0.75);
  CHECK(mfbo_ecdf_sorted(e, 4, 1e300) == 0.75);
  CHECK(mfbo_ecdf_sorted(e, 0, 1) == 0);
}

static void test_log_floor(void) {
  double with_zero[] = {0, 0.125, 3, INFINITY};
  CHECK(mfbo_plot_log_floor(with_zero, 4) == 1e-4);
  double tiny[] = {0, 3e-6};
  CHECK_NEAR(mfbo_plot_log_floor(tiny, 2), 1e-7, 1e-20);
  double positive[] = {0.25, 2};
  CHECK_NEAR(mfbo_plot_log_floor(positive, 2), 0.01, 1e-15);
  CHECK(mfbo_plot_log_floor(positive, 0) == 1e-4);
}

/* The binned quantiles against the exact order statistics: 20000 values spread over 16
 * decades, with zeros and infinities. */
static void test_loghist(void) {
  enum { N = 20000 };
  static double x[N];
  static unsigned counts[MFBO_LOGHIST_BINS];
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  for (size_t i = 0; i < N; i++) {
    double u = gsl_rng_uniform(rng);
    x[i] = i % 10 == 0 ? 0 : i % 10 == 1 ? INFINITY : pow(10, -8 + 16 * u);
    counts[mfbo_loghist_bin(x[i])]++;
  }
  gsl_rng_free(rng);
  mfbo_sort(x, N);
  double worst = 0;
  for (int k = 0; k <= 100; k++) {
    double p = k / 100.0, exact = x[(size_t)llround(p * (N - 1))];
    double binned = mfbo_loghist_quantile(counts, N, p);
    if (exact == 0 || isinf(exact)) {
      CHECK(binned == exact);
    } else {
      double rel = fabs(binned / exact - 1);
      if (rel > worst) worst = rel;
    }
  }
  CHECK(worst > 0 && worst < 0.0116); /* half a bin: 10^(1/200) - 1 = 1.16% */
  CHECK(mfbo_loghist_bin(1e-30) == 1 && mfbo_loghist_bin(1e30) == MFBO_LOGHIST_BINS - 2);
  CHECK(mfbo_loghist_bin(NAN) == MFBO_LOGHIST_BINS - 1 && mfbo_loghist_bin(-1) == 0);
  CHECK(isnan(mfbo_loghist_quantile(counts, 0, 0.5)));
}

int main(void) {
  test_quantiles();
  test_loghist();
  test_ert();
  test_bootstrap_draws();
  test_bootstrap_sums();
  test_ratio();
  test_ranksum();
  test_holm();
  test_steps();
  test_log_floor();
  CHECK_DONE();
}
