/* mfbo.c: multi-fidelity Bayesian optimisation (`type = mfbo`), after the seed's MFBO
 * (Helion PR #1019): four stages, low / medium / high / ultra, each with a number of
 * picks (n_*_fidelity) and a fidelity in repetitions (fidelity_*).
 *
 * - One Gaussian process (src/model/gp.c) over every finite measurement of the run, on
 *   log(ms), with noise sigma_n^2 / repetitions: low-fidelity points inform, high-fidelity
 *   points count more. (The seed fitted one GP per stage and combined them; one model with
 *   fidelity-dependent noise does the same job without throwing data away.)
 * - Low stage: the first n_initial picks open the search (the default configuration, then
 *   a greedy maximin spread over a random pool, or random members with initial_design =
 *   random), the rest are chosen by the acquisition, one per ask.
 * - With the whole space as candidates, its posterior is kept up to date incrementally
 *   between refits (mfbo_gp_cands).
 * - Medium and high stages: each pick maximises the acquisition (ei | lcb | pi | cost_ei)
 *   over the candidates not yet measured at the stage's fidelity, so a configuration seen
 *   at a lower fidelity may be re-timed (cheap: it is compiled already) or a new one
 *   compiled. Candidates: the whole space when it has at most full_space_max members,
 *   else pool_size random members plus the neighbours of the best few. From stage
 *   local_from on (full preset: the high stage) only the neighbours of the best few
 *   (neighbour_depth 2: and their neighbours) and re-times: a local finish around the
 *   incumbent.
 * - Ultra stage: the n_ultra configurations with the lowest posterior mean among all those
 *   measured, re-timed at fidelity_ultra (the seed re-timed the top of the high stage; with
 *   one model over every fidelity, the posterior mean already weighs the high-fidelity
 *   measurements most, and a fast configuration found early is not lost).
 * - The incumbent is the fastest configuration measured at the highest fidelity so far.
 * - Failed configurations (+inf) are kept out of the GP (a finite stand-in would bend the
 *   surface near valid fast configurations); they are remembered and never proposed again.
 *
 * The model is refitted (hyperparameters by maximum likelihood) after every refit_every
 * new measurements; in between, new points update its Cholesky factor incrementally.
 * All randomness comes from the run's searcher stream. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../model/acquisition.h"
#include "../model/gp.h"
#include "mfbo/codeset.h"
#include "mfbo/searcher.h"

enum { STAGE_LOW, STAGE_MEDIUM, STAGE_HIGH, STAGE_ULTRA, N_STAGES };

typedef struct {
  int n_picks[N_STAGES];
  int fidelity[N_STAGES];
  int n_initial;         /* picks opening the low stage, before the model chooses */
  int maximin;           /* 1: opening by greedy maximin distance; 0: random */
  int acquisition;       /* mfbo_acq_kind */
  double xi, beta;
  int refit_every;       /* new measurements between hyperparameter fits */
  long full_space_max;   /* whole space as candidates up to this size */
  int pool_size;         /* random candidates otherwise */
  int n_neighbour_seeds; /* best configurations whose neighbours join the pool */
  int neighbour_depth;   /* 1: their neighbours; 2: also the neighbours' neighbours */
  double compile_s;      /* cost_ei's guess of a compile, seconds */
  int local_from;        /* stage from which candidates are only the neighbours of the
                            best configurations and re-times (N_STAGES = never) */
  double ultra_within;   /* ultra re-times only predicted within this factor of the best
                            (0 = no limit, as the seed) */
  mfbo_gp_fit_settings fit;
} mfbo_settings_t;

/* One configuration the search has asked for. */
typedef struct {
  uint64_t code;
  int best_fidelity;   /* highest fidelity with a finite measurement; 0 if none */
  double ms_at_best;   /* latest measurement at that fidelity */
  int failed;
  int requested_max;   /* highest fidelity requested so far */
} mfbo_record;

