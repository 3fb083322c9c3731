/* pattern.c: Helion's PatternSearch (helion/autotuner/pattern_search.py), in ask/tell form.
 *
 * 1. Initial population: the default configuration, then random distinct ones,
 *    initial_population in all; time them; re-time those within rebench_threshold of the
 *    best (population.c).
 * 2. The `copies` fastest finite members are the starting points of independent copies.
 * 3. Each generation, each active copy (in order) first judges its last candidates: it
 *    stops when its best is still its current point or improved by less than
 *    min_improvement_delta, else it moves to that best; then it offers its unvisited
 *    neighbours: every radius-1 single-parameter move plus every pair of block-size
 *    parameters moved together (a block-size parameter is a power of two whose name
 *    contains "BLOCK", in any case: Helion's BlockSizeFragment). A copy with no unvisited
 *    neighbour stops. The candidates of all copies are timed as one batch; then the
 *    generation's population (the previous best, every copy's current point and its
 *    candidates) is re-timed as in step 1.
 * 4. Stop when no copy is active or after max_generations; re-time the top final_retime
 *    distinct configurations at final_fidelity and return the fastest.
 * Presets: full (100, 5, 20) and quick (30, 2, 5; Helion's quick effort profile also sets
 * the re-time threshold to 0.9, which turns re-timing off). Helion's "finishing phase"
 * (resetting parameters to their defaults for a tidier config) is left out: it simplifies
 * the returned configuration, it does not search for a faster one.
 * The searcher never calls the benchmark: it asks for batches and is told results. */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/searcher.h"
#include "pattern_internal.h"
#include "population.h"

/* What the last batch was; ask moves on from there. */
typedef enum {
  PHASE_START,
  PHASE_INITIAL,         /* the initial population's first timings */
  PHASE_INITIAL_RETIME,  /* their re-times */
  PHASE_GENERATION,      /* a generation's candidates */
  PHASE_GENERATION_RETIME,
  PHASE_FINAL,           /* the final re-time */
  PHASE_DONE
} pattern_phase;

typedef struct {
  int *items;
  int n, cap;
} int_list;

/* One copy of the search: its current point and its last candidates (current first). */
typedef struct {
  int active;
  int current;
  int_list candidates;
} pattern_copy;

typedef struct {
  mfbo_population pop; /* first: the population's tell and incumbent are the type's */
  const mfbo_space *space;
  gsl_rng *rng;
  int initial_population, n_copies, max_generations;
  double min_improvement_delta;
  pattern_phase phase;
  int generation;
  int_list population;  /* the members Helion's self.population holds */
  pattern_copy *copies;
  int *neighbours;      /* scratch: mfbo_pattern_max_neighbours configurations */
} pattern_state;
_Static_assert(offsetof(pattern_state, pop) == 0, "the state begins with its population");

/* ---------------------------------------------------------------- neighbourhood */

/* Does name contain "BLOCK", in any case? */
static int names_block(const char *name) {
  static const char word[] = "BLOCK";
  for (; *name; name++) {
    size_t k = 0;
    while (word[k] && name[k] && toupper((unsigned char)name[k]) == word[k]) k++;
    if (!word[k]) return 1;
  }
  return 0;
}

int mfbo_pattern_is_block_param(const mfbo_param *p) {
  return p->kind == MFBO_PARAM_POW2 && names_block(p->name);
}

int mfbo_pattern_max_neighbours(const mfbo_space *s) {
  int blocks = 0;
  for (int j = 0; j < s->n_params; j++) blocks += mfbo_pattern_is_block_param(&s->params[j]);
  return mfbo_space_max_neighbours(s) + 4 * (blocks * (blocks - 1) / 2);
}

/* The +-1 index steps of a power-of-two or integer parameter from index v (lower first,
 * as Helion's pattern_neighbors); returns how many. */
static int steps(const mfbo_param *p, int v, int out[2]) {
  int n = 0;
  if (v > 0) out[n++] = v - 1;
  if (v + 1 < p->n_values) out[n++] = v + 1;
  return n;
}

/* Appends the pair moves of parameters i and j around cfg; returns the new count. */
static int pair_moves(const mfbo_space *s, const int *cfg, int i, int j, int *out, int n,
                      int max) {
  int first[2], second[2];
  int n_first = steps(&s->params[i], cfg[i], first);
  int n_second = steps(&s->params[j], cfg[j], second);
  for (int a = 0; a < n_first; a++)
    for (int b = 0; b < n_second && n < max; b++) {
      int *slot = out + (size_t)n * s->n_params;
      memcpy(slot, cfg, (size_t)s->n_params * sizeof *cfg);
      slot[i] = first[a];
      slot[j] = second[b];
      n += mfbo_space_contains(s, slot);
    }
  return n;
}

