/* test_pattern.c: the `pattern` searcher (Helion's PatternSearch) rule by rule: block-size
 * parameters, the neighbourhood (singles and pairs of block sizes, members only), the
 * stopping rules of a copy, re-timing within 1.5x, the final re-time, failed
 * configurations, exhaustion of a tiny space, restricted spaces, settings, determinism;
 * random's optional final re-time (the same population.c code); and the acceptance check
 * on the seed benchmark over seeds 1-10, with random search for reference (prints the
 * numbers docs/searchers.md quotes). */
#include <stdlib.h>
#include <string.h>

#include "searchers/pattern_internal.h"
#include "check.h"
#include "toy.h"

static mfbo_benchmark *seed_bench;

static void test_block_params(void) {
  const mfbo_space *s = seed_bench->space;
  CHECK(mfbo_pattern_is_block_param(&s->params[0]));  /* BLOCK_M */
  CHECK(mfbo_pattern_is_block_param(&s->params[1]));  /* BLOCK_N */
  CHECK(mfbo_pattern_is_block_param(&s->params[2]));  /* BLOCK_K */
  CHECK(!mfbo_pattern_is_block_param(&s->params[3])); /* num_warps */
  CHECK(!mfbo_pattern_is_block_param(&s->params[4])); /* num_stages, an enum */
  mfbo_space *t = mfbo_space_alloc();
  CHECK(mfbo_space_add_pow2(t, "block_size_x", 1, 8, 1, NULL) == 0);
  CHECK(mfbo_space_add_int(t, "BLOCK_INT", 1, 8, 1, NULL) == 0);
  CHECK(mfbo_space_add_pow2(t, "xBlOcKy", 1, 8, 1, NULL) == 0);
  CHECK(mfbo_space_add_pow2(t, "BLOC", 1, 8, 1, NULL) == 0);
  CHECK(mfbo_pattern_is_block_param(&t->params[0]));
  CHECK(!mfbo_pattern_is_block_param(&t->params[1])); /* not a power of two */
  CHECK(mfbo_pattern_is_block_param(&t->params[2]));
  CHECK(!mfbo_pattern_is_block_param(&t->params[3]));
  mfbo_space_free(t);
}

/* The default of the seed space, (128, 128, 64, 8, 3): 11 single moves, then 3 pairs of
 * block sizes x 4 sign combinations, in Helion's order. */
static void test_neighbours_of_default(void) {
  const mfbo_space *s = seed_bench->space;
  static const int expected[23][5] = {
      {1, 2, 2, 2, 1}, {3, 2, 2, 2, 1}, {2, 1, 2, 2, 1}, {2, 3, 2, 2, 1}, {2, 2, 1, 2, 1},
      {2, 2, 3, 2, 1}, {2, 2, 2, 1, 1}, {2, 2, 2, 3, 1}, {2, 2, 2, 2, 0}, {2, 2, 2, 2, 2},
      {2, 2, 2, 2, 3}, /* pairs (BLOCK_M, BLOCK_N) */
      {1, 1, 2, 2, 1}, {1, 3, 2, 2, 1}, {3, 1, 2, 2, 1}, {3, 3, 2, 2, 1},
      /* (BLOCK_M, BLOCK_K) */
      {1, 2, 1, 2, 1}, {1, 2, 3, 2, 1}, {3, 2, 1, 2, 1}, {3, 2, 3, 2, 1},
      /* (BLOCK_N, BLOCK_K) */
      {2, 1, 1, 2, 1}, {2, 1, 3, 2, 1}, {2, 3, 1, 2, 1}, {2, 3, 3, 2, 1}};
  int cfg[5];
  mfbo_space_default(s, cfg);
  CHECK(cfg[0] == 2 && cfg[1] == 2 && cfg[2] == 2 && cfg[3] == 2 && cfg[4] == 1);
  int max = mfbo_pattern_max_neighbours(s);
  CHECK(max == 23);
  int *out = malloc((size_t)max * 5 * sizeof *out);
  int n = mfbo_pattern_neighbours(s, cfg, out, max);
  CHECK(n == 23);
  CHECK(n == 23 && memcmp(out, expected, sizeof expected) == 0);
  /* a corner: only upward moves, the enum still has three others */
  int corner[5] = {0, 0, 0, 0, 0};
  n = mfbo_pattern_neighbours(s, corner, out, max);
  CHECK(n == 7 + 3);
  static const int corner_pairs[3][5] = {{1, 1, 0, 0, 0}, {1, 0, 1, 0, 0}, {0, 1, 1, 0, 0}};
  CHECK(n == 10 && memcmp(out + 7 * 5, corner_pairs, sizeof corner_pairs) == 0);
  free(out);
}