typedef struct {
  const mfbo_space *space;
  gsl_rng *rng;
  mfbo_settings_t set;
  int n_params, dim;
  double *enc_lo, *enc_scale; /* x_scaled = (x - lo) * scale */
  mfbo_gp *gp;
  /* records and a code -> record map (open addressing, keys + 1, 0 = free) */
  mfbo_record *rec;
  int *rec_cfg;
  int n_rec, cap_rec;
  uint64_t *map_keys;
  int *map_vals;
  size_t map_cap;
  /* the whole space, when small enough: codes, scaled encodings, posterior */
  long n_all;
  uint64_t *all_codes;
  double *all_x, *all_mean, *all_var;
  mfbo_gp_cands *all_cands;
  /* the search */
  int stage, picks_in_stage, n_told_since_fit, fitted;
  int *pending;        /* record of each request of the last batch */
  int cap_pending;
  /* scratch */
  double *cand_x, *cand_mean, *cand_var;
  int *cand_rec;       /* record index or -1 (not asked yet) */
  uint64_t *cand_code;
  long cap_cand;
} mfbo_state;

/* ---- settings ---------------------------------------------------------------------- */

static const char *const preset_names[] = {"full", "quick", "seed_pr", NULL};
static const char *const acq_names[] = {"ei", "lcb", "pi", "cost_ei", NULL};
static const char *const design_names[] = {"random", "maximin", NULL};
static const char *const stage_keys[N_STAGES] = {"low", "medium", "high", "ultra"};

static void preset_defaults(int preset, mfbo_settings_t *s) {
  static const int picks[3][N_STAGES] = {{40, 6, 3, 3}, {20, 3, 2, 2}, {200, 30, 10, 3}};
  static const int fids[3][N_STAGES] = {{3, 15, 50, 50}, {5, 15, 50, 100}, {5, 15, 50, 500}};
  memcpy(s->n_picks, picks[preset], sizeof s->n_picks);
  memcpy(s->fidelity, fids[preset], sizeof s->fidelity);
  s->n_initial = preset == 2 ? 200 : preset == 1 ? 6 : 10;
  s->acquisition = preset == 2 ? MFBO_ACQ_EI : MFBO_ACQ_LCB;
  s->xi = preset == 2 ? 0.01 : 0.0;
  s->beta = 2.0;
  s->maximin = preset != 2;
  s->refit_every = preset == 2 ? 5 : 1;
  s->full_space_max = 20000;
  s->pool_size = preset == 2 ? 1000 : 2000;
  s->n_neighbour_seeds = 5;
  s->neighbour_depth = 1;
  s->compile_s = 0.5;
  s->ultra_within = preset == 2 ? 0 : 1.25;
  s->local_from = preset == 0 ? STAGE_HIGH : N_STAGES;
  s->fit = mfbo_gp_fit_defaults();
}

static int read_settings(mfbo_settings *settings, mfbo_settings_t *s, mfbo_error *err) {
  int preset = 0;
  if (mfbo_settings_get_choice(settings, "preset", preset_names, &preset, err)) return -1;
  preset_defaults(preset, s);
  for (int k = 0; k < N_STAGES; k++) {
    char key[64];
    snprintf(key, sizeof key, "n_%s_fidelity", stage_keys[k]);
    if (mfbo_settings_get_int(settings, key, 0, 1000000, &s->n_picks[k], err)) return -1;
    snprintf(key, sizeof key, "fidelity_%s", stage_keys[k]);
    if (mfbo_settings_get_int(settings, key, 1, 1000000, &s->fidelity[k], err)) return -1;
  }
  if (mfbo_settings_get_int(settings, "n_initial", 0, 1000000, &s->n_initial, err) ||
      mfbo_settings_get_choice(settings, "acquisition", acq_names, &s->acquisition, err) ||
      mfbo_settings_get_choice(settings, "initial_design", design_names, &s->maximin, err) ||
      mfbo_settings_get_double(settings, "xi", 0, 100, &s->xi, err) ||
      mfbo_settings_get_double(settings, "beta", 0, 100, &s->beta, err) ||
      mfbo_settings_get_int(settings, "refit_every", 1, 1000000, &s->refit_every, err) ||
      mfbo_settings_get_long(settings, "full_space_max", 0, 100000000, &s->full_space_max,
                             err) ||
      mfbo_settings_get_int(settings, "pool_size", 1, 10000000, &s->pool_size, err) ||
      mfbo_settings_get_int(settings, "neighbour_seeds", 0, 1000, &s->n_neighbour_seeds,
                            err) ||
      mfbo_settings_get_int(settings, "neighbour_depth", 1, 2, &s->neighbour_depth, err) ||
      mfbo_settings_get_double(settings, "compile_s", 0, 1e6, &s->compile_s, err) ||
      mfbo_settings_get_double(settings, "ultra_within", 0, 1e6, &s->ultra_within, err) ||
      mfbo_settings_get_int(settings, "local_from", 0, N_STAGES, &s->local_from, err) ||
      mfbo_settings_get_int(settings, "gp_restarts", 1, 5, &s->fit.n_restarts, err) ||
      mfbo_settings_get_int(settings, "gp_max_iter", 1, 10000, &s->fit.max_iter, err) ||
      mfbo_settings_get_double(settings, "gp_nugget", 0, 1, &s->fit.nugget, err))
    return -1;
  return 0;
}