int mfbo_pattern_neighbours(const mfbo_space *s, const int *cfg, int *out, int max) {
  int n = mfbo_space_neighbours(s, cfg, out, max);
  for (int i = 0; i < s->n_params; i++) {
    if (!mfbo_pattern_is_block_param(&s->params[i])) continue;
    for (int j = i + 1; j < s->n_params; j++)
      if (mfbo_pattern_is_block_param(&s->params[j])) n = pair_moves(s, cfg, i, j, out, n, max);
  }
  return n;
}

int mfbo_pattern_copy_stops(int best_is_current, double best_ms, double current_ms,
                            double min_improvement_delta) {
  if (best_is_current) return 1;
  return min_improvement_delta > 0 && isfinite(best_ms) && isfinite(current_ms) &&
         current_ms != 0 && fabs(best_ms / current_ms - 1) < min_improvement_delta;
}

/* ---------------------------------------------------------------- small helpers */

static int list_push(int_list *l, int x) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 32;
    int *items = realloc(l->items, (size_t)cap * sizeof *items);
    if (!items) return -1;
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n++] = x;
  return 0;
}

static int list_contains(const int_list *l, int x) {
  for (int i = 0; i < l->n; i++)
    if (l->items[i] == x) return 1;
  return 0;
}

/* Appends x unless it is already there (Helion's dict of members keyed by identity). */
static int list_add_once(int_list *l, int x) { return list_contains(l, x) ? 0 : list_push(l, x); }

/* ---------------------------------------------------------------- settings */

