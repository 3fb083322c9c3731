/* analysis.c: from a results file to the numbers mfbo-analyze reports (see analysis.h).
 * Two passes over /trace, one run at a time (a trace is never held whole): the first finds
 * each instance's best measured true time (the reference when the optimum is unknown) and
 * the earliest first-evaluation cost (the left end of the cost grid); the second evaluates
 * every run's incumbent on the common grids, as a step function, and finds when it first
 * met each target. Failed runs are kept: they are runs that ended early, with the cost
 * they spent and the incumbent they had. */
#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/stream.h"

const double mfbo_curve_quantiles[MFBO_N_QUANTILES] = {0.10, 0.25, 0.50, 0.75, 0.90};

/* regrets this close to a target count as meeting it (rounding of true/optimum - 1) */
#define TARGET_SLACK 1e-12

static int oom(mfbo_error *err) {
  mfbo_error_set(err, 0, "out of memory");
  return -1;
}

void mfbo_target_text(double regret_max, char *buf, size_t size) {
  snprintf(buf, size, "regret <= %.6g%%", regret_max * 100);
}

/* ---------------------------------------------------------------- labels */

static int find_algo(const mfbo_analysis *a, const char *label) {
  for (size_t i = 0; i < a->n_algos; i++)
    if (strcmp(a->algos[i].label, label) == 0) return (int)i;
  return -1;
}

/* One mfbo_algo per label, in order of first appearance (job order), with its runs. */
static int group_runs(mfbo_analysis *a, mfbo_error *err) {
  const mfbo_results *r = a->results;
  a->algos = calloc(r->n_runs, sizeof *a->algos);
  size_t *label_of = malloc(r->n_runs * sizeof *label_of);
  if (!a->algos || !label_of) {
    free(label_of);
    return oom(err);
  }
  for (size_t i = 0; i < r->n_runs; i++) {
    int k = find_algo(a, r->runs[i].algorithm);
    if (k < 0) {
      k = (int)a->n_algos++;
      memcpy(a->algos[k].label, r->runs[i].algorithm, sizeof a->algos[k].label);
      memcpy(a->algos[k].type, r->runs[i].algorithm_type, sizeof a->algos[k].type);
    }
    label_of[i] = (size_t)k;
    a->algos[k].n_runs++;
  }
  int rc = 0;
  for (size_t k = 0; k < a->n_algos && rc == 0; k++) {
    mfbo_algo *g = &a->algos[k];
    size_t n = g->n_runs;
    g->runs = malloc(n * sizeof *g->runs);
    g->final_true_ms = malloc(n * sizeof(double));
    g->final_regret = malloc(n * sizeof(double));
    g->evals = malloc(n * sizeof(double));
    g->cost_s = malloc(n * sizeof(double));
    g->hit_cost_s = malloc((a->n_targets ? a->n_targets : 1) * n * sizeof(double));
    g->targets = calloc(a->n_targets ? a->n_targets : 1, sizeof *g->targets);
    if (!g->runs || !g->final_true_ms || !g->final_regret || !g->evals || !g->cost_s ||
        !g->hit_cost_s || !g->targets)
      rc = oom(err);
    g->n_runs = 0;
  }
  for (size_t i = 0; i < r->n_runs && rc == 0; i++) {
    mfbo_algo *g = &a->algos[label_of[i]];
    g->runs[g->n_runs++] = i;
  }
  free(label_of);
  return rc;
}

static int choose_baseline(mfbo_analysis *a, const char *asked, int *bad_input,
                           mfbo_error *err) {
  int k = find_algo(a, asked ? asked : MFBO_DEFAULT_BASELINE);
  if (k >= 0) {
    a->baseline = (size_t)k;
    return 0;
  }
  if (asked) {
    *bad_input = 1;
    mfbo_error_set(err, 0, "--baseline %s: no such algorithm label in the file", asked);
    return -1;
  }
  a->baseline = 0;
  a->baseline_defaulted = 1;
  return 0;
}

/* ---------------------------------------------------------------- pass 1: references */

