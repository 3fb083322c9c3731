/* mfbo_anytime.c: the anytime quality benchmark of issue 13. On one job's landscapes (its
 * benchmark and instances; its [algorithm] sections, seeds and budgets are ignored):
 *   1. pattern (default settings, no budget) on every (instance, seed); C = the median of
 *      their final cost_s (or C = S with --cost S, skipping this pass);
 *   2. every searcher (pattern too) with budget_cost_s = C on every (instance, seed); from
 *      each trace, the regret of the incumbent after the last evaluation with
 *      cum_cost_s <= f x C, f = 1/16, 1/8, 1/4, 1/2, 1 (+inf before the first incumbent).
 * Regret is against the exhaustive optimum (mfbo_benchmark_regret); where the space is too
 * large to enumerate (synthetic d >= 14) against the best true time any run of this
 * invocation evaluated on that instance (as mfbo-analyze does); the table says which.
 * Prints per searcher and fraction the median regret [25%, 75%], the median evaluations and
 * the wall time per run, then the verdict: at which fractions the subject's (mfbo's) median
 * is <= every non-mfbo searcher's median (MET / MISSED with the margin), and whether its
 * final median regret is <= 1%. In-process through mfbo_run (no MPI, no HDF5); -j N forks N
 * workers that take tasks from a shared counter and send results back through a pipe; every
 * run is a pure function of its task, so the numbers (wall times aside) do not depend on N.
 *   build/bench/mfbo_anytime JOB FIRST-LAST [-j N] [--searchers LIST] [--cost S]
 *                            [--csv FILE] [--runs-csv FILE] [--instances A-B]
 *                            [--external-seeds A-B] [--subject LABEL]
 * --instances A-B: only the job's instances numbered A..B (fewer to load and run).
 * --external-seeds A-B: external searchers (type = external: an Optuna run takes 20-100 s)
 * run only the seeds A..B of FIRST-LAST (every instance); the others run every seed.
 * --runs-csv FILE: every run's regret at every fraction, one row per (run, fraction), as
 * read from its trace (the sample the medians and the tests are computed from).
 * The CSV of --csv also gives, per (searcher, fraction), the searcher with the lowest
 * median at that fraction over all searchers (ties: lower 75% quantile, then list order)
 * and the two-sided Wilcoxon-Mann-Whitney rank-sum p-value of this searcher's regrets
 * against that one's (src/analysis/stats.c, mfbo_ranksum_test; exact without ties and
 * n <= 20, else the tie-corrected normal approximation).
 * LIST: comma-separated; an item is a searcher type at its defaults ("de") or
 * LABEL:TYPE[:k=v;k=v] ("mfbo-seedpr:mfbo:preset=seed_pr"); default
 * "random,pattern,de,hyperband,sh,mfbo". The label is part of a run's random streams.
 * e.g. build/bench/mfbo_anytime jobs/kt-pnpoly-RTX3090.ini 1-20 -j 16 --csv pnpoly.csv
 * The whole benchmark (every landscape): bench/mfbo_anytime.sh. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mfbo/job.h"
#include "mfbo/run.h"
#include "stats.h"

#define NF 5
#define MAX_SEARCHERS 32
static const double fractions[NF] = {1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1.0};
static const char *const fraction_names[NF] = {"1/16", "1/8", "1/4", "1/2", "1"};
static const char default_searchers[] = "random,pattern,de,hyperband,sh,mfbo";

typedef struct {
  char label[MFBO_NAME_MAX];
  const mfbo_searcher_type *type;
  mfbo_settings settings;
} searcher_spec;

typedef struct {
  int searcher, instance;
  long seed;
} task;

/* One task's outcome as a worker sends it (far below PIPE_BUF: one atomic write). */
typedef struct {
  int task, failed;  /* failed: 1 = the run failed, 2 = its worker died (a crash) */
  int started;       /* 1: a notice that the task began (nothing else set) */
  double inc_ms[NF]; /* incumbent's true ms at each cut, +inf if none yet */
  long evals[NF];    /* evaluations up to each cut */
  double cost_s, wall_s;
  double best_ms;    /* fastest true ms the run evaluated */
} task_result;

/* One pass: what every worker needs, inherited through fork. */
typedef struct {
  mfbo_benchmark **benchmarks;
  const searcher_spec *searchers;
  task *tasks;
  int n_tasks;
  double budget_s;
  double cuts[NF];
  const char *name;
} pass;

