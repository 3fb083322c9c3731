/* mfbo.c: multi-fidelity Bayesian optimisation (`type = mfbo`), after the seed's MFBO
 * (Helion PR #1019): four stages, low / medium / high / ultra, each with a number of
 * picks (n_*_fidelity) and a fidelity in repetitions (fidelity_*).
 *
 * - One Gaussian process (src/model/gp.c) over every finite measurement of the run, on
 *   log(ms), with noise sigma_n^2 / repetitions: low-fidelity points inform, high-fidelity
 *   points count more. (The seed fitted one GP per stage and combined them; one model with
 *   fidelity-dependent noise does the same job without throwing data away.)
 * - Low stage: the first n_initial picks open the search (the default configuration, then
 *   distinct random members, or with initial_design = maximin a greedy maximin spread over
 *   a random pool, or with initial_design = adaptive the default and 3 random members, then
 *   the default's neighbours while the default is the fastest of them, else random ones),
 *   the rest are chosen by the acquisition, one per ask.
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
 * - After the stages (trust_region = on): an anytime phase, a discrete trust region after
 *   TuRBO (see the section below); with a budget it runs until the budget is spent,
 *   without one until its first collapse or max_evals.
 * - The incumbent (incumbent = mean) is the fastest configuration by its measurements at
 *   the top fidelity; contenders (measured or predicted faster) are re-timed there first.
 *   incumbent = top_fidelity (seed_pr): the fastest at the highest fidelity so far.
 * - Failed configurations (+inf) are kept out of the time model (a finite stand-in would
 *   bend the surface near valid fast configurations), never proposed again, and feed a
 *   second GP on ran / failed whose probability of feasibility multiplies the acquisition.
 *
 * The model is refitted (hyperparameters by maximum likelihood) after max(refit_every,
 * refit_growth x n) new measurements, warm from the last fit except every cold_every-th;
 * in between, new points update its Cholesky factor incrementally. docs/mfbo.md has the
 * design, the measurements and what was tried and dropped.
 * The trust region (mfbo_trust_region.c), the feasibility model (mfbo_feasibility.c) and
 * the incumbent rule (mfbo_incumbent.c) have a file each; mfbo_internal.h is what they share.
 * All randomness comes from the run's searcher stream. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "model/acquisition.h"
#include "model/gp.h"
#include "core/codeset.h"
#include "mfbo/searcher.h"
#include "mfbo_internal.h"


/* ---- settings ---------------------------------------------------------------------- */

