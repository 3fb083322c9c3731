/* summary.c: the summary as aligned text tables and as CSV (see summary.h). Formatting
 * only: the numbers come from analysis.c. Infinite values print as "inf" (a target never
 * reached: ERT is infinite), undefined ones as "n/a" in text and "nan" in CSV. */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef MFBO_VERSION
#define MFBO_VERSION "unknown"
#endif

#define CELL 160
/* One formatted number ("%.4g", "%.3g%%", "n/a", "-inf": at most 12 characters); cells
 * that hold several numbers are sized from it, so they cannot be cut short. */
#define NUM 32
#define MAX_COLS 12
#define FAILED_LISTED 20 /* failed runs listed one by one, at most */

/* ---------------------------------------------------------------- aligned tables */

typedef struct {
  int n_cols;
  size_t n_rows, capacity;
  char (*cells)[MAX_COLS][CELL];
} table;

static void table_row(table *t, const char *const *cells) {
  if (t->n_rows == t->capacity) {
    size_t cap = t->capacity ? 2 * t->capacity : 8;
    void *p = realloc(t->cells, cap * sizeof *t->cells);
    if (!p) return;
    t->cells = p;
    t->capacity = cap;
  }
  for (int c = 0; c < t->n_cols; c++)
    snprintf(t->cells[t->n_rows][c], CELL, "%s", cells[c] ? cells[c] : "");
  t->n_rows++;
}