/* In a restricted space only members are neighbours; here the only one is a pair move. */
static void test_neighbours_restricted(void) {
  mfbo_benchmark *b = toy_alloc("holes");
  CHECK(b && mfbo_space_size(b->space) == 32);
  if (!b) return;
  int cfg[3] = {0, 0, 0}, out[3 * 16];
  int n = mfbo_pattern_neighbours(b->space, cfg, out, 16);
  CHECK(n == 1 && out[0] == 1 && out[1] == 1 && out[2] == 0);
  mfbo_benchmark_free(b);
}

static void test_stopping_rule(void) {
  CHECK(mfbo_pattern_copy_stops(1, 1.0, 1.0, 0.001));    /* best is still the current */
  CHECK(mfbo_pattern_copy_stops(1, 0.5, 1.0, 0));
  CHECK(mfbo_pattern_copy_stops(0, 0.9995, 1.0, 0.001)); /* improved by less than delta */
  CHECK(!mfbo_pattern_copy_stops(0, 0.998, 1.0, 0.001));
  CHECK(!mfbo_pattern_copy_stops(0, 0.9995, 1.0, 0));    /* delta 0: rule off */
  CHECK(!mfbo_pattern_copy_stops(0, 0.9995, INFINITY, 0.001));
  CHECK(!mfbo_pattern_copy_stops(0, 0.9995, 0.0, 0.001));
}

/* One copy from the default of the bowl, nothing re-timed: a predictable walk along the
 * pair move (+1, -1) towards the optimum (8, 2). */
static void test_local_search(void) {
  mfbo_benchmark *b = toy_alloc("bowl");
  if (!b) return;
  const char *base = "initial_population=1, copies=1, rebench_threshold=0, final_retime=0";
  char text[256];
  /* three generations: 8, 5 and 5 new neighbours; the copy stands at (6, 6) */
  snprintf(text, sizeof text, "%s, max_generations=3", base);
  mfbo_run_result r = toy_run(b, &mfbo_searcher_pattern, text, 1);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 1 + 8 + 5 + 5);
  CHECK(r.incumbent_cfg[0] == 6 && r.incumbent_cfg[1] == 6);
  CHECK(toy_count_fidelity(&r, 1) == r.n_evals);
  mfbo_run_result_free(&r);
  /* delta 0.99: the first move (75 -> 53 ms) improves by less than 99%: the copy stops
   * after judging generation 1 */
  snprintf(text, sizeof text, "%s, min_improvement_delta=0.99", base);
  r = toy_run(b, &mfbo_searcher_pattern, text, 1);
  CHECK(r.n_evals == 1 + 8);
  CHECK(r.incumbent_cfg[0] == 4 && r.incumbent_cfg[1] == 8);
  mfbo_run_result_free(&r);
  /* no delta, many generations: it reaches the optimum, offers its neighbours once more,
   * and stops because its best did not change */
  snprintf(text, sizeof text, "%s, min_improvement_delta=0, max_generations=1000", base);
  r = toy_run(b, &mfbo_searcher_pattern, text, 1);
  CHECK(r.status == MFBO_RUN_OK && r.incumbent_true_ms == 1.0);
  CHECK(r.n_evals > 10 && r.n_evals < 60);
  const int *last = r.trace_cfg + (size_t)(r.n_evals - 1) * 2;
  CHECK(abs(last[0] - 8) <= 1 && abs(last[1] - 2) <= 1 && !(last[0] == 8 && last[1] == 2));
  int found_at = -1;
  for (long i = 0; i < r.n_evals; i++)
    if (r.trace[i].true_ms == 1.0 && found_at < 0) found_at = (int)i;
  CHECK(found_at > 0 && r.n_evals - found_at <= 1 + 8); /* one more generation, no more */
  for (long i = 0; i < r.n_evals; i++) /* nothing timed twice */
    for (long j = 0; j < i; j++) CHECK(!toy_row_is(&r, i, r.trace_cfg + j * 2));
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