static const char *const preset_names[] = {"full", "quick", "seed_pr", NULL};
static const char *const acq_names[] = {"ei", "lcb", "pi", "cost_ei", NULL};
static const char *const design_names[] = {"random", "maximin", "adaptive", NULL};
static const char *const off_on[] = {"off", "on", NULL};
static const char *const incumbent_names[] = {"top_fidelity", "mean", NULL};
static const char *const cat_names[] = {"none", "binary", "small", NULL};
static const char *const int_names[] = {"none", "pow2", NULL};
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
  s->design = DESIGN_RANDOM; /* maximin until issue 23: docs/mfbo.md */
  s->refit_every = preset == 2 ? 5 : 1;
  s->full_space_max = 20000;
  s->pool_size = preset == 2 ? 1000 : 2000;
  s->n_neighbour_seeds = 5;
  s->neighbour_depth = 1;
  s->compile_s = 0.5;
  s->ultra_within = preset == 2 ? 0 : 1.25;
  s->local_from = preset == 0 ? STAGE_HIGH : N_STAGES;
  s->fit = mfbo_gp_fit_defaults();
  int seed = preset == 2;
  s->refit_growth = seed ? 0 : 0.05;
  s->cold_every = seed ? 1 : 8;
  s->incumbent_mean = !seed;
  s->feasibility = !seed;
  s->categorical = CAT_NONE;
  s->int_features = 0;
  s->trust_region = !seed;
  s->max_evals = seed ? 0 : 200;
  s->stop_restarts = 1;
  s->stop_ei = 0;
  s->tr_len_init = 0.8, s->tr_len_min = 0.0078125, s->tr_len_max = 1.6;
  s->tr_succ_tol = 3, s->tr_fail_tol = 0;
  s->tr_cands = 1000;
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
      mfbo_settings_get_choice(settings, "initial_design", design_names, &s->design, err) ||
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
      mfbo_settings_get_double(settings, "gp_nugget", 0, 1, &s->fit.nugget, err) ||
      mfbo_settings_get_double(settings, "refit_growth", 0, 10, &s->refit_growth, err) ||
      mfbo_settings_get_int(settings, "cold_every", 1, 1000000, &s->cold_every, err) ||
      mfbo_settings_get_choice(settings, "incumbent", incumbent_names, &s->incumbent_mean,
                               err) ||
      mfbo_settings_get_choice(settings, "feasibility", off_on, &s->feasibility, err) ||
      mfbo_settings_get_choice(settings, "categorical", cat_names, &s->categorical, err) ||
      mfbo_settings_get_choice(settings, "int_features", int_names, &s->int_features, err) ||
      mfbo_settings_get_choice(settings, "trust_region", off_on, &s->trust_region, err) ||
      mfbo_settings_get_long(settings, "max_evals", 0, 100000000, &s->max_evals, err) ||
      mfbo_settings_get_int(settings, "stop_restarts", 1, 1000000, &s->stop_restarts, err) ||
      mfbo_settings_get_double(settings, "stop_ei", 0, 100, &s->stop_ei, err) ||
      mfbo_settings_get_double(settings, "tr_length_init", 1e-6, 100, &s->tr_len_init, err) ||
      mfbo_settings_get_double(settings, "tr_length_min", 1e-9, 100, &s->tr_len_min, err) ||
      mfbo_settings_get_double(settings, "tr_length_max", 1e-6, 100, &s->tr_len_max, err) ||
      mfbo_settings_get_int(settings, "tr_success", 1, 1000, &s->tr_succ_tol, err) ||
      mfbo_settings_get_int(settings, "tr_failure", 0, 1000, &s->tr_fail_tol, err) ||
      mfbo_settings_get_int(settings, "tr_candidates", 1, 1000000, &s->tr_cands, err))
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
    double *x = realloc(st->rec_x, (size_t)cap * st->dim * sizeof *x);
    if (x) st->rec_x = x;
    if (!rec || !c || !x) return -1;
    st->cap_rec = cap;
  }
  r = st->n_rec++;
  st->rec[r] = (mfbo_record){.code = code};
  memcpy(st->rec_cfg + (size_t)r * st->n_params, cfg, (size_t)st->n_params * sizeof *cfg);
  mfbo_encode_scaled(st, cfg, st->rec_x + (size_t)r * st->dim);
  map_put(st, code, r);
  return r;
}

/* The model's encoding (its own, not mfbo_space_encode's): powers of two as log2, integers
 * and booleans raw, enums of numbers as one ordinal coordinate (log2 of the value when all
 * values are positive and span a factor >= 4, else the value), enums of strings one-hot;
 * then every coordinate scaled to [0, 1] over the parameter's range. Numeric enums such as
 * block_size_x = 16, 32, ... 256 or num_stages = 2..5 are ordered: one-hot would hide that.
 * Options: categorical = binary models string enums and two-valued parameters by one
 * categorical coordinate each (the level; the GP's categorical kernel), small also integer
 * parameters 0..k with at most 4 values (method selectors); int_features = pow2 gives an
 * integer parameter whose values are not all powers of two a second coordinate, the
 * number of trailing zero bits of its value, so that "fast at 32, slow at 24" can be
 * learned. */
static int enum_is_log(const mfbo_param *p) {
  double lo = p->values[0], hi = p->values[0];
  for (int v = 1; v < p->n_values; v++) lo = fmin(lo, p->values[v]), hi = fmax(hi, p->values[v]);
  return lo > 0 && hi >= 4 * lo;
}