typedef struct {
  const char *job, *searchers, *csv, *subject, *runs_csv;
  long first, last;
  long inst_first, inst_last; /* --instances; 0, 0: every instance of the job */
  long ext_first, ext_last;   /* --external-seeds; 0, 0: every seed */
  int workers;
  double cost_s;
} options;

typedef struct {
  double med, q25, q75;
} quant3;

typedef struct {
  quant3 regret[NF];
  double evals[NF];
  double wall_med, wall_sum, cost_med;
  int runs, failed;
} summary;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Linear-interpolated quantile of sorted values; +inf stays +inf. */
static double quantile(const double *v, int n, double q) {
  if (n == 0) return NAN;
  double h = (n - 1) * q;
  int lo = (int)floor(h);
  double fr = h - lo;
  if (fr == 0 || lo + 1 >= n || v[lo] == v[lo + 1]) return v[lo];
  return v[lo] + fr * (v[lo + 1] - v[lo]);
}

static quant3 quantiles(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return (quant3){quantile(v, n, 0.5), quantile(v, n, 0.25), quantile(v, n, 0.75)};
}

static double median(double *v, int n) { return quantiles(v, n).med; }

/* ---- searchers ---- */

/* "k=v;k=v" into settings; -1 on a malformed item. */
static int parse_settings(mfbo_settings *s, const char *text, mfbo_error *err) {
  char *buf = strdup(text), *save = NULL;
  int rc = 0, line = 1;
  for (char *tok = strtok_r(buf, ";", &save); tok && rc == 0; tok = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(tok, '=');
    if (!eq) {
      mfbo_error_set(err, 0, "setting '%s' is not k=v", tok);
      rc = -1;
      break;
    }
    *eq = '\0';
    rc = mfbo_settings_add(s, tok, eq + 1, line++, err);
  }
  free(buf);
  return rc;
}

/* "TYPE" or "LABEL:TYPE[:k=v;k=v]". */
static int parse_searcher(const char *item, searcher_spec *s, mfbo_error *err) {
  char buf[512];
  mfbo_settings_init(&s->settings);
  snprintf(buf, sizeof buf, "%s", item);
  char *type = strchr(buf, ':'), *set = NULL;
  if (type) *type++ = '\0';
  if (type && (set = strchr(type, ':'))) *set++ = '\0';
  if (strlen(buf) >= sizeof s->label) {
    mfbo_error_set(err, 0, "label '%s' is too long", buf);
    return -1;
  }
  memcpy(s->label, buf, strlen(buf) + 1);
  s->type = mfbo_searcher_type_find(type ? type : buf);
  if (!s->type) {
    mfbo_error_set(err, 0, "unknown searcher type '%s'", type ? type : buf);
    return -1;
  }
  return set ? parse_settings(&s->settings, set, err) : 0;
}

/* Starts the searcher once on the landscape, so that bad settings fail before any run. */
static int check_searcher(const searcher_spec *s, const mfbo_benchmark *b, mfbo_error *err) {
  void *state = calloc(1, s->type->state_size);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  mfbo_settings copy;
  int rc = mfbo_settings_copy(&copy, &s->settings);
  if (rc == 0) rc = s->type->init(state, b->space, &copy, rng, err);
  if (rc == 0) rc = mfbo_settings_check_unused(&copy, s->label, err);
  s->type->free(state);
  free(state);
  gsl_rng_free(rng);
  mfbo_settings_free(&copy);
  return rc;
}

static int parse_searchers(const char *list, searcher_spec *out, int *n, mfbo_error *err) {
  char *buf = strdup(list), *save = NULL;
  int rc = 0;
  *n = 0;
  for (char *it = strtok_r(buf, ",", &save); it && rc == 0; it = strtok_r(NULL, ",", &save)) {
    if (*n == MAX_SEARCHERS) {
      mfbo_error_set(err, 0, "more than %d searchers", MAX_SEARCHERS);
      rc = -1;
    } else {
      rc = parse_searcher(it, &out[*n], err);
      (*n)++;
    }
  }
  free(buf);
  return rc;
}

/* ---- one run ---- */

static void read_trace(const mfbo_run_result *r, const double *cuts, task_result *out) {
  long row = 0;
  for (int f = 0; f < NF; f++) {
    while (row < r->n_evals && r->trace[row].cum_cost_s <= cuts[f]) row++;
    out->evals[f] = row;
    out->inc_ms[f] = row ? r->trace[row - 1].incumbent_true_ms : INFINITY;
  }
  out->best_ms = INFINITY;
  for (long i = 0; i < r->n_evals; i++)
    if (r->trace[i].true_ms < out->best_ms) out->best_ms = r->trace[i].true_ms;
}

