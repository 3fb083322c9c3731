/* test_hyperband.c: Hyperband and successive halving through mfbo_run. The bracket tables
 * (R = 81, eta = 3 exactly as Li et al. and searchers.md give it; R = 27; R = 16, eta = 2;
 * min_fidelity, s_max, rounding for R = 100), promotion of the best measured with ties broken
 * by code and failures last, the incumbent rule, bad settings with their line, exhausting
 * tiny spaces, determinism, and a table of results on the seed benchmark, printed for
 * docs/searchers-multifidelity.md. A toy benchmark defined here has no noise, so the order
 * of every rung is known. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mfbo/run.h"

/* The seed-benchmark table: the cost budget of each run, in simulated seconds: about what
 * PatternSearch (at its defaults) spends on that benchmark (110-143 s over seeds 1-10,
 * median 133.3 s, with compile charged once per configuration and run; docs/searchers.md). */
#define SEED_TABLE_BUDGET_COST_S 133.0

/* ------------------------------------------------------------ the toy benchmark */

/* One integer parameter x in [0, size). Modes: linear (x + 1 ms), ties (1 ms everywhere),
 * fail (only multiples of 10 run), allfail, deceive (x + 1 ms, but below 81 repetitions a
 * measurement reads size - x ms: the order reversed), sparse (linear on a restricted space
 * whose members are the multiples of 3). No noise. */
enum { TOY_LINEAR, TOY_TIES, TOY_FAIL, TOY_ALLFAIL, TOY_DECEIVE, TOY_SPARSE };
typedef struct {
  int size, mode;
} toy_state;

static int toy_restrict(mfbo_space *space, int size, mfbo_error *err) {
  uint64_t *codes = malloc((size_t)size * sizeof *codes);
  size_t n = 0;
  for (int x = 0; codes && x < size; x += 3) codes[n++] = (uint64_t)x;
  int rc = codes ? mfbo_space_restrict(space, codes, n, err) : -1;
  free(codes);
  return rc;
}

static int toy_init(void *vstate, mfbo_settings *settings, int instance, mfbo_space *space,
                    mfbo_error *err) {
  static const char *const modes[] = {"linear", "ties",    "fail",  "allfail",
                                      "deceive", "sparse", NULL};
  (void)instance;
  toy_state *st = vstate;
  st->size = 1000;
  if (mfbo_settings_get_int(settings, "size", 1, 1000000, &st->size, err) ||
      mfbo_settings_get_choice(settings, "mode", modes, &st->mode, err) ||
      mfbo_space_add_int(space, "x", 0, st->size - 1, 0, err))
    return -1;
  return st->mode == TOY_SPARSE ? toy_restrict(space, st->size, err) : 0;
}

static double toy_true_ms(const void *vstate, const mfbo_space *space, const int *cfg) {
  (void)space;
  const toy_state *st = vstate;
  int x = cfg[0];
  if (st->mode == TOY_ALLFAIL || (st->mode == TOY_FAIL && x % 10 != 0)) return INFINITY;
  return st->mode == TOY_TIES ? 1.0 : x + 1.0;
}

static double toy_measure_ms(const void *vstate, const mfbo_space *space, const int *cfg,
                             double true_ms, int reps, gsl_rng *noise) {
  (void)space;
  (void)noise;
  const toy_state *st = vstate;
  if (st->mode == TOY_DECEIVE && reps < 81) return (double)(st->size - cfg[0]);
  return true_ms;
}

static double toy_compile_s(const void *vstate, const mfbo_space *space, const int *cfg,
                            double true_ms) {
  (void)vstate, (void)space, (void)cfg, (void)true_ms;
  return 1.0;
}

static double toy_timing_s(const void *vstate, const mfbo_space *space, const int *cfg,
                           double true_ms, int reps) {
  (void)vstate, (void)space, (void)cfg;
  return isfinite(true_ms) ? reps * true_ms / 1000.0 : 0.0;
}

static const mfbo_benchmark_type toy_type = {"toy", "test landscape without noise",
                                             sizeof(toy_state), toy_init, toy_true_ms,
                                             toy_measure_ms, toy_compile_s, toy_timing_s,
                                             NULL, NULL, NULL, NULL};

static mfbo_benchmark *toy_alloc(const char *mode, const char *size) {
  mfbo_settings s, space;
  mfbo_settings_init(&s);
  mfbo_settings_init(&space);
  mfbo_settings_add(&s, "mode", mode, 1, NULL);
  mfbo_settings_add(&s, "size", size, 2, NULL);
  mfbo_error err;
  mfbo_benchmark *b = mfbo_benchmark_alloc(&toy_type, &s, &space, 1, &err);
  if (!b) mfbo_error_print(&err, stderr);
  mfbo_settings_free(&s);
  mfbo_settings_free(&space);
  return b;
}

