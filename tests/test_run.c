/* test_run.c: the run loop with random search on the seed benchmark: determinism bit for
 * bit, budgets in evaluations and in cost, the incumbent after every evaluation, random
 * search returning the best it measured, exhausting a finite space, failures. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mfbo/run.h"

static mfbo_benchmark *bench;

static mfbo_run_result run(mfbo_settings *settings, long seed, long max_evals, double max_cost_s) {
  mfbo_run_spec spec = {.benchmark = bench, .label = "random", .searcher = &mfbo_searcher_random,
                        .settings = settings, .seed = seed,
                        .budget = {.max_evals = max_evals, .max_cost_s = max_cost_s}};
  mfbo_run_result r;
  mfbo_run(&spec, &r);
  return r;
}

/* The first n rows agree in every field, bit for bit. */
static int same_rows(const mfbo_trace_row *a, const mfbo_trace_row *b, long n) {
  for (long i = 0; i < n; i++) {
    double x[5] = {a[i].measured_ms, a[i].true_ms, a[i].cost_s, a[i].cum_cost_s,
                   a[i].incumbent_true_ms};
    double y[5] = {b[i].measured_ms, b[i].true_ms, b[i].cost_s, b[i].cum_cost_s,
                   b[i].incumbent_true_ms};
    if (a[i].eval != b[i].eval || a[i].fidelity != b[i].fidelity || memcmp(x, y, sizeof x))
      return 0;
  }
  return 1;
}

static int same_run(const mfbo_run_result *a, const mfbo_run_result *b) {
  return a->n_evals == b->n_evals && a->cost_s == b->cost_s &&
         same_rows(a->trace, b->trace, a->n_evals) &&
         memcmp(a->trace_cfg, b->trace_cfg, (size_t)a->n_evals * 5 * sizeof(int)) == 0 &&
         memcmp(a->incumbent_cfg, b->incumbent_cfg, 5 * sizeof(int)) == 0;
}

static void test_determinism(mfbo_settings *s) {
  mfbo_run_result a = run(s, 3, 0, 0), b = run(s, 3, 0, 0), c = run(s, 4, 0, 0);
  CHECK(a.status == MFBO_RUN_OK && a.n_evals == 1000);
  CHECK(same_run(&a, &b));
  CHECK(!same_run(&a, &c));
  /* A budget truncates the same trajectory. */
  mfbo_run_result d = run(s, 3, 100, 0);
  CHECK(d.n_evals == 100 && same_rows(d.trace, a.trace, 100));
  mfbo_run_result_free(&a);
  mfbo_run_result_free(&b);
  mfbo_run_result_free(&c);
  mfbo_run_result_free(&d);
}

static void test_budgets(mfbo_settings *s) {
  mfbo_run_result r = run(s, 5, 37, 0);
  CHECK(r.n_evals == 37 && r.trace[36].eval == 37);
  mfbo_run_result_free(&r);
  r = run(s, 5, 0, 20.0);
  /* each evaluation costs 0.5 s compile + true time: stop before crossing 20 s */
  CHECK(r.cost_s <= 20.0 && r.cost_s > 19.4 && r.n_evals >= 35 && r.n_evals < 40);
  CHECK(r.trace[r.n_evals - 1].cum_cost_s == r.cost_s);
  double sum = 0;
  for (long i = 0; i < r.n_evals; i++) sum += r.trace[i].cost_s;
  CHECK_NEAR(sum, r.cost_s, 1e-9);
  mfbo_run_result_free(&r);
}

/* After every evaluation, the incumbent is the fastest measured so far, and its true time
 * (not the measurement) is what the trace reports. */
static void test_incumbent(mfbo_settings *s) {
  mfbo_run_result r = run(s, 11, 0, 0);
  double best = INFINITY, best_true = INFINITY;
  long best_i = -1;
  int lucky = 0;
  for (long i = 0; i < r.n_evals; i++) {
    if (r.trace[i].measured_ms < best) {
      best = r.trace[i].measured_ms;
      best_true = r.trace[i].true_ms;
      best_i = i;
    }
    CHECK(r.trace[i].incumbent_true_ms == best_true);
    lucky += best < best_true;
  }
  CHECK(lucky > 0); /* the winner's curse shows: the best measurement is below its true time */
  CHECK(memcmp(r.incumbent_cfg, r.trace_cfg + best_i * 5, 5 * sizeof(int)) == 0);
  CHECK(r.incumbent_true_ms == best_true);
  CHECK_NEAR(r.regret, best_true / bench->optimum_ms - 1, 1e-12);
  mfbo_run_result_free(&r);
}

