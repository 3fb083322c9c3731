/* test_lfbo.c: the `lfbo` searcher (Helion's LFBOTreeSearch): the initial population and
 * its re-time, selections of floor(10%) of the candidates, members only in a restricted
 * space, failures, settings, determinism for a seed, budgets; and the acceptance check on
 * seed instance 2, whose optimum is not the default configuration (prints the numbers
 * docs/searchers.md quotes). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "toy.h"

/* The first batch is the initial population at fidelity 1, the default first; nothing is
 * timed twice at fidelity 1 (the visited set). */
static void test_initial_and_visited(void) {
  mfbo_benchmark *b = toy_alloc("bowl");
  if (!b) return;
  mfbo_run_result r = toy_run(b, &mfbo_searcher_lfbo, "initial_population=10", 1);
  int def[2];
  mfbo_space_default(b->space, def);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals > 10 && toy_row_is(&r, 0, def));
  for (long i = 0; i < 10; i++) CHECK(r.trace[i].fidelity == 1);
  for (long i = 0; i < r.n_evals; i++)
    for (long j = 0; j < i; j++)
      if (r.trace[i].fidelity == 1 && r.trace[j].fidelity == 1)
        CHECK(!(r.trace_cfg[2 * i] == r.trace_cfg[2 * j] &&
                r.trace_cfg[2 * i + 1] == r.trace_cfg[2 * j + 1]));
  /* noise-free bowl, default (8, 512) at 75 ms: it ends far below the default */
  printf("bowl, initial_population 10: %ld evaluations, incumbent %.0f ms (optimum 1)\n",
         r.n_evals, r.incumbent_true_ms);
  CHECK(r.incumbent_true_ms < 20.0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

/* A restricted space: every configuration asked for is a member; all fail: no incumbent,
 * a normal end. */
static void test_restricted_and_failures(void) {
  mfbo_benchmark *b = toy_alloc("holes");
  mfbo_benchmark *f = toy_alloc("fail");
  mfbo_benchmark *a = toy_alloc("allfail");
  if (!b || !f || !a) return;
  mfbo_run_result r = toy_run(b, &mfbo_searcher_lfbo, "initial_population=5", 2);
  CHECK(r.status == MFBO_RUN_OK);
  for (long i = 0; i < r.n_evals; i++) CHECK(mfbo_space_contains(b->space, r.trace_cfg + 3 * i));
  mfbo_run_result_free(&r);
  r = toy_run(f, &mfbo_searcher_lfbo, "initial_population=20", 3);
  CHECK(r.status == MFBO_RUN_OK && r.has_incumbent && isfinite(r.incumbent_true_ms));
  mfbo_run_result_free(&r);
  r = toy_run(a, &mfbo_searcher_lfbo, "initial_population=20", 3);
  CHECK(r.status == MFBO_RUN_OK && !r.has_incumbent && r.n_evals == 20);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
  mfbo_benchmark_free(f);
  mfbo_benchmark_free(a);
}

static void test_settings(void) {
  const mfbo_searcher_type *t = &mfbo_searcher_lfbo;
  mfbo_space *s = mfbo_space_alloc();
  mfbo_space_add_pow2(s, "BLOCK_X", 1, 8, 1, NULL);
  static const char *const bad[] = {"variant=forest", "quantile=2", "frac_selected=0",
                                    "radius=0", "patience=-1", "preset=slow"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    mfbo_settings set;
    toy_settings(&set, bad[i]);
    void *state = calloc(1, t->state_size);
    mfbo_error err = {0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CHECK(t->init(state, s, &set, rng, &err) != 0 && err.msg[0] != '\0');
    t->free(state);
    free(state);
    gsl_rng_free(rng);
    mfbo_settings_free(&set);
  }
  mfbo_space_free(s);
}

/* The same seed gives the same run, another seed another; a budget truncates the same
 * trajectory and is never exceeded. */
static void test_determinism_and_budgets(const mfbo_benchmark *b) {
  mfbo_run_result x = toy_run(b, &mfbo_searcher_lfbo, "", 3);
  mfbo_run_result y = toy_run(b, &mfbo_searcher_lfbo, "", 3);
  mfbo_run_result z = toy_run(b, &mfbo_searcher_lfbo, "", 4);
  CHECK(x.status == MFBO_RUN_OK && toy_same_run(&x, &y) && !toy_same_run(&x, &z));
  mfbo_settings s;
  toy_settings(&s, "");
  mfbo_run_spec spec = {.benchmark = b, .label = "lfbo", .searcher = &mfbo_searcher_lfbo,
                        .settings = &s, .seed = 3, .budget = {.max_evals = 120}};
  mfbo_run_result d, c;
  mfbo_run(&spec, &d);
  CHECK(x.n_evals > 120 && d.n_evals == 120 &&
        memcmp(d.trace_cfg, x.trace_cfg, 120 * 5 * sizeof(int)) == 0);
  spec.budget = (mfbo_budget){.max_cost_s = 30};
  mfbo_run(&spec, &c);
  CHECK(c.status == MFBO_RUN_OK && c.cost_s <= 30 && c.n_evals < x.n_evals && c.has_incumbent);
  mfbo_settings_free(&s);
  mfbo_run_result_free(&x);
  mfbo_run_result_free(&y);
  mfbo_run_result_free(&z);
  mfbo_run_result_free(&d);
  mfbo_run_result_free(&c);
}

/* Seed instance 2 (the default is not the optimum), seeds 1-10, both variants. */
static void test_acceptance(const mfbo_benchmark *moved) {
  static const char *const variants[] = {"variant=tree", "variant=pattern"};
  for (int v = 0; v < 2; v++) {
    int hits = 0;
    printf("lfbo %s on seed instance 2, seeds 1-10:\n", variants[v]);
    printf("seed  evals  first  retime  final  cost_s   incumbent_true_ms  optimum\n");
    for (long seed = 1; seed <= 10; seed++) {
      mfbo_run_result r = toy_run(moved, &mfbo_searcher_lfbo, variants[v], seed);
      int hit = r.incumbent_true_ms == moved->optimum_ms;
      hits += hit;
      long first = toy_count_fidelity(&r, 1);
      printf("%4ld  %5ld  %5ld  %6ld  %5ld  %7.2f  %17.6f  %s\n", seed, r.n_evals, first,
             toy_count_fidelity(&r, 10), toy_count_fidelity(&r, 50), r.cost_s,
             r.incumbent_true_ms, hit ? "yes" : "no");
      CHECK(r.status == MFBO_RUN_OK && first >= 100);
      mfbo_run_result_free(&r);
    }
    printf("optimum found in %d of 10 seeds\n", hits);
    if (v == 0) CHECK(hits >= 8);
  }
}

int main(void) {
  test_initial_and_visited();
  test_restricted_and_failures();
  test_settings();
  mfbo_benchmark *moved = toy_seed_moved();
  CHECK(moved != NULL);
  if (!moved) CHECK_DONE();
  test_determinism_and_budgets(moved);
  test_acceptance(moved);
  mfbo_benchmark_free(moved);
  CHECK_DONE();
}