/* Per instance, the best true time any run measured; the earliest first-evaluation cost. */
static int scan_traces(mfbo_analysis *a, double *best_ms, double *first_cost_s,
                       mfbo_error *err) {
  const mfbo_results *r = a->results;
  mfbo_run_trace t = {0};
  size_t rows = 0, known = 0;
  *first_cost_s = INFINITY;
  for (size_t i = 0; i < r->n_instances; i++) best_ms[i] = INFINITY;
  for (size_t i = 0; i < r->n_runs; i++) {
    if (mfbo_results_read_trace(r, i, &t, err) != 0) {
      mfbo_run_trace_free(&t);
      return -1;
    }
    int inst = mfbo_results_instance_index(r, r->runs[i].instance);
    for (size_t k = 0; k < t.n; k++) {
      if (isfinite(t.true_ms[k]) && t.true_ms[k] < best_ms[inst]) best_ms[inst] = t.true_ms[k];
      known += !isnan(t.true_ms[k]);
    }
    rows += t.n;
    if (t.n > 0 && t.cum_cost_s[0] > 0 && t.cum_cost_s[0] < *first_cost_s)
      *first_cost_s = t.cum_cost_s[0];
  }
  mfbo_run_trace_free(&t);
  a->live = rows > 0 && known == 0;
  return 0;
}

/* A live benchmark's reference per instance: the best final (re-measured) time of any run. */
static void live_references(const mfbo_results *r, double *best_ms) {
  for (size_t i = 0; i < r->n_runs; i++) {
    int inst = mfbo_results_instance_index(r, r->runs[i].instance);
    double t = r->runs[i].incumbent_true_ms;
    if (isfinite(t) && t < best_ms[inst]) best_ms[inst] = t;
  }
}

static int set_references(mfbo_analysis *a, double *first_cost_s, mfbo_error *err) {
  const mfbo_results *r = a->results;
  a->reference_ms = malloc((r->n_instances ? r->n_instances : 1) * sizeof(double));
  double *best_ms = malloc((r->n_instances ? r->n_instances : 1) * sizeof(double));
  if (!a->reference_ms || !best_ms) {
    free(best_ms);
    return oom(err);
  }
  int rc = scan_traces(a, best_ms, first_cost_s, err);
  if (rc == 0 && a->live) live_references(r, best_ms);
  a->optimum_known = 1;
  for (size_t i = 0; i < r->n_instances; i++)
    if (!(isfinite(r->instances[i].optimum_ms) && r->instances[i].optimum_ms > 0))
      a->optimum_known = 0;
  for (size_t i = 0; i < r->n_instances; i++)
    a->reference_ms[i] = a->optimum_known ? r->instances[i].optimum_ms : best_ms[i];
  a->curves_regret = a->optimum_known || r->n_instances > 1;
  free(best_ms);
  return rc;
}

/* ---------------------------------------------------------------- grids */

static int make_grids(mfbo_analysis *a, double first_cost_s, mfbo_error *err) {
  const mfbo_results *r = a->results;
  int64_t max_evals = 0;
  double max_cost_s = 0;
  for (size_t i = 0; i < r->n_runs; i++) {
    if (r->runs[i].n_evals > max_evals) max_evals = r->runs[i].n_evals;
    if (r->runs[i].cost_s > max_cost_s) max_cost_s = r->runs[i].cost_s;
  }
  size_t n_eval = (size_t)max_evals < MFBO_EVAL_GRID_MAX ? (size_t)max_evals : MFBO_EVAL_GRID_MAX;
  a->eval_grid = malloc((n_eval ? n_eval : 1) * sizeof(double));
  a->cost_grid_s = malloc(MFBO_COST_GRID_POINTS * sizeof(double));
  if (!a->eval_grid || !a->cost_grid_s) return oom(err);
  /* all integers 1..max if few, else log-spaced integers (deduplicated), max included */
  double prev = 0;
  for (size_t g = 0; g < n_eval; g++) {
    double k = (size_t)max_evals == n_eval
                   ? (double)(g + 1)
                   : round(pow((double)max_evals, (double)g / (double)(n_eval - 1)));
    if (k > prev) a->eval_grid[a->n_eval_grid++] = prev = k;
  }
  if (!(isfinite(first_cost_s) && max_cost_s > first_cost_s)) return 0; /* no cost axis */
  double ratio = max_cost_s / first_cost_s;
  for (size_t g = 0; g < MFBO_COST_GRID_POINTS; g++)
    a->cost_grid_s[g] = first_cost_s * pow(ratio, (double)g / (MFBO_COST_GRID_POINTS - 1));
  a->cost_grid_s[MFBO_COST_GRID_POINTS - 1] = max_cost_s;
  a->n_cost_grid = MFBO_COST_GRID_POINTS;
  return 0;
}

