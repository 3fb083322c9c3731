/* greedy.c: a searcher written outside mfbo-sweep, against its installed headers only: a
 * first-improvement hill climber. It times the default configuration, then all neighbours
 * of its best configuration that it has not timed yet, one batch per step, and moves to the
 * best of them while that improves; it stops when no neighbour is faster. One repetition
 * per measurement (setting `fidelity`, 1 to 1000). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mfbo/searcher.h>

#include "greedy.h"

typedef struct {
  const mfbo_space *space;
  int fidelity;
  int *best;            /* the best configuration so far (n_params) */
  double best_ms;
  int improved;          /* the last batch found a faster configuration */
  int started;
  uint64_t *timed;       /* codes timed so far (a tiny search: a linear list is enough) */
  size_t n_timed, cap;
} greedy_state;

static int timed_before(const greedy_state *st, uint64_t code) {
  for (size_t i = 0; i < st->n_timed; i++)
    if (st->timed[i] == code) return 1;
  return 0;
}

static int remember(greedy_state *st, uint64_t code) {
  if (st->n_timed == st->cap) {
    size_t cap = st->cap ? 2 * st->cap : 64;
    uint64_t *t = realloc(st->timed, cap * sizeof *t);
    if (!t) return -1;
    st->timed = t;
    st->cap = cap;
  }
  st->timed[st->n_timed++] = code;
  return 0;
}

static int greedy_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                       gsl_rng *rng, mfbo_error *err) {
  (void)rng; /* deterministic */
  greedy_state *st = vstate;
  st->space = space;
  st->fidelity = 1;
  if (mfbo_settings_get_int(settings, "fidelity", 1, 1000, &st->fidelity, err)) return -1;
  st->best = malloc((size_t)space->n_params * sizeof *st->best);
  if (!st->best) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  mfbo_space_default(space, st->best);
  st->best_ms = INFINITY;
  return 0;
}

static int greedy_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  greedy_state *st = vstate;
  const mfbo_space *s = st->space;
  if (!st->started) { /* the default first */
    st->started = 1;
    st->improved = 1;
    if (remember(st, mfbo_space_code(s, st->best)) != 0 ||
        mfbo_batch_push(batch, st->best, st->fidelity) != 0)
      goto oom;
    return 0;
  }
  if (!st->improved) return 0; /* a local optimum: done */
  st->improved = 0;
  int max = mfbo_space_max_neighbours(s);
  int *nb = malloc((size_t)max * (size_t)s->n_params * sizeof *nb);
  if (!nb) goto oom;
  int n = mfbo_space_neighbours(s, st->best, nb, max);
  for (int i = 0; i < n; i++) {
    const int *c = nb + (size_t)i * s->n_params;
    uint64_t code = mfbo_space_code(s, c);
    if (timed_before(st, code)) continue;
    if (remember(st, code) != 0 || mfbo_batch_push(batch, c, st->fidelity) != 0) {
      free(nb);
      goto oom;
    }
  }
  free(nb);
  return 0;
oom:
  mfbo_error_set(err, 0, "out of memory");
  return -1;
}

static void greedy_tell(void *vstate, const mfbo_batch *batch, int i) {
  greedy_state *st = vstate;
  if (batch->measured_ms[i] < st->best_ms) {
    st->best_ms = batch->measured_ms[i];
    memcpy(st->best, mfbo_batch_cfg(batch, i), (size_t)st->space->n_params * sizeof *st->best);
    st->improved = 1;
  }
}

static int greedy_incumbent(const void *vstate, int *cfg) {
  const greedy_state *st = vstate;
  if (!isfinite(st->best_ms)) return 0;
  memcpy(cfg, st->best, (size_t)st->space->n_params * sizeof *cfg);
  return 1;
}

static void greedy_free(void *vstate) {
  greedy_state *st = vstate;
  free(st->best);
  free(st->timed);
}

const mfbo_searcher_type greedy_searcher = {
    .name = "greedy",
    .summary = "first-improvement hill climbing from the default configuration (an example)",
    .state_size = sizeof(greedy_state),
    .init = greedy_init,
    .ask = greedy_ask,
    .tell = greedy_tell,
    .incumbent = greedy_incumbent,
    .free = greedy_free,
};