static void run_task(const pass *p, int i, task_result *out) {
  const task *t = &p->tasks[i];
  const searcher_spec *s = &p->searchers[t->searcher];
  mfbo_run_spec spec = {.benchmark = p->benchmarks[t->instance], .label = s->label,
                        .searcher = s->type, .settings = &s->settings, .seed = t->seed,
                        .budget = {0, p->budget_s}};
  memset(out, 0, sizeof *out);
  double t0 = now_s();
  mfbo_run_result r;
  int rc = mfbo_run(&spec, &r);
  out->wall_s = now_s() - t0;
  out->task = i;
  out->failed = rc != 0;
  out->cost_s = r.cost_s;
  read_trace(&r, p->cuts, out);
  if (rc != 0)
    fprintf(stderr, "%s: %s, instance %d, seed %ld failed: %s\n", p->name, s->label,
            p->benchmarks[t->instance]->instance, t->seed, r.message);
  mfbo_run_result_free(&r);
}

/* ---- workers ---- */

static int write_all(int fd, const void *buf, size_t n) {
  const char *c = buf;
  while (n > 0) {
    ssize_t k = write(fd, c, n);
    if (k <= 0) return -1;
    c += k, n -= (size_t)k;
  }
  return 0;
}

/* 1 when a whole record was read, 0 at end of file, -1 on an error. */
static int read_record(int fd, task_result *res) {
  char *c = (char *)res;
  size_t got = 0;
  while (got < sizeof *res) {
    ssize_t k = read(fd, c + got, sizeof *res - got);
    if (k == 0) return got == 0 ? 0 : -1;
    if (k < 0) return -1;
    got += (size_t)k;
  }
  return 1;
}

static void worker(const pass *p, atomic_int *next, int fd) {
  for (;;) {
    int i = atomic_fetch_add(next, 1);
    if (i >= p->n_tasks) break;
    task_result res = {.task = i, .started = 1};
    if (write_all(fd, &res, sizeof res) != 0) _exit(1);
    run_task(p, i, &res);
    if (write_all(fd, &res, sizeof res) != 0) _exit(1);
  }
  _exit(0);
}

/* Reads every record into results (by task) until every worker has exited; state[k] is 1
 * once task k began, 2 once it came back. Progress on stderr. */
static void collect(int fd, const pass *p, task_result *results, char *state) {
  static double t0 = 0, last = 0;
  if (t0 == 0) t0 = last = now_s();
  task_result res;
  while (read_record(fd, &res) == 1) {
    if (res.task < 0 || res.task >= p->n_tasks) continue;
    state[res.task] = res.started ? 1 : 2;
    if (res.started) continue;
    results[res.task] = res;
    int done = 0;
    for (int k = 0; k < p->n_tasks; k++) done += state[k] == 2;
    double t = now_s();
    if (t - last >= 5 || done == p->n_tasks) {
      fprintf(stderr, "[%s] %d/%d tasks done, %.0f s\n", p->name, done, p->n_tasks, t - t0);
      last = t;
    }
  }
  t0 = 0;
}

/* Waits for the workers; returns how many died. */
static int reap(const pid_t *pids, int n) {
  int bad = 0;
  for (int w = 0; w < n; w++) {
    int st = 0;
    if (waitpid(pids[w], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
  }
  return bad;
}

/* Forks n_workers workers on the shared counter and collects until they have all exited. */
static int one_round(const pass *p, int n_workers, atomic_int *next, task_result *results,
                     char *state) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pids[256];
  int n = 0;
  fflush(NULL);
  for (int w = 0; w < n_workers && w < 256; w++) {
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      worker(p, next, fds[1]);
    }
    if (pid > 0) pids[n++] = pid;
  }
  close(fds[1]);
  if (n) collect(fds[0], p, results, state);
  close(fds[0]);
  int died = reap(pids, n);
  if (died) fprintf(stderr, "[%s] %d worker(s) died\n", p->name, died);
  return n ? 0 : -1;
}

/* A task whose worker died: no incumbent at any cut, counted as failed. */
static void mark_crashed(const pass *p, int k, task_result *r) {
  *r = (task_result){.task = k, .failed = 2, .best_ms = INFINITY};
  for (int f = 0; f < NF; f++) r->inc_ms[f] = INFINITY;
  const task *t = &p->tasks[k];
  fprintf(stderr, "[%s] %s, instance %d, seed %ld: its worker died (counted as failed)\n",
          p->name, p->searchers[t->searcher].label, p->benchmarks[t->instance]->instance,
          t->seed);
}