/* ------------------------------------------------------------ running */

static mfbo_benchmark *seed_bench;

/* Settings from "key=value" strings, the i-th on line i + 1. */
static void settings_of(mfbo_settings *s, const char *const *kv) {
  mfbo_settings_init(s);
  for (int i = 0; kv && kv[i]; i++) {
    char key[64];
    const char *eq = strchr(kv[i], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
    mfbo_settings_add(s, key, eq + 1, i + 1, NULL);
  }
}

static mfbo_run_result run_on(const mfbo_benchmark *b, const mfbo_searcher_type *type,
                              const char *const *kv, long seed, long max_evals,
                              double max_cost_s) {
  mfbo_settings s;
  settings_of(&s, kv);
  mfbo_run_spec spec = {.benchmark = b, .label = type->name, .searcher = type, .settings = &s,
                        .seed = seed,
                        .budget = {.max_evals = max_evals, .max_cost_s = max_cost_s}};
  mfbo_run_result r;
  mfbo_run(&spec, &r);
  if (r.status != MFBO_RUN_OK) fprintf(stderr, "run failed: %s\n", r.message);
  mfbo_settings_free(&s);
  return r;
}

static uint64_t row_code(const mfbo_benchmark *b, const mfbo_run_result *r, long i) {
  return mfbo_space_code(b->space, r->trace_cfg + i * r->n_params);
}

static long count_fidelity(const mfbo_run_result *r, int fidelity) {
  long n = 0;
  for (long i = 0; i < r->n_evals; i++) n += r->trace[i].fidelity == fidelity;
  return n;
}

static long count_distinct(const mfbo_benchmark *b, const mfbo_run_result *r) {
  long n = 0;
  for (long i = 0; i < r->n_evals; i++) {
    long j = 0;
    while (j < i && row_code(b, r, j) != row_code(b, r, i)) j++;
    n += j == i;
  }
  return n;
}

/* ------------------------------------------------------------ schedule checks */

/* A bracket table: {configurations, repetitions} per rung, {0, 0} between brackets, {-1, -1}
 * at the end. */
typedef int rung_row[2];

static const rung_row table_81_3[] = {
    {81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}, {0, 0}, /* s = 4 */
    {34, 3}, {11, 9}, {3, 27}, {1, 81}, {0, 0},         /* s = 3 */
    {15, 9}, {5, 27}, {1, 81}, {0, 0},                  /* s = 2 */
    {8, 27}, {2, 81}, {0, 0},                           /* s = 1 */
    {5, 81}, {-1, -1}};                                 /* s = 0 */

/* R = 27, eta = 3: s_max = 3; n = ceil(4 / (s+1) 3^s) = 27, 12, 6, 4; r = 1, 3, 9, 27. */
static const rung_row table_27_3[] = {{27, 1}, {9, 3}, {3, 9}, {1, 27}, {0, 0},
                                      {12, 3}, {4, 9}, {1, 27}, {0, 0},
                                      {6, 9},  {2, 27}, {0, 0},
                                      {4, 27}, {-1, -1}};

/* R = 16, eta = 2: s_max = 4; n = ceil(5 / (s+1) 2^s) = 16, 10, 7, 5, 5; r = 1, 2, 4, 8, 16. */
static const rung_row table_16_2[] = {{16, 1}, {8, 2}, {4, 4}, {2, 8}, {1, 16}, {0, 0},
                                      {10, 2}, {5, 4}, {2, 8}, {1, 16}, {0, 0},
                                      {7, 4},  {3, 8}, {1, 16}, {0, 0},
                                      {5, 8},  {2, 16}, {0, 0},
                                      {5, 16}, {-1, -1}};

/* R = 100, eta = 3: s_max = 4, the sizes of R = 81; r = 100 / 3^(s-i) rounded: 1.23 -> 1,
 * 3.70 -> 4, 11.1 -> 11, 33.3 -> 33. */
static const rung_row table_100_3[] = {{81, 1},  {27, 4},  {9, 11}, {3, 33}, {1, 100}, {0, 0},
                                       {34, 4},  {11, 11}, {3, 33}, {1, 100}, {0, 0},
                                       {15, 11}, {5, 33},  {1, 100}, {0, 0},
                                       {8, 33},  {2, 100}, {0, 0},
                                       {5, 100}, {-1, -1}};

/* R = 81, min_fidelity = 3: s_max = floor(log3 27) = 3; n = 27, 12, 6, 4 from r = 3. */
static const rung_row table_81_3_min3[] = {{27, 3}, {9, 9}, {3, 27}, {1, 81}, {0, 0},
                                           {12, 9}, {4, 27}, {1, 81}, {0, 0},
                                           {6, 27}, {2, 81}, {0, 0},
                                           {4, 81}, {-1, -1}};

/* R = 81, s_max = 2: n = ceil(3 / (s+1) 3^s) = 9, 5, 3 from r = 9. */
static const rung_row table_81_3_smax2[] = {{9, 9},  {3, 27}, {1, 81}, {0, 0},
                                            {5, 27}, {1, 81}, {0, 0},
                                            {3, 81}, {-1, -1}};

/* Successive halving alone: Li et al.'s bracket s = 4 for R = 81. */
static const rung_row table_sh_81_3[] = {{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}, {-1, -1}};

static long table_evals(const rung_row *t) {
  long n = 0;
  for (; (*t)[0] >= 0; t++) n += (*t)[0];
  return n;
}

typedef struct {
  double ms;
  uint64_t code;
} measured;

/* Failures (and NaN) last, then by measurement, then by code. */
static int by_ms_then_code(const void *a, const void *b) {
  const measured *x = a, *y = b;
  double mx = isnan(x->ms) ? INFINITY : x->ms, my = isnan(y->ms) ? INFINITY : y->ms;
  if (mx != my) return mx < my ? -1 : 1;
  return (x->code > y->code) - (x->code < y->code);
}

static int by_code(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Rows [at, at + n) are configurations never measured before in the run. */
static int all_fresh(const mfbo_benchmark *b, const mfbo_run_result *r, long at, long n) {
  for (long i = at; i < at + n; i++)
    for (long j = 0; j < i; j++)
      if (row_code(b, r, j) == row_code(b, r, i)) return 0;
  return 1;
}

/* Rows [at, at + n) are the n best of rows [prev, prev + prev_n) by measurement. */
static int is_promotion(const mfbo_benchmark *b, const mfbo_run_result *r, long prev,
                        long prev_n, long at, long n) {
  measured *m = malloc((size_t)prev_n * sizeof *m);
  uint64_t *want = malloc((size_t)n * sizeof *want), *got = malloc((size_t)n * sizeof *got);
  for (long i = 0; i < prev_n; i++)
    m[i] = (measured){r->trace[prev + i].measured_ms, row_code(b, r, prev + i)};
  qsort(m, (size_t)prev_n, sizeof *m, by_ms_then_code);
  for (long i = 0; i < n; i++) {
    want[i] = m[i].code;
    got[i] = row_code(b, r, at + i);
  }
  qsort(want, (size_t)n, sizeof *want, by_code);
  qsort(got, (size_t)n, sizeof *got, by_code);
  int same = n <= prev_n && memcmp(want, got, (size_t)n * sizeof *got) == 0;
  free(m);
  free(want);
  free(got);
  return same;
}

/* Checks that the trace from row `at` follows table t: rung sizes and repetitions, fresh
 * configurations at the start of each bracket, each later rung the best of the rung before.
 * Returns the row after the table. */
static long check_table(const mfbo_benchmark *b, const mfbo_run_result *r, const rung_row *t,
                        long at) {
  long prev = -1, prev_n = 0;
  for (int k = 0; t[k][0] >= 0; k++) {
    long n = t[k][0];
    int fidelity = t[k][1];
    if (n == 0) {
      prev = -1;
      continue;
    }
    if (at + n > r->n_evals) {
      fprintf(stderr, "the trace ends in rung %d (%ldx%d)\n", k, n, fidelity);
      CHECK(at + n <= r->n_evals);
      return at;
    }
    int ok = 1;
    for (long i = at; i < at + n; i++) ok &= r->trace[i].fidelity == fidelity;
    ok &= prev < 0 ? all_fresh(b, r, at, n) : is_promotion(b, r, prev, prev_n, at, n);
    if (!ok) fprintf(stderr, "rung %d (%ldx%d) at row %ld is wrong\n", k, n, fidelity, at);
    CHECK(ok);
    prev = at;
    prev_n = n;
    at += n;
  }
  return at;
}

/* One run of `type` with settings kv (no budget) follows table t and ends with it. */
static void check_run_table(const mfbo_benchmark *b, const mfbo_searcher_type *type,
                            const char *const *kv, const rung_row *t) {
  mfbo_run_result r = run_on(b, type, kv, 1, 0, 0);
  CHECK(r.status == MFBO_RUN_OK);
  if (r.n_evals != table_evals(t))
    fprintf(stderr, "%s: %ld evaluations, expected %ld\n", type->name, r.n_evals, table_evals(t));
  CHECK(r.n_evals == table_evals(t));
  CHECK(check_table(b, &r, t, 0) == r.n_evals);
  mfbo_run_result_free(&r);
}

/* After every evaluation the incumbent is the best finite measurement at the highest
 * fidelity measured so far (ties: smaller code); returns how many rows disagree. */
static long incumbent_mismatches(const mfbo_benchmark *b, const mfbo_run_result *r) {
  int best_fidelity = 0;
  double best_ms = INFINITY, best_true = INFINITY;
  uint64_t best_code = 0;
  long bad = 0;
  for (long i = 0; i < r->n_evals; i++) {
    const mfbo_trace_row *row = &r->trace[i];
    uint64_t code = row_code(b, r, i);
    if (isfinite(row->measured_ms) &&
        (row->fidelity > best_fidelity ||
         (row->fidelity == best_fidelity &&
          (row->measured_ms < best_ms || (row->measured_ms == best_ms && code < best_code))))) {
      best_fidelity = row->fidelity;
      best_ms = row->measured_ms;
      best_code = code;
      best_true = row->true_ms;
    }
    bad += row->incumbent_true_ms != best_true;
  }
  return bad;
}

/* ------------------------------------------------------------ the tests */

/* One iteration at R = 81, eta = 3 is Li et al.'s table, on the noisy seed benchmark. */
static void test_table_81(void) {
  CHECK(table_evals(table_81_3) == 206);
  mfbo_run_result r = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, 1, 206, 0);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 206);
  CHECK(check_table(seed_bench, &r, table_81_3, 0) == 206);
  CHECK(count_fidelity(&r, 1) == 81 && count_fidelity(&r, 3) == 61 &&
        count_fidelity(&r, 9) == 35 && count_fidelity(&r, 27) == 19 &&
        count_fidelity(&r, 81) == 10);
  long reps = 0;
  for (long i = 0; i < r.n_evals; i++) reps += r.trace[i].fidelity;
  CHECK(reps == 405 + 363 + 351 + 378 + 405); /* the bracket budgets of the table */
  CHECK(incumbent_mismatches(seed_bench, &r) == 0);

  /* max_iterations = 1 without a budget: the same run, ending by itself */
  static const char *const one[] = {"max_iterations=1", NULL};
  mfbo_run_result a = run_on(seed_bench, &mfbo_searcher_hyperband, one, 1, 0, 0);
  mfbo_run_result a2 = run_on(seed_bench, &mfbo_searcher_hyperband, one, 1, 206, 0);
  CHECK(a.status == MFBO_RUN_OK && a.n_evals == 206);
  CHECK(check_table(seed_bench, &a, table_81_3, 0) == 206);
  CHECK(a2.n_evals == 206 && memcmp(a.trace_cfg, a2.trace_cfg, 206 * 5 * sizeof(int)) == 0);
  mfbo_run_result_free(&a2);

  /* a second iteration repeats the table with configurations never drawn before */
  static const char *const two[] = {"max_iterations=2", NULL};
  mfbo_run_result b = run_on(seed_bench, &mfbo_searcher_hyperband, two, 1, 0, 0);
  CHECK(b.status == MFBO_RUN_OK && b.n_evals == 412);
  CHECK(check_table(seed_bench, &b, table_81_3, check_table(seed_bench, &b, table_81_3, 0)) ==
        412);
  CHECK(count_distinct(seed_bench, &b) == 2 * (81 + 34 + 15 + 8 + 5));
  CHECK(incumbent_mismatches(seed_bench, &b) == 0);
  mfbo_run_result_free(&r);
  mfbo_run_result_free(&a);
  mfbo_run_result_free(&b);
}

