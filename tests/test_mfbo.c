/* test_mfbo.c: the `mfbo` searcher (src/searchers/mfbo.c): the seed_pr preset's stage sizes
 * and fidelities, the default stages, determinism of a run, failed configurations (never
 * re-proposed, never in the model), a tiny space exhausted cleanly, bad settings, and a
 * quality check over seeds 1-10 on seed instance 2, whose optimum is not the default
 * configuration, so that it can fail (optimum in >= 9). */
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
                                         "local_from=1", "int_features=pow2, max_evals=120",
                                         "categorical=binary"};
  mfbo_benchmark *fail = toy_alloc("fail"); /* a flag for the categorical kernel, failures */
  for (int v = 0; v < 8; v++) {
    const mfbo_benchmark *bench = v == 7 ? fail : seed_bench;
    mfbo_run_result a = toy_run(bench, &mfbo_searcher_mfbo, variants[v], 5);
    /* the second run sees a different heap: results must not depend on where arrays
       start (uninitialised reads, BLAS kernels that round by alignment) */
    void *shift[8];
    for (int k = 0; k < 8; k++) shift[k] = malloc(16 * (size_t)(v + k + 1));
    mfbo_run_result b = toy_run(bench, &mfbo_searcher_mfbo, variants[v], 5);
    for (int k = 0; k < 8; k++) free(shift[k]);
    CHECK(a.status == MFBO_RUN_OK && toy_same_run(&a, &b));
    mfbo_run_result_free(&a);
    mfbo_run_result_free(&b);
  }
  mfbo_benchmark_free(fail);
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
                             "n_high_fidelity=0, n_ultra_fidelity=0, trust_region=off, "
                             "initial_design=maximin";
  char random_opening[256];
  snprintf(random_opening, sizeof random_opening, "n_initial=8, n_low_fidelity=8, "
           "n_medium_fidelity=0, n_high_fidelity=0, n_ultra_fidelity=0, trust_region=off");
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

/* Is row i of r's trace a neighbour of row 0 (the default) in the seed space's sense
 * (mfbo_space_neighbours: one ordinal parameter one value away, or an enum changed)? */
static int next_to_default(const mfbo_run_result *r, int i) {
  int max = mfbo_space_max_neighbours(seed_bench->space), found = 0;
  int *nb = malloc((size_t)(max > 0 ? max : 1) * r->n_params * sizeof *nb);
  int n = nb ? mfbo_space_neighbours(seed_bench->space, r->trace_cfg, nb, max) : 0;
  for (int k = 0; k < n && !found; k++)
    found = memcmp(nb + k * r->n_params, r->trace_cfg + i * r->n_params,
                   (size_t)r->n_params * sizeof *nb) == 0;
  free(nb);
  return found;
}

/* initial_design = adaptive: the default and 3 random picks; then, where the default was the
 * fastest of the four, the opening's other 6 picks are all its neighbours, else none need
 * be. Both happen, so both branches are checked: on seed instance 1 (seeds 1-10) the
 * default is the fastest of the four, on instance 2 (seeds 11-20: toy_seed_moved, whose
 * optimum is elsewhere) random picks can beat it. */
static void test_adaptive_opening(void) {
  const char *opening = "n_initial=10, n_low_fidelity=10, n_medium_fidelity=0, "
                        "n_high_fidelity=0, n_ultra_fidelity=0, trust_region=off, "
                        "initial_design=adaptive";
  int kept = 0, left = 0;
  mfbo_benchmark *moved = toy_seed_moved();
  CHECK(moved != NULL);
  for (long seed = 1; seed <= 20 && moved; seed++) {
    const mfbo_benchmark *b = seed <= 10 ? seed_bench : moved;
    mfbo_run_result r = toy_run(b, &mfbo_searcher_mfbo, opening, seed);
    CHECK(r.n_evals == 10);
    if (r.n_evals != 10) continue;
    int def_best = 1, near = 0;
    for (int i = 1; i < 4; i++) def_best &= r.trace[0].measured_ms < r.trace[i].measured_ms;
    for (int i = 4; i < 10; i++) near += next_to_default(&r, i);
    if (def_best) CHECK(near == 6);
    if (def_best) kept++;
    else left += near < 6;
    mfbo_run_result_free(&r);
  }
  fprintf(stderr, "adaptive opening: default fastest of 4 in %d of 20 runs, left in %d\n",
          kept, left);
  CHECK(kept > 0 && left > 0);
  mfbo_benchmark_free(moved);
}

/* toy_run with a budget. */
static mfbo_run_result budget_run(const mfbo_benchmark *b, const char *text, long seed,
                                  long max_evals, double max_cost_s) {
  mfbo_settings s;
  toy_settings(&s, text);
  mfbo_run_spec spec = {.benchmark = b, .label = "mfbo", .searcher = &mfbo_searcher_mfbo,
                        .settings = &s, .seed = seed, .budget = {max_evals, max_cost_s}};
  mfbo_run_result r;
  mfbo_run(&spec, &r);
  mfbo_settings_free(&s);
  return r;
}

