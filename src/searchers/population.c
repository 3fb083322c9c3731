/* population.c: the members, visited set, re-timing rules and incumbent that Helion's
 * population-based searchers share (see population.h). Helion times with do_bench in
 * milliseconds of timing (about 50 ms a first timing, 200 ms a re-time, 5000 ms the final
 * re-time); here a fidelity is a number of repetitions of the benchmark's noise model
 * (1, 10 and 50 by default), so a re-time is a request like any other, at a higher
 * fidelity, and the run loop charges its cost. It must not call the benchmark. */
#include "population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


int mfbo_pop_read_settings(mfbo_settings *settings, mfbo_pop_settings *io, mfbo_error *err) {
  if (mfbo_settings_get_double(settings, "rebench_threshold", 0, 1e9, &io->rebench_threshold,
                               err) ||
      mfbo_settings_get_int(settings, "final_retime", 0, 1000000, &io->final_retime, err) ||
      mfbo_settings_get_int(settings, "fidelity", 1, 1000000, &io->fidelity, err) ||
      mfbo_settings_get_int(settings, "rebench_fidelity", 1, 1000000, &io->rebench_fidelity,
                            err) ||
      mfbo_settings_get_int(settings, "final_fidelity", 1, 1000000, &io->final_fidelity, err))
    return -1;
  return 0;
}

int mfbo_pop_init(mfbo_population *p, const mfbo_space *space, const mfbo_pop_settings *s) {
  memset(p, 0, sizeof *p);
  p->space = space;
  p->n_params = space->n_params;
  p->settings = *s;
  p->best_ms_so_far = INFINITY;
  p->incumbent = -1;
  p->final_winner = -1;
  mfbo_codeset_init(&p->visited);
  return 0;
}

void mfbo_pop_free(mfbo_population *p) {
  free(p->members);
  free(p->cfgs);
  mfbo_codeset_free(&p->visited);
  free(p->pending);
  memset(p, 0, sizeof *p);
}

int mfbo_pop_visited(const mfbo_population *p, const int *cfg) {
  return mfbo_codeset_has(&p->visited, mfbo_space_code(p->space, cfg));
}

/* ---------------------------------------------------------------- members */

static int grow_members(mfbo_population *p) {
  if (p->n_members < p->cap_members) return 0;
  int cap = p->cap_members ? 2 * p->cap_members : 128;
  mfbo_member *m = realloc(p->members, (size_t)cap * sizeof *m);
  if (m) p->members = m;
  int *c = realloc(p->cfgs, (size_t)cap * (size_t)p->n_params * sizeof *c);
  if (c) p->cfgs = c;
  if (!m || !c) return -1;
  p->cap_members = cap;
  return 0;
}

int mfbo_pop_add(mfbo_population *p, const int *cfg) {
  uint64_t code = mfbo_space_code(p->space, cfg);
  if (grow_members(p) != 0 || mfbo_codeset_add(&p->visited, code) < 0) return -1;
  int m = p->n_members++;
  memcpy(p->cfgs + (size_t)m * p->n_params, cfg, (size_t)p->n_params * sizeof *cfg);
  p->members[m] = (mfbo_member){.code = code, .latest_ms = NAN, .low_water_ms = INFINITY};
  return m;
}

int mfbo_pop_add_initial(mfbo_population *p, gsl_rng *rng, int n, int *out) {
  if (n <= 0) return 0;
  int *cfg = malloc((size_t)p->n_params * sizeof *cfg);
  uint64_t *picks = malloc((size_t)n * sizeof *picks);
  int count = 0, rc = cfg && picks ? 0 : -1;
  if (rc == 0) {
    mfbo_space_default(p->space, cfg);
    int has_default = mfbo_space_contains(p->space, cfg);
    uint64_t default_code = mfbo_space_code(p->space, cfg);
    if (has_default) rc = (out[count++] = mfbo_pop_add(p, cfg)) < 0 ? -1 : 0;
    size_t k = mfbo_space_sample_distinct(p->space, rng, (size_t)n, picks);
    for (size_t i = 0; i < k && rc == 0 && count < n; i++) {
      mfbo_space_point(p->space, picks[i], cfg);
      if (has_default && mfbo_space_code(p->space, cfg) == default_code) continue;
      rc = (out[count++] = mfbo_pop_add(p, cfg)) < 0 ? -1 : 0;
    }
  }
  free(cfg);
  free(picks);
  return rc == 0 ? count : -1;
}