static void test_other_tables(mfbo_benchmark *toy) {
  static const char *const one[] = {"max_iterations=1", NULL};
  static const char *const quick[] = {"preset=quick", "max_iterations=1", NULL};
  static const char *const r27[] = {"max_fidelity=27", "max_iterations=1", NULL};
  static const char *const r16[] = {"max_fidelity=16", "eta=2", "max_iterations=1", NULL};
  static const char *const r100[] = {"max_fidelity=100", "max_iterations=1", NULL};
  static const char *const min3[] = {"min_fidelity=3", "max_iterations=1", NULL};
  static const char *const smax2[] = {"s_max=2", "max_iterations=1", NULL};
  CHECK(table_evals(table_27_3) == 69 && table_evals(table_16_2) == 72);
  check_run_table(toy, &mfbo_searcher_hyperband, one, table_81_3);
  check_run_table(toy, &mfbo_searcher_hyperband, quick, table_27_3);
  check_run_table(toy, &mfbo_searcher_hyperband, r27, table_27_3);
  check_run_table(toy, &mfbo_searcher_hyperband, r16, table_16_2);
  check_run_table(toy, &mfbo_searcher_hyperband, r100, table_100_3);
  check_run_table(toy, &mfbo_searcher_hyperband, min3, table_81_3_min3);
  check_run_table(toy, &mfbo_searcher_hyperband, smax2, table_81_3_smax2);
}

