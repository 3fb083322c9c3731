/* types.c: the tables of every benchmark and searcher type built into the library, and
 * their lookup by the name a job file uses (as GSL's rng/types.c). A new type is one new
 * file under src/benchmarks or src/searchers plus one line here. */
#include <string.h>

#include "mfbo/benchmark.h"
#include "mfbo/searcher.h"

const mfbo_benchmark_type *const mfbo_benchmark_types[] = {
    &mfbo_benchmark_seed,
    &mfbo_benchmark_kerneltuner,
    &mfbo_benchmark_synthetic,
    &mfbo_benchmark_command,
    &mfbo_benchmark_worker,
    NULL,
};

const mfbo_searcher_type *const mfbo_searcher_types[] = {
    &mfbo_searcher_random,
    &mfbo_searcher_pattern,
    &mfbo_searcher_de,
    &mfbo_searcher_lfbo,
    &mfbo_searcher_hyperband,
    &mfbo_searcher_sh,
    &mfbo_searcher_mfbo,
    &mfbo_searcher_external,
    NULL,
};

const mfbo_benchmark_type *mfbo_benchmark_type_find(const char *name) {
  for (const mfbo_benchmark_type *const *t = mfbo_benchmark_types; *t; t++)
    if (strcmp((*t)->name, name) == 0) return *t;
  return NULL;
}

const mfbo_searcher_type *mfbo_searcher_type_find(const char *name) {
  for (const mfbo_searcher_type *const *t = mfbo_searcher_types; *t; t++)
    if (strcmp((*t)->name, name) == 0) return *t;
  return NULL;
}