/* With a budget mfbo goes on after its stages until the budget is spent; without one it
 * stops by its own rule (first trust-region collapse or max_evals). */
static void test_budget_to_end(void) {
  for (long seed = 1; seed <= 3; seed++) {
    mfbo_run_result r = budget_run(seed_bench, "", seed, 0, 130.0);
    mfbo_run_result e = budget_run(seed_bench, "", seed, 300, 0);
    mfbo_run_result n = toy_run(seed_bench, &mfbo_searcher_mfbo, "", seed);
    mfbo_run_result m = toy_run(seed_bench, &mfbo_searcher_mfbo, "max_evals=60", seed);
    CHECK(r.status == MFBO_RUN_OK && e.status == MFBO_RUN_OK && n.status == MFBO_RUN_OK);
    /* the budget, not mfbo, ended these: the next evaluation would not have fitted */
    CHECK(r.cost_s > 125.0 && r.n_evals > n.n_evals);
    CHECK(e.n_evals == 300);
    CHECK(n.n_evals <= 200 + 8 && m.n_evals <= 60 + 8); /* + the last confirmations */
    mfbo_run_result_free(&r), mfbo_run_result_free(&e), mfbo_run_result_free(&n);
    mfbo_run_result_free(&m);
  }
}

/* The trust region shrinks on failures and restarts elsewhere when it collapses: with a
 * failure tolerance of 1 it collapses (and, without a budget, stops) sooner than with 8;
 * allowing a second collapse lets the run go on after the first. */
static void test_trust_region(void) {
  mfbo_benchmark *b = toy_alloc("bowl");
  long fast = 0, slow = 0, one = 0, three = 0;
  for (long seed = 1; seed <= 5; seed++) {
    mfbo_run_result a = toy_run(b, &mfbo_searcher_mfbo, "tr_failure=1, max_evals=0", seed);
    mfbo_run_result c = toy_run(b, &mfbo_searcher_mfbo, "tr_failure=8, max_evals=0", seed);
    mfbo_run_result d = toy_run(b, &mfbo_searcher_mfbo,
                                "tr_failure=1, max_evals=0, stop_restarts=3", seed);
    CHECK(a.status == MFBO_RUN_OK && c.status == MFBO_RUN_OK && d.status == MFBO_RUN_OK);
    fast += a.n_evals, slow += c.n_evals, one += a.n_evals, three += d.n_evals;
    mfbo_run_result_free(&a), mfbo_run_result_free(&c), mfbo_run_result_free(&d);
  }
  printf("trust region on bowl, evaluations over seeds 1-5: tr_failure=1 %ld, tr_failure=8 "
         "%ld, three collapses %ld\n", fast, slow, three);
  CHECK(fast < slow);
  CHECK(three > one);
  mfbo_benchmark_free(b);
}

/* stop_ei: without a budget, a collapse ends the run only when the global pick expects
 * less than stop_ei of improvement; a tiny threshold lets runs go on past the first
 * collapse, a huge one is the plain first-collapse rule, evaluation for evaluation. */
static void test_stop_ei(void) {
  mfbo_benchmark *b = toy_alloc("bowl");
  long plain = 0, tiny = 0, longer = 0;
  for (long seed = 1; seed <= 5; seed++) {
    mfbo_run_result p = toy_run(b, &mfbo_searcher_mfbo, "tr_failure=1, max_evals=0", seed);
    mfbo_run_result t = toy_run(b, &mfbo_searcher_mfbo,
                                "tr_failure=1, max_evals=300, stop_ei=1e-12", seed);
    mfbo_run_result h = toy_run(b, &mfbo_searcher_mfbo,
                                "tr_failure=1, max_evals=0, stop_ei=100", seed);
    CHECK(p.status == MFBO_RUN_OK && t.status == MFBO_RUN_OK && h.status == MFBO_RUN_OK);
    CHECK(h.n_evals == p.n_evals);
    CHECK(t.n_evals >= p.n_evals);
    plain += p.n_evals, tiny += t.n_evals, longer += t.n_evals > p.n_evals;
    mfbo_run_result_free(&p), mfbo_run_result_free(&t), mfbo_run_result_free(&h);
  }
  printf("stop_ei on bowl, evaluations over seeds 1-5: first collapse %ld, stop_ei=1e-12 %ld "
         "(%ld runs longer)\n", plain, tiny, longer);
  CHECK(longer >= 3);
  mfbo_benchmark_free(b);
}

/* Failures are data: on a space whose corner fails (24%), the feasibility model halves
 * the failed evaluations of a budgeted run (over seeds 1-10), and no failed configuration
 * is asked for twice. */