static void test_sh(mfbo_benchmark *toy) {
  static const rung_row sh_10[] = {{10, 1}, {3, 3}, {1, 9}, {1, 27}, {1, 81}, {-1, -1}};
  static const rung_row sh_100[] = {{100, 1}, {33, 3}, {11, 9}, {3, 27}, {1, 81}, {-1, -1}};
  static const rung_row sh_quick[] = {{27, 1}, {9, 3}, {3, 9}, {1, 27}, {-1, -1}};
  static const rung_row sh_16_2[] = {{16, 1}, {8, 2}, {4, 4}, {2, 8}, {1, 16}, {-1, -1}};
  static const char *const n10[] = {"n_configs=10", NULL};
  static const char *const n100[] = {"n_configs=100", NULL};
  static const char *const quick[] = {"preset=quick", NULL};
  static const char *const r16[] = {"max_fidelity=16", "eta=2", NULL};
  check_run_table(toy, &mfbo_searcher_sh, NULL, table_sh_81_3);
  check_run_table(toy, &mfbo_searcher_sh, n10, sh_10);
  check_run_table(toy, &mfbo_searcher_sh, n100, sh_100);
  check_run_table(toy, &mfbo_searcher_sh, quick, sh_quick);
  check_run_table(toy, &mfbo_searcher_sh, r16, sh_16_2);

  /* noise-free and linear: sh returns the best of the 81 it drew */
  mfbo_run_result r = run_on(toy, &mfbo_searcher_sh, NULL, 2, 0, 0);
  int best = 1 << 30;
  for (long i = 0; i < 81; i++) best = r.trace_cfg[i] < best ? r.trace_cfg[i] : best;
  CHECK(r.has_incumbent && r.incumbent_cfg[0] == best);
  CHECK(r.trace[120].true_ms == best + 1.0 && r.incumbent_true_ms == best + 1.0);
  mfbo_run_result_free(&r);
}

