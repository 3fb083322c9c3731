/* stats.c: quantiles, ERT with its bootstrap interval, the rank-sum test, Holm's correction
 * and step functions (see stats.h). Pure functions of their arguments: no files, no HDF5,
 * no gnuplot, no global state; the bootstrap's generator is seeded by the caller. */
#include "stats.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* ---------------------------------------------------------------- quantiles */

double mfbo_quantile_sorted(const double *sorted, size_t n, double p) {
  if (n == 0) return NAN;
  double index = p * (double)(n - 1);
  size_t lhs = (size_t)index;
  if (lhs >= n - 1) return sorted[n - 1];
  double delta = index - (double)lhs;
  /* GSL computes (1-d) a + d b, which is NaN for a = b = inf or d = 0, b = inf */
  if (delta == 0.0 || sorted[lhs] == sorted[lhs + 1]) return sorted[lhs];
  if (isinf(sorted[lhs + 1])) return sorted[lhs + 1];
  return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

#define LOGHIST_DECADE_BINS 100
#define LOGHIST_MIN_EXP (-12)

size_t mfbo_loghist_bin(double x) {
  if (x <= 0) return 0;
  if (!isfinite(x)) return MFBO_LOGHIST_BINS - 1; /* +inf, NaN */
  double k = floor((log10(x) - LOGHIST_MIN_EXP) * LOGHIST_DECADE_BINS);
  if (k < 0) k = 0;
  if (k > MFBO_LOGHIST_BINS - 3) k = MFBO_LOGHIST_BINS - 3;
  return 1 + (size_t)k;
}

double mfbo_loghist_quantile(const unsigned *counts, size_t n, double p) {
  if (n == 0) return NAN;
  size_t rank = (size_t)llround(p * (double)(n - 1)), seen = 0, b = 0;
  while (b < MFBO_LOGHIST_BINS - 1 && (seen += counts[b]) <= rank) b++;
  if (b == 0) return 0;
  if (b == MFBO_LOGHIST_BINS - 1) return INFINITY;
  return pow(10, LOGHIST_MIN_EXP + ((double)(b - 1) + 0.5) / LOGHIST_DECADE_BINS);
}

void mfbo_sort(double *x, size_t n) {
  if (n > 1) gsl_sort(x, 1, n);
}

mfbo_spread mfbo_spread_of(const double *x, size_t n) {
  mfbo_spread s = {.n = n};
  double *v = n ? malloc(n * sizeof *v) : NULL;
  if (!v) {
    s.min = s.q10 = s.q25 = s.median = s.q75 = s.q90 = s.max = NAN;
    return s;
  }
  memcpy(v, x, n * sizeof *v);
  mfbo_sort(v, n);
  s.min = v[0];
  s.q10 = mfbo_quantile_sorted(v, n, 0.10);
  s.q25 = mfbo_quantile_sorted(v, n, 0.25);
  s.median = mfbo_quantile_sorted(v, n, 0.50);
  s.q75 = mfbo_quantile_sorted(v, n, 0.75);
  s.q90 = mfbo_quantile_sorted(v, n, 0.90);
  s.max = v[n - 1];
  free(v);
  return s;
}

/* ---------------------------------------------------------------- ERT */

size_t mfbo_successes(const double *hit_cost_s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += isfinite(hit_cost_s[i]) ? 1 : 0;
  return k;
}

double mfbo_ert(const double *hit_cost_s, const double *total_cost_s, size_t n) {
  if (n == 0) return NAN;
  double spent_s = 0;
  size_t successes = 0;
  for (size_t i = 0; i < n; i++) {
    int hit = isfinite(hit_cost_s[i]);
    spent_s += hit ? hit_cost_s[i] : total_cost_s[i];
    successes += hit ? 1 : 0;
  }
  return successes ? spent_s / (double)successes : INFINITY;
}

/* A run as the bootstrap sees it: what it spent (to its success or its end), and whether it
 * succeeded. One array of these is read at random, so one cache line a draw. */
typedef struct {
  double spent_s;
  uint64_t hit;
} boot_run;

/* gsl_rng_uniform_int(rng, n), the same numbers, faster: the generator's get function is
 * called directly and, for generators whose range fits 32 bits (MT19937's does), the
 * division by scale = range / n is a 32-bit one; others use GSL's function. */
typedef struct {
  const gsl_rng *rng;
  unsigned long (*get)(void *state);
  void *state;
  unsigned long n_any; /* n, for GSL's function */
  uint32_t offset, n, scale;
} uniform_draws;

static int uniform_draws_init(uniform_draws *u, const gsl_rng *rng, size_t n) {
  unsigned long range = rng->type->max - rng->type->min;
  if (n == 0 || n > range) return -1;
  *u = (uniform_draws){.rng = rng, .get = rng->type->get, .state = rng->state,
                       .n_any = (unsigned long)n};
  if (range > UINT32_MAX) {
    u->get = NULL;
    return 0;
  }
  u->offset = (uint32_t)rng->type->min;
  u->n = (uint32_t)n;
  u->scale = (uint32_t)(range / n);
  return 0;
}

static size_t uniform_draw(const uniform_draws *u) {
  if (!u->get) return (size_t)gsl_rng_uniform_int(u->rng, u->n_any);
  for (;;) { /* gsl_rng_uniform_int's loop */
    uint32_t k = ((uint32_t)u->get(u->state) - u->offset) / u->scale;
    if (k < u->n) return k;
  }
}

#define DRAW_BATCH 512 /* indices drawn before their runs are read, so the reads overlap */

/* The ERT of one resample: the runs at the drawn indices, summed in draw order. */
static double resampled_ert(const boot_run *runs, size_t n, const uniform_draws *u) {
  double spent_s = 0;
  uint64_t successes = 0;
  size_t drawn[DRAW_BATCH];
  for (size_t k = 0; k < n; k += DRAW_BATCH) {
    size_t m = n - k < DRAW_BATCH ? n - k : DRAW_BATCH;
    for (size_t j = 0; j < m; j++) drawn[j] = uniform_draw(u);
    for (size_t j = 0; j < m; j++) {
      const boot_run *run = &runs[drawn[j]];
      spent_s += run->spent_s;
      successes += run->hit;
    }
  }
  return successes ? spent_s / (double)successes : INFINITY;
}

/* The percentile interval of replicates (sorted in place); NaN if there are none. */
static void percentile_interval(double *sorted, size_t n, double level, mfbo_interval *out) {
  mfbo_sort(sorted, n);
  out->lo = mfbo_quantile_sorted(sorted, n, (1 - level) / 2);
  out->hi = mfbo_quantile_sorted(sorted, n, (1 + level) / 2);
}

/* The bootstrap as defined: n_boot resamples of the n runs, each drawn. */
static int exact_bootstrap(const double *hit_cost_s, const double *total_cost_s, size_t n,
                           size_t n_boot, uint64_t seed, double *boot) {
  boot_run *runs = malloc(n * sizeof *runs);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  uniform_draws u;
  if (!runs || !rng || uniform_draws_init(&u, rng, n) != 0) {
    free(runs);
    if (rng) gsl_rng_free(rng);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    int hit = isfinite(hit_cost_s[i]);
    runs[i] = (boot_run){.spent_s = hit ? hit_cost_s[i] : total_cost_s[i], .hit = hit ? 1 : 0};
  }
  /* MT19937 takes a 32-bit seed; GSL treats 0 as its default seed */
  unsigned long seed32 = (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu);
  gsl_rng_set(rng, seed32 ? seed32 : 1);
  for (size_t b = 0; b < n_boot; b++) boot[b] = resampled_ert(runs, n, &u);
  free(runs);
  gsl_rng_free(rng);
  return 0;
}

/* ---- the bootstrap of many runs: MFBO_EXACT_BOOT_RUNS */

#define BOOT_EXACT_DRAWS 1000 /* sums of at most this many draws are drawn one by one */

/* The runs that succeeded (what they spent to success) or those that did not (all they spent). */
typedef struct {
  double *x;
  size_t n;
  double mean, sd; /* of x as a population */
} boot_pool;

/* The sum of k draws with replacement from p: one by one if k is small, else from the
 * normal distribution of such a sum (mean k m, variance k s^2; the central limit theorem). */
static double pool_sum(const boot_pool *p, size_t k, gsl_rng *rng) {
  double sum = 0;
  if (k == 0) return 0;
  if (k <= BOOT_EXACT_DRAWS) {
    for (size_t j = 0; j < k; j++) sum += p->x[gsl_rng_uniform_int(rng, (unsigned long)p->n)];
    return sum;
  }
  sum = (double)k * p->mean + sqrt((double)k) * p->sd * gsl_ran_ugaussian(rng);
  return sum > 0 ? sum : 0;
}

static void pool_moments(boot_pool *p) {
  p->mean = p->n ? gsl_stats_mean(p->x, 1, p->n) : 0;
  p->sd = p->n ? sqrt(gsl_stats_variance_with_fixed_mean(p->x, 1, p->n, p->mean)) : 0;
}

int mfbo_ert_bootstrap_sums(const double *hit_cost_s, const double *total_cost_s, size_t n,
                            size_t n_boot, uint64_t seed, double *replicates) {
  double *x = malloc((n ? n : 1) * sizeof *x);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!x || !rng) {
    free(x);
    if (rng) gsl_rng_free(rng);
    return -1;
  }
  boot_pool hits = {.x = x}, misses = {.x = x + n};
  for (size_t i = 0; i < n; i++) /* hits fill x from the front, misses from the back */
    if (isfinite(hit_cost_s[i])) x[hits.n++] = hit_cost_s[i];
    else *(--misses.x) = total_cost_s[i], misses.n++;
  pool_moments(&hits);
  pool_moments(&misses);
  unsigned long seed32 = (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu);
  gsl_rng_set(rng, seed32 ? seed32 : 1);
  double p_hit = (double)hits.n / (double)n;
  for (size_t b = 0; b < n_boot; b++) {
    size_t k = hits.n == 0 ? 0 : hits.n == n ? n : gsl_ran_binomial(rng, p_hit, (unsigned)n);
    double spent_s = pool_sum(&hits, k, rng) + pool_sum(&misses, n - k, rng);
    replicates[b] = k ? spent_s / (double)k : INFINITY;
  }
  gsl_rng_free(rng);
  free(x);
  return 0;
}