/* Prints the table (first row: the header, underlined) and frees it. */
static void table_print(table *t, FILE *out) {
  size_t width[MAX_COLS] = {0};
  for (size_t r = 0; r < t->n_rows; r++)
    for (int c = 0; c < t->n_cols; c++)
      if (strlen(t->cells[r][c]) > width[c]) width[c] = strlen(t->cells[r][c]);
  for (size_t r = 0; r < t->n_rows; r++) {
    for (int c = 0; c < t->n_cols; c++) {
      if (c + 1 < t->n_cols) fprintf(out, "%-*s  ", (int)width[c], t->cells[r][c]);
      else fputs(t->cells[r][c], out);
    }
    fputc('\n', out);
    if (r == 0) {
      size_t total = 0;
      for (int c = 0; c < t->n_cols; c++) total += width[c] + (c + 1 < t->n_cols ? 2 : 0);
      for (size_t i = 0; i < total; i++) fputc('-', out);
      fputc('\n', out);
    }
  }
  free(t->cells);
  memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- numbers */

/* buf holds at least NUM bytes (as for pct). */
static const char *num(char *buf, double v) {
  if (isnan(v)) snprintf(buf, NUM, "n/a");
  else if (isinf(v)) snprintf(buf, NUM, v > 0 ? "inf" : "-inf");
  else snprintf(buf, NUM, "%.4g", v);
  return buf;
}

static const char *pct(char *buf, double regret) {
  if (isnan(regret)) snprintf(buf, NUM, "n/a");
  else if (isinf(regret)) snprintf(buf, NUM, "inf");
  else snprintf(buf, NUM, "%.3g%%", regret * 100);
  return buf;
}

/* "median [q25, q75]" with f formatting each. */
static const char *spread(char *buf, const mfbo_spread *s,
                          const char *(*f)(char *, double)) {
  char a[NUM], b[NUM], c[NUM]; /* 3 x 31 + 6 < CELL */
  snprintf(buf, CELL, "%s [%s, %s]", f(a, s->median), f(b, s->q25), f(c, s->q75));
  return buf;
}

static const char *interval(char *buf, const mfbo_interval *i) {
  char a[NUM], b[NUM], c[NUM];
  snprintf(buf, CELL, "%s [%s, %s]", num(a, i->value), num(b, i->lo), num(c, i->hi));
  return buf;
}

/* ---------------------------------------------------------------- sections */

static void header(const mfbo_analysis *a, FILE *out) {
  const mfbo_results *r = a->results;
  const mfbo_algo *base = &a->algos[a->baseline];
  fprintf(out, "mfbo-analyze %s: %s\n", MFBO_VERSION, r->path);
  fprintf(out, "sweep: %s (job %s; created %s, finished %s; written by mfbo-sweep %s)\n",
          r->sweep_name ? r->sweep_name : "?", r->job_path ? r->job_path : "?",
          r->created_utc ? r->created_utc : "?", r->finished_utc ? r->finished_utc : "?",
          r->program_version ? r->program_version : "?");
  fprintf(out, "benchmark: %s, %zu instance%s; ", r->benchmark_name ? r->benchmark_name : "?",
          r->n_instances, r->n_instances == 1 ? "" : "s");
  if (a->live)
    fprintf(out, "LIVE (measured by running a command or a worker; docs/live.md): true times are unknown; "
            "each run's final time is\nthe configuration it returns, re-measured at the end "
            "(final_reps); regret is against the best of those\n(%.6g ms%s); no targets and no "
            "convergence curves (they need true times during a run)\n", a->reference_ms[0],
            r->n_instances > 1 ? " on the first instance" : "");
  else if (a->optimum_known && r->n_instances == 1)
    fprintf(out, "optimum %.10g ms; regret = true time / optimum - 1\n", a->reference_ms[0]);
  else if (a->optimum_known)
    fprintf(out, "optima known; regret = true time / the instance's optimum - 1\n");
  else
    fprintf(out, "OPTIMUM UNKNOWN: regret is measured against the best true time any run "
            "measured on the instance (%.6g ms%s)\n", a->reference_ms[0],
            r->n_instances > 1 ? " on the first" : "");
  if (r->n_instances > 1)
    fprintf(out, "instances: %zu; true times (Best Perf) pool them, regret is per instance\n",
            r->n_instances);
  fprintf(out, "runs: %zu of %zu algorithm%s: %zu ok, %zu FAILED%s, %zu without an incumbent\n",
          a->n_runs, a->n_algos, a->n_algos == 1 ? "" : "s", a->n_runs - a->n_failed, a->n_failed,
          a->n_failed ? " (kept: they count with the cost they spent and the incumbent they had; "
                        "see 6)" : "",
          a->n_no_incumbent);
  if (a->baseline_defaulted)
    fprintf(out, "baseline: %s (\"%s\", the default baseline, is not in this file: the first "
            "algorithm stands in)\n", base->label, MFBO_DEFAULT_BASELINE);
  else
    fprintf(out, "baseline: %s\n", base->label);
}

static void seed_table(const mfbo_analysis *a, FILE *out) {
  const char *base = a->algos[a->baseline].label;
  fprintf(out, "\n1. The seed's table\n"
          "Best Perf: median over runs of the %s time of the configuration each "
          "run returns, [25%%, 75%%].\nEvaluations: median. Speedup: the seed's measure, a ratio "
          "of EVALUATION COUNTS (median evaluations of %s /\nof the algorithm); it ignores what "
          "an evaluation costs: see 3 for the speedup in cost.\n\n",
          a->live ? "RE-MEASURED (at final_reps, after the run)" : "TRUE (noise-free)", base);
  char head[CELL];
  snprintf(head, sizeof head, "Speedup (eval-count ratio vs %s)", base);
  table t = {.n_cols = 4};
  table_row(&t, (const char *[]){"Algorithm", "Best Perf (ms) [IQR]", "Evaluations", head});
  for (size_t k = 0; k < a->n_algos; k++) {
    const mfbo_algo *g = &a->algos[k];
    char perf[CELL], evals[CELL], speed[CELL], x[NUM];
    spread(perf, &g->true_ms, num);
    num(evals, g->evals_spread.median);
    if (k == a->baseline) snprintf(speed, sizeof speed, "1x (baseline)");
    else if (isnan(g->speedup_evals)) snprintf(speed, sizeof speed, "n/a (no evaluations)");
    else snprintf(speed, sizeof speed, "%sx", num(x, g->speedup_evals));
    table_row(&t, (const char *[]){g->label, perf, evals, speed});
  }
  table_print(&t, out);
}

static void cost_table(const mfbo_analysis *a, FILE *out) {
  fprintf(out, "\n2. Runs, cost and final regret (median [25%%, 75%%]; cost in %s)\n\n",
          a->live ? "real seconds: the command's or worker's wall time"
                  : "simulated seconds: compile + timed repetitions");
  table t = {.n_cols = 8};
  table_row(&t, (const char *[]){"Algorithm", "Type", "Runs", "Failed", "No incumbent",
                                 "Evaluations [IQR]", "Total cost (s) [IQR]", "Final regret [IQR]"});
  for (size_t k = 0; k < a->n_algos; k++) {
    const mfbo_algo *g = &a->algos[k];
    char runs[CELL], failed[CELL], none[CELL], evals[CELL], cost[CELL], regret[CELL];
    snprintf(runs, sizeof runs, "%zu", g->n_runs);
    snprintf(failed, sizeof failed, "%zu", g->n_failed);
    snprintf(none, sizeof none, "%zu", g->n_no_incumbent);
    table_row(&t, (const char *[]){g->label, g->type, runs, failed, none,
                                   spread(evals, &g->evals_spread, num),
                                   spread(cost, &g->cost_spread, num),
                                   spread(regret, &g->regret, pct)});
  }
  table_print(&t, out);
}

static void target_table(const mfbo_analysis *a, FILE *out) {
  const char *base = a->algos[a->baseline].label;
  if (a->live) {
    fprintf(out, "\n3. Targets: none for a live benchmark (a run's incumbent has no true time "
            "until the end)\n");
    return;
  }
  fprintf(out, "\n3. Targets: success rate, ERT and speedup in cost\n"
          "A run succeeds when its incumbent first meets the target. ERT (expected running time) "
          "= simulated seconds\nspent by all runs until their success or their end / number of "
          "successes (inf: no success). Speedup in cost\n= ERT of %s / ERT of the algorithm (> 1: "
          "reaches the target sooner). Intervals: 95%% percentile bootstrap\nover runs (%d "
          "resamples, fixed seeds).\n\n", base, MFBO_N_BOOT);
  char head[CELL];
  snprintf(head, sizeof head, "Speedup in cost vs %s [95%% CI]", base);
  table t = {.n_cols = 5};
  table_row(&t, (const char *[]){"Target", "Algorithm", "Success", "ERT (s) [95% CI]", head});
  for (size_t j = 0; j < a->n_targets; j++)
    for (size_t k = 0; k < a->n_algos; k++) {
      const mfbo_algo *g = &a->algos[k];
      const mfbo_target_result *tr = &g->targets[j];
      char target[CELL], success[CELL], ert[CELL], speed[CELL];
      mfbo_target_text(a->targets[j], target, sizeof target);
      snprintf(success, sizeof success, "%zu/%zu (%.0f%%)", tr->successes, g->n_runs,
               100.0 * (double)tr->successes / (double)g->n_runs);
      if (k == a->baseline) snprintf(speed, sizeof speed, "1 (baseline)");
      else if (isnan(tr->speedup_cost.value)) snprintf(speed, sizeof speed, "n/a (neither succeeds)");
      else interval(speed, &tr->speedup_cost);
      table_row(&t, (const char *[]){k ? "" : target, g->label, success, interval(ert, &tr->ert_s),
                                     speed});
    }
  table_print(&t, out);
}

static void config_text(const mfbo_results *r, const double *params, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int p = 0; p < r->n_params && used < size; p++) {
    char value[64];
    mfbo_results_value_text(r, p, params[p], value, sizeof value);
    used += (size_t)snprintf(buf + used, size - used, "%s%s=%s", p ? " " : "", r->params[p].name, value);
  }
}