/* Promotion follows the measurement at the rung, not the true time: with low-fidelity
 * measurements in reverse order, sh promotes the truly worst configurations. */
static void test_promotion_by_measurement(void) {
  mfbo_benchmark *toy = toy_alloc("deceive", "1000");
  mfbo_run_result r = run_on(toy, &mfbo_searcher_sh, NULL, 3, 0, 0);
  CHECK(r.n_evals == 121 && check_table(toy, &r, table_sh_81_3, 0) == 121);
  int worst = -1, best = 1 << 30;
  for (long i = 0; i < 81; i++) {
    worst = r.trace_cfg[i] > worst ? r.trace_cfg[i] : worst;
    best = r.trace_cfg[i] < best ? r.trace_cfg[i] : best;
  }
  CHECK(r.trace_cfg[81] == worst); /* the best measured is promoted first */
  /* the incumbent is the one measured at 81 repetitions, although its measurement there
   * (x + 1) is far above the low-fidelity ones (1000 - x) */
  CHECK(r.incumbent_cfg[0] == worst && r.incumbent_cfg[0] != best);
  CHECK(r.trace[120].fidelity == 81 && r.trace[120].measured_ms > r.trace[0].measured_ms);
  CHECK(incumbent_mismatches(toy, &r) == 0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(toy);
}

/* Equal measurements everywhere: the smaller configuration codes go on. */
static void test_ties(void) {
  mfbo_benchmark *toy = toy_alloc("ties", "1000");
  mfbo_run_result r = run_on(toy, &mfbo_searcher_sh, NULL, 4, 0, 0);
  CHECK(r.n_evals == 121 && check_table(toy, &r, table_sh_81_3, 0) == 121);
  int smallest = 1 << 30;
  for (long i = 0; i < 81; i++) smallest = r.trace_cfg[i] < smallest ? r.trace_cfg[i] : smallest;
  CHECK(r.trace_cfg[120] == smallest && r.incumbent_cfg[0] == smallest);
  /* the 27 promoted are the 27 smallest of the 81 */
  for (long i = 81; i < 108; i++) {
    int smaller = 0;
    for (long j = 0; j < 81; j++) smaller += r.trace_cfg[j] < r.trace_cfg[i];
    CHECK(smaller < 27);
  }
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(toy);
}

static long count_finite(const mfbo_run_result *r, long at, long n) {
  long k = 0;
  for (long i = at; i < at + n; i++) k += isfinite(r->trace[i].measured_ms);
  return k;
}

/* Failed configurations go on only when too few configurations ran. */
static void test_failures(void) {
  mfbo_benchmark *toy = toy_alloc("fail", "1000");
  mfbo_run_result r = run_on(toy, &mfbo_searcher_sh, NULL, 5, 0, 0);
  CHECK(r.n_evals == 121 && check_table(toy, &r, table_sh_81_3, 0) == 121);
  long f1 = count_finite(&r, 0, 81), f2 = count_finite(&r, 81, 27);
  CHECK(f1 > 0 && f1 < 27 && f2 == f1); /* every one that ran, then failures */
  long f3 = count_finite(&r, 108, 9);
  CHECK(f3 == (f1 < 9 ? f1 : 9));
  CHECK(r.has_incumbent && isfinite(r.incumbent_true_ms));
  CHECK(incumbent_mismatches(toy, &r) == 0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(toy);

  /* nothing runs: no incumbent, and the search goes on as planned */
  toy = toy_alloc("allfail", "1000");
  static const char *const one[] = {"max_iterations=1", NULL};
  r = run_on(toy, &mfbo_searcher_hyperband, one, 5, 0, 0);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 206 && !r.has_incumbent);
  CHECK(check_table(toy, &r, table_81_3, 0) == 206);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(toy);
}

/* A space smaller than a bracket: the bracket takes what is left (a rung keeps at least one
 * configuration, so it still ends at max_fidelity); with nothing left the search ends. */
static void test_exhaustion(void) {
  static const rung_row tiny[] = {{10, 1}, {3, 3}, {1, 9}, {1, 27}, {1, 81}, {-1, -1}};
  static const rung_row one[] = {{1, 1}, {1, 3}, {1, 9}, {1, 27}, {1, 81}, {-1, -1}};
  static const rung_row rest_of_200[] = {{57, 1}, {19, 3}, {6, 9}, {2, 27}, {1, 81}, {-1, -1}};
  mfbo_benchmark *toy = toy_alloc("linear", "10");
  check_run_table(toy, &mfbo_searcher_hyperband, NULL, tiny);
  check_run_table(toy, &mfbo_searcher_sh, NULL, tiny);
  mfbo_benchmark_free(toy);
  toy = toy_alloc("linear", "1");
  check_run_table(toy, &mfbo_searcher_hyperband, NULL, one);
  mfbo_benchmark_free(toy);
  toy = toy_alloc("sparse", "30"); /* a restricted space of 10 members: 0, 3, ..., 27 */
  check_run_table(toy, &mfbo_searcher_hyperband, NULL, tiny);
  mfbo_benchmark_free(toy);

  toy = toy_alloc("linear", "200");
  mfbo_run_result r = run_on(toy, &mfbo_searcher_hyperband, NULL, 6, 0, 0);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 206 + 85);
  CHECK(check_table(toy, &r, rest_of_200, check_table(toy, &r, table_81_3, 0)) == 291);
  CHECK(count_distinct(toy, &r) == 200 && r.incumbent_cfg[0] == 0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(toy);
  toy = toy_alloc("sparse", "600"); /* the same with 200 members 0, 3, ..., 597 */
  r = run_on(toy, &mfbo_searcher_hyperband, NULL, 6, 0, 0);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 291);
  CHECK(check_table(toy, &r, rest_of_200, check_table(toy, &r, table_81_3, 0)) == 291);
  CHECK(count_distinct(toy, &r) == 200 && r.incumbent_cfg[0] == 0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(toy);

  /* the seed benchmark's 1024 configurations, without a budget: 7 iterations of 143 fresh
   * ones, then the first bracket of the 8th gets the last 23 */
  r = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, 7, 0, 0);
  CHECK(r.status == MFBO_RUN_OK && count_distinct(seed_bench, &r) == 1024);
  CHECK(count_fidelity(&r, 1) == 81 * 7 + 23);
  printf("hyperband exhausts the seed benchmark in %ld evaluations, %.1f s\n", r.n_evals,
         r.cost_s);
  mfbo_run_result_free(&r);
}