static int is_categorical(const mfbo_param *p, int mode) {
  if (mode == CAT_NONE) return 0;
  if ((p->kind == MFBO_PARAM_ENUM && p->labels) || p->kind == MFBO_PARAM_BOOL) return 1;
  if (p->n_values == 2 && p->kind != MFBO_PARAM_POW2) return 1;
  return mode == CAT_SMALL && p->kind == MFBO_PARAM_INT && p->n_values <= 4 && p->values[0] == 0;
}

static int has_pow2_feature(const mfbo_param *p, int on) {
  if (!on || p->n_values < 4 || (p->kind != MFBO_PARAM_INT && !mfbo_enum_is_numeric(p))) return 0;
  int not_pow2 = 0;
  for (int v = 0; v < p->n_values; v++) {
    double val = p->values[v];
    if (val < 1 || val != floor(val) || val > 1e15) return 0;
    long u = (long)val;
    not_pow2 |= (u & (u - 1)) != 0;
  }
  return not_pow2;
}

static double trailing_zeros(double val) {
  long u = (long)val;
  int t = 0;
  while (u > 0 && !(u & 1) && t < 62) u >>= 1, t++;
  return t;
}

static int param_dim(const mfbo_param *p, const mfbo_settings_t *s) {
  if (is_categorical(p, s->categorical)) return 1;
  return (p->kind == MFBO_PARAM_ENUM && !mfbo_enum_is_numeric(p) ? p->n_values : 1) +
         has_pow2_feature(p, s->int_features);
}

static int model_dim(const mfbo_space *space, const mfbo_settings_t *s) {
  int d = 0;
  for (int j = 0; j < space->n_params; j++) d += param_dim(&space->params[j], s);
  return d;
}

static void encode_raw(const mfbo_state *st, const int *cfg, double *x) {
  int d = 0;
  for (int j = 0; j < st->space->n_params; j++) {
    const mfbo_param *p = &st->space->params[j];
    double v = p->values[cfg[j]];
    if (st->cat_param[j]) x[d++] = cfg[j];
    else if (p->kind == MFBO_PARAM_POW2) x[d++] = log2(v);
    else if (p->kind != MFBO_PARAM_ENUM) x[d++] = v;
    else if (mfbo_enum_is_numeric(p)) x[d++] = enum_is_log(p) ? log2(v) : v;
    else
      for (int c = 0; c < p->n_values; c++) x[d++] = c == cfg[j] ? 1.0 : 0.0;
    if (has_pow2_feature(p, st->set.int_features)) x[d++] = trailing_zeros(v);
  }
}

void mfbo_encode_scaled(const mfbo_state *st, const int *cfg, double *x) {
  encode_raw(st, cfg, x);
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
    encode_raw(st, cfg, st->enc_lo);
    memcpy(hi, st->enc_lo, (size_t)d * sizeof *hi);
    for (int j = 0; j < st->n_params; j++)
      for (int v = 0; v < st->space->params[j].n_values; v++) {
        memset(cfg, 0, (size_t)st->n_params * sizeof *cfg);
        cfg[j] = v;
        encode_raw(st, cfg, x);
        for (int k = 0; k < d; k++) st->enc_lo[k] = fmin(st->enc_lo[k], x[k]), hi[k] = fmax(hi[k], x[k]);
      }
    for (int k = 0; k < d; k++)
      st->enc_scale[k] = hi[k] - st->enc_lo[k] > 1e-12 ? 1 / (hi[k] - st->enc_lo[k]) : 1.0;
  }
  free(hi), free(x), free(cfg);
  return rc;
}

