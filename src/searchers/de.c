/* de.c: Helion's DifferentialEvolutionSearch (helion/autotuner/differential_evolution.py),
 * in ask/tell form.
 *
 * 1. Initial population: the default configuration, then random distinct ones,
 *    2 x population in all (Helion's random_population_flat); time them once and keep the
 *    fastest half. Helion counts this as generations 0 and 1, so max_generations = 40
 *    means 38 rounds of evolution: 80 + 38 x 40 = 1600 first timings.
 * 2. Each generation, for each member x: three distinct others a, b, c; a trial that
 *    takes, per parameter with probability crossover_rate (one parameter forced), the
 *    mutation of (a, b, c) (de_internal.h), else x's value. All trials are timed as one
 *    batch (Helion's batch mode, its default when it precompiles).
 * 3. Then, member by member: when both the trial and x are within rebench_threshold of
 *    the best time so far, both are re-timed (a batch of two, Helion's compare); the trial
 *    replaces x if its latest time is faster.
 * 4. After the last generation, the population is re-timed (Helion's
 *    rebenchmark_population), then the top final_retime distinct configurations are
 *    re-timed at final_fidelity and the fastest is returned.
 * Duplicates: like Helion, a trial is timed even when its configuration was timed before
 * (set skip_visited = 1 to keep x instead, without timing). A trial outside a restricted
 * space is not timed and never replaces x (newer Helion gives an invalid configuration an
 * infinite time without benchmarking it). A population smaller than 4 (a tiny space)
 * cannot pick a, b, c: evolution is skipped. Helion's shrink_config (a cap on the product
 * of block sizes, a Triton resource guard) has no counterpart in our spaces.
 * The searcher never calls the benchmark: it asks for batches and is told results. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "de_internal.h"
#include "mfbo/searcher.h"
#include "population.h"

typedef enum {
  PHASE_START,
  PHASE_INITIAL,     /* the initial population's first timings */
  PHASE_TRIALS,      /* a generation's trials */
  PHASE_PAIR_RETIME, /* the re-time of one (trial, x) pair */
  PHASE_END_RETIME,  /* the population's re-time after the last generation */
  PHASE_FINAL,       /* the final re-time */
  PHASE_DONE
} de_phase;

typedef struct {
  mfbo_population pop; /* first: the population's tell and incumbent are the type's */
  const mfbo_space *space;
  gsl_rng *rng;
  int population_size, max_generations, skip_visited;
  double crossover_rate;
  de_phase phase;
  int generation;   /* Helion's numbering: the first evolution round is generation 2 */
  int *population;  /* member indices, n_population of them */
  int n_population;
  int *trials;      /* the trial member of each position, -1 if none this generation */
  int cursor;       /* the next position to compare */
  int *trial_cfg;   /* scratch: one configuration */
} de_state;
_Static_assert(offsetof(de_state, pop) == 0, "the state begins with its population");

/* ---------------------------------------------------------------- mutation */

/* +-1 index step by the sign of b - c, within range (power of two: halve or double). */
static int step_by_sign(const mfbo_param *p, int a, int b, int c) {
  if (b < c) return a > 0 ? a - 1 : a;
  if (b > c) return a + 1 < p->n_values ? a + 1 : a;
  return a;
}

int mfbo_de_mutate_value(const mfbo_param *p, int a, int b, int c, gsl_rng *rng) {
  switch (p->kind) {
  case MFBO_PARAM_POW2:
  case MFBO_PARAM_INT:
    return step_by_sign(p, a, b, c);
  case MFBO_PARAM_BOOL:
    return b == c ? a : 1 - a;
  case MFBO_PARAM_ENUM:
    if (b == c) return a;
    if (a == b) return c;
    if (a == c) return b;
    return gsl_rng_uniform_int(rng, 2) ? c : b;
  }
  return a;
}

int mfbo_de_trial(const mfbo_space *s, const int *x, const int *a, const int *b, const int *c,
                  double crossover_rate, gsl_rng *rng, int *out) {
  int n = s->n_params;
  memcpy(out, x, (size_t)n * sizeof *out);
  if (n == 0) return 0;
  unsigned char *mask = malloc((size_t)n);
  if (!mask) return -1;
  /* the mask first, then the forced parameter, then the mutations: Helion's order */
  for (int j = 0; j < n; j++) mask[j] = gsl_rng_uniform(rng) < crossover_rate;
  mask[gsl_rng_uniform_int(rng, (unsigned long)n)] = 1;
  for (int j = 0; j < n; j++)
    if (mask[j]) out[j] = mfbo_de_mutate_value(&s->params[j], a[j], b[j], c[j], rng);
  free(mask);
  return 0;
}