static int same_trace(const mfbo_run_result *a, const mfbo_run_result *b) {
  if (a->n_evals != b->n_evals) return 0;
  for (long i = 0; i < a->n_evals; i++) {
    const mfbo_trace_row *x = &a->trace[i], *y = &b->trace[i];
    if (x->fidelity != y->fidelity || x->measured_ms != y->measured_ms ||
        x->cum_cost_s != y->cum_cost_s || x->incumbent_true_ms != y->incumbent_true_ms)
      return 0;
  }
  return memcmp(a->trace_cfg, b->trace_cfg, (size_t)a->n_evals * a->n_params * sizeof(int)) == 0;
}

static void test_determinism(void) {
  mfbo_run_result a = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, 3, 600, 0);
  mfbo_run_result b = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, 3, 600, 0);
  mfbo_run_result c = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, 4, 600, 0);
  mfbo_run_result d = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, 3, 300, 0);
  CHECK(a.n_evals == 600 && same_trace(&a, &b) && !same_trace(&a, &c));
  CHECK(d.n_evals == 300 && memcmp(d.trace_cfg, a.trace_cfg, 300 * 5 * sizeof(int)) == 0);
  mfbo_run_result_free(&a);
  mfbo_run_result_free(&b);
  mfbo_run_result_free(&c);
  mfbo_run_result_free(&d);
}