static int pattern_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                        gsl_rng *rng, mfbo_error *err) {
  pattern_state *st = vstate;
  int quick = mfbo_searcher_preset_is_quick(settings, err);
  if (quick < 0) return -1;
  st->space = space;
  st->rng = rng;
  st->initial_population = quick ? 30 : 100;
  st->n_copies = quick ? 2 : 5;
  st->max_generations = quick ? 5 : 20;
  st->min_improvement_delta = 0.001;
  mfbo_pop_settings pop = {.rebench_threshold = quick ? 0.9 : 1.5, .final_retime = 8,
                           .fidelity = 1, .rebench_fidelity = 10, .final_fidelity = 50};
  if (mfbo_settings_get_int(settings, "initial_population", 1, 10000000,
                            &st->initial_population, err) ||
      mfbo_settings_get_int(settings, "copies", 1, 1000000, &st->n_copies, err) ||
      mfbo_settings_get_int(settings, "max_generations", 0, 1000000, &st->max_generations,
                            err) ||
      mfbo_settings_get_double(settings, "min_improvement_delta", 0, 1e9,
                               &st->min_improvement_delta, err) ||
      mfbo_pop_read_settings(settings, &pop, err))
    return -1;
  if (mfbo_pop_init(&st->pop, space, &pop) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- the search */

/* Step 1: the initial population, timed as one batch. */
static int ask_initial(pattern_state *st, mfbo_batch *batch) {
  int *members = malloc((size_t)st->initial_population * sizeof *members);
  int n = members ? mfbo_pop_add_initial(&st->pop, st->rng, st->initial_population, members)
                  : -1;
  int rc = n < 0 ? -1 : 0;
  for (int i = 0; i < n && rc == 0; i++) rc = list_push(&st->population, members[i]);
  for (int i = 0; i < n && rc == 0; i++)
    rc = mfbo_pop_request(&st->pop, batch, members[i], st->pop.settings.fidelity);
  free(members);
  st->phase = PHASE_INITIAL;
  return rc;
}

/* Step 2: the `copies` fastest members, if finite, become the starting points. */
static int start_copies(pattern_state *st) {
  mfbo_pop_sort(&st->pop, st->population.items, st->population.n);
  st->copies = calloc((size_t)st->n_copies, sizeof *st->copies);
  if (!st->copies) return -1;
  for (int c = 0; c < st->n_copies && c < st->population.n; c++) {
    int m = st->population.items[c];
    st->copies[c].current = m;
    st->copies[c].active = isfinite(mfbo_pop_perf_ms(&st->pop, m));
  }
  return 0;
}

/* Judges a copy's last candidates: stops it, or moves it to the fastest of them. */
static void judge_copy(pattern_state *st, pattern_copy *c) {
  if (c->candidates.n == 0) return; /* the first generation: nothing to judge yet */
  int best = mfbo_pop_fastest(&st->pop, c->candidates.items, c->candidates.n);
  if (mfbo_pattern_copy_stops(best == c->current, mfbo_pop_perf_ms(&st->pop, best),
                              mfbo_pop_perf_ms(&st->pop, c->current),
                              st->min_improvement_delta))
    c->active = 0;
  else
    c->current = best;
}

/* A copy's unvisited neighbours become new members: candidates = current, new ones.
 * A copy without any stops. */
static int offer_neighbours(pattern_state *st, pattern_copy *c) {
  const int *cfg = mfbo_pop_cfg(&st->pop, c->current);
  int max = mfbo_pattern_max_neighbours(st->space);
  int n = mfbo_pattern_neighbours(st->space, cfg, st->neighbours, max);
  c->candidates.n = 0;
  if (list_push(&c->candidates, c->current) != 0) return -1;
  for (int i = 0; i < n; i++) {
    const int *nb = st->neighbours + (size_t)i * st->space->n_params;
    if (mfbo_pop_visited(&st->pop, nb)) continue;
    int m = mfbo_pop_add(&st->pop, nb);
    if (m < 0 || list_push(&c->candidates, m) != 0) return -1;
  }
  if (c->candidates.n == 1) c->active = 0;
  return 0;
}

/* Step 3: advances every active copy and asks for all new candidates as one batch. An
 * empty batch means no copy is active. */
static int ask_generation(pattern_state *st, mfbo_batch *batch) {
  int prior_best = mfbo_pop_fastest(&st->pop, st->population.items, st->population.n);
  st->population.n = 0;
  if (prior_best >= 0 && list_push(&st->population, prior_best) != 0) return -1;
  for (int k = 0; k < st->n_copies; k++) {
    pattern_copy *c = &st->copies[k];
    if (!c->active) continue;
    judge_copy(st, c);
    if (c->active && offer_neighbours(st, c) != 0) return -1;
    for (int i = 0; c->active && i < c->candidates.n; i++) {
      int m = c->candidates.items[i];
      if (list_add_once(&st->population, m) != 0) return -1;
      if (i > 0 && mfbo_pop_request(&st->pop, batch, m, st->pop.settings.fidelity) != 0)
        return -1;
    }
  }
  st->generation++;
  st->phase = PHASE_GENERATION;
  return 0;
}

/* Re-times the current population; moves to next_phase if it asked for any. */
static int ask_retimes(pattern_state *st, mfbo_batch *batch, pattern_phase next_phase) {
  int n = mfbo_pop_request_retimes(&st->pop, batch, st->population.items, st->population.n);
  if (n > 0) st->phase = next_phase;
  return n < 0 ? -1 : 0;
}

static int ask_final(pattern_state *st, mfbo_batch *batch) {
  st->phase = PHASE_FINAL;
  return mfbo_pop_request_final(&st->pop, batch) < 0 ? -1 : 0;
}

/* After a generation (or the initial population) is timed and re-timed: the next
 * generation, or the final re-time. */
static int ask_next_generation(pattern_state *st, mfbo_batch *batch) {
  if (st->generation < st->max_generations) {
    if (ask_generation(st, batch) != 0) return -1;
    if (batch->n > 0) return 0;
  }
  return ask_final(st, batch);
}

/* One step of the state machine: fills the batch, leaving it empty when the search is
 * over. A phase with nothing to ask falls through to the next. */
static int pattern_ask_step(pattern_state *st, mfbo_batch *batch) {
  int rc;
  switch (st->phase) {
  case PHASE_START:
    return ask_initial(st, batch);
  case PHASE_INITIAL:
    rc = ask_retimes(st, batch, PHASE_INITIAL_RETIME);
    if (rc != 0 || batch->n > 0) return rc;
    /* fall through */
  case PHASE_INITIAL_RETIME:
    if (start_copies(st) != 0) return -1;
    return ask_next_generation(st, batch);
  case PHASE_GENERATION:
    rc = ask_retimes(st, batch, PHASE_GENERATION_RETIME);
    if (rc != 0 || batch->n > 0) return rc;
    /* fall through */
  case PHASE_GENERATION_RETIME:
    return ask_next_generation(st, batch);
  case PHASE_FINAL:
  case PHASE_DONE:
    st->phase = PHASE_DONE;
    return 0;
  }
  return 0;
}

static int pattern_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  pattern_state *st = vstate;
  if (!st->neighbours) {
    int max = mfbo_pattern_max_neighbours(st->space);
    st->neighbours = malloc((size_t)(max > 0 ? max : 1) * (size_t)st->space->n_params *
                            sizeof *st->neighbours);
  }
  if (!st->neighbours || pattern_ask_step(st, batch) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static void pattern_free(void *vstate) {
  pattern_state *st = vstate;
  if (st->copies)
    for (int k = 0; k < st->n_copies; k++) free(st->copies[k].candidates.items);
  free(st->copies);
  free(st->population.items);
  free(st->neighbours);
  mfbo_pop_free(&st->pop);
}

const mfbo_searcher_type mfbo_searcher_pattern = {
    .name = "pattern",
    .summary = "Helion's PatternSearch: copies of a local search from the best of a random "
               "population, with re-timing and a final re-time of the top configurations",
    .state_size = sizeof(pattern_state),
    .init = pattern_init,
    .ask = pattern_ask,
    .tell = mfbo_pop_searcher_tell,
    .incumbent = mfbo_pop_searcher_incumbent,
    .free = pattern_free,
};