/* ---- records ----------------------------------------------------------------------- */

static int map_find(const mfbo_state *st, uint64_t code) {
  if (!st->map_cap) return -1;
  size_t mask = st->map_cap - 1, h = (size_t)((code + 1) * 0x9E3779B97F4A7C15ULL) & mask;
  while (st->map_keys[h]) {
    if (st->map_keys[h] == code + 1) return st->map_vals[h];
    h = (h + 1) & mask;
  }
  return -1;
}

static void map_put(mfbo_state *st, uint64_t code, int val) {
  size_t mask = st->map_cap - 1, h = (size_t)((code + 1) * 0x9E3779B97F4A7C15ULL) & mask;
  while (st->map_keys[h]) h = (h + 1) & mask;
  st->map_keys[h] = code + 1;
  st->map_vals[h] = val;
}

static int map_grow(mfbo_state *st) {
  if (2 * (size_t)(st->n_rec + 1) < st->map_cap) return 0;
  size_t cap = st->map_cap ? 2 * st->map_cap : 256;
  uint64_t *keys = calloc(cap, sizeof *keys);
  int *vals = malloc(cap * sizeof *vals);
  if (!keys || !vals) {
    free(keys);
    free(vals);
    return -1;
  }
  free(st->map_keys);
  free(st->map_vals);
  st->map_keys = keys;
  st->map_vals = vals;
  st->map_cap = cap;
  for (int r = 0; r < st->n_rec; r++) map_put(st, st->rec[r].code, r);
  return 0;
}

/* The record of cfg, created if new; -1 when out of memory. */
static int record_of(mfbo_state *st, const int *cfg) {
  uint64_t code = mfbo_space_code(st->space, cfg);
  int r = map_find(st, code);
  if (r >= 0) return r;
  if (map_grow(st) != 0) return -1;
  if (st->n_rec == st->cap_rec) {
    int cap = st->cap_rec ? 2 * st->cap_rec : 128;
    mfbo_record *rec = realloc(st->rec, (size_t)cap * sizeof *rec);
    if (rec) st->rec = rec;
    int *c = realloc(st->rec_cfg, (size_t)cap * st->n_params * sizeof *c);
    if (c) st->rec_cfg = c;
    if (!rec || !c) return -1;
    st->cap_rec = cap;
  }
  r = st->n_rec++;
  st->rec[r] = (mfbo_record){.code = code};
  memcpy(st->rec_cfg + (size_t)r * st->n_params, cfg, (size_t)st->n_params * sizeof *cfg);
  map_put(st, code, r);
  return r;
}

static const int *rec_cfg(const mfbo_state *st, int r) {
  return st->rec_cfg + (size_t)r * st->n_params;
}

/* The model's encoding (its own, not mfbo_space_encode's): powers of two as log2, integers
 * and booleans raw, enums of numbers as one ordinal coordinate (log2 of the value when all
 * values are positive and span a factor >= 4, else the value), enums of strings one-hot;
 * then every coordinate scaled to [0, 1] over the parameter's range. Numeric enums such as
 * block_size_x = 16, 32, ... 256 or num_stages = 2..5 are ordered: one-hot would hide that. */
static int enum_is_numeric(const mfbo_param *p) { return p->kind == MFBO_PARAM_ENUM && !p->labels; }

static int enum_is_log(const mfbo_param *p) {
  double lo = p->values[0], hi = p->values[0];
  for (int v = 1; v < p->n_values; v++) lo = fmin(lo, p->values[v]), hi = fmax(hi, p->values[v]);
  return lo > 0 && hi >= 4 * lo;
}

static int model_dim(const mfbo_space *space) {
  int d = 0;
  for (int j = 0; j < space->n_params; j++) {
    const mfbo_param *p = &space->params[j];
    d += p->kind == MFBO_PARAM_ENUM && !enum_is_numeric(p) ? p->n_values : 1;
  }
  return d;
}