/* x = 1, 2, 4, 8 times 1.0, 1.4, 1.6, 3.0 ms. The whole space is the initial population;
 * those within 1.5x of the best (1.0, 1.4) are re-timed at fidelity 10, fastest first; the
 * one copy has no unvisited neighbour; the final re-time takes all 4 (< 8) at 50. */
static void test_retime_rule(void) {
  mfbo_benchmark *b = toy_alloc("line");
  if (!b) return;
  mfbo_run_result r = toy_run(b, &mfbo_searcher_pattern, "initial_population=4, copies=1", 1);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 4 + 2 + 4);
  int x[4] = {0, 1, 2, 3};
  CHECK(toy_row_is(&r, 0, &x[0])); /* the default first */
  for (long i = 0; i < 4; i++) CHECK(r.trace[i].fidelity == 1);
  CHECK(r.trace[4].fidelity == 10 && toy_row_is(&r, 4, &x[0]));
  CHECK(r.trace[5].fidelity == 10 && toy_row_is(&r, 5, &x[1]));
  for (long i = 6; i < 10; i++) CHECK(r.trace[i].fidelity == 50 && toy_row_is(&r, i, &x[i - 6]));
  CHECK(r.incumbent_cfg[0] == 0);
  mfbo_run_result_free(&r);
  /* a wider threshold takes 1.6 too; settings name every fidelity */
  r = toy_run(b, &mfbo_searcher_pattern,
              "initial_population=4, copies=1, rebench_threshold=1.7, fidelity=2, "
              "rebench_fidelity=7, final_fidelity=30, final_retime=2", 1);
  CHECK(r.n_evals == 4 + 3 + 2);
  CHECK(toy_count_fidelity(&r, 2) == 4 && toy_count_fidelity(&r, 7) == 3 &&
        toy_count_fidelity(&r, 30) == 2);
  mfbo_run_result_free(&r);
  /* final_retime = 0: off */
  r = toy_run(b, &mfbo_searcher_pattern, "initial_population=4, copies=1, final_retime=0", 1);
  CHECK(r.n_evals == 4 + 2 && toy_count_fidelity(&r, 50) == 0);
  mfbo_run_result_free(&r);
  /* the quick preset turns re-timing off (threshold 0.9, as Helion's quick profile) */
  r = toy_run(b, &mfbo_searcher_pattern, "preset=quick", 1);
  CHECK(r.n_evals == 4 + 4 && toy_count_fidelity(&r, 10) == 0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
  /* 1, 2, 3, 4 ms: only the best is within 1.5x, and Helion re-times only two or more */
  b = toy_alloc("spread");
  if (!b) return;
  r = toy_run(b, &mfbo_searcher_pattern, "initial_population=4, copies=1", 1);
  CHECK(r.n_evals == 4 + 4 && toy_count_fidelity(&r, 10) == 0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

/* A corner of the space fails (+inf): the search goes on, never re-times a failure,
 * never returns one; when everything fails it ends cleanly without an incumbent. */
static void test_failures(void) {
  mfbo_benchmark *b = toy_alloc("fail");
  if (!b) return;
  mfbo_run_result r = toy_run(b, &mfbo_searcher_pattern, "", 2);
  CHECK(r.status == MFBO_RUN_OK && r.has_incumbent && r.incumbent_true_ms == 1.0);
  long failed = 0;
  for (long i = 0; i < r.n_evals; i++) {
    failed += isinf(r.trace[i].measured_ms);
    if (r.trace[i].fidelity > 1) CHECK(isfinite(r.trace[i].measured_ms));
  }
  CHECK(failed > 0 && toy_count_fidelity(&r, 50) == 8);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
  b = toy_alloc("allfail");
  if (!b) return;
  r = toy_run(b, &mfbo_searcher_pattern, "", 2);
  CHECK(r.status == MFBO_RUN_OK && !r.has_incumbent && r.n_evals == 100);
  CHECK(toy_count_fidelity(&r, 1) == 100);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

/* A space of 6: the initial population takes all of it, nothing is timed twice at the
 * first fidelity, the copies find no new neighbour, the final re-time takes all 6. */
static void test_exhaustion(void) {
  mfbo_benchmark *b = toy_alloc("six");
  if (!b) return;
  mfbo_run_result r = toy_run(b, &mfbo_searcher_pattern, "", 3);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 6 + 6);
  int seen[6] = {0};
  for (long i = 0; i < 6; i++) {
    CHECK(r.trace[i].fidelity == 1);
    seen[r.trace_cfg[i]]++;
  }
  for (int k = 0; k < 6; k++) CHECK(seen[k] == 1);
  CHECK(toy_count_fidelity(&r, 50) == 6 && r.incumbent_cfg[0] == 1);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
  /* a restricted space: only members are asked for (the run loop would fail otherwise) */
  b = toy_alloc("holes");
  if (!b) return;
  r = toy_run(b, &mfbo_searcher_pattern, "initial_population=4, copies=2", 3);
  CHECK(r.status == MFBO_RUN_OK && r.incumbent_true_ms == 1.0);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

static void test_settings(void) {
  mfbo_run_result r = toy_run(seed_bench, &mfbo_searcher_pattern, "copies=0", 1);
  CHECK(r.status == MFBO_RUN_FAILED && strstr(r.message, "copies"));
  mfbo_run_result_free(&r);
  r = toy_run(seed_bench, &mfbo_searcher_pattern, "rebench_fidelity=0", 1);
  CHECK(r.status == MFBO_RUN_FAILED && strstr(r.message, "rebench_fidelity"));
  mfbo_run_result_free(&r);
  r = toy_run(seed_bench, &mfbo_searcher_pattern, "preset=slow", 1);
  CHECK(r.status == MFBO_RUN_FAILED && strstr(r.message, "preset"));
  mfbo_run_result_free(&r);
  r = toy_run(seed_bench, &mfbo_searcher_pattern, "preset=quick", 1);
  CHECK(r.status == MFBO_RUN_OK && toy_count_fidelity(&r, 1) >= 30 &&
        toy_count_fidelity(&r, 10) == 0 && toy_count_fidelity(&r, 50) == 8);
  mfbo_run_result_free(&r);
  CHECK(mfbo_searcher_type_find("pattern") == &mfbo_searcher_pattern);
}

static void test_determinism(void) {
  mfbo_run_result a = toy_run(seed_bench, &mfbo_searcher_pattern, "", 3);
  mfbo_run_result b = toy_run(seed_bench, &mfbo_searcher_pattern, "", 3);
  mfbo_run_result c = toy_run(seed_bench, &mfbo_searcher_pattern, "", 4);
  CHECK(a.status == MFBO_RUN_OK && toy_same_run(&a, &b) && !toy_same_run(&a, &c));
  /* a budget truncates the same trajectory */
  mfbo_settings s;
  toy_settings(&s, "");
  mfbo_run_spec spec = {.benchmark = seed_bench, .label = "pattern",
                        .searcher = &mfbo_searcher_pattern, .settings = &s, .seed = 3,
                        .budget = {.max_evals = 150}};
  mfbo_run_result d;
  mfbo_run(&spec, &d);
  CHECK(d.n_evals == 150 && memcmp(d.trace_cfg, a.trace_cfg, 150 * 5 * sizeof(int)) == 0);
  mfbo_settings_free(&s);
  mfbo_run_result_free(&a);
  mfbo_run_result_free(&b);
  mfbo_run_result_free(&c);
  mfbo_run_result_free(&d);
}

/* random: final_retime (off by default, as in Helion) re-times the top N distinct
 * configurations at final_fidelity and returns the fastest of that re-time. */
static void test_random_final_retime(void) {
  mfbo_benchmark *b = toy_alloc("line");
  if (!b) return;
  mfbo_run_result r = toy_run(b, &mfbo_searcher_random, "count=4", 1);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 4);
  mfbo_run_result_free(&r);
  r = toy_run(b, &mfbo_searcher_random, "count=4, final_retime=8", 1);
  CHECK(r.status == MFBO_RUN_OK && r.n_evals == 4 + 4);
  int x[4] = {0, 1, 2, 3};
  for (long i = 4; i < 8; i++) CHECK(r.trace[i].fidelity == 50 && toy_row_is(&r, i, &x[i - 4]));
  CHECK(r.incumbent_cfg[0] == 0);
  mfbo_run_result_free(&r);
  r = toy_run(b, &mfbo_searcher_random, "count=4, final_retime=2, final_fidelity=20", 1);
  CHECK(r.n_evals == 4 + 2 && toy_count_fidelity(&r, 20) == 2);
  mfbo_run_result_free(&r);
  r = toy_run(b, &mfbo_searcher_random, "count=4, final_retime=1", 1); /* < 2: off */
  CHECK(r.n_evals == 4);
  mfbo_run_result_free(&r);
  mfbo_benchmark_free(b);
}

/* Random search on the same seeds, for reference: as Helion (no final re-time), then
 * with final_retime = 8. */
static void print_random_reference(void) {
  static const char *const variants[2] = {"", "final_retime=8"};
  for (int v = 0; v < 2; v++) {
    int hits = 0;
    printf("random on seed (full preset%s%s), seeds 1-10:\n", v ? ", " : "", variants[v]);
    printf("seed  evals  first  final  cost_s   incumbent_true_ms  optimum\n");
    for (long seed = 1; seed <= 10; seed++) {
      mfbo_run_result r = toy_run(seed_bench, &mfbo_searcher_random, variants[v], seed);
      int hit = r.incumbent_true_ms == seed_bench->optimum_ms;
      hits += hit;
      printf("%4ld  %5ld  %5ld  %5ld  %7.2f  %17.6f  %s\n", seed, r.n_evals,
             toy_count_fidelity(&r, 1), toy_count_fidelity(&r, 50), r.cost_s,
             r.incumbent_true_ms, hit ? "yes" : "no");
      CHECK(r.status == MFBO_RUN_OK);
      mfbo_run_result_free(&r);
    }
    printf("optimum found in %d of 10 seeds\n", hits);
  }
}

/* The acceptance check: the global optimum in at least 9 of seeds 1-10, with a
 * few hundred evaluations (Helion users see a few hundred to about 2000 on real kernels),
 * on seed instance 2, whose optimum is not the default configuration (issue 15). */
static void test_acceptance(void) {
  mfbo_benchmark *moved = toy_seed_moved();
  CHECK(moved != NULL);
  if (!moved) return;
  int hits = 0;
  printf("pattern on seed instance 2 (full preset), seeds 1-10:\n");
  printf("seed  evals  first  retime  final  cost_s   incumbent_true_ms  optimum\n");
  for (long seed = 1; seed <= 10; seed++) {
    mfbo_run_result r = toy_run(moved, &mfbo_searcher_pattern, "", seed);
    int hit = r.incumbent_true_ms == moved->optimum_ms;
    hits += hit;
    long first = toy_count_fidelity(&r, 1);
    printf("%4ld  %5ld  %5ld  %6ld  %5ld  %7.2f  %17.6f  %s\n", seed, r.n_evals, first,
           toy_count_fidelity(&r, 10), toy_count_fidelity(&r, 50), r.cost_s,
           r.incumbent_true_ms, hit ? "yes" : "no");
    CHECK(r.status == MFBO_RUN_OK && first >= 100 && first <= 2000);
    mfbo_run_result_free(&r);
  }
  printf("optimum found in %d of 10 seeds\n", hits);
  CHECK(hits >= 9);
  /* The check can fail: a searcher that times 30 random configurations (the default among
   * them only by chance) misses this optimum in most seeds. */
  int weak = 0;
  for (long seed = 1; seed <= 10; seed++) {
    mfbo_run_result r = toy_run(moved, &mfbo_searcher_random, "count=30", seed);
    weak += r.incumbent_true_ms == moved->optimum_ms;
    mfbo_run_result_free(&r);
  }
  printf("random with count=30 on instance 2: optimum in %d of 10 seeds\n", weak);
  CHECK(weak < 9);
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
  test_block_params();
  test_neighbours_of_default();
  test_neighbours_restricted();
  test_stopping_rule();
  test_local_search();
  test_retime_rule();
  test_failures();
  test_exhaustion();
  test_settings();
  test_determinism();
  test_random_final_retime();
  test_acceptance();
  print_random_reference();
  mfbo_benchmark_free(seed_bench);
  CHECK_DONE();
}
