/* run_greedy.c: runs the example searcher (greedy.c) through mfbo-sweep's run loop, beside
 * the built-in pattern search, on instances 1-3 of the seed benchmark (instance 1's default
 * configuration is its optimum; instances 2 and 3 move the optimum away), seeds 1-3, and
 * prints each run: evaluations, simulated cost, the true time of the configuration it
 * returns and its regret. Exit 1 if a run fails. */
#include <stdio.h>

#include <mfbo/benchmark.h>
#include <mfbo/run.h>

#include "greedy.h"

int main(void) {
  const mfbo_searcher_type *searchers[] = {&greedy_searcher, &mfbo_searcher_pattern};
  mfbo_settings bench_settings, space_settings, algo_settings;
  mfbo_settings_init(&bench_settings);
  mfbo_settings_init(&space_settings);
  mfbo_settings_init(&algo_settings);
  int failed = 0;
  printf("searcher  instance  seed  evals  cost_s  incumbent_ms  regret\n");
  for (int instance = 1; instance <= 3; instance++) {
    mfbo_error err;
    mfbo_error_clear(&err);
    mfbo_benchmark *b = mfbo_benchmark_alloc(&mfbo_benchmark_seed, &bench_settings,
                                             &space_settings, instance, &err);
    if (!b) {
      mfbo_error_print(&err, stderr);
      return 1;
    }
    for (int k = 0; k < 2; k++)
      for (long seed = 1; seed <= 3; seed++) {
        mfbo_run_spec spec = {.benchmark = b, .label = searchers[k]->name,
                              .searcher = searchers[k], .settings = &algo_settings,
                              .seed = seed, .budget = {.max_evals = 2000}};
        mfbo_run_result r;
        if (mfbo_run(&spec, &r) != 0) {
          fprintf(stderr, "%s: %s\n", searchers[k]->name, r.message);
          failed = 1;
        }
        printf("%-8s  %8d  %4ld  %5ld  %6.2f  %12.6f  %6.4f\n", searchers[k]->name, instance,
               seed, r.n_evals, r.cost_s, r.incumbent_true_ms, r.regret);
        mfbo_run_result_free(&r);
      }
    mfbo_benchmark_free(b);
  }
  return failed;
}