/* ---------------------------------------------------------------- pass 2: one run */

static double regret_of(double true_ms, double reference_ms) {
  if (!isfinite(true_ms) || !isfinite(reference_ms)) return INFINITY;
  double regret = true_ms / reference_ms - 1;
  return regret > 0 ? regret : 0;
}

/* The per-evaluation quality (regret or true ms) of a run's incumbent, and its regret. */
static void run_quality(const mfbo_analysis *a, const mfbo_run_trace *t, double reference_ms,
                        double *quality, double *regret) {
  for (size_t k = 0; k < t->n; k++) {
    regret[k] = regret_of(t->incumbent_true_ms[k], reference_ms);
    quality[k] = a->curves_regret ? regret[k] : t->incumbent_true_ms[k];
  }
}

/* Every run's value at each point of one grid: exactly (a column of n_runs values a point)
 * for up to MFBO_EXACT_CURVE_RUNS runs, else counted in a log-binned histogram a point
 * (stats.h: fixed memory whatever the number of runs; quantiles within 1.2%). */
typedef struct {
  size_t n_grid, n_runs;
  double *values;   /* exact: [g * n_runs + i] */
  unsigned *counts; /* binned: [g * MFBO_LOGHIST_BINS + bin] */
} grid_values;

static int grid_values_alloc(grid_values *v, size_t n_grid, size_t n_runs) {
  v->n_grid = n_grid;
  v->n_runs = n_runs;
  v->values = NULL;
  v->counts = NULL;
  size_t n = n_grid ? n_grid : 1;
  if (n_runs <= MFBO_EXACT_CURVE_RUNS)
    v->values = malloc(n * n_runs * sizeof *v->values);
  else
    v->counts = calloc(n * MFBO_LOGHIST_BINS, sizeof *v->counts);
  return v->values || v->counts ? 0 : -1;
}

static void grid_values_free(grid_values *v) {
  free(v->values);
  free(v->counts);
}

static void grid_values_put(grid_values *v, size_t g, size_t i, double x) {
  if (v->values)
    v->values[g * v->n_runs + i] = x;
  else
    v->counts[g * MFBO_LOGHIST_BINS + mfbo_loghist_bin(x)]++;
}

/* The quantiles of the runs' values at point g (sorts its column when exact). */
static double grid_values_quantile(grid_values *v, size_t g, double p) {
  if (!v->values) return mfbo_loghist_quantile(v->counts + g * MFBO_LOGHIST_BINS, v->n_runs, p);
  return mfbo_quantile_sorted(v->values + g * v->n_runs, v->n_runs, p);
}

static void grid_values_prepare(grid_values *v, size_t g) {
  if (v->values) mfbo_sort(v->values + g * v->n_runs, v->n_runs);
}

/* Puts run i's step function on both grids. */
static void run_on_grids(const mfbo_analysis *a, const mfbo_run_trace *t, const double *quality,
                         size_t i, grid_values *by_evals, grid_values *by_cost) {
  for (size_t g = 0; g < a->n_eval_grid; g++) {
    size_t k = (size_t)a->eval_grid[g]; /* incumbent after k evaluations, or the last one */
    grid_values_put(by_evals, g, i, t->n == 0 ? INFINITY : quality[(k < t->n ? k : t->n) - 1]);
  }
  for (size_t g = 0; g < a->n_cost_grid; g++)
    grid_values_put(by_cost, g, i,
                    mfbo_step_at(t->cum_cost_s, quality, t->n, a->cost_grid_s[g], INFINITY));
}

