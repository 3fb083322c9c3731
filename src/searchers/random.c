/* random.c: Helion's RandomSearch. Draw `count` distinct random configurations (1000;
 * quick preset 100), time each once at `fidelity` repetitions, return the fastest measured.
 * One batch; a space smaller than count is exhausted cleanly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/searcher.h"

typedef struct {
  const mfbo_space *space;
  gsl_rng *rng;
  long count;
  int fidelity;
  int asked;
  int *best_cfg;
  double best_ms;
} random_state;

static int random_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                       gsl_rng *rng, mfbo_error *err) {
  random_state *st = vstate;
  int quick = mfbo_searcher_preset_is_quick(settings, err);
  if (quick < 0) return -1;
  st->space = space;
  st->rng = rng;
  st->count = quick ? 100 : 1000;
  st->fidelity = 1;
  if (mfbo_settings_get_long(settings, "count", 1, 100000000, &st->count, err) ||
      mfbo_settings_get_int(settings, "fidelity", 1, 1000000, &st->fidelity, err))
    return -1;
  st->best_ms = INFINITY;
  st->best_cfg = malloc((size_t)space->n_params * sizeof *st->best_cfg);
  if (!st->best_cfg) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static int random_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  random_state *st = vstate;
  if (st->asked) return 0;
  st->asked = 1;
  uint64_t *picks = malloc((size_t)st->count * sizeof *picks);
  int *cfg = malloc((size_t)st->space->n_params * sizeof *cfg);
  int rc = picks && cfg ? 0 : -1;
  size_t n = rc == 0 ? mfbo_space_sample_distinct(st->space, st->rng, (size_t)st->count, picks)
                     : 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    mfbo_space_point(st->space, picks[i], cfg);
    rc = mfbo_batch_push(batch, cfg, st->fidelity);
  }
  if (rc != 0) mfbo_error_set(err, 0, "out of memory");
  free(picks);
  free(cfg);
  return rc;
}

static void random_tell(void *vstate, const mfbo_batch *batch, int i) {
  random_state *st = vstate;
  if (batch->measured_ms[i] < st->best_ms) {
    st->best_ms = batch->measured_ms[i];
    memcpy(st->best_cfg, mfbo_batch_cfg(batch, i),
           (size_t)st->space->n_params * sizeof *st->best_cfg);
  }
}

static int random_incumbent(const void *vstate, int *cfg) {
  const random_state *st = vstate;
  if (!isfinite(st->best_ms)) return 0;
  memcpy(cfg, st->best_cfg, (size_t)st->space->n_params * sizeof *cfg);
  return 1;
}

static void random_free(void *vstate) {
  random_state *st = vstate;
  free(st->best_cfg);
}

const mfbo_searcher_type mfbo_searcher_random = {
    .name = "random",
    .summary = "Helion's RandomSearch: count distinct random configurations, timed once",
    .state_size = sizeof(random_state),
    .init = random_init,
    .ask = random_ask,
    .tell = random_tell,
    .incumbent = random_incumbent,
    .free = random_free,
};