/* Runs every task of the pass in forked workers (new ones while tasks are left, should
 * workers die); a task whose worker died counts as failed. 0 unless forking failed. */
static int run_pass(const pass *p, int n_workers, task_result *results) {
  atomic_int *next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  char *state = calloc((size_t)p->n_tasks, 1);
  if (next == MAP_FAILED || !state) return -1;
  atomic_init(next, 0);
  int rc = 0;
  while (rc == 0 && atomic_load(next) < p->n_tasks)
    rc = one_round(p, n_workers, next, results, state);
  for (int k = 0; k < p->n_tasks && rc == 0; k++)
    if (state[k] != 2) mark_crashed(p, k, &results[k]);
  munmap(next, sizeof *next);
  free(state);
  return rc;
}

/* ---- the two passes ---- */

static int is_mfbo(const searcher_spec *s) { return strcmp(s->type->name, "mfbo") == 0; }

/* The slow searchers (seconds a run): mfbo and external programs. */
static int is_slow(const searcher_spec *s) {
  return is_mfbo(s) || strcmp(s->type->name, "external") == 0;
}

/* Tasks of every (searcher, instance, seed), the slow ones first (longest first). */
static task *make_tasks(const searcher_spec *s, int n_s, int n_inst, const options *o,
                        int *n) {
  int n_seeds = (int)(o->last - o->first + 1);
  task *t = malloc((size_t)n_s * n_inst * n_seeds * sizeof *t);
  *n = 0;
  for (int round = 0; round < 2; round++)
    for (int a = 0; a < n_s; a++) {
      if (is_slow(&s[a]) != (round == 0)) continue;
      int ext = strcmp(s[a].type->name, "external") == 0 && o->ext_last > 0;
      for (int i = 0; i < n_inst; i++)
        for (long seed = o->first; seed <= o->last; seed++)
          if (!ext || (seed >= o->ext_first && seed <= o->ext_last))
            t[(*n)++] = (task){a, i, seed};
    }
  return t;
}


/* Where the optimum is unknown, ref[i] becomes the fastest true time any run evaluated. */
static void update_ref(mfbo_benchmark **b, const task *t, const task_result *r, int n,
                       double *ref) {
  for (int k = 0; k < n; k++) {
    int i = t[k].instance;
    if (isnan(b[i]->optimum_ms) && !(ref[i] <= r[k].best_ms)) ref[i] = r[k].best_ms;
  }
}

/* Everything about one landscape (job) that the output needs. */
typedef struct {
  const char *name;
  mfbo_benchmark **b;
  int n_inst;
  searcher_spec s[MAX_SEARCHERS];
  int n_s, subject;
  task *tasks;
  task_result *res;
  int n_tasks;
  double *ref;
  double cap_s;
  quant3 pattern_cost; /* NaN when --cost gave the cap */
  long first, last;
} bench;

/* Pass 1: pattern at its defaults without a budget; the cap is its median cost. */
static int pattern_pass(bench *B, const options *o) {
  searcher_spec pattern = {"pattern", &mfbo_searcher_pattern, {0}};
  mfbo_settings_init(&pattern.settings);
  pass p = {.benchmarks = B->b, .searchers = &pattern, .name = "pass 1: pattern's cost"};
  for (int f = 0; f < NF; f++) p.cuts[f] = INFINITY;
  p.tasks = make_tasks(&pattern, 1, B->n_inst, o, &p.n_tasks);
  task_result *r = calloc((size_t)p.n_tasks, sizeof *r);
  double *cost = malloc((size_t)p.n_tasks * sizeof *cost);
  int rc = run_pass(&p, o->workers, r);
  for (int i = 0; i < p.n_tasks; i++) cost[i] = r[i].cost_s;
  B->pattern_cost = quantiles(cost, p.n_tasks);
  B->cap_s = B->pattern_cost.med;
  update_ref(B->b, p.tasks, r, p.n_tasks, B->ref);
  free(cost), free(r), free(p.tasks);
  return rc;
}

/* Pass 2: every searcher capped at the cost cap, read at the cuts. */
static int capped_pass(bench *B, const options *o) {
  pass p = {.benchmarks = B->b, .searchers = B->s, .budget_s = B->cap_s,
            .name = "pass 2: capped runs"};
  for (int f = 0; f < NF; f++) p.cuts[f] = fractions[f] * B->cap_s;
  B->tasks = p.tasks = make_tasks(B->s, B->n_s, B->n_inst, o, &p.n_tasks);
  B->n_tasks = p.n_tasks;
  B->res = calloc((size_t)p.n_tasks, sizeof *B->res);
  int rc = run_pass(&p, o->workers, B->res);
  update_ref(B->b, p.tasks, B->res, p.n_tasks, B->ref);
  return rc;
}