static void test_exhaustion_and_settings(void) {
  mfbo_settings s;
  mfbo_settings_init(&s);
  mfbo_settings_add(&s, "count", "5000", 1, NULL);
  mfbo_settings_add(&s, "fidelity", "50", 2, NULL);
  mfbo_run_result r = run(&s, 1, 0, 0);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 1024);
  char *seen = calloc(1024, 1);
  for (long i = 0; i < r.n_evals; i++) {
    int64_t k = mfbo_space_index(bench->space, r.trace_cfg + i * 5);
    CHECK(k >= 0 && !seen[k]++);
    CHECK(r.trace[i].fidelity == 50);
  }
  free(seen);
  CHECK(r.incumbent_true_ms == bench->optimum_ms); /* 50 reps separate 2.00 from 2.25 ms */
  mfbo_run_result_free(&r);
  mfbo_settings_free(&s);

  mfbo_settings_init(&s);
  mfbo_settings_add(&s, "preset", "quick", 1, NULL);
  r = run(&s, 1, 0, 0);
  CHECK(r.n_evals == 100);
  mfbo_run_result_free(&r);
  mfbo_settings_free(&s);

  mfbo_settings_init(&s);
  mfbo_settings_add(&s, "count", "-3", 4, NULL);
  r = run(&s, 1, 0, 0);
  CHECK(r.status == MFBO_RUN_FAILED && r.n_evals == 0 && strstr(r.message, "count") != NULL);
  mfbo_run_result_free(&r);
  mfbo_settings_free(&s);
}

/* A searcher that misbehaves on purpose: its second batch asks for a configuration outside
 * the space; with fail_in_ask set, its second ask reports an error instead. */
typedef struct {
  int asks, fail_in_ask;
} bad_state;

static int bad_init(void *st, const mfbo_space *space, mfbo_settings *settings, gsl_rng *rng,
                    mfbo_error *err) {
  (void)space;
  (void)rng;
  return mfbo_settings_get_int(settings, "fail_in_ask", 0, 1, &((bad_state *)st)->fail_in_ask,
                               err);
}

static int bad_ask(void *vst, mfbo_batch *batch, mfbo_error *err) {
  bad_state *st = vst;
  int cfg[5] = {0, 0, 0, 0, 0};
  if (st->asks++ == 0) return mfbo_batch_push(batch, cfg, 1);
  if (st->fail_in_ask) {
    mfbo_error_set(err, 0, "deliberate failure");
    return -1;
  }
  cfg[0] = 99;
  return mfbo_batch_push(batch, cfg, 1);
}

static void bad_tell(void *st, const mfbo_batch *b, int i) { (void)st, (void)b, (void)i; }
static int bad_incumbent(const void *st, int *cfg) { (void)st, (void)cfg; return 0; }
static void bad_free(void *st) { (void)st; }

static const mfbo_searcher_type bad_searcher = {"bad", "test", sizeof(bad_state), bad_init,
                                                bad_ask, bad_tell, bad_incumbent, bad_free, NULL, NULL};

/* A failing searcher ends its run as FAILED with a message, keeping the trace so far. */
static void test_failures(void) {
  mfbo_settings s;
  mfbo_settings_init(&s);
  mfbo_run_spec spec = {.benchmark = bench, .label = "bad", .searcher = &bad_searcher,
                        .settings = &s, .seed = 1};
  mfbo_run_result r;
  CHECK(mfbo_run(&spec, &r) == -1);
  CHECK(r.status == MFBO_RUN_FAILED && r.n_evals == 1 && strstr(r.message, "outside the space"));
  CHECK(!r.has_incumbent && isinf(r.incumbent_true_ms) && isnan(r.regret));
  mfbo_run_result_free(&r);
  mfbo_settings_add(&s, "fail_in_ask", "1", 1, NULL);
  CHECK(mfbo_run(&spec, &r) == -1);
  CHECK(r.status == MFBO_RUN_FAILED && r.n_evals == 1 && strstr(r.message, "deliberate failure"));
  mfbo_run_result_free(&r);
  mfbo_settings_free(&s);
}

/* Compile time is charged on a configuration's first evaluation in a run only: the final
 * re-time of random search measures configurations again and pays timing alone. */
static void test_compile_once(void) {
  mfbo_settings s;
  mfbo_settings_init(&s);
  mfbo_settings_add(&s, "count", "50", 1, NULL);
  mfbo_settings_add(&s, "final_retime", "8", 2, NULL);
  mfbo_run_result r = run(&s, 2, 0, 0);
  CHECK(r.n_evals == 58);
  int repeats = 0;
  for (long i = 0; i < r.n_evals; i++) {
    int seen = 0;
    for (long k = 0; k < i; k++)
      seen |= memcmp(r.trace_cfg + i * 5, r.trace_cfg + k * 5, 5 * sizeof(int)) == 0;
    repeats += seen;
    double timing_s = r.trace[i].fidelity * r.trace[i].true_ms / 1000;
    CHECK_NEAR(r.trace[i].cost_s, seen ? timing_s : 0.5 + timing_s, 1e-12);
  }
  CHECK(repeats == 8);
  mfbo_run_result_free(&r);
  mfbo_settings_free(&s);
}

int main(void) {
  mfbo_settings empty, space;
  mfbo_settings_init(&empty);
  mfbo_settings_init(&space);
  mfbo_error err;
  bench = mfbo_benchmark_alloc(&mfbo_benchmark_seed, &empty, &space, 1, &err);
  CHECK(bench != NULL);
  if (!bench) CHECK_DONE();
  test_determinism(&empty);
  test_budgets(&empty);
  test_incumbent(&empty);
  test_exhaustion_and_settings();
  test_failures();
  test_compile_once();
  mfbo_benchmark_free(bench);
  CHECK_DONE();
}
