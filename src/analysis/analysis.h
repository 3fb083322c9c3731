/* analysis.h: everything mfbo-analyze reports, computed from a results file (metrics:
 * docs/spec/metrics.md). Per algorithm label: the final incumbents, evaluations and
 * costs of its runs; success and ERT per target; convergence curves on common grids; the
 * rank-sum tests between labels. It reads traces through results.h and computes through
 * stats.h; it writes nothing (summary.c and plot.c do). */
#ifndef MFBO_ANALYSIS_ANALYSIS_H
#define MFBO_ANALYSIS_ANALYSIS_H

#include <stddef.h>
#include <stdio.h>

#include "results.h"
#include "stats.h"

#define MFBO_N_BOOT 2000          /* bootstrap resamples of the ERT */
#define MFBO_CI_LEVEL 0.95        /* confidence level of every interval */
#define MFBO_EVAL_GRID_MAX 1000   /* points of the evaluation grid (all integers if fewer) */
#define MFBO_COST_GRID_POINTS 400 /* points of the cost grid (log-spaced) */
/* Curves of a label with more runs than this take their quantiles from log-binned
 * histograms (stats.h: within 1.2%, in fixed memory) instead of every run's value at every
 * grid point (8 bytes x 1400 points a run: 112 MB at this many). */
#define MFBO_EXACT_CURVE_RUNS 10000
#define MFBO_DEFAULT_BASELINE "pattern"

/* The quantiles drawn for a curve, in this order. */
enum { MFBO_Q10, MFBO_Q25, MFBO_Q50, MFBO_Q75, MFBO_Q90, MFBO_N_QUANTILES };
extern const double mfbo_curve_quantiles[MFBO_N_QUANTILES];

/* A convergence curve: quantiles over runs of the incumbent's quality (regret if
 * curves_regret, else true time in ms; +inf while a run has no incumbent) at each grid
 * point x[i], as a step function. The curve ends at x_end, this label's longest run (in
 * evaluations or cost), where q_end holds the quantiles of the runs' final values. */
typedef struct {
  size_t n;                       /* grid points before x_end */
  double *x;                      /* shared with the analysis' grid: do not free */
  double *q[MFBO_N_QUANTILES];    /* each n values */
  double x_end;
  double q_end[MFBO_N_QUANTILES];
} mfbo_curve;

/* One target: regret <= regret_max. */
typedef struct {
  size_t successes;
  mfbo_interval ert_s;        /* ERT in simulated seconds with its bootstrap interval */
  mfbo_interval speedup_cost; /* ERT of the baseline / ERT of this label */
  double *ert_boot_s;         /* MFBO_N_BOOT resampled ERTs */
} mfbo_target_result;

typedef struct {
  char label[MFBO_LABEL_MAX + 1];
  char type[MFBO_LABEL_MAX + 1];
  size_t n_runs, n_failed, n_no_incumbent;
  size_t *runs;           /* indices into results->runs, in task order */
  double *final_true_ms;  /* per run: true time of the final incumbent (+inf: none) */
  double *final_regret;   /* per run: regret vs the reference (+inf: no incumbent) */
  double *evals;          /* per run: evaluations */
  double *cost_s;         /* per run: total simulated cost */
  double *hit_cost_s;     /* [t * n_runs + i]: cost when run i first met target t, +inf never */
  mfbo_spread true_ms, regret, evals_spread, cost_spread;
  double speedup_evals;   /* the seed's ratio: median evals of the baseline / of this label */
  mfbo_target_result *targets;
  /* the configuration returned most often (among runs with an incumbent) */
  size_t mode_count;
  size_t mode_index; /* the run (in runs) it was taken from */
  const double *mode_params; /* points into results->runs[..].params; NULL if none */
  double mode_true_ms, mode_regret;
  mfbo_curve by_evals, by_cost;
} mfbo_algo;

/* A rank-sum test of final regret between labels a and b. */
typedef struct {
  size_t a, b;
  mfbo_ranksum test;
  double p_holm;
} mfbo_pair;

typedef struct {
  const char *baseline; /* NULL: MFBO_DEFAULT_BASELINE, or the first label if absent */
  const double *targets; /* regrets, ascending */
  size_t n_targets;
  FILE *log;             /* progress messages, or NULL */
} mfbo_analysis_options;

typedef struct {
  const mfbo_results *results;
  int optimum_known;     /* every instance's optimum is known: regret is the true regret */
  int curves_regret;     /* curves show regret (optimum known, or several instances whose
                            true times cannot be pooled), else true time in ms */
  double *reference_ms;  /* per instance: the optimum, or the best true time any run measured
                            (live: the best final re-measured time of any run) */
  int live;              /* no trace has a true time (all NaN): a live benchmark (type command,
                            docs/live.md); final times are re-measurements, and there are no
                            curves or targets (they need true times during a run) */
  size_t n_targets;
  double *targets;
  size_t n_algos;
  mfbo_algo *algos;      /* in job order (first task of each label) */
  size_t baseline;
  int baseline_defaulted; /* the default baseline was absent: the first label stands in */
  size_t n_runs, n_failed, n_no_incumbent;
  double *eval_grid, *cost_grid_s;
  size_t n_eval_grid, n_cost_grid;
  size_t n_pairs;
  mfbo_pair *pairs;
} mfbo_analysis;

/* Returns 0, or -1 with err set; a baseline that was asked for and is absent is error 2
 * (*bad_input = 1), anything else error 1. */
int mfbo_analysis_run(const mfbo_results *r, const mfbo_analysis_options *o, mfbo_analysis *a,
                      int *bad_input, mfbo_error *err);
void mfbo_analysis_free(mfbo_analysis *a);

/* "regret <= 5%" style text of a target. */
void mfbo_target_text(double regret_max, char *buf, size_t size);

#endif