static double regret_of(const mfbo_benchmark *b, double ref_ms, double inc_ms) {
  if (!isfinite(inc_ms)) return INFINITY;
  double r = mfbo_benchmark_regret(b, inc_ms);
  return isnan(r) ? inc_ms / ref_ms - 1.0 : r;
}

/* Searcher a's regrets at fraction f, one per run, into v (room for n_tasks); returns n. */
static int regrets(const bench *B, int a, int f, double *v) {
  int n = 0;
  for (int k = 0; k < B->n_tasks; k++) {
    if (B->tasks[k].searcher != a) continue;
    int i = B->tasks[k].instance;
    v[n++] = regret_of(B->b[i], B->ref[i], B->res[k].inc_ms[f]);
  }
  return n;
}

static void summarise(const bench *B, int a, summary *out) {
  double *v = malloc((size_t)B->n_tasks * sizeof *v), *w = malloc((size_t)B->n_tasks * sizeof *w);
  memset(out, 0, sizeof *out);
  for (int f = 0; f < NF; f++) {
    int n = 0;
    for (int k = 0; k < B->n_tasks; k++) {
      if (B->tasks[k].searcher != a) continue;
      int i = B->tasks[k].instance;
      v[n] = regret_of(B->b[i], B->ref[i], B->res[k].inc_ms[f]);
      w[n++] = (double)B->res[k].evals[f];
    }
    out->regret[f] = quantiles(v, n);
    out->evals[f] = median(w, n);
    out->runs = n;
  }
  int n = 0;
  for (int k = 0; k < B->n_tasks; k++) {
    if (B->tasks[k].searcher != a) continue;
    out->wall_sum += B->res[k].wall_s;
    out->failed += B->res[k].failed != 0;
    v[n] = B->res[k].wall_s;
    w[n++] = B->res[k].cost_s;
  }
  out->wall_med = median(v, n);
  out->cost_med = median(w, n);
  free(v), free(w);
}

/* ---- the verdict ---- */

typedef struct {
  int other;     /* the non-mfbo searcher with the lowest median, -1 if none */
  double margin; /* subject's median - other's */
  int met;
} verdict;

static verdict judge(const bench *B, const summary *S, int f) {
  verdict v = {-1, NAN, 0};
  for (int a = 0; a < B->n_s; a++) {
    if (a == B->subject || is_mfbo(&B->s[a])) continue;
    if (v.other < 0 || S[a].regret[f].med < S[v.other].regret[f].med) v.other = a;
  }
  if (v.other < 0 || B->subject < 0) return v;
  double m = S[B->subject].regret[f].med, o = S[v.other].regret[f].med;
  v.met = m <= o;
  v.margin = m == o ? 0 : m - o;
  return v;
}

/* ---- the lowest searcher and the rank-sum tests ---- */

/* The searcher with the lowest median regret at fraction f over all of them (ties: the lower
 * 75% quantile, then list order). */
static int lowest(const bench *B, const summary *S, int f) {
  int best = 0;
  for (int a = 1; a < B->n_s; a++) {
    const quant3 *x = &S[a].regret[f], *y = &S[best].regret[f];
    if (x->med < y->med || (x->med == y->med && x->q75 < y->q75)) best = a;
  }
  return best;
}

/* Two-sided rank-sum p-value of searcher a's regrets at f against searcher b's; NaN when a
 * sample is empty or a == b. */
static double ranksum_p(const bench *B, int a, int b, int f) {
  if (a == b) return NAN;
  double *x = malloc((size_t)B->n_tasks * sizeof *x), *y = malloc((size_t)B->n_tasks * sizeof *y);
  int nx = regrets(B, a, f, x), ny = regrets(B, b, f, y);
  mfbo_ranksum t;
  double p = x && y && mfbo_ranksum_test(x, (size_t)nx, y, (size_t)ny, &t) == 0 ? t.p : NAN;
  free(x), free(y);
  return p;
}

/* ---- output ---- */

static void fmt_pct(char *buf, size_t n, double x) {
  if (isinf(x)) snprintf(buf, n, "inf");
  else snprintf(buf, n, "%.2f", 100 * x);
}