/* Which parameters are categorical, where each starts among the model's coordinates. */
static int init_kinds(mfbo_state *st) {
  int np = st->n_params;
  st->cat_param = calloc((size_t)np + 1, sizeof *st->cat_param);
  st->coord_of = calloc((size_t)np + 1, sizeof *st->coord_of);
  st->coord_cat = calloc((size_t)st->dim + 1, sizeof *st->coord_cat);
  if (!st->cat_param || !st->coord_of || !st->coord_cat) return -1;
  for (int j = 0, d = 0; j < np; j++) {
    const mfbo_param *p = &st->space->params[j];
    st->cat_param[j] = is_categorical(p, st->set.categorical);
    st->coord_of[j] = d;
    st->coord_cat[d] = st->cat_param[j];
    d += param_dim(p, &st->set);
  }
  return 0;
}

/* Where each value of each parameter lies on the parameter's first scaled coordinate. */
static int init_values(mfbo_state *st) {
  int total = 0;
  for (int j = 0; j < st->n_params; j++) total += st->space->params[j].n_values;
  st->val_x = malloc((size_t)(total + 1) * sizeof *st->val_x);
  st->val_off = malloc((size_t)(st->n_params + 1) * sizeof *st->val_off);
  int *cfg = calloc((size_t)st->n_params + 1, sizeof *cfg);
  double *x = malloc((size_t)st->dim * sizeof *x);
  int rc = st->val_x && st->val_off && cfg && x ? 0 : -1;
  for (int j = 0, off = 0; j < st->n_params && rc == 0; j++) {
    st->val_off[j] = off;
    for (int v = 0; v < st->space->params[j].n_values; v++) {
      cfg[j] = v;
      mfbo_encode_scaled(st, cfg, x);
      st->val_x[off++] = x[st->coord_of[j]];
    }
    cfg[j] = 0;
  }
  free(cfg), free(x);
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
    mfbo_encode_scaled(st, cfg, st->all_x + (size_t)k * st->dim);
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
  st->dim = model_dim(space, &st->set);
  st->inc_rec = -1;
  for (int k = 0; k < N_STAGES; k++)
    if (st->set.n_picks[k] > 0 && st->set.fidelity[k] > st->top_fidelity)
      st->top_fidelity = st->set.fidelity[k];
  if (st->top_fidelity == 0) st->top_fidelity = st->set.fidelity[STAGE_ULTRA];
  st->tr_len = st->set.tr_len_init;
  st->tr_best = INFINITY;
  st->gp = mfbo_gp_alloc(st->dim);
  st->feas_gp = mfbo_gp_alloc(st->dim);
  if (!st->gp || !st->feas_gp || init_kinds(st) != 0 || init_encoding(st) != 0 || init_values(st) != 0 ||
      init_whole_space(st) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  mfbo_gp_set_categorical(st->gp, st->coord_cat);
  mfbo_gp_set_categorical(st->feas_gp, st->coord_cat);
  return 0;
}

static void mfbo_set_budget(void *vstate, long max_evals, double max_cost_s) {
  mfbo_state *st = vstate;
  st->has_budget = max_evals > 0 || max_cost_s > 0;
}

static void mfbo_free(void *vstate) {
  mfbo_state *st = vstate;
  mfbo_gp_free(st->gp);
  mfbo_gp_free(st->feas_gp);
  free(st->cat_param), free(st->coord_of), free(st->coord_cat), free(st->val_x), free(st->val_off);
  free(st->rec_x), free(st->row_rec), free(st->row_mean);
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
int mfbo_pool_add(mfbo_state *st, const int *cfg, int fidelity, mfbo_codeset *seen, long *m) {
  if (!mfbo_space_contains(st->space, cfg)) return 0; /* neighbours may break constraints */
  uint64_t code = mfbo_space_code(st->space, cfg);
  int added = mfbo_codeset_add(seen, code);
  if (added <= 0) return added;
  int r = map_find(st, code);
  if (!eligible(st, r, fidelity)) return 0;
  if (cand_reserve(st, *m + 1) != 0) return -1;
  st->cand_rec[*m] = r;
  st->cand_code[*m] = code;
  mfbo_encode_scaled(st, cfg, st->cand_x + (size_t)*m * st->dim);
  (*m)++;
  return 1;
}

static int rank_records(mfbo_state *st, int *order, double *mean, int min_fidelity);

long mfbo_pool_candidates(mfbo_state *st, int fidelity, int pool_size) {
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
    const int *best = mfbo_rec_cfg(st, order[s]);
    rc = mfbo_pool_add(st, best, fidelity, &seen, &m);
    int n = mfbo_space_neighbours(st->space, best, nb, max_nb);
    for (int i = 0; i < n && rc >= 0; i++)
      rc = mfbo_pool_add(st, nb + (size_t)i * st->n_params, fidelity, &seen, &m);
    /* two steps away: the neighbours of each neighbour (nb2 is separate scratch) */
    for (int i = 0; i < n && rc >= 0 && st->set.neighbour_depth > 1 && nb2; i++) {
      int n2 = mfbo_space_neighbours(st->space, nb + (size_t)i * st->n_params, nb2, max_nb);
      for (int k = 0; k < n2 && rc >= 0; k++)
        rc = mfbo_pool_add(st, nb2 + (size_t)k * st->n_params, fidelity, &seen, &m);
    }
  }
  for (int i = 0; i < pool_size && rc >= 0; i++) {
    mfbo_space_random(st->space, st->rng, cfg);
    rc = mfbo_pool_add(st, cfg, fidelity, &seen, &m);
  }
  for (int r = 0; r < st->n_rec && rc >= 0; r++) /* re-times of what has been measured */
    rc = mfbo_pool_add(st, mfbo_rec_cfg(st, r), fidelity, &seen, &m);
  mfbo_codeset_free(&seen);
  free(cfg), free(nb), free(nb2), free(order), free(mean);
  return rc < 0 ? -1 : m;
}

/* The eligible members of the whole space with their posterior, which the candidate set
 * keeps up to date incrementally between refits (src/model/gp.h). */
long mfbo_whole_space_candidates(mfbo_state *st, int fidelity) {
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

/* ---- the model (the incumbent rule: mfbo_incumbent.c) ------------------------------ */

/* Refits when due: after max(refit_every, refit_growth x n) new points, so fits thin out
 * as n grows; every cold_every-th fit is cold (restarts), the others warm (from the last
 * hyperparameters only). */
int mfbo_refit_if_due(mfbo_state *st) {
  int n = mfbo_gp_n(st->gp);
  if (n == 0) return 0;
  int due = st->set.refit_every;
  if (st->set.refit_growth * n > due) due = (int)(st->set.refit_growth * n);
  if (st->fitted && st->n_told_since_fit < due) return 0;
  st->n_told_since_fit = 0;
  st->fitted = 1;
  mfbo_gp_fit_settings fit = st->set.fit;
  fit.warm = st->n_fits++ % st->set.cold_every != 0;
  if (mfbo_gp_fit(st->gp, &fit) != 0) return -1;
  return mfbo_update_means(st);
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

/* Records sorted by posterior mean (lowest first), finite ones only; returns how many. */
static int rank_records(mfbo_state *st, int *order, double *mean, int min_fidelity) {
  int n = 0;
  for (int r = 0; r < st->n_rec; r++) {
    if (st->rec[r].failed || !st->rec[r].has_mean || st->rec[r].best_fidelity < min_fidelity)
      continue;
    mean[r] = st->rec[r].mean;
    order[n++] = r;
  }
  sort_by_key(order, n, mean);
  return n;
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

int mfbo_request(mfbo_state *st, mfbo_batch *batch, const int *cfg, int fidelity) {
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

/* initial_design = adaptive (issue 23: the start of a run): the opening's first batch is the
 * default and ADAPTIVE_FIRST - 1 random members; the rest of the opening are the default's
 * neighbours if the default is still the fastest measured (a good default: the fast
 * configurations are likely near it), else random members (a poor one: look away). */
#define ADAPTIVE_FIRST 4

/* Is the default (measured) still the fastest configuration measured? */
static int default_is_best(const mfbo_state *st) {
  int *def = malloc((size_t)st->n_params * sizeof *def), best = -1, r_def = -1;
  if (def) {
    mfbo_space_default(st->space, def);
    if (mfbo_space_contains(st->space, def))
      r_def = map_find(st, mfbo_space_code(st->space, def));
  }
  free(def);
  for (int r = 0; r < st->n_rec; r++) {
    const mfbo_record *x = &st->rec[r];
    if (x->failed || x->best_fidelity == 0) continue;
    if (best < 0 || x->ms_at_best < st->rec[best].ms_at_best) best = r;
  }
  return best >= 0 && best == r_def;
}

/* Up to n of the default's unmeasured neighbours, in random order. */
static int ask_default_neighbours(mfbo_state *st, mfbo_batch *batch, int n) {
  int max_nb = mfbo_space_max_neighbours(st->space), d = st->n_params;
  size_t room = max_nb > 0 ? (size_t)max_nb : 1;
  int *nb = malloc(room * d * sizeof *nb), *def = malloc((size_t)d * sizeof *def);
  size_t *order = malloc(room * sizeof *order);
  int rc = nb && def && order ? 0 : -1, m = 0;
  if (rc == 0) {
    mfbo_space_default(st->space, def);
    m = mfbo_space_neighbours(st->space, def, nb, max_nb);
  }
  for (int i = 0; i < m; i++) order[i] = (size_t)i;
  if (m > 1) gsl_ran_shuffle(st->rng, order, (size_t)m, sizeof *order);
  for (int i = 0; i < m && rc == 0 && batch->n < n; i++) {
    const int *c = nb + order[i] * d;
    if (map_find(st, mfbo_space_code(st->space, c)) < 0)
      rc = mfbo_request(st, batch, c, st->set.fidelity[STAGE_LOW]);
  }
  free(nb), free(def), free(order);
  return rc;
}

/* The opening picks: the default configuration first, then (initial_design = random, the
 * default since issue 23) distinct random members, or (maximin) greedily the member of a
 * random pool farthest from those chosen, in the model's encoding, which covers the ends
 * of every parameter and their pairs but on recorded GPU spaces lands in the corners
 * (largest blocks with fewest warps: minutes of compilation, or failures) and spends the
 * first sixteenth of the budget there (docs/mfbo.md). */
static int ask_initial(mfbo_state *st, mfbo_batch *batch, int n) {
  int fidelity = st->set.fidelity[STAGE_LOW], dim = st->dim;
  size_t pool = (size_t)(st->set.design == DESIGN_MAXIMIN ? 20 : 1) * (size_t)(n + 1);
  int *cfg = malloc((size_t)st->n_params * sizeof *cfg);
  uint64_t *picks = malloc(pool * sizeof *picks);
  double *chosen = malloc((size_t)(n + 1) * dim * sizeof *chosen);
  double *px = malloc(pool * dim * sizeof *px);
  int rc = cfg && picks && chosen && px ? 0 : -1, k = 0;
  if (rc == 0) {
    mfbo_space_default(st->space, cfg);
    if (mfbo_space_contains(st->space, cfg) && n > 0 &&
        map_find(st, mfbo_space_code(st->space, cfg)) < 0) {
      rc = mfbo_request(st, batch, cfg, fidelity);
      mfbo_encode_scaled(st, cfg, chosen + (size_t)k++ * dim);
    }
    size_t got = mfbo_space_sample_distinct(st->space, st->rng, pool, picks);
    for (size_t i = 0; i < got; i++) {
      mfbo_space_point(st->space, picks[i], cfg);
      mfbo_encode_scaled(st, cfg, px + i * dim);
      if (map_find(st, mfbo_space_code(st->space, cfg)) >= 0) picks[i] = UINT64_MAX;
    }
    while (batch->n < n && rc == 0) {
      long pick = -1;
      double far = -1;
      for (size_t i = 0; i < got; i++) {
        if (picks[i] == UINT64_MAX) continue;
        int spread = st->set.design == DESIGN_MAXIMIN;
        double d2 = spread ? nearest_d2(px + i * dim, chosen, k, dim) : 0;
        if (d2 > far) far = d2, pick = (long)i;
        if (!spread) break;
      }
      if (pick < 0) break;
      mfbo_space_point(st->space, picks[pick], cfg);
      picks[pick] = UINT64_MAX;
      rc = mfbo_request(st, batch, cfg, fidelity);
      memcpy(chosen + (size_t)k++ * dim, px + (size_t)pick * dim, (size_t)dim * sizeof *px);
    }
  }
  free(cfg), free(picks), free(chosen), free(px);
  return rc;
}


/* The index of the candidate to measure among m (with their posterior), or -1. */
long mfbo_pick_candidate(mfbo_state *st, long m, int fidelity) {
  double best = mfbo_best_mean(st), top = -INFINITY;
  long pick = -1;
  int feasible = st->set.feasibility && st->n_failed > 0;
  double *acq = feasible ? malloc((size_t)m * sizeof *acq) : NULL;
  if (feasible && !acq) return -1;
  for (long i = 0; i < m; i++) {
    double a = acquisition(st, st->cand_mean[i], st->cand_var[i], best, st->cand_rec[i],
                           fidelity);
    if (acq) acq[i] = st->set.acquisition == MFBO_ACQ_LCB ? best + a : a;
    else if (a > top || pick < 0) top = a, pick = i; /* ties: the first, deterministic */
  }
  if (acq) pick = mfbo_pick_feasible(st, m, acq);
  free(acq);
  return pick;
}

/* Requests candidate `pick` at the fidelity; its record index, or -1 on failure. */
int mfbo_request_candidate(mfbo_state *st, mfbo_batch *batch, long pick, int fidelity) {
  int *cfg = malloc((size_t)st->n_params * sizeof *cfg);
  if (!cfg) return -1;
  mfbo_space_decode(st->space, st->cand_code[pick], cfg);
  int rc = mfbo_request(st, batch, cfg, fidelity);
  free(cfg);
  return rc != 0 ? -1 : st->pending[batch->n - 1];
}

/* One pick by acquisition over the whole space (or a random pool with the neighbours of
 * the best), or with local set only over the neighbours of the best and re-times. Leaves
 * the batch empty when no candidate is left. 0 or -1. */
static int ask_acquisition(mfbo_state *st, mfbo_batch *batch, int fidelity, int local) {
  if (mfbo_refit_if_due(st) != 0) return -1;
  int whole = !local && st->n_all;
  long m = whole ? mfbo_whole_space_candidates(st, fidelity)
                 : mfbo_pool_candidates(st, fidelity, local ? 0 : st->set.pool_size);
  if (m <= 0) return (int)m;
  if (!whole && mfbo_gp_predict(st->gp, (int)m, st->cand_x, st->cand_mean, st->cand_var) != 0)
    return -1;
  long pick = mfbo_pick_candidate(st, m, fidelity);
  return pick < 0 || mfbo_request_candidate(st, batch, pick, fidelity) < 0 ? -1 : 0;
}

/* The ultra stage: the best configurations by posterior mean among all measured (the
 * model pools every fidelity), re-timed; only those predicted within ultra_within of the
 * best. */
static int ask_ultra(mfbo_state *st, mfbo_batch *batch) {
  int *order = malloc((size_t)(st->n_rec + 1) * sizeof *order);
  double *mean = malloc((size_t)(st->n_rec + 1) * sizeof *mean);
  int rc = order && mean ? 0 : -1;
  if (rc == 0 && mfbo_refit_if_due(st) != 0) rc = -1;
  int fid = st->set.fidelity[STAGE_ULTRA], n = 0;
  if (rc == 0) n = rank_records(st, order, mean, 1);
  double limit = st->set.ultra_within > 0 && n > 0 ? mean[order[0]] + log(st->set.ultra_within)
                                                   : INFINITY;
  for (int i = 0; i < n && batch->n < st->set.n_picks[STAGE_ULTRA] && rc == 0; i++)
    if (st->rec[order[i]].requested_max < fid && (i == 0 || mean[order[i]] <= limit))
      rc = mfbo_request(st, batch, mfbo_rec_cfg(st, order[i]), fid);
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
      int n = st->set.n_initial - st->picks_in_stage, k = n < left ? n : left;
      if (st->set.design == DESIGN_ADAPTIVE && st->picks_in_stage == 0) {
        k = k < ADAPTIVE_FIRST ? k : ADAPTIVE_FIRST;
        rc = ask_initial(st, batch, k);
      } else if (st->set.design == DESIGN_ADAPTIVE && default_is_best(st)) {
        rc = ask_default_neighbours(st, batch, k);
      } else {
        rc = ask_initial(st, batch, k);
      }
      st->picks_in_stage += k; /* a small space may give fewer */
    } else {
      rc = ask_acquisition(st, batch, st->set.fidelity[st->stage],
                           st->stage >= st->set.local_from);
      if (batch->n == 0) st->picks_in_stage = st->set.n_picks[st->stage]; /* exhausted */
      else st->picks_in_stage++;
    }
  }
  if (st->stage == STAGE_TR && batch->n == 0 && rc == 0 && st->set.trust_region)
    rc = mfbo_ask_trust_region(st, batch);
  if (rc != 0) mfbo_error_set(err, 0, "out of memory or model failure");
  return rc;
}

/* Room for n model rows in row_rec and row_mean. */
static int rows_reserve(mfbo_state *st, int n) {
  if (n <= st->cap_rows) return 0;
  int cap = st->cap_rows ? 2 * st->cap_rows : 256;
  int *rr = realloc(st->row_rec, (size_t)cap * sizeof *rr);
  if (rr) st->row_rec = rr;
  double *rm = realloc(st->row_mean, (size_t)cap * sizeof *rm);
  if (rm) st->row_mean = rm;
  if (!rr || !rm) return -1;
  st->cap_rows = cap;
  return 0;
}

static void mfbo_tell(void *vstate, const mfbo_batch *batch, int i) {
  mfbo_state *st = vstate;
  int r = st->pending[i];
  mfbo_record *rec = &st->rec[r];
  double ms = batch->measured_ms[i];
  int fidelity = batch->fidelity[i];
  st->n_told++;
  int ran = ms > 0 && isfinite(ms);
  if (rec->best_fidelity == 0 && !rec->failed) { /* first measurement: feasibility data */
    mfbo_gp_add(st->feas_gp, st->rec_x + (size_t)r * st->dim, ran ? 1.0 : -1.0, 1);
    st->feas_since_fit++;
  }
  if (!ran) {
    st->n_failed += !rec->failed;
    rec->failed = 1; /* never proposed again, never in the model */
    if (r == st->inc_rec) mfbo_update_means(st);
    return;
  }
  st->n_ok += rec->best_fidelity == 0;
  if (fidelity >= rec->best_fidelity) rec->best_fidelity = fidelity, rec->ms_at_best = ms;
  if (fidelity >= st->top_fidelity) rec->top_sum_ms += ms, rec->top_n++;
  int n = mfbo_gp_n(st->gp);
  if (rows_reserve(st, n + 1) != 0 ||
      mfbo_gp_add(st->gp, st->rec_x + (size_t)r * st->dim, log(ms), fidelity) != 0 ||
      mfbo_gp_n(st->gp) != n + 1)
    return;
  st->row_rec[n] = r;
  st->n_told_since_fit++;
  mfbo_update_means(st);
}


const mfbo_searcher_type mfbo_searcher_mfbo = {
    .name = "mfbo",
    .summary = "multi-fidelity Bayesian optimisation: GP on log time, four fidelity stages",
    .state_size = sizeof(mfbo_state),
    .init = mfbo_init,
    .ask = mfbo_ask,
    .tell = mfbo_tell,
    .incumbent = mfbo_incumbent_of,
    .set_budget = mfbo_set_budget,
    .free = mfbo_free,
};