void mfbo_de_pick_three(gsl_rng *rng, int n, int x, int out[3]) {
  int sample[4], k = 0;
  while (k < 4) {
    int v = (int)gsl_rng_uniform_int(rng, (unsigned long)n);
    int seen = 0;
    for (int i = 0; i < k; i++) seen |= sample[i] == v;
    if (!seen) sample[k++] = v;
  }
  int m = 0;
  for (int i = 0; i < 4 && m < 3; i++)
    if (sample[i] != x) out[m++] = sample[i];
}

/* ---------------------------------------------------------------- settings */

static int de_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                   gsl_rng *rng, mfbo_error *err) {
  de_state *st = vstate;
  int quick = mfbo_searcher_preset_is_quick(settings, err);
  if (quick < 0) return -1;
  st->space = space;
  st->rng = rng;
  st->population_size = quick ? 20 : 40;
  st->max_generations = quick ? 8 : 40;
  st->crossover_rate = 0.8;
  mfbo_pop_settings pop = {.rebench_threshold = quick ? 0.9 : 1.5, .final_retime = 8,
                           .fidelity = 1, .rebench_fidelity = 10, .final_fidelity = 50};
  if (mfbo_settings_get_int(settings, "population", 4, 1000000, &st->population_size, err) ||
      mfbo_settings_get_int(settings, "max_generations", 0, 1000000, &st->max_generations,
                            err) ||
      mfbo_settings_get_double(settings, "crossover_rate", 0, 1, &st->crossover_rate, err) ||
      mfbo_settings_get_int(settings, "skip_visited", 0, 1, &st->skip_visited, err) ||
      mfbo_pop_read_settings(settings, &pop, err))
    return -1;
  if (mfbo_pop_init(&st->pop, space, &pop) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- the search */

/* Step 1: 2 x population configurations, timed as one batch. */
static int ask_initial(de_state *st, mfbo_batch *batch) {
  int n = 2 * st->population_size;
  st->population = malloc((size_t)n * sizeof *st->population);
  st->trials = malloc((size_t)n * sizeof *st->trials);
  st->trial_cfg = malloc((size_t)(st->space->n_params + 1) * sizeof *st->trial_cfg);
  if (!st->population || !st->trials || !st->trial_cfg) return -1;
  n = mfbo_pop_add_initial(&st->pop, st->rng, n, st->population);
  if (n < 0) return -1;
  st->n_population = n;
  for (int i = 0; i < n; i++)
    if (mfbo_pop_request(&st->pop, batch, st->population[i], st->pop.settings.fidelity) != 0)
      return -1;
  st->phase = PHASE_INITIAL;
  return 0;
}

/* Keeps the fastest half of the initial population. */
static void keep_fastest(de_state *st) {
  mfbo_pop_sort(&st->pop, st->population, st->n_population);
  if (st->n_population > st->population_size) st->n_population = st->population_size;
  st->generation = 2;
}

/* The trial of position i: a new member, -1 when it is skipped, -2 when out of memory. */
static int make_trial(de_state *st, int i) {
  int abc[3];
  mfbo_de_pick_three(st->rng, st->n_population, i, abc);
  const mfbo_population *p = &st->pop;
  const int *x = mfbo_pop_cfg(p, st->population[i]);
  const int *a = mfbo_pop_cfg(p, st->population[abc[0]]);
  const int *b = mfbo_pop_cfg(p, st->population[abc[1]]);
  const int *c = mfbo_pop_cfg(p, st->population[abc[2]]);
  if (mfbo_de_trial(st->space, x, a, b, c, st->crossover_rate, st->rng, st->trial_cfg) != 0)
    return -2;
  if (!mfbo_space_contains(st->space, st->trial_cfg)) return -1;
  if (st->skip_visited && mfbo_pop_visited(p, st->trial_cfg)) return -1;
  int m = mfbo_pop_add(&st->pop, st->trial_cfg);
  return m < 0 ? -2 : m;
}

/* Step 2: one trial per member, all timed as one batch. */
static int ask_trials(de_state *st, mfbo_batch *batch) {
  for (int i = 0; i < st->n_population; i++) {
    int t = make_trial(st, i);
    if (t < -1) return -1;
    st->trials[i] = t;
    if (t >= 0 && mfbo_pop_request(&st->pop, batch, t, st->pop.settings.fidelity) != 0)
      return -1;
  }
  st->generation++;
  st->cursor = 0;
  st->phase = PHASE_TRIALS;
  return 0;
}

/* Step 3, from the cursor on: asks for the next pair re-time, or decides every remaining
 * pair; returns 1 when it asked for a re-time. */
static int compare_pairs(de_state *st, mfbo_batch *batch) {
  mfbo_population *p = &st->pop;
  for (; st->cursor < st->n_population; st->cursor++) {
    int t = st->trials[st->cursor], x = st->population[st->cursor];
    if (t < 0) continue;
    if (st->phase != PHASE_PAIR_RETIME && mfbo_pop_should_retime(p, t) &&
        mfbo_pop_should_retime(p, x)) {
      if (mfbo_pop_request(p, batch, t, p->settings.rebench_fidelity) != 0 ||
          mfbo_pop_request(p, batch, x, p->settings.rebench_fidelity) != 0)
        return -1;
      st->phase = PHASE_PAIR_RETIME;
      return 1;
    }
    if (mfbo_pop_perf_ms(p, t) < mfbo_pop_perf_ms(p, x)) st->population[st->cursor] = t;
    st->phase = PHASE_TRIALS;
  }
  return 0;
}

/* Step 4: the population's re-time, then the final re-time. */
static int ask_end(de_state *st, mfbo_batch *batch) {
  if (st->phase != PHASE_END_RETIME) {
    int n = mfbo_pop_request_retimes(&st->pop, batch, st->population, st->n_population);
    if (n < 0) return -1;
    st->phase = PHASE_END_RETIME;
    if (n > 0) return 0;
  }
  st->phase = PHASE_FINAL;
  return mfbo_pop_request_final(&st->pop, batch) < 0 ? -1 : 0;
}

/* Compares what is left of this generation, then starts the next ones until one asks
 * for something, or ends the search. */
static int ask_evolution(de_state *st, mfbo_batch *batch) {
  for (;;) {
    if (st->phase == PHASE_TRIALS || st->phase == PHASE_PAIR_RETIME) {
      int asked = compare_pairs(st, batch);
      if (asked != 0) return asked < 0 ? -1 : 0;
    }
    if (st->generation >= st->max_generations || st->n_population < 4) return ask_end(st, batch);
    if (ask_trials(st, batch) != 0) return -1;
    if (batch->n > 0) return 0;
  }
}

static int de_ask_step(de_state *st, mfbo_batch *batch) {
  switch (st->phase) {
  case PHASE_START:
    return ask_initial(st, batch);
  case PHASE_INITIAL:
    keep_fastest(st);
    st->cursor = st->n_population; /* no trials to compare before the first generation */
    st->phase = PHASE_TRIALS;
    return ask_evolution(st, batch);
  case PHASE_TRIALS:
  case PHASE_PAIR_RETIME:
    return ask_evolution(st, batch);
  case PHASE_END_RETIME:
    return ask_end(st, batch);
  case PHASE_FINAL:
  case PHASE_DONE:
    break;
  }
  st->phase = PHASE_DONE;
  return 0;
}

static int de_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  de_state *st = vstate;
  if (de_ask_step(st, batch) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static void de_free(void *vstate) {
  de_state *st = vstate;
  free(st->population);
  free(st->trials);
  free(st->trial_cfg);
  mfbo_pop_free(&st->pop);
}

const mfbo_searcher_type mfbo_searcher_de = {
    .name = "de",
    .summary = "Helion's DifferentialEvolutionSearch: population 40, 40 generations, "
               "crossover 0.8, with re-timing and a final re-time of the top configurations",
    .state_size = sizeof(de_state),
    .init = de_init,
    .ask = de_ask,
    .tell = mfbo_pop_searcher_tell,
    .incumbent = mfbo_pop_searcher_incumbent,
    .free = de_free,
};