static void fmt_cell(char *buf, size_t n, quant3 q) {
  char a[32], b[32], c[32];
  fmt_pct(a, sizeof a, q.med), fmt_pct(b, sizeof b, q.q25), fmt_pct(c, sizeof c, q.q75);
  snprintf(buf, n, "%s [%s, %s]", a, b, c);
}

static int any_unknown_optimum(const bench *B) {
  for (int i = 0; i < B->n_inst; i++)
    if (isnan(B->b[i]->optimum_ms)) return 1;
  return 0;
}

static void print_header(const bench *B) {
  printf("== %s: %d instance(s) x seeds %ld-%ld, cost cap C = %.2f s ", B->name, B->n_inst,
         B->first, B->last, B->cap_s);
  if (isnan(B->pattern_cost.med)) printf("(given by --cost)\n");
  else printf("(pattern's median cost; its 25%%-75%%: %.2f-%.2f s)\n", B->pattern_cost.q25,
              B->pattern_cost.q75);
  printf("regret in %% against %s: median [25%%, 75%%] at cost f x C; evals and cost_s: "
         "medians at the end of the run; wall_s: per run (median) and summed\n",
         any_unknown_optimum(B) ? "the fastest configuration any run evaluated (optimum "
                                  "unknown: the space is too large to enumerate)"
                                : "the exhaustive optimum");
  printf("%-16s", "searcher");
  for (int f = 0; f < NF; f++) {
    char h[48];
    snprintf(h, sizeof h, "%s = %.1f s", fraction_names[f], fractions[f] * B->cap_s);
    printf(" %-24s", h);
  }
  printf(" %7s %9s %9s %10s %6s\n", "evals", "cost_s", "wall_s", "wall_sum", "failed");
}

static void print_row(const bench *B, int a, const summary *S) {
  printf("%-16s", B->s[a].label);
  for (int f = 0; f < NF; f++) {
    char c[128];
    fmt_cell(c, sizeof c, S->regret[f]);
    printf(" %-24s", c);
  }
  printf(" %7.0f %9.2f %9.4f %10.2f %6d\n", S->evals[NF - 1], S->cost_med, S->wall_med,
         S->wall_sum, S->failed);
}

static void print_verdict(const bench *B, const summary *S) {
  if (B->subject < 0) {
    printf("verdict: no mfbo searcher to judge\n\n");
    return;
  }
  printf("verdict (%s's median regret <= every non-mfbo searcher's):", B->s[B->subject].label);
  for (int f = 0; f < NF; f++) {
    verdict v = judge(B, S, f);
    if (v.other < 0) printf(" %s n/a", fraction_names[f]);
    else printf(" %s %s (%+.2f pp vs %s)%s", fraction_names[f], v.met ? "MET" : "MISSED",
                100 * v.margin, B->s[v.other].label, f + 1 < NF ? "," : ";");
  }
  double fin = S[B->subject].regret[NF - 1].med;
  printf(" final median regret %.2f%% <= 1%%: %s\n\n", 100 * fin, fin <= 0.01 ? "MET" : "MISSED");
}

static void write_csv(const bench *B, const summary *S, FILE *out) {
  fprintf(out, "landscape,instances,seeds,cost_cap_s,reference,searcher,type,fraction,cost_s,"
               "regret_median,regret_q25,regret_q75,evals_median,wall_s_median,wall_s_sum,"
               "runs,failed,lowest,lowest_median,p_vs_lowest,best_other,best_other_median,"
               "margin,verdict\n");
  for (int a = 0; a < B->n_s; a++)
    for (int f = 0; f < NF; f++) {
      const summary *x = &S[a];
      fprintf(out, "%s,%d,%ld-%ld,%.6g,%s,%s,%s,%s,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%d",
              B->name, B->n_inst, B->first, B->last, B->cap_s,
              any_unknown_optimum(B) ? "best_found" : "optimum", B->s[a].label,
              B->s[a].type->name, fraction_names[f], fractions[f] * B->cap_s, x->regret[f].med,
              x->regret[f].q25, x->regret[f].q75, x->evals[f], x->wall_med, x->wall_sum,
              x->runs, x->failed);
      int lo = lowest(B, S, f);
      fprintf(out, ",%s,%.6g,%.6g", B->s[lo].label, S[lo].regret[f].med, ranksum_p(B, a, lo, f));
      verdict v = judge(B, S, f);
      if (a == B->subject && v.other >= 0)
        fprintf(out, ",%s,%.6g,%.6g,%s\n", B->s[v.other].label, S[v.other].regret[f].med,
                v.margin, v.met ? "MET" : "MISSED");
      else
        fprintf(out, ",,,,\n");
    }
}