/* init (and the unknown-key check a job makes) with settings kv; returns its result. */
static int init_with(const mfbo_searcher_type *type, const char *const *kv, mfbo_error *err) {
  mfbo_settings s;
  settings_of(&s, kv);
  void *state = calloc(1, type->state_size);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  mfbo_error_clear(err);
  int rc = type->init(state, seed_bench->space, &s, rng, err);
  if (rc == 0) rc = mfbo_settings_check_unused(&s, type->name, err);
  type->free(state);
  free(state);
  gsl_rng_free(rng);
  mfbo_settings_free(&s);
  return rc;
}

/* init fails on line `line` with a message containing `what`. */
static int rejects(const mfbo_searcher_type *type, const char *const *kv, int line,
                   const char *what) {
  mfbo_error err;
  int rc = init_with(type, kv, &err);
  int ok = rc == -1 && err.line == line && strstr(err.msg, what) != NULL;
  if (!ok) fprintf(stderr, "rc %d, line %d: %s\n", rc, err.line, err.msg);
  return ok;
}

static void test_settings(void) {
  static const char *const eta1[] = {"max_fidelity=81", "preset=quick", "eta=1", NULL};
  static const char *const eta0[] = {"eta=0", NULL};
  static const char *const eta_neg[] = {"min_fidelity=1", "eta=-2", NULL};
  static const char *const eta_real[] = {"eta=2.5", NULL};
  static const char *const min_above[] = {"max_fidelity=9", "min_fidelity=10", NULL};
  static const char *const smax5[] = {"s_max=5", NULL};
  static const char *const r0[] = {"max_fidelity=0", NULL};
  static const char *const preset[] = {"preset=fast", NULL};
  static const char *const n_configs[] = {"eta=3", "n_configs=10", NULL};
  static const char *const max_it[] = {"max_iterations=1", NULL};
  static const char *const n0[] = {"n_configs=0", NULL};
  static const char *const good[] = {"max_fidelity=81", "min_fidelity=1", "eta=3", "s_max=4",
                                     "preset=full", "max_iterations=0", NULL};
  static const char *const good_sh[] = {"max_fidelity=27", "eta=3", "s_max=3",
                                        "n_configs=40", "preset=quick", NULL};
  mfbo_error err;
  CHECK(rejects(&mfbo_searcher_hyperband, eta1, 3, "eta = 1: must be between 2 and"));
  CHECK(rejects(&mfbo_searcher_sh, eta1, 3, "eta = 1"));
  CHECK(rejects(&mfbo_searcher_hyperband, eta0, 1, "eta = 0"));
  CHECK(rejects(&mfbo_searcher_hyperband, eta_neg, 2, "eta = -2"));
  CHECK(rejects(&mfbo_searcher_hyperband, eta_real, 1, "not an integer"));
  CHECK(rejects(&mfbo_searcher_hyperband, min_above, 2, "min_fidelity = 10 is above"));
  CHECK(rejects(&mfbo_searcher_hyperband, smax5, 1, "s_max = 5: must be between 0 and 4"));
  CHECK(rejects(&mfbo_searcher_hyperband, r0, 1, "max_fidelity"));
  CHECK(rejects(&mfbo_searcher_hyperband, preset, 1, "preset"));
  CHECK(rejects(&mfbo_searcher_hyperband, n_configs, 2, "unknown key 'n_configs'"));
  CHECK(rejects(&mfbo_searcher_sh, max_it, 1, "unknown key 'max_iterations'"));
  CHECK(rejects(&mfbo_searcher_sh, n0, 1, "n_configs"));
  CHECK(init_with(&mfbo_searcher_hyperband, good, &err) == 0);
  CHECK(init_with(&mfbo_searcher_sh, good_sh, &err) == 0);
  CHECK(mfbo_searcher_type_find("hyperband") == &mfbo_searcher_hyperband);
  CHECK(mfbo_searcher_type_find("sh") == &mfbo_searcher_sh);
}

/* Seeds 1-10 on the seed benchmark with a cost budget: the numbers of the docs, with random
 * search under the same budget for reference. No threshold: the landscape's spread (10% of
 * it is above 18 ms, the optimum 2 ms) dwarfs the noise, so low fidelities save little. */