/* Whether every cost is finite (the sums' moments need it). */
static int costs_finite(const double *hit_cost_s, const double *total_cost_s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(isfinite(hit_cost_s[i]) ? hit_cost_s[i] : total_cost_s[i])) return 0;
  return 1;
}

int mfbo_ert_bootstrap(const double *hit_cost_s, const double *total_cost_s, size_t n,
                       size_t n_boot, uint64_t seed, double level, mfbo_interval *out,
                       double *replicates) {
  out->value = mfbo_ert(hit_cost_s, total_cost_s, n);
  out->lo = out->hi = NAN;
  if (n == 0 || n_boot == 0) return 0;
  double *boot = malloc(n_boot * sizeof *boot);
  if (!boot) return -1;
  int rc = n > MFBO_EXACT_BOOT_RUNS && n <= UINT_MAX && costs_finite(hit_cost_s, total_cost_s, n)
               ? mfbo_ert_bootstrap_sums(hit_cost_s, total_cost_s, n, n_boot, seed, boot)
               : exact_bootstrap(hit_cost_s, total_cost_s, n, n_boot, seed, boot);
  if (rc == 0) {
    if (replicates) memcpy(replicates, boot, n_boot * sizeof *boot);
    percentile_interval(boot, n_boot, level, out);
  }
  free(boot);
  return rc;
}

