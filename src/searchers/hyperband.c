/* hyperband.c: Hyperband and successive halving (Li et al., arXiv 1603.06560) with fidelity =
 * timed repetitions. Two searcher types share this file:
 *   sh         one bracket of successive halving (s = s_max), then the search is over;
 *   hyperband  brackets s = s_max .. 0, one "iteration", then the next iteration, until the
 *              run's budget ends the run, the space runs out of fresh configurations, or
 *              max_iterations (0 = unlimited, the default) is reached.
 * A bracket draws n fresh random configurations (never measured before in this run) and
 * measures them at r = R eta^-s repetitions; each rung keeps the floor(n_i / eta) best by
 * that rung's measurement (ties: smaller configuration code; failures last) and re-measures
 * them at eta times the repetitions. One rung is one batch. Bracket sizes and repetitions are
 * integer arithmetic, so R = 81, eta = 3 gives the paper's table exactly.
 * Like every searcher it never sees the benchmark, never counts cost, never writes results. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "core/codeset.h"
#include "mfbo/searcher.h"

/* Bounds of the settings. A bracket never holds more configurations than this (the run
 * loop stops any run at 10 million evaluations anyway). */
#define HB_MAX_FIDELITY 1000000L
#define HB_MAX_CONFIGS 10000000L

/* ------------------------------------------------------------ state and arithmetic */

/* One configuration of the current rung and its measurement at that rung (+inf until told,
 * or when it failed). */
typedef struct {
  uint64_t code;
  double measured_ms;
} rung_entry;

typedef struct {
  const mfbo_space *space;
  gsl_rng *rng;
  /* settings */
  long max_fidelity;   /* R */
  long min_fidelity;
  long eta;
  int s_max;
  long n_configs;      /* sh: configurations of its bracket */
  long max_iterations; /* hyperband: 0 = unlimited */
  int single_bracket;  /* 1 for sh */
  /* where the search is */
  int started, done;
  long iteration;      /* 0-based */
  int bracket;         /* s of the current bracket */
  int rung;            /* i within the bracket */
  rung_entry *entries; /* the current rung */
  long n_entries, cap_entries;
  mfbo_codeset visited;    /* every configuration drawn so far */
  int *cfg;            /* scratch, n_params */
  /* incumbent: best finite measurement at the highest fidelity with one */
  int has_incumbent;
  uint64_t incumbent_code;
  int incumbent_fidelity;
  double incumbent_ms;
} hb_state;

static int64_t int_pow(int64_t base, int e) {
  int64_t p = 1;
  while (e-- > 0) p *= base;
  return p;
}

/* floor(log_eta(R / min_fidelity)): the largest s with min_fidelity * eta^s <= R. */
static int largest_bracket(long max_fidelity, long min_fidelity, long eta) {
  int s = 0;
  for (long p = min_fidelity; p <= max_fidelity / eta; p *= eta) s++;
  return s;
}

/* n = ceil((s_max + 1) / (s + 1) * eta^s), or sh's n_configs. */
static long bracket_configs(const hb_state *st, int s) {
  if (st->single_bracket) return st->n_configs;
  int64_t top = (int64_t)(st->s_max + 1) * int_pow(st->eta, s);
  return (long)((top + s) / (s + 1));
}

/* r_i = R eta^(i - s), rounded to the nearest repetition (exact when eta^s divides R). */
static int rung_fidelity(const hb_state *st, int s, int i) {
  int64_t num = (int64_t)st->max_fidelity * int_pow(st->eta, i);
  int64_t den = int_pow(st->eta, s);
  return (int)((2 * num + den) / (2 * den));
}

/* ------------------------------------------------------------ settings */

/* The line of a setting for an error, or the section's header when it is absent. */
static int setting_line(mfbo_settings *settings, const char *key) {
  const mfbo_setting *it = mfbo_settings_take(settings, key);
  return it ? it->line : settings->line;
}

static int read_fidelities(hb_state *st, mfbo_settings *settings, mfbo_error *err) {
  int quick = mfbo_searcher_preset_is_quick(settings, err);
  if (quick < 0) return -1;
  st->max_fidelity = quick ? 27 : 81;
  st->min_fidelity = 1;
  st->eta = 3;
  if (mfbo_settings_get_long(settings, "max_fidelity", 1, HB_MAX_FIDELITY, &st->max_fidelity,
                             err) ||
      mfbo_settings_get_long(settings, "min_fidelity", 1, HB_MAX_FIDELITY, &st->min_fidelity,
                             err) ||
      mfbo_settings_get_long(settings, "eta", 2, HB_MAX_FIDELITY, &st->eta, err))
    return -1;
  if (st->min_fidelity > st->max_fidelity) {
    mfbo_error_set(err, setting_line(settings, "min_fidelity"),
                   "min_fidelity = %ld is above max_fidelity = %ld", st->min_fidelity,
                   st->max_fidelity);
    return -1;
  }
  return 0;
}