static void encode_raw(const mfbo_space *space, const int *cfg, double *x) {
  int d = 0;
  for (int j = 0; j < space->n_params; j++) {
    const mfbo_param *p = &space->params[j];
    double v = p->values[cfg[j]];
    if (p->kind == MFBO_PARAM_POW2) x[d++] = log2(v);
    else if (p->kind != MFBO_PARAM_ENUM) x[d++] = v;
    else if (enum_is_numeric(p)) x[d++] = enum_is_log(p) ? log2(v) : v;
    else
      for (int c = 0; c < p->n_values; c++) x[d++] = c == cfg[j] ? 1.0 : 0.0;
  }
}

static void encode_scaled(const mfbo_state *st, const int *cfg, double *x) {
  encode_raw(st->space, cfg, x);
  for (int k = 0; k < st->dim; k++) x[k] = (x[k] - st->enc_lo[k]) * st->enc_scale[k];
}

/* ---- init / free ------------------------------------------------------------------- */

/* Range of each coordinate over every value of every parameter. */
static int init_encoding(mfbo_state *st) {
  int d = st->dim;
  st->enc_lo = malloc((size_t)d * sizeof *st->enc_lo);
  st->enc_scale = malloc((size_t)d * sizeof *st->enc_scale);
  double *hi = malloc((size_t)d * sizeof *hi), *x = malloc((size_t)d * sizeof *x);
  int *cfg = calloc((size_t)st->n_params, sizeof *cfg);
  int rc = st->enc_lo && st->enc_scale && hi && x && cfg ? 0 : -1;
  if (rc == 0) {
    encode_raw(st->space, cfg, st->enc_lo);
    memcpy(hi, st->enc_lo, (size_t)d * sizeof *hi);
    for (int j = 0; j < st->n_params; j++)
      for (int v = 0; v < st->space->params[j].n_values; v++) {
        memset(cfg, 0, (size_t)st->n_params * sizeof *cfg);
        cfg[j] = v;
        encode_raw(st->space, cfg, x);
        for (int k = 0; k < d; k++) st->enc_lo[k] = fmin(st->enc_lo[k], x[k]), hi[k] = fmax(hi[k], x[k]);
      }
    for (int k = 0; k < d; k++)
      st->enc_scale[k] = hi[k] - st->enc_lo[k] > 1e-12 ? 1 / (hi[k] - st->enc_lo[k]) : 1.0;
  }
  free(hi), free(x), free(cfg);
  return rc;
}

static int init_whole_space(mfbo_state *st) {
  uint64_t size = mfbo_space_size(st->space);
  if (size > (uint64_t)st->set.full_space_max) return 0;
  st->n_all = (long)size;
  st->all_codes = malloc((size_t)size * sizeof *st->all_codes);
  st->all_x = malloc((size_t)size * st->dim * sizeof *st->all_x);
  int *cfg = malloc((size_t)st->n_params * sizeof *cfg);
  if (!st->all_codes || !st->all_x || !cfg) {
    free(cfg);
    return -1;
  }
  for (long k = 0; k < st->n_all; k++) {
    mfbo_space_point(st->space, (uint64_t)k, cfg);
    st->all_codes[k] = mfbo_space_code(st->space, cfg);
    encode_scaled(st, cfg, st->all_x + (size_t)k * st->dim);
  }
  free(cfg);
  st->all_mean = malloc((size_t)size * sizeof *st->all_mean);
  st->all_var = malloc((size_t)size * sizeof *st->all_var);
  st->all_cands = mfbo_gp_cands_alloc((int)size, st->dim, st->all_x);
  return st->all_mean && st->all_var && st->all_cands ? 0 : -1;
}

