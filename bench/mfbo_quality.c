/* mfbo_quality.c: quality benchmark of a searcher on a job's benchmark, over seeds, in one
 * process (no MPI, no results file): per run the final regret, evaluations and simulated
 * cost; then medians, the optimum hit rate and the wall time per run. docs/mfbo.md quotes
 * its output.
 *   build/bench/mfbo_quality JOB TYPE "k=v, k=v" FIRST_SEED LAST_SEED [-v] [--cost S] [--evals N]
 * --cost S stops each run at S simulated seconds (budget_cost_s): random search at mfbo's
 * median cost, for the equal-cost comparison.
 * --ask-times: also the wall time of every ask (the searcher's suggestion, its refits
 * included: what a user waits for between two measurements), measured by a wrapper type
 * that delegates to the searcher under its own name (so the runs are unchanged): median,
 * 90% and max over all asks, and the median over the asks made after 90% of the run's
 * evaluations of the longest run (n ~ the end of the run).
 * --trace: also every evaluation of every run, one line each ("trace SEED EVAL FIDELITY
 * MEASURED_MS TRUE_MS CUM_COST_S INCUMBENT_TRUE_MS OPTIMUM_MS CFG..."; CFG: value indices).
 * e.g. build/bench/mfbo_quality jobs/seed-quick.ini mfbo "" 1 50 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mfbo/job.h"
#include "mfbo/run.h"

/* ---- --ask-times: a wrapper type that times the searcher's asks ---- */
static const mfbo_searcher_type *inner;
static double *ask_ms;
static long *ask_at, n_asks, cap_asks, n_told;