static int read_settings(hb_state *st, mfbo_settings *settings, mfbo_error *err) {
  if (read_fidelities(st, settings, err) != 0) return -1;
  int top = largest_bracket(st->max_fidelity, st->min_fidelity, st->eta);
  st->s_max = top;
  if (mfbo_settings_get_int(settings, "s_max", 0, top, &st->s_max, err) != 0) return -1;
  if (st->single_bracket) {
    st->n_configs = (long)int_pow(st->eta, st->s_max);
    return mfbo_settings_get_long(settings, "n_configs", 1, HB_MAX_CONFIGS, &st->n_configs, err);
  }
  st->max_iterations = 0;
  return mfbo_settings_get_long(settings, "max_iterations", 0, 1000000000L, &st->max_iterations,
                                err);
}

static int hb_init_common(hb_state *st, const mfbo_space *space, mfbo_settings *settings,
                          gsl_rng *rng, int single_bracket, mfbo_error *err) {
  st->space = space;
  st->rng = rng;
  st->single_bracket = single_bracket;
  if (read_settings(st, settings, err) != 0) return -1;
  st->cfg = malloc((size_t)(space->n_params ? space->n_params : 1) * sizeof *st->cfg);
  if (!st->cfg) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static int hyperband_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                          gsl_rng *rng, mfbo_error *err) {
  return hb_init_common(vstate, space, settings, rng, 0, err);
}

static int sh_init(void *vstate, const mfbo_space *space, mfbo_settings *settings, gsl_rng *rng,
                   mfbo_error *err) {
  return hb_init_common(vstate, space, settings, rng, 1, err);
}

/* ------------------------------------------------------------ fresh configurations */

static int reserve_entries(hb_state *st, long n) {
  if (n <= st->cap_entries) return 0;
  rung_entry *e = realloc(st->entries, (size_t)n * sizeof *e);
  if (!e) return -1;
  st->entries = e;
  st->cap_entries = n;
  return 0;
}

/* Draws m unvisited configurations by rejection: cheap while at least half are unvisited. */
static int draw_by_rejection(hb_state *st, long m) {
  for (long got = 0; got < m;) {
    mfbo_space_random(st->space, st->rng, st->cfg);
    uint64_t code = mfbo_space_code(st->space, st->cfg);
    int added = mfbo_codeset_add(&st->visited, code);
    if (added < 0) return -1;
    if (added) st->entries[got++] = (rung_entry){code, INFINITY};
  }
  return 0;
}

/* Draws m unvisited configurations by listing every unvisited one and shuffling the list:
 * for enumerable spaces that are mostly visited. */
static int draw_from_list(hb_state *st, long m, uint64_t unseen) {
  uint64_t *list = malloc((size_t)unseen * sizeof *list);
  if (!list) return -1;
  uint64_t size = mfbo_space_size(st->space), n = 0;
  for (uint64_t k = 0; k < size && n < unseen; k++) {
    uint64_t code = st->space->members ? st->space->members[k] : k;
    if (!mfbo_codeset_has(&st->visited, code)) list[n++] = code;
  }
  gsl_ran_shuffle(st->rng, list, (size_t)n, sizeof *list);
  int rc = 0;
  for (long i = 0; i < m && rc == 0; i++) {
    st->entries[i] = (rung_entry){list[i], INFINITY};
    rc = mfbo_codeset_add(&st->visited, list[i]) < 0 ? -1 : 0;
  }
  free(list);
  return rc;
}

/* Makes the current rung n fresh configurations, or as many as are left; returns how many
 * (0: the space is exhausted) or -1 when out of memory. */
static long draw_fresh(hb_state *st, long n) {
  uint64_t size = mfbo_space_size(st->space);
  uint64_t unseen = size - st->visited.n;
  long m = (uint64_t)n < unseen ? n : (long)unseen;
  if (m == 0) return 0;
  if (reserve_entries(st, m) != 0) return -1;
  int sparse = size > MFBO_SPACE_ENUMERABLE || unseen >= size / 2;
  if ((sparse ? draw_by_rejection(st, m) : draw_from_list(st, m, unseen)) != 0) return -1;
  st->n_entries = m;
  return m;
}

/* ------------------------------------------------------------ brackets and rungs */

/* Failures (and NaN) last, then by measurement, then by code: a total order. */
static int by_measurement(const void *a, const void *b) {
  const rung_entry *x = a, *y = b;
  double mx = isnan(x->measured_ms) ? INFINITY : x->measured_ms;
  double my = isnan(y->measured_ms) ? INFINITY : y->measured_ms;
  if (mx != my) return mx < my ? -1 : 1;
  return (x->code > y->code) - (x->code < y->code);
}

/* Keeps the floor(n_i / eta) best of the rung (at least one, so that a bracket drawn short
 * at the end of a space still reaches max_fidelity) for the next rung. */
static void promote(hb_state *st) {
  qsort(st->entries, (size_t)st->n_entries, sizeof *st->entries, by_measurement);
  long keep = st->n_entries / st->eta;
  st->n_entries = keep > 0 ? keep : 1;
  for (long i = 0; i < st->n_entries; i++) st->entries[i].measured_ms = INFINITY;
  st->rung++;
}