static void run_hits(const mfbo_analysis *a, const mfbo_run_trace *t, const double *regret,
                     mfbo_algo *g, size_t i) {
  for (size_t j = 0; j < a->n_targets; j++) {
    double hit = INFINITY;
    for (size_t k = 0; k < t->n && isinf(hit); k++)
      if (regret[k] <= a->targets[j] + TARGET_SLACK) hit = t->cum_cost_s[k];
    g->hit_cost_s[j * g->n_runs + i] = hit;
  }
}

/* ---------------------------------------------------------------- curves */

/* The quantiles of each grid point's values before x_end, and of the final values. */
static int make_curve(mfbo_curve *c, const double *grid, size_t n_grid, grid_values *v,
                      size_t n_runs, const double *finals, double x_end) {
  c->x = (double *)grid;
  c->x_end = x_end;
  c->n = 0;
  while (c->n < n_grid && grid[c->n] < x_end) c->n++;
  for (int q = 0; q < MFBO_N_QUANTILES; q++)
    if (!(c->q[q] = malloc((c->n ? c->n : 1) * sizeof(double)))) return -1;
  for (size_t g = 0; g < c->n; g++) {
    grid_values_prepare(v, g);
    for (int q = 0; q < MFBO_N_QUANTILES; q++)
      c->q[q][g] = grid_values_quantile(v, g, mfbo_curve_quantiles[q]);
  }
  mfbo_spread s = mfbo_spread_of(finals, n_runs);
  const double end[MFBO_N_QUANTILES] = {s.q10, s.q25, s.median, s.q75, s.q90};
  memcpy(c->q_end, end, sizeof end);
  return 0;
}

/* Reads the runs of g, filling its per-run arrays and its two curves. */
static int analyse_runs(mfbo_analysis *a, mfbo_algo *g, mfbo_error *err) {
  const mfbo_results *r = a->results;
  size_t n = g->n_runs;
  grid_values by_evals, by_cost;
  int ok = grid_values_alloc(&by_evals, a->n_eval_grid, n) == 0;
  ok = grid_values_alloc(&by_cost, a->n_cost_grid, n) == 0 && ok;
  double *finals = malloc(n * sizeof(double));
  double *quality = NULL, *regret = NULL;
  mfbo_run_trace t = {0};
  int rc = ok && finals ? 0 : oom(err);
  double max_evals = 0, max_cost_s = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    const mfbo_run_row *run = &r->runs[g->runs[i]];
    double reference = a->reference_ms[mfbo_results_instance_index(r, run->instance)];
    if ((rc = mfbo_results_read_trace(r, g->runs[i], &t, err)) != 0) break;
    double *q2 = realloc(quality, (t.capacity ? t.capacity : 1) * sizeof *q2);
    if (q2) quality = q2;
    double *r2 = q2 ? realloc(regret, (t.capacity ? t.capacity : 1) * sizeof *r2) : NULL;
    if (r2) regret = r2;
    if (!r2) {
      rc = oom(err);
      break;
    }
    run_quality(a, &t, reference, quality, regret);
    run_on_grids(a, &t, quality, i, &by_evals, &by_cost);
    run_hits(a, &t, regret, g, i);
    g->final_true_ms[i] = run->incumbent_true_ms;
    g->final_regret[i] = regret_of(run->incumbent_true_ms, reference);
    finals[i] = a->curves_regret ? g->final_regret[i] : run->incumbent_true_ms;
    g->evals[i] = (double)run->n_evals;
    g->cost_s[i] = run->cost_s;
    g->n_failed += run->failed ? 1 : 0;
    g->n_no_incumbent += isfinite(run->incumbent_true_ms) ? 0 : 1;
    if (g->evals[i] > max_evals) max_evals = g->evals[i];
    if (run->cost_s > max_cost_s) max_cost_s = run->cost_s;
  }
  if (rc == 0 &&
      (make_curve(&g->by_evals, a->eval_grid, a->n_eval_grid, &by_evals, n, finals, max_evals) ||
       make_curve(&g->by_cost, a->cost_grid_s, a->n_cost_grid, &by_cost, n, finals, max_cost_s)))
    rc = oom(err);
  mfbo_run_trace_free(&t);
  free(quality);
  free(regret);
  free(finals);
  grid_values_free(&by_evals);
  grid_values_free(&by_cost);
  return rc;
}