static void test_seed_table(void) {
  printf("seed benchmark, budget_cost_s = %g\n", SEED_TABLE_BUDGET_COST_S);
  printf("%4s | %9s %6s %9s %13s %9s | %6s %9s\n", "seed", "algorithm", "evals", "cost_s",
         "incumbent_ms", "regret", "random", "regret");
  double sum = 0, sum_random = 0;
  for (long seed = 1; seed <= 10; seed++) {
    mfbo_run_result r = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, seed, 0,
                               SEED_TABLE_BUDGET_COST_S);
    mfbo_run_result q = run_on(seed_bench, &mfbo_searcher_random, NULL, seed, 0,
                               SEED_TABLE_BUDGET_COST_S);
    CHECK(r.status == MFBO_RUN_OK && r.has_incumbent && q.status == MFBO_RUN_OK);
    CHECK(r.cost_s <= SEED_TABLE_BUDGET_COST_S && r.cost_s > 0.9 * SEED_TABLE_BUDGET_COST_S);
    CHECK(r.regret >= 0 && isfinite(r.regret));
    CHECK(incumbent_mismatches(seed_bench, &r) == 0);
    printf("%4ld | %9s %6ld %9.2f %13.4f %9.4f | %6ld %9.4f\n", seed, "hyperband", r.n_evals,
           r.cost_s, r.incumbent_true_ms, r.regret, q.n_evals, q.regret);
    sum += r.regret;
    sum_random += q.regret;
    mfbo_run_result_free(&r);
    mfbo_run_result_free(&q);
  }
  printf("mean regret: hyperband %.4f, random %.4f\n", sum / 10, sum_random / 10);
}

/* max_evals (what the job loader checks a job without a budget by) is exactly what a run
 * without a budget makes, on spaces that are exhausted, and -1 past its limit. */
static long bound_of(const mfbo_benchmark *b, const mfbo_searcher_type *type,
                     const char *const *kv, long limit) {
  mfbo_settings s;
  settings_of(&s, kv);
  void *state = calloc(1, type->state_size);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  mfbo_error err;
  long n = -2;
  if (type->init(state, b->space, &s, rng, &err) == 0) n = type->max_evals(state, limit);
  type->free(state);
  free(state);
  gsl_rng_free(rng);
  mfbo_settings_free(&s);
  return n;
}

static void test_max_evals(void) {
  static const char *const iters2[] = {"max_iterations=2", NULL};
  static const char *const quick[] = {"preset=quick", NULL};
  static const char *const sh_big[] = {"n_configs=500", NULL};
  const char *const *kvs[] = {NULL, iters2, quick, sh_big};
  const char *sizes[] = {"1", "10", "200", "1000"};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    mfbo_benchmark *toy = toy_alloc("linear", sizes[i]);
    for (size_t k = 0; k < sizeof kvs / sizeof kvs[0]; k++) {
      const mfbo_searcher_type *types[] = {&mfbo_searcher_hyperband, &mfbo_searcher_sh};
      for (int t = 0; t < 2; t++) {
        if ((t == 0) != (kvs[k] != sh_big)) continue;
        mfbo_run_result r = run_on(toy, types[t], kvs[k], 3, 0, 0);
        long bound = bound_of(toy, types[t], kvs[k], 10000000);
        if (r.n_evals != bound)
          fprintf(stderr, "%s on %s configurations: %ld evaluations, max_evals says %ld\n",
                  types[t]->name, sizes[i], r.n_evals, bound);
        CHECK(r.status == MFBO_RUN_OK && r.n_evals == bound);
        CHECK(bound_of(toy, types[t], kvs[k], r.n_evals - 1) == -1);
        mfbo_run_result_free(&r);
      }
    }
    mfbo_benchmark_free(toy);
  }
  mfbo_run_result r = run_on(seed_bench, &mfbo_searcher_hyperband, NULL, 7, 0, 0);
  CHECK(bound_of(seed_bench, &mfbo_searcher_hyperband, NULL, 10000000) == r.n_evals);
  mfbo_run_result_free(&r);
}

int main(void) {
  mfbo_settings empty, space;
  mfbo_settings_init(&empty);
  mfbo_settings_init(&space);
  mfbo_error err;
  seed_bench = mfbo_benchmark_alloc(&mfbo_benchmark_seed, &empty, &space, 1, &err);
  mfbo_benchmark *toy = toy_alloc("linear", "1000");
  CHECK(seed_bench != NULL && toy != NULL);
  if (!seed_bench || !toy) CHECK_DONE();
  test_table_81();
  test_other_tables(toy);
  test_sh(toy);
  test_promotion_by_measurement();
  test_ties();
  test_failures();
  test_exhaustion();
  test_max_evals();
  test_determinism();
  test_settings();
  test_seed_table();
  mfbo_benchmark_free(toy);
  mfbo_benchmark_free(seed_bench);
  CHECK_DONE();
}