static int timed_init(void *st, const mfbo_space *sp, mfbo_settings *se, gsl_rng *rng,
                      mfbo_error *err) {
  n_told = 0; /* evaluations told in this run */
  return inner->init(st, sp, se, rng, err);
}
static int timed_ask(void *st, mfbo_batch *b, mfbo_error *err) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = inner->ask(st, b, err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (n_asks == cap_asks) {
    cap_asks = cap_asks ? 2 * cap_asks : 1024;
    ask_ms = realloc(ask_ms, (size_t)cap_asks * sizeof *ask_ms);
    ask_at = realloc(ask_at, (size_t)cap_asks * sizeof *ask_at);
    if (!ask_ms || !ask_at) abort();
  }
  ask_ms[n_asks] = 1e3 * (double)(t1.tv_sec - t0.tv_sec) + 1e-6 * (double)(t1.tv_nsec - t0.tv_nsec);
  ask_at[n_asks++] = n_told;
  return rc;
}
static void timed_tell(void *st, const mfbo_batch *b, int i) {
  n_told++;
  inner->tell(st, b, i);
}
static int timed_incumbent(const void *st, int *cfg) { return inner->incumbent(st, cfg); }
static void timed_free(void *st) { inner->free(st); }
static void timed_set_budget(void *st, long e, double c) {
  if (inner->set_budget) inner->set_budget(st, e, c);
}
static mfbo_searcher_type timed;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void parse_settings(mfbo_settings *s, const char *text) {
  mfbo_settings_init(s);
  char *buf = strdup(text), *save = NULL;
  int line = 1;
  for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    char *eq = strchr(tok, '=');
    if (!eq) continue;
    *eq = '\0';
    char *k = tok, *end = eq - 1;
    while (end > k && *end == ' ') *end-- = '\0';
    char *v = eq + 1;
    while (*v == ' ') v++;
    mfbo_settings_add(s, k, v, line++, NULL);
  }
  free(buf);
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s JOB TYPE SETTINGS FIRST_SEED LAST_SEED [-v] [--cost S] [--evals N]\n", argv[0]);
    return 2;
  }
  mfbo_job job;
  mfbo_error err;
  if (mfbo_job_load_file(argv[1], &job, &err) != 0) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  const mfbo_searcher_type *type = mfbo_searcher_type_find(argv[2]);
  mfbo_benchmark *b = type ? mfbo_benchmark_alloc(job.benchmark_type, &job.benchmark,
                                                  &job.space, job.n_instances ? job.instances[0] : 1,
                                                  &err)
                           : NULL;
  if (!b) {
    fprintf(stderr, "bad searcher or benchmark: %s\n", type ? err.msg : argv[2]);
    return 1;
  }
  long first = atol(argv[4]), last = atol(argv[5]);
  int verbose = 0, n = 0, hits = 0, ask_times = 0, trace = 0;
  double max_cost_s = 0;
  long max_evals = 0; /* --evals N: budget_evals, e.g. mfbo's 1000-evaluation speed run */
  for (int a = 6; a < argc; a++) {
    if (strcmp(argv[a], "-v") == 0) verbose = 1;
    else if (strcmp(argv[a], "--cost") == 0 && a + 1 < argc) max_cost_s = atof(argv[++a]);
    else if (strcmp(argv[a], "--evals") == 0 && a + 1 < argc) max_evals = atol(argv[++a]);
    else if (strcmp(argv[a], "--ask-times") == 0) ask_times = 1;
    else if (strcmp(argv[a], "--trace") == 0) trace = 1;
  }
  if (ask_times) {
    inner = type;
    timed = (mfbo_searcher_type){.name = type->name, .summary = type->summary,
                                 .state_size = type->state_size, .init = timed_init,
                                 .ask = timed_ask, .tell = timed_tell,
                                 .incumbent = timed_incumbent, .free = timed_free,
                                 .set_budget = timed_set_budget};
    type = &timed;
  }
  int cap = (int)(last - first + 1);
  double *regret = malloc((size_t)cap * sizeof *regret), *cost = malloc((size_t)cap * sizeof *cost);
  double *evals = malloc((size_t)cap * sizeof *evals), *wall = malloc((size_t)cap * sizeof *wall);
  mfbo_settings s;
  parse_settings(&s, argv[3]);
  for (long seed = first; seed <= last; seed++) {
    mfbo_run_spec spec = {.benchmark = b, .label = argv[2], .searcher = type, .settings = &s,
                          .seed = seed, .budget = {max_evals, max_cost_s}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mfbo_run_result r;
    int rc = mfbo_run(&spec, &r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != 0) fprintf(stderr, "seed %ld: %s\n", seed, r.message);
    regret[n] = r.regret, cost[n] = r.cost_s, evals[n] = (double)r.n_evals;
    wall[n] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    hits += r.regret == 0;
    for (long e = 0; trace && e < r.n_evals; e++) {
      const mfbo_trace_row *t = &r.trace[e];
      printf("trace %ld %ld %d %.6g %.6g %.4f %.6g %.6g", seed, t->eval, t->fidelity,
             t->measured_ms, t->true_ms, t->cum_cost_s, t->incumbent_true_ms,
             b->optimum_ms);
      for (int k = 0; k < r.n_params; k++) printf(" %d", r.trace_cfg[e * r.n_params + k]);
      printf("\n");
    }
    if (verbose)
      printf("seed %3ld  evals %5ld  cost_s %9.2f  regret %.5f  wall_s %.3f\n", seed, r.n_evals,
             r.cost_s, r.regret, wall[n]);
    n++;
    mfbo_run_result_free(&r);
  }
  double worst = 0;
  for (int i = 0; i < n; i++) worst = regret[i] > worst ? regret[i] : worst;
  printf("%s %s [%s] seeds %ld-%ld: optimum %d/%d, median regret %.5f (worst %.5f), "
         "median cost_s %.2f, median evals %.0f, median wall_s %.4f\n",
         argv[1], argv[2], argv[3], first, last, hits, n, median(regret, n), worst,
         median(cost, n), median(evals, n), median(wall, n));
  if (ask_times && n_asks > 0) {
    long late = 0, max_at = 0;
    for (long i = 0; i < n_asks; i++) max_at = ask_at[i] > max_at ? ask_at[i] : max_at;
    double *tail = malloc((size_t)n_asks * sizeof *tail), mx = 0;
    for (long i = 0; i < n_asks; i++) {
      if (ask_at[i] >= 0.9 * (double)max_at) tail[late++] = ask_ms[i];
      mx = ask_ms[i] > mx ? ask_ms[i] : mx;
    }
    double med_late = median(tail, (int)late);
    qsort(ask_ms, (size_t)n_asks, sizeof *ask_ms, cmp_double);
    printf("ask wall time over %ld asks (all runs): median %.2f ms, 90%% %.2f ms, max %.2f ms; "
           "median of the %ld asks after %.0f%% of the evaluations (n >= %.0f): %.2f ms\n",
           n_asks, median(ask_ms, (int)n_asks), ask_ms[(long)(0.9 * (double)(n_asks - 1))], mx,
           late, 90.0, 0.9 * (double)max_at, med_late);
    free(tail);
  }
  mfbo_settings_free(&s);
  free(regret), free(cost), free(evals), free(wall);
  mfbo_benchmark_free(b);
  mfbo_job_free(&job);
  return 0;
}