/* ---------------------------------------------------------------- per label */

/* A run with an incumbent, for finding the configuration returned most often. */
typedef struct {
  const double *params;
  double true_ms;
  size_t i; /* its place in the label's runs */
} mode_entry;

static size_t mode_n_params; /* the comparison's width (qsort takes no context) */

/* By configuration (its bytes), then lower true time, then earlier run. */
static int mode_cmp(const void *pa, const void *pb) {
  const mode_entry *a = pa, *b = pb;
  int c = memcmp(a->params, b->params, mode_n_params * sizeof(double));
  if (c) return c;
  if (a->true_ms != b->true_ms) return a->true_ms < b->true_ms ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

/* The configuration returned most often; ties go to the lower true time (then the earlier
 * run). Sorting makes it O(n log n): a million runs take seconds, not days. */
static int find_mode(const mfbo_results *r, mfbo_algo *g) {
  mode_entry *e = malloc((g->n_runs ? g->n_runs : 1) * sizeof *e);
  if (!e) return -1;
  size_t n = 0;
  for (size_t i = 0; i < g->n_runs; i++) {
    const mfbo_run_row *ri = &r->runs[g->runs[i]];
    if (isfinite(ri->incumbent_true_ms))
      e[n++] = (mode_entry){.params = ri->params, .true_ms = ri->incumbent_true_ms, .i = i};
  }
  mode_n_params = (size_t)r->n_params;
  qsort(e, n, sizeof *e, mode_cmp);
  for (size_t start = 0, end; start < n; start = end) {
    for (end = start + 1;
         end < n && memcmp(e[start].params, e[end].params, mode_n_params * sizeof(double)) == 0;
         end++) {
    }
    size_t count = end - start; /* e[start]: the group's lowest true time, earliest run */
    const mode_entry *best = &e[start];
    if (count > g->mode_count ||
        (count == g->mode_count && (best->true_ms < g->mode_true_ms ||
                                    (best->true_ms == g->mode_true_ms &&
                                     g->mode_params && best->i < g->mode_index)))) {
      g->mode_count = count;
      g->mode_params = best->params;
      g->mode_true_ms = best->true_ms;
      g->mode_regret = g->final_regret[best->i];
      g->mode_index = best->i;
    }
  }
  free(e);
  return 0;
}

static uint64_t bootstrap_seed(const char *label, double target) {
  uint64_t bits;
  memcpy(&bits, &target, sizeof bits);
  return mfbo_hash_u64(mfbo_hash_str(mfbo_hash_str(MFBO_HASH_INIT, "mfbo-analyze ERT"), label), bits);
}

static int summarise_algo(mfbo_analysis *a, mfbo_algo *g, mfbo_error *err) {
  g->true_ms = mfbo_spread_of(g->final_true_ms, g->n_runs);
  g->regret = mfbo_spread_of(g->final_regret, g->n_runs);
  g->evals_spread = mfbo_spread_of(g->evals, g->n_runs);
  g->cost_spread = mfbo_spread_of(g->cost_s, g->n_runs);
  for (size_t j = 0; j < a->n_targets; j++) {
    mfbo_target_result *t = &g->targets[j];
    const double *hits = g->hit_cost_s + j * g->n_runs;
    t->successes = mfbo_successes(hits, g->n_runs);
    if (!(t->ert_boot_s = malloc(MFBO_N_BOOT * sizeof(double))) ||
        mfbo_ert_bootstrap(hits, g->cost_s, g->n_runs, MFBO_N_BOOT,
                           bootstrap_seed(g->label, a->targets[j]), MFBO_CI_LEVEL, &t->ert_s,
                           t->ert_boot_s) != 0)
      return oom(err);
  }
  if (find_mode(a->results, g) != 0) return oom(err);
  return 0;
}

static int speedups(mfbo_analysis *a, mfbo_error *err) {
  const mfbo_algo *base = &a->algos[a->baseline];
  for (size_t k = 0; k < a->n_algos; k++) {
    mfbo_algo *g = &a->algos[k];
    g->speedup_evals = g->evals_spread.median > 0
                           ? base->evals_spread.median / g->evals_spread.median : NAN;
    for (size_t j = 0; j < a->n_targets; j++)
      if (mfbo_ratio_interval(base->targets[j].ert_s.value, g->targets[j].ert_s.value,
                              base->targets[j].ert_boot_s, g->targets[j].ert_boot_s,
                              MFBO_N_BOOT, MFBO_CI_LEVEL, &g->targets[j].speedup_cost) != 0)
        return oom(err);
  }
  return 0;
}

static int pairwise_tests(mfbo_analysis *a, mfbo_error *err) {
  size_t m = a->n_algos * (a->n_algos - 1) / 2;
  if (m == 0) return 0;
  a->pairs = calloc(m, sizeof *a->pairs);
  double *p = malloc(m * sizeof *p), *adjusted = malloc(m * sizeof *adjusted);
  int rc = a->pairs && p && adjusted ? 0 : oom(err);
  for (size_t i = 0; i < a->n_algos && rc == 0; i++)
    for (size_t j = i + 1; j < a->n_algos && rc == 0; j++) {
      mfbo_pair *pair = &a->pairs[a->n_pairs];
      pair->a = i;
      pair->b = j;
      if (mfbo_ranksum_test(a->algos[i].final_regret, a->algos[i].n_runs,
                            a->algos[j].final_regret, a->algos[j].n_runs, &pair->test) != 0)
        rc = oom(err);
      p[a->n_pairs++] = pair->test.p;
    }
  if (rc == 0) {
    mfbo_holm(p, m, adjusted);
    for (size_t k = 0; k < m; k++) a->pairs[k].p_holm = adjusted[k];
  }
  free(p);
  free(adjusted);
  return rc;
}

/* ---------------------------------------------------------------- public */

int mfbo_analysis_run(const mfbo_results *r, const mfbo_analysis_options *o, mfbo_analysis *a,
                      int *bad_input, mfbo_error *err) {
  memset(a, 0, sizeof *a);
  *bad_input = 0;
  a->results = r;
  a->n_targets = o->n_targets;
  a->targets = malloc((o->n_targets ? o->n_targets : 1) * sizeof(double));
  if (!a->targets) return oom(err);
  memcpy(a->targets, o->targets, o->n_targets * sizeof(double));
  double first_cost_s;
  if (group_runs(a, err) || choose_baseline(a, o->baseline, bad_input, err)) return -1;
  if (o->log) fprintf(o->log, "mfbo-analyze: %zu runs of %zu algorithms; reading traces\n",
                      r->n_runs, a->n_algos);
  if (set_references(a, &first_cost_s, err) || make_grids(a, first_cost_s, err)) return -1;
  for (size_t k = 0; k < a->n_algos; k++) {
    if (analyse_runs(a, &a->algos[k], err) || summarise_algo(a, &a->algos[k], err)) return -1;
    a->n_runs += a->algos[k].n_runs;
    a->n_failed += a->algos[k].n_failed;
    a->n_no_incumbent += a->algos[k].n_no_incumbent;
  }
  return speedups(a, err) || pairwise_tests(a, err) ? -1 : 0;
}

static void curve_free(mfbo_curve *c) {
  for (int q = 0; q < MFBO_N_QUANTILES; q++) free(c->q[q]);
}

void mfbo_analysis_free(mfbo_analysis *a) {
  for (size_t k = 0; a->algos && k < a->n_algos; k++) {
    mfbo_algo *g = &a->algos[k];
    free(g->runs);
    free(g->final_true_ms);
    free(g->final_regret);
    free(g->evals);
    free(g->cost_s);
    free(g->hit_cost_s);
    for (size_t j = 0; g->targets && j < a->n_targets; j++) free(g->targets[j].ert_boot_s);
    free(g->targets);
    curve_free(&g->by_evals);
    curve_free(&g->by_cost);
  }
  free(a->algos);
  free(a->targets);
  free(a->reference_ms);
  free(a->eval_grid);
  free(a->cost_grid_s);
  free(a->pairs);
  memset(a, 0, sizeof *a);
}