static void mode_table(const mfbo_analysis *a, FILE *out) {
  fprintf(out, "\n4. The configuration each algorithm returns most often\n\n");
  table t = {.n_cols = 5};
  table_row(&t, (const char *[]){"Algorithm", "Returned by", "True time (ms)", "Regret", "Configuration"});
  for (size_t k = 0; k < a->n_algos; k++) {
    const mfbo_algo *g = &a->algos[k];
    char by[CELL], ms[CELL], regret[CELL], config[CELL];
    snprintf(by, sizeof by, "%zu/%zu runs", g->mode_count, g->n_runs);
    if (g->mode_params) config_text(a->results, g->mode_params, config, sizeof config);
    else snprintf(config, sizeof config, "(no run has an incumbent)");
    table_row(&t, (const char *[]){g->label, by, g->mode_params ? num(ms, g->mode_true_ms) : "-",
                                   g->mode_params ? pct(regret, g->mode_regret) : "-", config});
  }
  table_print(&t, out);
}

static const char *verdict(const mfbo_analysis *a, const mfbo_pair *p) {
  if (!(p->p_holm < 0.05)) return "no significant difference";
  return p->test.p_x_lower > 0.5 ? a->algos[p->a].label : a->algos[p->b].label;
}

static void tests_table(const mfbo_analysis *a, FILE *out) {
  fprintf(out, "\n5. Pairwise rank-sum tests of final regret (Wilcoxon-Mann-Whitney, two-sided; "
          "exact without ties\nfor <= %d runs each, else normal approximation with tie and "
          "continuity corrections; Holm-corrected\nover %zu pair%s). P(A<B): how often A's regret "
          "is the lower (ties count half).\n\n", MFBO_RANKSUM_EXACT_MAX, a->n_pairs,
          a->n_pairs == 1 ? "" : "s");
  if (a->n_pairs == 0) {
    fprintf(out, "(one algorithm: nothing to compare)\n");
    return;
  }
  table t = {.n_cols = 10};
  table_row(&t, (const char *[]){"A", "B", "Median A", "Median B", "U(A)", "P(A<B)", "p", "Method",
                                 "p (Holm)", "Lower at 0.05 (Holm)"});
  for (size_t i = 0; i < a->n_pairs; i++) {
    const mfbo_pair *p = &a->pairs[i];
    const mfbo_algo *x = &a->algos[p->a], *y = &a->algos[p->b];
    char ma[CELL], mb[CELL], u[CELL], lower[CELL], pv[CELL], ph[CELL];
    snprintf(u, sizeof u, "%g", p->test.u_x);
    snprintf(lower, sizeof lower, "%.2f", p->test.p_x_lower);
    snprintf(pv, sizeof pv, "%.3g", p->test.p);
    snprintf(ph, sizeof ph, "%.3g", p->p_holm);
    table_row(&t, (const char *[]){x->label, y->label, pct(ma, x->regret.median),
                                   pct(mb, y->regret.median), u, lower, pv,
                                   p->test.exact ? "exact" : "normal", ph, verdict(a, p)});
  }
  table_print(&t, out);
}

