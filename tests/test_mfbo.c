/* test_mfbo.c: the `mfbo` searcher (src/searchers/mfbo.c): the seed_pr preset's stage sizes
 * and fidelities, the default stages, determinism of a run, failed configurations (never
 * re-proposed, never in the model), a tiny space exhausted cleanly, bad settings, and a
 * quality check on the seed benchmark over seeds 1-10 that can fail (optimum in >= 9). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "toy.h"

static mfbo_benchmark *seed_bench;

/* seed_pr: 200 random at 5, then 30 at 15, 10 at 50, 3 at 500 (the original's stages). */
static void test_seed_pr_stages(void) {
  mfbo_run_result r = toy_run(seed_bench, &mfbo_searcher_mfbo, "preset=seed_pr", 1);
  CHECK(r.status == MFBO_RUN_OK);
  CHECK(r.n_evals == 243);
  CHECK(toy_count_fidelity(&r, 5) == 200 && toy_count_fidelity(&r, 15) == 30);
  CHECK(toy_count_fidelity(&r, 50) == 10 && toy_count_fidelity(&r, 500) == 3);
  for (long i = 0; i < r.n_evals; i++) {
    int want = i < 200 ? 5 : i < 230 ? 15 : i < 240 ? 50 : 500;
    if (r.trace[i].fidelity != want) {
      CHECK(r.trace[i].fidelity == want);
      break;
    }
  }
  CHECK(r.has_incumbent);
  mfbo_run_result_free(&r);
}

static void test_default_stages(void) {
  mfbo_run_result r = toy_run(seed_bench, &mfbo_searcher_mfbo, "trust_region=off", 2);
  CHECK(r.status == MFBO_RUN_OK);
  /* full: 40 at 3, 6 at 15, 3 at 50 (neighbours of the best), then up to 3 re-times at
   * 50 of the best predicted not yet measured at 50 */
  CHECK(toy_count_fidelity(&r, 3) == 40 && toy_count_fidelity(&r, 15) == 6);
  CHECK(toy_count_fidelity(&r, 50) >= 3 && toy_count_fidelity(&r, 50) <= 6);
  /* the incumbent was measured at the highest fidelity of the run */
  CHECK(r.trace[r.n_evals - 1].fidelity == 50);
  mfbo_run_result_free(&r);
  r = toy_run(seed_bench, &mfbo_searcher_mfbo,
              "n_low_fidelity=7, n_initial=4, n_medium_fidelity=2, fidelity_medium=9, "
              "n_high_fidelity=0, n_ultra_fidelity=1, fidelity_ultra=77, acquisition=ei, "
              "trust_region=off",
              3);
  CHECK(r.n_evals == 10 && toy_count_fidelity(&r, 3) == 7 && toy_count_fidelity(&r, 9) == 2 &&
        toy_count_fidelity(&r, 77) == 1);
  mfbo_run_result_free(&r);
}

static void test_determinism(void) {
  static const char *const variants[] = {"", "acquisition=ei", "acquisition=pi",
                                         "acquisition=cost_ei", "full_space_max=0",
                                         "local_from=1"};
  for (int v = 0; v < 6; v++) {
    mfbo_run_result a = toy_run(seed_bench, &mfbo_searcher_mfbo, variants[v], 5);
    /* the second run sees a different heap: results must not depend on where arrays
       start (uninitialised reads, BLAS kernels that round by alignment) */
    void *shift[8];
    for (int k = 0; k < 8; k++) shift[k] = malloc(16 * (size_t)(v + k + 1));
    mfbo_run_result b = toy_run(seed_bench, &mfbo_searcher_mfbo, variants[v], 5);
    for (int k = 0; k < 8; k++) free(shift[k]);
    CHECK(a.status == MFBO_RUN_OK && toy_same_run(&a, &b));
    mfbo_run_result_free(&a);
    mfbo_run_result_free(&b);
  }
}