int mfbo_pop_request(mfbo_population *p, mfbo_batch *batch, int m, int fidelity) {
  if (batch->n >= p->cap_pending) {
    int cap = p->cap_pending ? 2 * p->cap_pending : 64;
    while (cap <= batch->n) cap *= 2;
    int *pend = realloc(p->pending, (size_t)cap * sizeof *pend);
    if (!pend) return -1;
    p->pending = pend;
    p->cap_pending = cap;
  }
  p->pending[batch->n] = m;
  return mfbo_batch_push(batch, mfbo_pop_cfg(p, m), fidelity);
}

double mfbo_pop_perf_ms(const mfbo_population *p, int m) {
  double t = p->members[m].latest_ms;
  return isnan(t) ? INFINITY : t;
}

/* ---------------------------------------------------------------- incumbent */

/* The tier rule of mfbo_pop_incumbent, by a scan of every member. */
static int scan_incumbent(const mfbo_population *p) {
  int best = -1;
  for (int m = 0; m < p->n_members; m++) {
    const mfbo_member *x = &p->members[m];
    if (!isfinite(x->latest_ms)) continue;
    if (best < 0 || x->latest_fidelity > p->members[best].latest_fidelity ||
        (x->latest_fidelity == p->members[best].latest_fidelity &&
         x->latest_ms < p->members[best].latest_ms))
      best = m;
  }
  return best;
}

/* Keeps the incumbent up to date after member m was measured: cheap unless the
 * incumbent itself was re-timed, which needs a scan. */
static void update_incumbent(mfbo_population *p, int m) {
  const mfbo_member *x = &p->members[m];
  if (m == p->incumbent) {
    p->incumbent = scan_incumbent(p);
    return;
  }
  if (!isfinite(x->latest_ms)) return;
  const mfbo_member *inc = p->incumbent >= 0 ? &p->members[p->incumbent] : NULL;
  if (!inc || x->latest_fidelity > inc->latest_fidelity ||
      (x->latest_fidelity == inc->latest_fidelity && x->latest_ms < inc->latest_ms))
    p->incumbent = m;
}

static void update_final_winner(mfbo_population *p, int m) {
  const mfbo_member *x = &p->members[m];
  if (!x->finalist || !isfinite(x->latest_ms)) return;
  if (p->final_winner < 0 || x->latest_ms < p->members[p->final_winner].latest_ms)
    p->final_winner = m;
}

void mfbo_pop_tell(mfbo_population *p, const mfbo_batch *batch, int i) {
  int m = p->pending[i];
  mfbo_member *x = &p->members[m];
  double t = batch->measured_ms[i];
  x->latest_ms = t;
  x->latest_fidelity = batch->fidelity[i];
  x->n_measured++;
  if (isfinite(t) && t < x->low_water_ms) x->low_water_ms = t;
  if (t < p->best_ms_so_far) p->best_ms_so_far = t;
  update_incumbent(p, m);
  if (p->final_requested) update_final_winner(p, m);
}

int mfbo_pop_incumbent(const mfbo_population *p) {
  return p->final_winner >= 0 ? p->final_winner : p->incumbent;
}

int mfbo_pop_incumbent_cfg(const mfbo_population *p, int *cfg) {
  int m = mfbo_pop_incumbent(p);
  if (m < 0) return 0;
  memcpy(cfg, mfbo_pop_cfg(p, m), (size_t)p->n_params * sizeof *cfg);
  return 1;
}

/* ---------------------------------------------------------------- ranking */

int mfbo_pop_fastest(const mfbo_population *p, const int *ms, int n) {
  int best = n > 0 ? ms[0] : -1;
  for (int i = 1; i < n; i++)
    if (mfbo_pop_perf_ms(p, ms[i]) < mfbo_pop_perf_ms(p, best)) best = ms[i];
  return best;
}

/* A member under a sort key; ties are broken by position so that qsort is stable. */
typedef struct {
  double key;
  uint64_t code;
  int member;
  int pos;
} ranked;

