/* stats.h: the statistics of the analysis (docs: docs/spec/metrics.md), on plain
 * arrays. No HDF5, no gnuplot, no files: a unit test calls every function on hand-made data.
 * Values may be +inf (a run with no incumbent, a target never reached); never NaN, unless a
 * function says so. GSL does the sorting, quantiles, random numbers and normal tail. */
#ifndef MFBO_ANALYSIS_STATS_H
#define MFBO_ANALYSIS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Quantile p in [0, 1] of sorted data (ascending, +inf allowed), "type 7": linear
 * interpolation between order statistics, as GSL, R's default and NumPy's "linear" do.
 * Between a finite value and +inf it is +inf; NaN for n == 0. */
double mfbo_quantile_sorted(const double *sorted, size_t n, double p);

/* Sorts x in place, ascending (+inf last). */
void mfbo_sort(double *x, size_t n);

/* Quantiles of many values in fixed memory: a histogram of MFBO_LOGHIST_BINS counts, bin 0
 * for values <= 0, then 100 log-spaced bins a decade from 1e-12 to 1e12 (values outside
 * fall into the first or last of them), and a last bin for +inf (and NaN). A quantile is
 * the centre of the bin holding its order statistic: within 1.2% of the exact one between
 * 1e-12 and 1e12, exact for 0 and +inf. For convergence curves over very many runs. */
#define MFBO_LOGHIST_BINS 2402
size_t mfbo_loghist_bin(double x);
/* counts: MFBO_LOGHIST_BINS counts of n values in all; p in [0, 1]; NaN if n is 0. */
double mfbo_loghist_quantile(const unsigned *counts, size_t n, double p);

/* The usual order statistics of a sample. */
typedef struct {
  size_t n;
  double min, q10, q25, median, q75, q90, max;
} mfbo_spread;

/* The spread of x (x is not changed); every field NaN when n == 0. */
mfbo_spread mfbo_spread_of(const double *x, size_t n);

/* A point estimate with a confidence interval [lo, hi] (NaN when undefined). */
typedef struct {
  double value, lo, hi;
} mfbo_interval;

/* ERT (expected running time) of n runs for one target: the cost all runs spent until
 * their success (hit_cost_s[i], finite) or until their end (total_cost_s[i], when
 * hit_cost_s[i] is +inf), divided by the number of successes. +inf when no run succeeds;
 * NaN when n == 0. */
double mfbo_ert(const double *hit_cost_s, const double *total_cost_s, size_t n);

/* Number of runs with a finite hit cost. */
size_t mfbo_successes(const double *hit_cost_s, size_t n);

/* Percentile bootstrap of the ERT: n_boot resamples of the n runs with replacement, drawn
 * with GSL's MT19937 seeded with seed (so the interval is reproducible). The interval holds
 * the (1-level)/2 and (1+level)/2 quantiles of the resampled ERTs (which may be +inf). If
 * replicates is not NULL, it receives the n_boot resampled ERTs in draw order. Returns -1
 * when out of memory. Above MFBO_EXACT_BOOT_RUNS runs (all costs finite) the resamples come
 * from mfbo_ert_bootstrap_sums instead: n_boot x n draws would take minutes. */
#define MFBO_EXACT_BOOT_RUNS 100000
int mfbo_ert_bootstrap(const double *hit_cost_s, const double *total_cost_s, size_t n,
                       size_t n_boot, uint64_t seed, double level, mfbo_interval *out,
                       double *replicates);

/* The bootstrap of many runs, n_boot resampled ERTs into replicates: what each resample
 * depends on is drawn, not its n runs. Its number of successes k is binomial (n, successes /
 * n), exactly as in a resample; the cost it spent is the sum of k draws from the successful
 * runs' hit costs and n - k draws from the others' total costs, each drawn one by one when
 * at most 1000, else from the normal distribution of such a sum (the central limit theorem:
 * the sum of m draws has mean m x mean and variance m x variance of what is drawn from).
 * Costs must be finite; n <= UINT_MAX. Intervals agree with the drawn bootstrap's to within
 * its own Monte Carlo noise (tests/test_analysis_stats.c). -1 when out of memory. */
int mfbo_ert_bootstrap_sums(const double *hit_cost_s, const double *total_cost_s, size_t n,
                            size_t n_boot, uint64_t seed, double *replicates);

/* Ratio a/b of two ERTs with the conventions for infinities: finite/inf = 0,
 * inf/finite = +inf, inf/inf = NaN (undefined: neither succeeds). */
double mfbo_ert_ratio(double a, double b);

/* Interval of the ratio a/b from paired bootstrap replicates (independent resamples of two
 * algorithms). Replicates whose ratio is undefined (both +inf) are left out; if more than
 * half are, the interval is NaN. out->value is the ratio of the point estimates. */
int mfbo_ratio_interval(double a, double b, const double *a_boot, const double *b_boot,
                        size_t n_boot, double level, mfbo_interval *out);

/* Wilcoxon-Mann-Whitney rank-sum test of two samples (two-sided). */
typedef struct {
  double u_x;       /* U of x: pairs (x_i, y_j) with x_i > y_j, ties counted 1/2 */
  double p;         /* two-sided p-value */
  double z;         /* normal score (NaN when exact) */
  int exact;        /* 1: exact distribution (no ties, both samples <= MFBO_RANKSUM_EXACT_MAX) */
  double p_x_lower; /* P(X < Y) + P(X = Y)/2 = 1 - U_x/(nx ny): how often x is the lower one */
} mfbo_ranksum;

#define MFBO_RANKSUM_EXACT_MAX 20

/* The test; the normal approximation uses the tie-corrected variance and a continuity
 * correction of 1/2. Returns -1 if a sample is empty or memory runs out. */
int mfbo_ranksum_test(const double *x, size_t nx, const double *y, size_t ny,
                      mfbo_ranksum *out);

/* Exact two-sided p-value of U = u for samples of sizes m and n without ties:
 * 2 P(U <= min(u, mn - u)), at most 1. NaN when out of memory. */
double mfbo_ranksum_exact_p(double u, size_t m, size_t n);

/* Holm's step-down adjustment of m p-values (family-wise error rate). */
void mfbo_holm(const double *p, size_t m, double *adjusted);

/* Value at x = at of the right-continuous step function that is y[i] on
 * [x[i], x[i+1]) (x ascending), y[n-1] from x[n-1] on, and `before` left of x[0]. */
double mfbo_step_at(const double *x, const double *y, size_t n, double at, double before);

/* Fraction of values <= at (an empirical CDF); +inf values count in n but are never
 * reached. 0 when n == 0. sorted must be ascending. */
double mfbo_ecdf_sorted(const double *sorted, size_t n, double at);

#endif