/* A failed configuration is measured once and never asked for again. */
static void test_failures(void) {
  mfbo_benchmark *b = toy_alloc("fail");
  mfbo_run_result r = toy_run(b, &mfbo_searcher_mfbo, "", 1);
  CHECK(r.status == MFBO_RUN_OK && r.has_incumbent && isfinite(r.incumbent_true_ms));
  int failures = 0;
  for (long i = 0; i < r.n_evals; i++) {
    if (isfinite(r.trace[i].true_ms)) continue;
    failures++;
    for (long k = i + 1; k < r.n_evals; k++)
      CHECK(memcmp(r.trace_cfg + (size_t)i * r.n_params, r.trace_cfg + (size_t)k * r.n_params,
                   (size_t)r.n_params * sizeof(int)) != 0);
  }
  CHECK(failures > 0);
  mfbo_run_result_free(&r);
  r = toy_run(b, &mfbo_searcher_mfbo, "full_space_max=0", 1); /* pool candidates */
  CHECK(r.status == MFBO_RUN_OK && r.has_incumbent);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
  b = toy_alloc("allfail");
  r = toy_run(b, &mfbo_searcher_mfbo, "", 1);
  CHECK(r.status == MFBO_RUN_OK && !r.has_incumbent);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

/* Three configurations: every stage runs out of candidates and the run ends cleanly. */
static void test_tiny_space(void) {
  mfbo_benchmark *b = toy_alloc("three");
  mfbo_run_result r = toy_run(b, &mfbo_searcher_mfbo, "", 1);
  CHECK(r.status == MFBO_RUN_OK && r.regret == 0);
  CHECK(toy_count_fidelity(&r, 3) == 3);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

static void test_settings(void) {
  mfbo_run_result r = toy_run(seed_bench, &mfbo_searcher_mfbo, "acquisition=ucb", 1);
  CHECK(r.status == MFBO_RUN_FAILED && strstr(r.message, "acquisition"));
  mfbo_run_result_free(&r);
  r = toy_run(seed_bench, &mfbo_searcher_mfbo, "fidelity_low=0", 1);
  CHECK(r.status == MFBO_RUN_FAILED);
  mfbo_run_result_free(&r);
  r = toy_run(seed_bench, &mfbo_searcher_mfbo, "preset=quick, trust_region=off", 1);
  CHECK(r.status == MFBO_RUN_OK && toy_count_fidelity(&r, 5) == 20);
  mfbo_run_result_free(&r);
}

/* Smallest pairwise squared index distance among the first n evaluations. */
static long min_spread(const mfbo_run_result *r, int n) {
  long best = -1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) {
      long d2 = 0;
      for (int k = 0; k < r->n_params; k++) {
        long d = r->trace_cfg[i * r->n_params + k] - r->trace_cfg[j * r->n_params + k];
        d2 += d * d;
      }
      if (best < 0 || d2 < best) best = d2;
    }
  return best;
}

/* The maximin opening spreads its 8 picks farther apart than random picks, on every seed,
 * and reaches both ends of the first parameter. */
static void test_initial_design(void) {
  const char *only_opening = "n_initial=8, n_low_fidelity=8, n_medium_fidelity=0, "
                             "n_high_fidelity=0, n_ultra_fidelity=0, trust_region=off";
  char random_opening[256];
  snprintf(random_opening, sizeof random_opening, "%s, initial_design=random", only_opening);
  long wider = 0;
  for (long seed = 1; seed <= 5; seed++) {
    mfbo_run_result m = toy_run(seed_bench, &mfbo_searcher_mfbo, only_opening, seed);
    mfbo_run_result r = toy_run(seed_bench, &mfbo_searcher_mfbo, random_opening, seed);
    CHECK(m.n_evals == 8 && r.n_evals == 8);
    int lo = 0, hi = 0;
    for (int i = 0; i < 8; i++) {
      lo |= m.trace_cfg[i * m.n_params] == 0;
      hi |= m.trace_cfg[i * m.n_params] == 3;
    }
    CHECK(lo && hi);
    wider += min_spread(&m, 8) > min_spread(&r, 8);
    mfbo_run_result_free(&m);
    mfbo_run_result_free(&r);
  }
  CHECK(wider == 5);
}

/* Quality: the global optimum in at least 9 of seeds 1-10 (the issue asks >= 95% of 50
 * seeds; bench/mfbo_quality measures that, docs/mfbo.md records it). */
static void test_quality(void) {
  int hits = 0;
  printf("mfbo on seed (defaults), seeds 1-10:\nseed  evals  cost_s  incumbent_true_ms\n");
  for (long seed = 1; seed <= 10; seed++) {
    mfbo_run_result r = toy_run(seed_bench, &mfbo_searcher_mfbo, "", seed);
    hits += r.incumbent_true_ms == seed_bench->optimum_ms;
    printf("%4ld  %5ld  %6.2f  %.6f\n", seed, r.n_evals, r.cost_s, r.incumbent_true_ms);
    mfbo_run_result_free(&r);
  }
  printf("optimum found in %d of 10 seeds\n", hits);
  CHECK(hits >= 9);
}

int main(void) {
  mfbo_settings empty, space;
  mfbo_settings_init(&empty);
  mfbo_settings_init(&space);
  mfbo_error err;
  seed_bench = mfbo_benchmark_alloc(&mfbo_benchmark_seed, &empty, &space, 1, &err);
  CHECK(seed_bench != NULL);
  if (!seed_bench) CHECK_DONE();
  test_seed_pr_stages();
  test_default_stages();
  test_determinism();
  test_failures();
  test_tiny_space();
  test_settings();
  test_initial_design();
  test_quality();
  mfbo_benchmark_free(seed_bench);
  CHECK_DONE();
}