double mfbo_ert_ratio(double a, double b) {
  if (isinf(a) && isinf(b)) return NAN;
  if (isinf(b)) return 0.0;
  if (isinf(a)) return INFINITY;
  return b > 0 ? a / b : (a > 0 ? INFINITY : NAN);
}

int mfbo_ratio_interval(double a, double b, const double *a_boot, const double *b_boot,
                        size_t n_boot, double level, mfbo_interval *out) {
  out->value = mfbo_ert_ratio(a, b);
  out->lo = out->hi = NAN;
  if (n_boot == 0) return 0;
  double *r = malloc(n_boot * sizeof *r);
  if (!r) return -1;
  size_t kept = 0;
  for (size_t i = 0; i < n_boot; i++) {
    double q = mfbo_ert_ratio(a_boot[i], b_boot[i]);
    if (!isnan(q)) r[kept++] = q;
  }
  if (2 * kept >= n_boot) percentile_interval(r, kept, level, out);
  free(r);
  return 0;
}

/* ---------------------------------------------------------------- rank-sum test */

/* Average ranks (1-based) of the pooled sample; *tie_term = sum over tie groups of t^3 - t. */
static int pooled_ranks(const double *v, size_t n, double *rank, double *tie_term) {
  size_t *order = malloc(n * sizeof *order);
  if (!order) return -1;
  gsl_sort_index(order, v, 1, n);
  *tie_term = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && v[order[j]] == v[order[i]]) j++;
    double average = ((double)(i + 1) + (double)j) / 2; /* ranks i+1 .. j */
    for (size_t k = i; k < j; k++) rank[order[k]] = average;
    double t = (double)(j - i);
    *tie_term += t * t * t - t;
    i = j;
  }
  free(order);
  return 0;
}