/* Every run's regret at every fraction (the sample behind the medians and the tests). */
static int write_runs_csv(const bench *B, const char *path) {
  FILE *out = fopen(path, "w");
  if (!out) {
    perror(path);
    return -1;
  }
  fprintf(out, "landscape,searcher,type,instance,seed,fraction,cost_s,regret,evals,"
               "run_cost_s,wall_s,failed\n");
  for (int k = 0; k < B->n_tasks; k++) {
    const task *t = &B->tasks[k];
    const task_result *r = &B->res[k];
    for (int f = 0; f < NF; f++)
      fprintf(out, "%s,%s,%s,%d,%ld,%s,%.6g,%.9g,%ld,%.6g,%.6g,%d\n", B->name,
              B->s[t->searcher].label, B->s[t->searcher].type->name,
              B->b[t->instance]->instance, t->seed, fraction_names[f], fractions[f] * B->cap_s,
              regret_of(B->b[t->instance], B->ref[t->instance], r->inc_ms[f]), r->evals[f],
              r->cost_s, r->wall_s, r->failed);
  }
  return fclose(out) == 0 ? 0 : -1;
}

/* Where the subject's median is not the lowest of all: the lowest and the rank-sum p. */
static void print_lowest(const bench *B, const summary *S) {
  if (B->subject < 0) return;
  printf("lowest median of all searchers:");
  for (int f = 0; f < NF; f++) {
    int lo = lowest(B, S, f);
    int mine = S[B->subject].regret[f].med <= S[lo].regret[f].med;
    if (mine) printf(" %s %s", fraction_names[f], B->s[B->subject].label);
    else printf(" %s %s (%s %.2f%%, rank-sum p = %.3g)", fraction_names[f], B->s[lo].label,
                B->s[B->subject].label, 100 * S[B->subject].regret[f].med,
                ranksum_p(B, B->subject, lo, f));
    printf("%s", f + 1 < NF ? "," : "\n\n");
  }
}

static int report(const bench *B, const char *csv, const char *runs_csv) {
  summary S[MAX_SEARCHERS];
  for (int a = 0; a < B->n_s; a++) summarise(B, a, &S[a]);
  print_header(B);
  for (int a = 0; a < B->n_s; a++) print_row(B, a, &S[a]);
  print_verdict(B, S);
  print_lowest(B, S);
  fflush(stdout);
  if (runs_csv && write_runs_csv(B, runs_csv) != 0) return -1;
  if (!csv) return 0;
  FILE *out = fopen(csv, "w");
  if (!out) {
    perror(csv);
    return -1;
  }
  write_csv(B, S, out);
  return fclose(out) == 0 ? 0 : -1;
}

/* ---- setup ---- */

static int usage(const char *prog) {
  fprintf(stderr,
          "usage: %s JOB FIRST-LAST [-j N] [--searchers LIST] [--cost S] [--csv FILE] "
          "[--runs-csv FILE] [--instances A-B] [--external-seeds A-B] [--subject LABEL]\n"
          "  LIST: comma-separated TYPE or LABEL:TYPE[:k=v;k=v] "
          "(default %s)\n",
          prog, default_searchers);
  return 2;
}

/* "A-B" or "A" into first..last; -1 when malformed. */
static int parse_range(const char *text, long *first, long *last) {
  char *end;
  *first = strtol(text, &end, 10);
  *last = *end == '-' ? strtol(end + 1, &end, 10) : *first;
  return *end || *first < 0 || *last < *first ? -1 : 0;
}

static int parse_seeds(const char *text, options *o) {
  return parse_range(text, &o->first, &o->last);
}

static int parse_options(int argc, char **argv, options *o) {
  *o = (options){.searchers = default_searchers, .workers = 1};
  int pos = 0;
  for (int a = 1; a < argc; a++) {
    const char *v = a + 1 < argc ? argv[a + 1] : NULL;
    if (strcmp(argv[a], "-j") == 0 && v) o->workers = atoi(argv[++a]);
    else if (strcmp(argv[a], "--searchers") == 0 && v) o->searchers = argv[++a];
    else if (strcmp(argv[a], "--cost") == 0 && v) o->cost_s = atof(argv[++a]);
    else if (strcmp(argv[a], "--csv") == 0 && v) o->csv = argv[++a];
    else if (strcmp(argv[a], "--subject") == 0 && v) o->subject = argv[++a];
    else if (strcmp(argv[a], "--runs-csv") == 0 && v) o->runs_csv = argv[++a];
    else if (strcmp(argv[a], "--external-seeds") == 0 && v) {
      if (parse_range(argv[++a], &o->ext_first, &o->ext_last) != 0) return -1;
    } else if (strcmp(argv[a], "--instances") == 0 && v) {
      if (parse_range(argv[++a], &o->inst_first, &o->inst_last) != 0) return -1;
    }
    else if (argv[a][0] == '-') return -1;
    else if (pos == 0 && ++pos) o->job = argv[a];
    else if (pos == 1 && ++pos) {
      if (parse_seeds(argv[a], o) != 0) return -1;
    } else return -1;
  }
  return pos == 2 && o->workers >= 1 && o->workers <= 256 && o->cost_s >= 0 ? 0 : -1;
}