/* Starts bracket s with fresh configurations; when none are left the search is over. */
static int start_bracket(hb_state *st, int s) {
  long got = draw_fresh(st, bracket_configs(st, s));
  if (got < 0) return -1;
  if (got == 0) st->done = 1;
  st->bracket = s;
  st->rung = 0;
  return 0;
}

/* Moves to the next rung, bracket or iteration after a rung was measured. */
static int advance(hb_state *st) {
  if (st->rung < st->bracket) {
    promote(st);
    return 0;
  }
  if (st->bracket > 0 && !st->single_bracket) return start_bracket(st, st->bracket - 1);
  st->iteration++;
  if (st->single_bracket || (st->max_iterations > 0 && st->iteration >= st->max_iterations)) {
    st->done = 1;
    return 0;
  }
  return start_bracket(st, st->s_max);
}

static int push_rung(hb_state *st, mfbo_batch *batch) {
  int fidelity = rung_fidelity(st, st->bracket, st->rung);
  for (long i = 0; i < st->n_entries; i++) {
    mfbo_space_decode(st->space, st->entries[i].code, st->cfg);
    if (mfbo_batch_push(batch, st->cfg, fidelity) != 0) return -1;
  }
  return 0;
}

static int hb_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  hb_state *st = vstate;
  if (st->done) return 0;
  int rc = st->started ? advance(st) : start_bracket(st, st->s_max);
  st->started = 1;
  if (rc == 0 && !st->done) rc = push_rung(st, batch);
  if (rc != 0) mfbo_error_set(err, 0, "out of memory");
  return rc;
}

/* ------------------------------------------------------------ results and incumbent */

static void consider_incumbent(hb_state *st, uint64_t code, int fidelity, double ms) {
  if (!isfinite(ms)) return;
  int better = !st->has_incumbent || fidelity > st->incumbent_fidelity ||
               (fidelity == st->incumbent_fidelity &&
                (ms < st->incumbent_ms || (ms == st->incumbent_ms && code < st->incumbent_code)));
  if (!better) return;
  st->has_incumbent = 1;
  st->incumbent_code = code;
  st->incumbent_fidelity = fidelity;
  st->incumbent_ms = ms;
}

static void hb_tell(void *vstate, const mfbo_batch *batch, int i) {
  hb_state *st = vstate;
  if (i < 0 || i >= st->n_entries) return;
  st->entries[i].measured_ms = batch->measured_ms[i];
  consider_incumbent(st, st->entries[i].code, batch->fidelity[i], batch->measured_ms[i]);
}

static int hb_incumbent(const void *vstate, int *cfg) {
  const hb_state *st = vstate;
  if (!st->has_incumbent) return 0;
  mfbo_space_decode(st->space, st->incumbent_code, cfg);
  return 1;
}

/* The evaluations of the whole search without a budget, counted from the bracket arithmetic
 * as hb_ask would make them (each bracket draws what is left of the space, short at its
 * end; each rung keeps floor(n / eta), at least one); -1 once more than limit. Hyperband
 * without max_iterations runs until the space is exhausted: about 1.5 x its size. */
static long hb_max_evals(const void *vstate, long limit) {
  const hb_state *st = vstate;
  uint64_t left = mfbo_space_size(st->space), evals = 0;
  for (long iteration = 0;; iteration++) {
    if (!st->single_bracket && st->max_iterations > 0 && iteration >= st->max_iterations)
      return (long)evals;
    for (int s = st->s_max; s >= 0; s--) {
      uint64_t n = (uint64_t)bracket_configs(st, s);
      if (n > left) n = left;
      if (n == 0) return (long)evals;
      left -= n;
      for (int i = 0; i <= s; i++) {
        evals += n;
        n = n / (uint64_t)st->eta > 0 ? n / (uint64_t)st->eta : 1;
      }
      if (evals > (uint64_t)limit) return -1;
      if (st->single_bracket) return (long)evals;
    }
  }
}

static void hb_free(void *vstate) {
  hb_state *st = vstate;
  free(st->entries);
  mfbo_codeset_free(&st->visited);
  free(st->cfg);
}

const mfbo_searcher_type mfbo_searcher_hyperband = {
    .name = "hyperband",
    .summary = "Hyperband (Li et al.): successive-halving brackets s_max..0 over repetitions, "
               "repeated until the budget ends the run",
    .state_size = sizeof(hb_state),
    .init = hyperband_init,
    .ask = hb_ask,
    .tell = hb_tell,
    .incumbent = hb_incumbent,
    .free = hb_free,
    .max_evals = hb_max_evals,
};

const mfbo_searcher_type mfbo_searcher_sh = {
    .name = "sh",
    .summary = "successive halving (Li et al.'s bracket s_max): n_configs random "
               "configurations, the best 1/eta re-timed at eta times the repetitions",
    .state_size = sizeof(hb_state),
    .init = sh_init,
    .ask = hb_ask,
    .tell = hb_tell,
    .incumbent = hb_incumbent,
    .free = hb_free,
    .max_evals = hb_max_evals,
};