static int by_key(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

static int by_code_then_key(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->code != y->code) return x->code < y->code ? -1 : 1;
  return by_key(a, b);
}

void mfbo_pop_sort(const mfbo_population *p, int *ms, int n) {
  ranked *r = malloc((size_t)(n > 0 ? n : 1) * sizeof *r);
  if (!r) { /* out of memory: a stable insertion sort in place */
    for (int i = 1; i < n; i++)
      for (int j = i; j > 0 && mfbo_pop_perf_ms(p, ms[j]) < mfbo_pop_perf_ms(p, ms[j - 1]); j--) {
        int t = ms[j];
        ms[j] = ms[j - 1];
        ms[j - 1] = t;
      }
    return;
  }
  for (int i = 0; i < n; i++) r[i] = (ranked){mfbo_pop_perf_ms(p, ms[i]), 0, ms[i], i};
  qsort(r, (size_t)n, sizeof *r, by_key);
  for (int i = 0; i < n; i++) ms[i] = r[i].member;
  free(r);
}

/* ---------------------------------------------------------------- re-timing */

int mfbo_pop_should_retime(const mfbo_population *p, int m) {
  double t = mfbo_pop_perf_ms(p, m);
  return isfinite(t) && t < p->settings.rebench_threshold * p->best_ms_so_far;
}

int mfbo_pop_request_retimes(mfbo_population *p, mfbo_batch *batch, const int *ms, int n) {
  ranked *r = malloc((size_t)(n > 0 ? n : 1) * sizeof *r);
  if (!r) return -1;
  int k = 0;
  for (int i = 0; i < n; i++)
    if (mfbo_pop_should_retime(p, ms[i]))
      r[k++] = (ranked){mfbo_pop_perf_ms(p, ms[i]), 0, ms[i], ms[i]};
  /* fastest first (the incumbent is re-timed before the rest), each member once */
  qsort(r, (size_t)k, sizeof *r, by_key);
  int unique = 0;
  for (int i = 0; i < k; i++)
    if (unique == 0 || r[unique - 1].member != r[i].member) r[unique++] = r[i];
  int rc = 0;
  if (unique >= 2)
    for (int i = 0; i < unique && rc == 0; i++)
      rc = mfbo_pop_request(p, batch, r[i].member, p->settings.rebench_fidelity);
  free(r);
  return rc == 0 ? (unique >= 2 ? unique : 0) : -1;
}

/* The finalists: one member per distinct configuration (its fastest by low water), the
 * top final_retime configurations by low water. Writes them to r; returns how many. */
static int pick_finalists(const mfbo_population *p, ranked *r) {
  int n = 0;
  for (int m = 0; m < p->n_members; m++)
    if (isfinite(p->members[m].low_water_ms))
      r[n++] = (ranked){p->members[m].low_water_ms, p->members[m].code, m, m};
  qsort(r, (size_t)n, sizeof *r, by_code_then_key);
  int distinct = 0;
  for (int i = 0; i < n; i++)
    if (distinct == 0 || r[distinct - 1].code != r[i].code) r[distinct++] = r[i];
  qsort(r, (size_t)distinct, sizeof *r, by_key);
  return distinct < p->settings.final_retime ? distinct : p->settings.final_retime;
}

int mfbo_pop_request_final(mfbo_population *p, mfbo_batch *batch) {
  if (p->settings.final_retime < 2 || p->n_members == 0) return 0;
  ranked *r = malloc((size_t)p->n_members * sizeof *r);
  if (!r) return -1;
  int n = pick_finalists(p, r);
  int rc = 0;
  if (n >= 2) {
    p->final_requested = 1;
    for (int i = 0; i < n && rc == 0; i++) {
      p->members[r[i].member].finalist = 1;
      rc = mfbo_pop_request(p, batch, r[i].member, p->settings.final_fidelity);
    }
  }
  free(r);
  return rc == 0 ? (n >= 2 ? n : 0) : -1;
}

void mfbo_pop_searcher_tell(void *state, const mfbo_batch *batch, int i) {
  mfbo_pop_tell((mfbo_population *)state, batch, i);
}

int mfbo_pop_searcher_incumbent(const void *state, int *cfg) {
  return mfbo_pop_incumbent_cfg((const mfbo_population *)state, cfg);
}