/* The job's instances (those in --instances, when given). */
static int load_benchmarks(mfbo_job *job, const options *o, bench *B, mfbo_error *err) {
  B->b = calloc((size_t)job->n_instances, sizeof *B->b);
  B->ref = malloc((size_t)job->n_instances * sizeof *B->ref);
  B->n_inst = 0;
  for (int i = 0; i < job->n_instances; i++) {
    int id = job->instances[i];
    if (o->inst_last > 0 && (id < o->inst_first || id > o->inst_last)) continue;
    mfbo_benchmark *b = mfbo_benchmark_alloc(job->benchmark_type, &job->benchmark, &job->space,
                                             id, err);
    if (!b) return -1;
    B->b[B->n_inst] = b;
    B->ref[B->n_inst++] = b->optimum_ms;
  }
  if (B->n_inst == 0) {
    mfbo_error_set(err, 0, "--instances %ld-%ld: none of the job's instances", o->inst_first,
                   o->inst_last);
    return -1;
  }
  return 0;
}

/* The searchers, checked on the first landscape, and the subject of the verdict. */
static int setup_searchers(bench *B, const options *o, mfbo_error *err) {
  if (parse_searchers(o->searchers, B->s, &B->n_s, err) != 0) return -1;
  B->subject = -1;
  for (int a = 0; a < B->n_s; a++) {
    if (check_searcher(&B->s[a], B->b[0], err) != 0) return -1;
    int named = o->subject ? strcmp(B->s[a].label, o->subject) == 0
                           : is_mfbo(&B->s[a]) && (B->subject < 0 ||
                                                   strcmp(B->s[a].label, "mfbo") == 0);
    if (named) B->subject = a;
  }
  if (o->subject && B->subject < 0) {
    mfbo_error_set(err, 0, "--subject %s is not among the searchers", o->subject);
    return -1;
  }
  return 0;
}

static void free_bench(bench *B) {
  for (int i = 0; i < B->n_inst && B->b; i++) mfbo_benchmark_free(B->b[i]);
  for (int a = 0; a < B->n_s; a++) mfbo_settings_free(&B->s[a].settings);
  free(B->b), free(B->ref), free(B->tasks), free(B->res);
}

static int run_bench(bench *B, const options *o) {
  double t0 = now_s();
  if (o->cost_s > 0) {
    B->cap_s = o->cost_s;
    B->pattern_cost = (quant3){NAN, NAN, NAN};
  } else if (pattern_pass(B, o) != 0) {
    return -1;
  }
  double t1 = now_s();
  if (capped_pass(B, o) != 0) return -1;
  fprintf(stderr, "[%s] wall: pass 1 %.1f s, pass 2 %.1f s (-j %d)\n", B->name, t1 - t0,
          now_s() - t1, o->workers);
  return report(B, o->csv, o->runs_csv);
}

int main(int argc, char **argv) {
  options o;
  if (parse_options(argc, argv, &o) != 0) return usage(argv[0]);
  mfbo_job job;
  mfbo_error err;
  mfbo_error_clear(&err);
  double t0 = now_s();
  if (mfbo_job_load_file(o.job, &job, &err) != 0) {
    mfbo_error_print(&err, stderr);
    return 2;
  }
  bench B = {.name = job.name, .first = o.first, .last = o.last};
  int rc = load_benchmarks(&job, &o, &B, &err) != 0 || setup_searchers(&B, &o, &err) != 0 ? 2 : 0;
  if (rc) mfbo_error_print(&err, stderr);
  else fprintf(stderr, "[%s] loaded %d instance(s) in %.1f s\n", B.name, B.n_inst, now_s() - t0);
  if (!rc && run_bench(&B, &o) != 0) rc = 1;
  free_bench(&B);
  mfbo_job_free(&job);
  return rc;
}
