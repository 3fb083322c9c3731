/* random.c: Helion's RandomSearch. Draw `count` distinct random configurations (1000;
 * quick preset 100), time each once at `fidelity` repetitions, return the fastest measured.
 * One batch; a space smaller than count is exhausted cleanly. Optionally (final_retime =
 * N >= 2; 0, off, as in Helion's RandomSearch) the top N distinct configurations are then
 * re-timed at final_fidelity (50) and the fastest of that re-time is returned
 * (population.c, as for pattern and de). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/searcher.h"
#include "population.h"

typedef struct {
  mfbo_population pop; /* first (its tell and incumbent are the type's): every configuration
                        * drawn; its incumbent is the fastest */
  const mfbo_space *space;
  gsl_rng *rng;
  long count;
  int asked;
} random_state;
_Static_assert(offsetof(random_state, pop) == 0, "the state begins with its population");

static int random_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                       gsl_rng *rng, mfbo_error *err) {
  random_state *st = vstate;
  int quick = mfbo_searcher_preset_is_quick(settings, err);
  if (quick < 0) return -1;
  st->space = space;
  st->rng = rng;
  st->count = quick ? 100 : 1000;
  mfbo_pop_settings pop = {.rebench_threshold = 0, .final_retime = 0, .fidelity = 1,
                           .rebench_fidelity = 1, .final_fidelity = 50};
  if (mfbo_settings_get_long(settings, "count", 1, 100000000, &st->count, err) ||
      mfbo_settings_get_int(settings, "fidelity", 1, 1000000, &pop.fidelity, err) ||
      mfbo_settings_get_int(settings, "final_retime", 0, 1000000, &pop.final_retime, err) ||
      mfbo_settings_get_int(settings, "final_fidelity", 1, 1000000, &pop.final_fidelity, err))
    return -1;
  if (mfbo_pop_init(&st->pop, space, &pop) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static int random_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  random_state *st = vstate;
  if (st->asked++) {
    if (st->asked == 2 && mfbo_pop_request_final(&st->pop, batch) < 0) {
      mfbo_error_set(err, 0, "out of memory");
      return -1;
    }
    return 0;
  }
  uint64_t *picks = malloc((size_t)st->count * sizeof *picks);
  int *cfg = malloc((size_t)st->space->n_params * sizeof *cfg);
  int rc = picks && cfg ? 0 : -1;
  size_t n = rc == 0 ? mfbo_space_sample_distinct(st->space, st->rng, (size_t)st->count, picks)
                     : 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    mfbo_space_point(st->space, picks[i], cfg);
    int m = mfbo_pop_add(&st->pop, cfg);
    rc = m < 0 ? -1 : mfbo_pop_request(&st->pop, batch, m, st->pop.settings.fidelity);
  }
  if (rc != 0) mfbo_error_set(err, 0, "out of memory");
  free(picks);
  free(cfg);
  return rc;
}

static void random_free(void *vstate) {
  random_state *st = vstate;
  mfbo_pop_free(&st->pop);
}

/* One batch of count (or the whole space), then the final re-time of at most final_retime. */
static long random_max_evals(const void *vstate, long limit) {
  const random_state *st = vstate;
  uint64_t size = mfbo_space_size(st->space);
  uint64_t n = (uint64_t)st->count < size ? (uint64_t)st->count : size;
  int retime = st->pop.settings.final_retime;
  if (retime >= 2) n += (uint64_t)retime < n ? (uint64_t)retime : n;
  return n > (uint64_t)limit ? -1 : (long)n;
}

const mfbo_searcher_type mfbo_searcher_random = {
    .name = "random",
    .summary = "Helion's RandomSearch: count distinct random configurations, timed once",
    .state_size = sizeof(random_state),
    .init = random_init,
    .ask = random_ask,
    .tell = mfbo_pop_searcher_tell,
    .incumbent = mfbo_pop_searcher_incumbent,
    .free = random_free,
    .max_evals = random_max_evals,
};