static int mfbo_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                     gsl_rng *rng, mfbo_error *err) {
  mfbo_state *st = vstate;
  if (read_settings(settings, &st->set, err) != 0) return -1;
  st->space = space;
  st->rng = rng;
  st->n_params = space->n_params;
  st->dim = model_dim(space);
  st->gp = mfbo_gp_alloc(st->dim);
  if (!st->gp || init_encoding(st) != 0 || init_whole_space(st) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static void mfbo_free(void *vstate) {
  mfbo_state *st = vstate;
  mfbo_gp_free(st->gp);
  free(st->enc_lo), free(st->enc_scale);
  free(st->rec), free(st->rec_cfg), free(st->map_keys), free(st->map_vals);
  free(st->all_codes), free(st->all_x), free(st->all_mean), free(st->all_var), free(st->pending);
  mfbo_gp_cands_free(st->all_cands);
  free(st->cand_x), free(st->cand_mean), free(st->cand_var), free(st->cand_rec);
  free(st->cand_code);
}

/* ---- candidates -------------------------------------------------------------------- */

/* Room for n candidates, keeping those already there (pool_add grows one at a time). */
static int cand_reserve(mfbo_state *st, long n) {
  if (n <= st->cap_cand) return 0;
  size_t cap = (size_t)(n > 2 * st->cap_cand ? n : 2 * st->cap_cand);
  double *x = realloc(st->cand_x, cap * st->dim * sizeof *x);
  if (x) st->cand_x = x;
  double *mean = realloc(st->cand_mean, cap * sizeof *mean);
  if (mean) st->cand_mean = mean;
  double *var = realloc(st->cand_var, cap * sizeof *var);
  if (var) st->cand_var = var;
  int *rec = realloc(st->cand_rec, cap * sizeof *rec);
  if (rec) st->cand_rec = rec;
  uint64_t *code = realloc(st->cand_code, cap * sizeof *code);
  if (code) st->cand_code = code;
  if (!x || !mean || !var || !rec || !code) return -1;
  st->cap_cand = (long)cap;
  return 0;
}

/* May configuration (record r or new) be requested at this fidelity? */
static int eligible(const mfbo_state *st, int r, int fidelity) {
  return r < 0 || (!st->rec[r].failed && st->rec[r].requested_max < fidelity);
}

/* Appends cfg to the candidates if eligible and not there yet (seen guards the pool). */
static int pool_add(mfbo_state *st, const int *cfg, int fidelity, mfbo_codeset *seen, long *m) {
  if (!mfbo_space_contains(st->space, cfg)) return 0; /* neighbours may break constraints */
  uint64_t code = mfbo_space_code(st->space, cfg);
  int added = mfbo_codeset_add(seen, code);
  if (added <= 0) return added;
  int r = map_find(st, code);
  if (!eligible(st, r, fidelity)) return 0;
  if (cand_reserve(st, *m + 1) != 0) return -1;
  st->cand_rec[*m] = r;
  st->cand_code[*m] = code;
  encode_scaled(st, cfg, st->cand_x + (size_t)*m * st->dim);
  (*m)++;
  return 1;
}

/* Records sorted by posterior mean (lowest first), finite ones only; returns how many. */
static int rank_records(mfbo_state *st, int *order, double *mean, int min_fidelity);

static long pool_candidates(mfbo_state *st, int fidelity, int pool_size) {
  mfbo_codeset seen;
  mfbo_codeset_init(&seen);
  int *cfg = malloc((size_t)st->n_params * sizeof *cfg);
  int max_nb = mfbo_space_max_neighbours(st->space);
  int *nb = malloc((size_t)(max_nb > 0 ? max_nb : 1) * st->n_params * sizeof *nb);
  int *nb2 = malloc((size_t)(max_nb > 0 ? max_nb : 1) * st->n_params * sizeof *nb2);
  int *order = malloc((size_t)(st->n_rec + 1) * sizeof *order);
  double *mean = malloc((size_t)(st->n_rec + 1) * sizeof *mean);
  long m = 0;
  int rc = cfg && nb && nb2 && order && mean ? 0 : -1;
  int n_ranked = rc == 0 ? rank_records(st, order, mean, 1) : 0;
  for (int s = 0; s < n_ranked && s < st->set.n_neighbour_seeds && rc >= 0; s++) {
    const int *best = rec_cfg(st, order[s]);
    rc = pool_add(st, best, fidelity, &seen, &m);
    int n = mfbo_space_neighbours(st->space, best, nb, max_nb);
    for (int i = 0; i < n && rc >= 0; i++)
      rc = pool_add(st, nb + (size_t)i * st->n_params, fidelity, &seen, &m);
    /* two steps away: the neighbours of each neighbour (nb2 is separate scratch) */
    for (int i = 0; i < n && rc >= 0 && st->set.neighbour_depth > 1 && nb2; i++) {
      int n2 = mfbo_space_neighbours(st->space, nb + (size_t)i * st->n_params, nb2, max_nb);
      for (int k = 0; k < n2 && rc >= 0; k++)
        rc = pool_add(st, nb2 + (size_t)k * st->n_params, fidelity, &seen, &m);
    }
  }
  for (int i = 0; i < pool_size && rc >= 0; i++) {
    mfbo_space_random(st->space, st->rng, cfg);
    rc = pool_add(st, cfg, fidelity, &seen, &m);
  }
  for (int r = 0; r < st->n_rec && rc >= 0; r++) /* re-times of what has been measured */
    rc = pool_add(st, rec_cfg(st, r), fidelity, &seen, &m);
  mfbo_codeset_free(&seen);
  free(cfg), free(nb), free(nb2), free(order), free(mean);
  return rc < 0 ? -1 : m;
}

/* The eligible members of the whole space with their posterior, which the candidate set
 * keeps up to date incrementally between refits (src/model/gp.h). */
static long whole_space_candidates(mfbo_state *st, int fidelity) {
  if (cand_reserve(st, st->n_all) != 0 ||
      mfbo_gp_cands_predict(st->gp, st->all_cands, st->all_mean, st->all_var) != 0)
    return -1;
  long m = 0;
  for (long k = 0; k < st->n_all; k++) {
    int r = map_find(st, st->all_codes[k]);
    if (!eligible(st, r, fidelity)) continue;
    st->cand_rec[m] = r;
    st->cand_code[m] = st->all_codes[k];
    st->cand_mean[m] = st->all_mean[k];
    st->cand_var[m] = st->all_var[k];
    m++;
  }
  return m;
}

/* ---- the model --------------------------------------------------------------------- */

static int refit_if_due(mfbo_state *st) {
  if (mfbo_gp_n(st->gp) == 0) return 0;
  if (st->fitted && st->n_told_since_fit < st->set.refit_every) return 0;
  st->n_told_since_fit = 0;
  st->fitted = 1;
  return mfbo_gp_fit(st->gp, &st->set.fit);
}

/* Insertion sort of order[0, n) by key, ties by index: n is at most a few hundred. */
static void sort_by_key(int *order, int n, const double *key) {
  for (int i = 1; i < n; i++) {
    int v = order[i], j = i - 1;
    while (j >= 0 && (key[order[j]] > key[v] || (key[order[j]] == key[v] && order[j] > v))) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = v;
  }
}

static int rank_records(mfbo_state *st, int *order, double *mean, int min_fidelity) {
  int n = 0;
  double *x = malloc((size_t)st->dim * sizeof *x);
  if (!x) return 0;
  for (int r = 0; r < st->n_rec; r++) {
    if (st->rec[r].failed || st->rec[r].best_fidelity < min_fidelity) continue;
    double var;
    encode_scaled(st, rec_cfg(st, r), x);
    if (mfbo_gp_predict(st->gp, 1, x, &mean[r], &var) != 0) mean[r] = log(st->rec[r].ms_at_best);
    order[n++] = r;
  }
  free(x);
  sort_by_key(order, n, mean);
  return n;
}

/* The acquisition's reference: the lowest posterior mean of a measured configuration. */
static double best_mean(mfbo_state *st) {
  int *order = malloc((size_t)(st->n_rec + 1) * sizeof *order);
  double *mean = malloc((size_t)(st->n_rec + 1) * sizeof *mean);
  double best = INFINITY;
  if (order && mean && rank_records(st, order, mean, 1) > 0) best = mean[order[0]];
  free(order), free(mean);
  return best;
}

static double acquisition(const mfbo_state *st, double mean, double var, double best,
                          int r, int fidelity) {
  double sd = sqrt(var);
  switch (st->set.acquisition) {
  case MFBO_ACQ_LCB: return mfbo_acq_lcb(mean, sd, st->set.beta);
  case MFBO_ACQ_PI: return mfbo_acq_pi(mean, sd, best, st->set.xi);
  case MFBO_ACQ_COST_EI: {
    double cost_s = (r < 0 ? st->set.compile_s : 0) + fidelity * exp(mean) / 1000;
    return mfbo_acq_cost_ei(mean, sd, best, st->set.xi, cost_s);
  }
  default: return mfbo_acq_ei(mean, sd, best, st->set.xi);
  }
}

/* ---- ask / tell -------------------------------------------------------------------- */

static int request(mfbo_state *st, mfbo_batch *batch, const int *cfg, int fidelity) {
  int r = record_of(st, cfg);
  if (r < 0) return -1;
  if (batch->n >= st->cap_pending) {
    int cap = st->cap_pending ? 2 * st->cap_pending : 64;
    int *p = realloc(st->pending, (size_t)cap * sizeof *p);
    if (!p) return -1;
    st->pending = p;
    st->cap_pending = cap;
  }
  st->pending[batch->n] = r;
  if (st->rec[r].requested_max < fidelity) st->rec[r].requested_max = fidelity;
  return mfbo_batch_push(batch, cfg, fidelity);
}

/* Squared distance of encoded x to the nearest of the k rows of S. */
static double nearest_d2(const double *x, const double *S, int k, int dim) {
  double best = INFINITY;
  for (int i = 0; i < k; i++) {
    double d2 = 0;
    for (int j = 0; j < dim; j++) d2 += (x[j] - S[(size_t)i * dim + j]) * (x[j] - S[(size_t)i * dim + j]);
    best = fmin(best, d2);
  }
  return best;
}

/* The opening picks: the default configuration first, then (initial_design = maximin)
 * greedily the member of a random pool farthest from those chosen, in the model's
 * encoding, so that the opening covers the levels of every parameter and their pairs
 * (a fast region behind an interaction, e.g. read_only with shared memory, is not left
 * to chance); or (random) distinct random members. */
static int ask_initial(mfbo_state *st, mfbo_batch *batch, int n) {
  int fidelity = st->set.fidelity[STAGE_LOW], dim = st->dim;
  size_t pool = (size_t)(st->set.maximin ? 20 : 1) * (size_t)(n + 1);
  int *cfg = malloc((size_t)st->n_params * sizeof *cfg);
  uint64_t *picks = malloc(pool * sizeof *picks);
  double *chosen = malloc((size_t)(n + 1) * dim * sizeof *chosen);
  double *px = malloc(pool * dim * sizeof *px);
  int rc = cfg && picks && chosen && px ? 0 : -1, k = 0;
  if (rc == 0) {
    mfbo_space_default(st->space, cfg);
    if (mfbo_space_contains(st->space, cfg) && n > 0) {
      rc = request(st, batch, cfg, fidelity);
      encode_scaled(st, cfg, chosen + (size_t)k++ * dim);
    }
    size_t got = mfbo_space_sample_distinct(st->space, st->rng, pool, picks);
    for (size_t i = 0; i < got; i++) {
      mfbo_space_point(st->space, picks[i], cfg);
      encode_scaled(st, cfg, px + i * dim);
      if (map_find(st, mfbo_space_code(st->space, cfg)) >= 0) picks[i] = UINT64_MAX;
    }
    while (batch->n < n && rc == 0) {
      long pick = -1;
      double far = -1;
      for (size_t i = 0; i < got; i++) {
        if (picks[i] == UINT64_MAX) continue;
        double d2 = st->set.maximin ? nearest_d2(px + i * dim, chosen, k, dim) : 0;
        if (d2 > far) far = d2, pick = (long)i;
        if (!st->set.maximin) break;
      }
      if (pick < 0) break;
      mfbo_space_point(st->space, picks[pick], cfg);
      picks[pick] = UINT64_MAX;
      rc = request(st, batch, cfg, fidelity);
      memcpy(chosen + (size_t)k++ * dim, px + (size_t)pick * dim, (size_t)dim * sizeof *px);
    }
  }
  free(cfg), free(picks), free(chosen), free(px);
  return rc;
}

/* One pick by acquisition; leaves the batch empty when no candidate is left. */
static int ask_acquisition(mfbo_state *st, mfbo_batch *batch, int fidelity) {
  if (refit_if_due(st) != 0) return -1;
  int whole = st->stage < st->set.local_from && st->n_all;
  long m = whole ? whole_space_candidates(st, fidelity)
                 : pool_candidates(st, fidelity, st->stage >= st->set.local_from ? 0 : st->set.pool_size);
  if (m <= 0) return (int)m;
  if (!whole && mfbo_gp_predict(st->gp, (int)m, st->cand_x, st->cand_mean, st->cand_var) != 0)
    return -1;
  double best = best_mean(st), top = -INFINITY;
  long pick = -1;
  for (long i = 0; i < m; i++) {
    double a = acquisition(st, st->cand_mean[i], st->cand_var[i], best, st->cand_rec[i],
                           fidelity);
    if (a > top || pick < 0) top = a, pick = i; /* ties: the first, deterministic */
  }
  int *cfg = malloc((size_t)st->n_params * sizeof *cfg);
  if (!cfg) return -1;
  mfbo_space_decode(st->space, st->cand_code[pick], cfg);
  int rc = request(st, batch, cfg, fidelity);
  free(cfg);
  return rc;
}

/* The ultra stage: the best configurations by posterior mean among all measured (the
 * model pools every fidelity), re-timed; only those predicted within ultra_within of the
 * best. */
static int ask_ultra(mfbo_state *st, mfbo_batch *batch) {
  int *order = malloc((size_t)(st->n_rec + 1) * sizeof *order);
  double *mean = malloc((size_t)(st->n_rec + 1) * sizeof *mean);
  int rc = order && mean ? 0 : -1;
  if (rc == 0 && refit_if_due(st) != 0) rc = -1;
  int fid = st->set.fidelity[STAGE_ULTRA], n = 0;
  if (rc == 0) n = rank_records(st, order, mean, 1);
  double limit = st->set.ultra_within > 0 && n > 0 ? mean[order[0]] + log(st->set.ultra_within)
                                                   : INFINITY;
  for (int i = 0; i < n && batch->n < st->set.n_picks[STAGE_ULTRA] && rc == 0; i++)
    if (st->rec[order[i]].requested_max < fid && (i == 0 || mean[order[i]] <= limit))
      rc = request(st, batch, rec_cfg(st, order[i]), fid);
  free(order), free(mean);
  return rc;
}

static int mfbo_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  mfbo_state *st = vstate;
  int rc = 0;
  while (st->stage < N_STAGES && batch->n == 0 && rc == 0) {
    int left = st->set.n_picks[st->stage] - st->picks_in_stage;
    if (left <= 0) {
      st->stage++, st->picks_in_stage = 0;
      continue;
    }
    if (st->stage == STAGE_ULTRA) {
      rc = ask_ultra(st, batch);
      st->picks_in_stage = st->set.n_picks[STAGE_ULTRA]; /* one batch */
    } else if (st->stage == STAGE_LOW && st->picks_in_stage < st->set.n_initial) {
      int n = st->set.n_initial - st->picks_in_stage;
      rc = ask_initial(st, batch, n < left ? n : left);
      st->picks_in_stage += n < left ? n : left; /* a small space may give fewer */
    } else {
      rc = ask_acquisition(st, batch, st->set.fidelity[st->stage]);
      if (batch->n == 0) st->picks_in_stage = st->set.n_picks[st->stage]; /* exhausted */
      else st->picks_in_stage++;
    }
  }
  if (rc != 0) mfbo_error_set(err, 0, "out of memory or model failure");
  return rc;
}

static void mfbo_tell(void *vstate, const mfbo_batch *batch, int i) {
  mfbo_state *st = vstate;
  mfbo_record *rec = &st->rec[st->pending[i]];
  double ms = batch->measured_ms[i];
  int fidelity = batch->fidelity[i];
  if (!(ms > 0) || !isfinite(ms)) {
    rec->failed = 1; /* never proposed again, never in the model */
    return;
  }
  if (fidelity >= rec->best_fidelity) rec->best_fidelity = fidelity, rec->ms_at_best = ms;
  double *x = malloc((size_t)st->dim * sizeof *x);
  if (!x) return;
  encode_scaled(st, mfbo_batch_cfg(batch, i), x);
  mfbo_gp_add(st->gp, x, log(ms), fidelity);
  st->n_told_since_fit++;
  free(x);
}

/* The fastest configuration measured at the highest fidelity measured so far. */
static int mfbo_incumbent(const void *vstate, int *cfg) {
  const mfbo_state *st = vstate;
  int best = -1;
  for (int r = 0; r < st->n_rec; r++) {
    const mfbo_record *c = &st->rec[r];
    if (c->best_fidelity == 0) continue;
    if (best < 0 || c->best_fidelity > st->rec[best].best_fidelity ||
        (c->best_fidelity == st->rec[best].best_fidelity && c->ms_at_best < st->rec[best].ms_at_best))
      best = r;
  }
  if (best < 0) return 0;
  memcpy(cfg, rec_cfg(st, best), (size_t)st->n_params * sizeof *cfg);
  return 1;
}

const mfbo_searcher_type mfbo_searcher_mfbo = {
    .name = "mfbo",
    .summary = "multi-fidelity Bayesian optimisation: GP on log time, four fidelity stages",
    .state_size = sizeof(mfbo_state),
    .init = mfbo_init,
    .ask = mfbo_ask,
    .tell = mfbo_tell,
    .incumbent = mfbo_incumbent,
    .free = mfbo_free,
};