double mfbo_ranksum_exact_p(double u, size_t m, size_t n) {
  /* counts of U are the coefficients of the Gaussian binomial [m+n choose m]_q =
   * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i); each partial product is a polynomial */
  size_t top = m * n + m + 1;
  double *c = calloc(top, sizeof *c);
  if (!c) return NAN;
  c[0] = 1;
  for (size_t i = 1; i <= m; i++) {
    for (size_t j = top - 1; j >= n + i; j--) c[j] -= c[j - (n + i)];
    for (size_t j = i; j < top; j++) c[j] += c[j - i];
  }
  double total = 0, tail = 0, u_low = fmin(u, (double)(m * n) - u);
  for (size_t j = 0; j <= m * n; j++) {
    total += c[j];
    if ((double)j <= u_low + 1e-9) tail += c[j];
  }
  free(c);
  return fmin(1.0, 2 * tail / total);
}

int mfbo_ranksum_test(const double *x, size_t nx, const double *y, size_t ny,
                      mfbo_ranksum *out) {
  if (nx == 0 || ny == 0) return -1;
  size_t n = nx + ny;
  double *v = malloc(n * sizeof *v), *rank = malloc(n * sizeof *rank), ties;
  if (!v || !rank || (memcpy(v, x, nx * sizeof *v), memcpy(v + nx, y, ny * sizeof *v),
                      pooled_ranks(v, n, rank, &ties)) != 0) {
    free(v);
    free(rank);
    return -1;
  }
  double rank_sum_x = 0;
  for (size_t i = 0; i < nx; i++) rank_sum_x += rank[i];
  free(v);
  free(rank);
  double mn = (double)nx * (double)ny;
  out->u_x = rank_sum_x - (double)nx * ((double)nx + 1) / 2;
  out->p_x_lower = 1 - out->u_x / mn;
  out->exact = ties == 0 && nx <= MFBO_RANKSUM_EXACT_MAX && ny <= MFBO_RANKSUM_EXACT_MAX;
  out->z = NAN;
  if (out->exact) {
    out->p = mfbo_ranksum_exact_p(out->u_x, nx, ny);
    return isnan(out->p) ? -1 : 0;
  }
  double nn = (double)n;
  double variance = mn / 12 * ((nn + 1) - ties / (nn * (nn - 1)));
  if (variance <= 0) { /* every value tied: no evidence either way */
    out->z = 0;
    out->p = 1;
    return 0;
  }
  double deviation = fmax(0.0, fabs(out->u_x - mn / 2) - 0.5);
  out->z = copysign(deviation / sqrt(variance), out->u_x - mn / 2);
  out->p = fmin(1.0, 2 * gsl_cdf_ugaussian_Q(fabs(out->z)));
  return 0;
}

void mfbo_holm(const double *p, size_t m, double *adjusted) {
  if (m == 0) return;
  size_t *order = malloc(m * sizeof *order);
  if (!order) { /* Bonferroni is never less conservative than Holm */
    for (size_t i = 0; i < m; i++) adjusted[i] = fmin(1.0, p[i] * (double)m);
    return;
  }
  gsl_sort_index(order, p, 1, m);
  double running = 0;
  for (size_t k = 0; k < m; k++) {
    double a = fmin(1.0, (double)(m - k) * p[order[k]]);
    running = fmax(running, a);
    adjusted[order[k]] = running;
  }
  free(order);
}

/* ---------------------------------------------------------------- step functions */

double mfbo_step_at(const double *x, const double *y, size_t n, double at, double before) {
  if (n == 0 || at < x[0]) return before;
  size_t lo = 0, hi = n; /* the last i with x[i] <= at is in [lo, hi) */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (x[mid] <= at) lo = mid;
    else hi = mid;
  }
  return y[lo];
}

double mfbo_ecdf_sorted(const double *sorted, size_t n, double at) {
  if (n == 0) return 0;
  size_t lo = 0, hi = n; /* count of values <= at */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sorted[mid] <= at) lo = mid + 1;
    else hi = mid;
  }
  return (double)lo / (double)n;
}