static void failed_runs(const mfbo_analysis *a, FILE *out) {
  if (a->n_failed == 0) return;
  fprintf(out, "\n6. Failed runs (%zu): kept in every number above with the cost they spent and "
          "the incumbent they had\n", a->n_failed);
  size_t listed = 0;
  const mfbo_results *r = a->results;
  for (size_t i = 0; i < r->n_runs && listed < FAILED_LISTED; i++)
    if (r->runs[i].failed) {
      listed++;
      fprintf(out, "  task %llu: %s, seed %lld, instance %d, after %lld evaluations: %s\n",
              (unsigned long long)r->runs[i].task_id, r->runs[i].algorithm,
              (long long)r->runs[i].seed, (int)r->runs[i].instance,
              (long long)r->runs[i].n_evals, r->runs[i].message);
    }
  if (a->n_failed > listed) fprintf(out, "  ... and %zu more\n", a->n_failed - listed);
}

void mfbo_summary_text(const mfbo_analysis *a, FILE *out) {
  header(a, out);
  seed_table(a, out);
  cost_table(a, out);
  target_table(a, out);
  mode_table(a, out);
  tests_table(a, out);
  failed_runs(a, out);
}

/* ---------------------------------------------------------------- CSV */

static void csv_num(FILE *out, double v) {
  if (isnan(v)) fputs(",nan", out);
  else if (isinf(v)) fputs(v > 0 ? ",inf" : ",-inf", out);
  else fprintf(out, ",%.10g", v);
}