static void test_feasibility(void) {
  mfbo_benchmark *b = toy_alloc("fail");
  long with = 0, without = 0;
  for (long seed = 1; seed <= 10; seed++) {
    mfbo_run_result on = budget_run(b, "n_low_fidelity=20, n_initial=10", seed, 80, 0);
    mfbo_run_result off = budget_run(b, "n_low_fidelity=20, n_initial=10, feasibility=off",
                                     seed, 80, 0);
    CHECK(on.status == MFBO_RUN_OK && off.status == MFBO_RUN_OK);
    for (long i = 0; i < on.n_evals; i++) with += !isfinite(on.trace[i].true_ms);
    for (long i = 0; i < off.n_evals; i++) without += !isfinite(off.trace[i].true_ms);
    mfbo_run_result_free(&on), mfbo_run_result_free(&off);
  }
  printf("failed evaluations over 10 runs of 80: feasibility on %ld, off %ld\n", with, without);
  CHECK(2 * with <= without);
  mfbo_benchmark_free(b);
}

/* The incumbent rule, driven by hand on x = 0..5: x = 0 is measured first at the top
 * fidelity (1.3 ms); later x = 1 is seen at the low fidelity only (1.0 ms). The old rule
 * (the fastest at the highest fidelity) would keep returning x = 0; mfbo re-times x = 1 at
 * the top fidelity at its next ask, and returns it once it measures 1.013 ms there. */
static double hand_ms(int x, int fidelity) {
  if (x == 1) return fidelity >= 50 ? 1.013 : 1.0;
  return x == 0 ? 1.3 : 2.0 + x;
}

static void test_incumbent_rule(void) {
  mfbo_benchmark *b = toy_alloc("six");
  mfbo_settings s;
  toy_settings(&s, "n_initial=2, n_low_fidelity=2, n_medium_fidelity=0, n_high_fidelity=0, "
                   "n_ultra_fidelity=1, fidelity_ultra=50, initial_design=maximin");
  mfbo_error err;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  void *state = calloc(1, mfbo_searcher_mfbo.state_size);
  CHECK(mfbo_searcher_mfbo.init(state, b->space, &s, rng, &err) == 0);
  mfbo_searcher_mfbo.set_budget(state, 100, 0);
  mfbo_batch batch;
  mfbo_batch_init(&batch, 1);
  int cfg[1], seen_x1_low = 0, retimed = 0, steps = 0, x1_inc = 0, x0_inc_before = 0;
  while (steps++ < 40 && !x1_inc) {
    mfbo_batch_clear(&batch);
    CHECK(mfbo_searcher_mfbo.ask(state, &batch, &err) == 0);
    if (batch.n == 0) break;
    for (int i = 0; i < batch.n; i++) {
      int x = mfbo_batch_cfg(&batch, i)[0], fid = batch.fidelity[i];
      if (seen_x1_low && !retimed) {
        CHECK(x == 1 && fid == 50); /* the contender, re-timed before anything else */
        retimed = 1;
      }
      batch.measured_ms[i] = hand_ms(x, fid);
      mfbo_searcher_mfbo.tell(state, &batch, i);
      if (x == 1 && fid < 50) {
        seen_x1_low = 1;
        CHECK(mfbo_searcher_mfbo.incumbent(state, cfg) && cfg[0] == 0);
        x0_inc_before = 1;
      }
      if (x == 1 && fid == 50) x1_inc = mfbo_searcher_mfbo.incumbent(state, cfg) && cfg[0] == 1;
    }
  }
  CHECK(x0_inc_before && retimed && x1_inc);
  mfbo_batch_free(&batch);
  mfbo_searcher_mfbo.free(state);
  free(state);
  gsl_rng_free(rng);
  mfbo_settings_free(&s);
  mfbo_benchmark_free(b);
}

/* Quality: the global optimum in at least 9 of seeds 1-10 (the issue asks >= 95% of 50
 * seeds; bench/mfbo_quality measures that, docs/mfbo.md records it). */
static void test_quality(void) {
  /* seed instance 2: its optimum is not the default configuration (issue 15) */
  mfbo_benchmark *moved = toy_seed_moved();
  CHECK(moved != NULL);
  if (!moved) return;
  int hits = 0;
  printf("mfbo on seed instance 2 (defaults), seeds 1-10:\n"
         "seed  evals  cost_s  incumbent_true_ms\n");
  for (long seed = 1; seed <= 10; seed++) {
    mfbo_run_result r = toy_run(moved, &mfbo_searcher_mfbo, "", seed);
    hits += r.incumbent_true_ms == moved->optimum_ms;
    printf("%4ld  %5ld  %6.2f  %.6f\n", seed, r.n_evals, r.cost_s, r.incumbent_true_ms);
    mfbo_run_result_free(&r);
  }
  printf("optimum found in %d of 10 seeds\n", hits);
  CHECK(hits >= 9);
  mfbo_benchmark_free(moved);
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
  test_adaptive_opening();
  test_budget_to_end();
  test_trust_region();
  test_stop_ei();
  test_feasibility();
  test_incumbent_rule();
  test_quality();
  mfbo_benchmark_free(seed_bench);
  CHECK_DONE();
}