static void csv_spread_head(FILE *out, const char *name) {
  fprintf(out, ",%s_median,%s_q25,%s_q75", name, name, name);
}

static void csv_spread(FILE *out, const mfbo_spread *s) {
  csv_num(out, s->median);
  csv_num(out, s->q25);
  csv_num(out, s->q75);
}

/* A CSV field: quoted when it holds a comma or a quote. */
static void csv_text(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\n")) {
    fprintf(out, ",%s", s);
    return;
  }
  fputs(",\"", out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

void mfbo_summary_csv(const mfbo_analysis *a, FILE *out) {
  fprintf(out, "algorithm,algorithm_type,is_baseline,runs,failed,no_incumbent");
  csv_spread_head(out, "best_true_ms");
  csv_spread_head(out, "evals");
  fprintf(out, ",speedup_evals_ratio");
  csv_spread_head(out, "cost_s");
  csv_spread_head(out, "final_regret");
  for (size_t j = 0; j < a->n_targets; j++) {
    char t[32];
    snprintf(t, sizeof t, "regret_le_%g", a->targets[j]);
    fprintf(out, ",successes_%s,success_rate_%s,ert_s_%s,ert_s_lo_%s,ert_s_hi_%s,"
            "speedup_cost_%s,speedup_cost_lo_%s,speedup_cost_hi_%s", t, t, t, t, t, t, t, t);
  }
  fprintf(out, ",mode_config,mode_runs,mode_true_ms,mode_regret\n");
  for (size_t k = 0; k < a->n_algos; k++) {
    const mfbo_algo *g = &a->algos[k];
    fprintf(out, "%s", g->label);
    csv_text(out, g->type);
    fprintf(out, ",%d,%zu,%zu,%zu", k == a->baseline, g->n_runs, g->n_failed, g->n_no_incumbent);
    csv_spread(out, &g->true_ms);
    csv_spread(out, &g->evals_spread);
    csv_num(out, g->speedup_evals);
    csv_spread(out, &g->cost_spread);
    csv_spread(out, &g->regret);
    for (size_t j = 0; j < a->n_targets; j++) {
      const mfbo_target_result *t = &g->targets[j];
      if (a->live) { /* no targets: empty columns */
        fprintf(out, ",,,,,,,,");
        continue;
      }
      fprintf(out, ",%zu", t->successes);
      csv_num(out, (double)t->successes / (double)g->n_runs);
      csv_num(out, t->ert_s.value);
      csv_num(out, t->ert_s.lo);
      csv_num(out, t->ert_s.hi);
      csv_num(out, t->speedup_cost.value);
      csv_num(out, t->speedup_cost.lo);
      csv_num(out, t->speedup_cost.hi);
    }
    char config[CELL * 4] = "";
    if (g->mode_params) config_text(a->results, g->mode_params, config, sizeof config);
    csv_text(out, config);
    fprintf(out, ",%zu", g->mode_count);
    csv_num(out, g->mode_params ? g->mode_true_ms : NAN);
    csv_num(out, g->mode_params ? g->mode_regret : NAN);
    fputc('\n', out);
  }
}
