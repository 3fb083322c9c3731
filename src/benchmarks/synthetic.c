/* synthetic.c: the `synthetic` benchmark: a seeded family of kernel-like landscapes, like
 * COCO's instances. An instance number and the dimension pick the landscape's structure
 * (which parameters matter, where their best values lie, how they interact), drawn once
 * from the instance's own stream; the other settings scale that structure, so one instance
 * with more ruggedness is the same kernel, only rougher. The true time is a deterministic
 * function of (instance, settings, configuration), computed on demand: no table, so spaces
 * of 10^8 configurations cost nothing to build. Every knob is documented, and its
 * resemblance to the real Kernel Tuner landscapes shown, in docs/landscapes.md.
 * It must not keep per-configuration tables or depend on anything but its inputs. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/benchmark.h"
#include "core/stream.h"

#define SYN_MIN_PARAMS 5
#define SYN_MAX_PARAMS 15
#define SYN_MAX_CHOICES 3      /* of a categorical parameter (enum or boolean) */
#define SYN_MAX_VALUES 8       /* of an ordered parameter in its template's range */
#define SYN_LIMIT_SAMPLE 32768 /* configurations sampled to place the resource limit */

/* What a parameter stands for in the resource model (shared memory and registers). */
typedef enum {
  ROLE_NONE,
  ROLE_BLOCK_M,
  ROLE_BLOCK_N,
  ROLE_BLOCK_K,
  ROLE_WARPS,
  ROLE_STAGES,
  ROLE_UNROLL,
  N_ROLES
} syn_role;

typedef struct {
  const char *name;
  mfbo_param_kind kind;
  long lo, hi, def;          /* power of two and integer: the range and the default */
  const char *const *labels; /* enum: its SYN_MAX_CHOICES choices */
  syn_role role;
} syn_template;

static const char *const schedule_labels[] = {"static", "dynamic", "persistent"};
static const char *const eviction_labels[] = {"normal", "first", "last"};
static const char *const layout_labels[] = {"row", "col", "swizzled"};

/* A landscape of dimension d has the first d of these: every dimension >= 5 mixes powers of
 * two, integers, an enum and a boolean. */
static const syn_template templates[SYN_MAX_PARAMS] = {
    {"BLOCK_M", MFBO_PARAM_POW2, 16, 256, 64, NULL, ROLE_BLOCK_M},
    {"num_warps", MFBO_PARAM_POW2, 1, 16, 4, NULL, ROLE_WARPS},
    {"num_stages", MFBO_PARAM_INT, 1, 5, 2, NULL, ROLE_STAGES},
    {"schedule", MFBO_PARAM_ENUM, 0, 0, 0, schedule_labels, ROLE_NONE},
    {"prefetch", MFBO_PARAM_BOOL, 0, 1, 0, NULL, ROLE_NONE},
    {"BLOCK_N", MFBO_PARAM_POW2, 16, 256, 64, NULL, ROLE_BLOCK_N},
    {"unroll", MFBO_PARAM_INT, 1, 4, 1, NULL, ROLE_UNROLL},
    {"BLOCK_K", MFBO_PARAM_POW2, 16, 128, 32, NULL, ROLE_BLOCK_K},
    {"vector_width", MFBO_PARAM_POW2, 1, 8, 1, NULL, ROLE_NONE},
    {"GROUP_M", MFBO_PARAM_POW2, 1, 8, 1, NULL, ROLE_NONE},
    {"split_k", MFBO_PARAM_INT, 1, 4, 1, NULL, ROLE_NONE},
    {"use_tma", MFBO_PARAM_BOOL, 0, 1, 0, NULL, ROLE_NONE},
    {"eviction", MFBO_PARAM_ENUM, 0, 0, 0, eviction_labels, ROLE_NONE},
    {"work_per_thread", MFBO_PARAM_INT, 1, 4, 1, NULL, ROLE_NONE},
    {"layout", MFBO_PARAM_ENUM, 0, 0, 0, layout_labels, ROLE_NONE},
};

/* The knobs (docs/landscapes.md); defaults in syn_read_settings. */
typedef struct {
  int dimension;
  double base_ms, spread, interaction, ruggedness, invalid_fraction;
  double compile_s, compile_spread, noise_cv, outlier_prob, outlier_scale, overhead_ms_per_rep;
} syn_knobs;

typedef struct {
  syn_knobs k;
  uint64_t key;     /* the instance's hash: structure and per-configuration hashes */
  int n_ord, n_cat; /* the ordered (power of two, integer) and categorical (enum, boolean) */
  int ord[SYN_MAX_PARAMS], cat[SYN_MAX_PARAMS];
  /* Positions of the values the space had at init (a [space] override may change them). */
  int n_known[SYN_MAX_PARAMS];
  double known_value[SYN_MAX_PARAMS][SYN_MAX_VALUES],
      known_position[SYN_MAX_PARAMS][SYN_MAX_VALUES];
  int role_param[N_ROLES]; /* the parameter playing each role, -1 if none */
  /* The structure, drawn from the instance's stream (log-time units before `spread`). */
  double weight[SYN_MAX_PARAMS]; /* importance of each parameter */
  double centre[SYN_MAX_PARAMS]; /* best position (0..1 on its own range) of an ordered one */
  double choice[SYN_MAX_PARAMS][SYN_MAX_CHOICES];  /* effect of each categorical choice */
  double coupling[SYN_MAX_PARAMS][SYN_MAX_PARAMS]; /* ordered x ordered */
  double shift[SYN_MAX_PARAMS][SYN_MAX_PARAMS][SYN_MAX_CHOICES]; /* [ordered][categorical] */
  double pair[SYN_MAX_PARAMS][SYN_MAX_PARAMS][SYN_MAX_CHOICES][SYN_MAX_CHOICES];
  double resource_limit; /* resource use above this fails; INFINITY: nothing fails */
  /* Sums of d main effects and d(d-1)/2 interactions, scaled to their size at dimension 8,
   * so that the knobs mean the same at every dimension. */
  double main_norm, pair_norm;
} syn_state;

/* ---------------------------------------------------------------- settings and space */

/* The real-valued knobs, their ranges and where they go. */
static const struct {
  const char *key;
  double lo, hi;
  size_t offset;
} real_knobs[] = {
    {"base_ms", 1e-6, 1e6, offsetof(syn_knobs, base_ms)},
    {"spread", 0, 10, offsetof(syn_knobs, spread)},
    {"interaction", 0, 10, offsetof(syn_knobs, interaction)},
    {"ruggedness", 0, 5, offsetof(syn_knobs, ruggedness)},
    {"invalid_fraction", 0, 0.9, offsetof(syn_knobs, invalid_fraction)},
    {"compile_s", 0, 1e6, offsetof(syn_knobs, compile_s)},
    {"compile_spread", 0, 5, offsetof(syn_knobs, compile_spread)},
    {"noise_cv", 0, 1, offsetof(syn_knobs, noise_cv)},
    {"outlier_prob", 0, 1, offsetof(syn_knobs, outlier_prob)},
    {"outlier_scale", 0, 100, offsetof(syn_knobs, outlier_scale)},
    {"overhead_ms_per_rep", 0, 1e6, offsetof(syn_knobs, overhead_ms_per_rep)},
};

static int syn_read_settings(mfbo_settings *s, syn_knobs *k, mfbo_error *err) {
  *k = (syn_knobs){.dimension = 8, .base_ms = 1.0, .spread = 0.4, .interaction = 1.0,
                   .ruggedness = 0.03, .invalid_fraction = 0.05, .compile_s = 0.5,
                   .compile_spread = 0.5, .noise_cv = 0.01, .outlier_prob = 0.03,
                   .outlier_scale = 0.03, .overhead_ms_per_rep = 0.05};
  if (mfbo_settings_get_int(s, "dimension", SYN_MIN_PARAMS, SYN_MAX_PARAMS, &k->dimension, err))
    return -1;
  for (size_t i = 0; i < sizeof real_knobs / sizeof real_knobs[0]; i++) {
    double *value = (double *)((char *)k + real_knobs[i].offset);
    if (mfbo_settings_get_double(s, real_knobs[i].key, real_knobs[i].lo, real_knobs[i].hi, value,
                                 err))
      return -1;
  }
  return 0;
}

/* Adds template j's parameter to the space. */
static int add_template(mfbo_space *space, int j, mfbo_error *err) {
  static const double choices[SYN_MAX_CHOICES] = {0, 1, 2};
  const syn_template *t = &templates[j];
  switch (t->kind) {
  case MFBO_PARAM_POW2: return mfbo_space_add_pow2(space, t->name, t->lo, t->hi, t->def, err);
  case MFBO_PARAM_INT: return mfbo_space_add_int(space, t->name, t->lo, t->hi, t->def, err);
  case MFBO_PARAM_BOOL: return mfbo_space_add_bool(space, t->name, (int)t->def, err);
  case MFBO_PARAM_ENUM: break;
  }
  return mfbo_space_add_enum(space, t->name, SYN_MAX_CHOICES, choices, t->labels, 0, err);
}

static int syn_add_params(syn_state *st, mfbo_space *space, mfbo_error *err) {
  for (int r = 0; r < N_ROLES; r++) st->role_param[r] = -1;
  for (int j = 0; j < st->k.dimension; j++) {
    if (add_template(space, j, err) != 0) return -1;
    const syn_template *t = &templates[j];
    if (t->kind == MFBO_PARAM_POW2 || t->kind == MFBO_PARAM_INT)
      st->ord[st->n_ord++] = j;
    else
      st->cat[st->n_cat++] = j;
    if (t->role != ROLE_NONE) st->role_param[t->role] = j;
  }
  return 0;
}

/* ---------------------------------------------------------------- structure */

/* Draws the instance's structure; the order of the draws is part of the definition. */
static void syn_draw_structure(syn_state *st, gsl_rng *r) {
  int d = st->k.dimension;
  /* a few parameters matter most; the importances average 1, so the total is fixed */
  double total = 0;
  for (int j = 0; j < d; j++) {
    st->weight[j] = exp(0.8 * gsl_ran_gaussian(r, 1.0));
    total += st->weight[j];
  }
  for (int j = 0; j < d; j++) {
    st->weight[j] *= d / total;
    /* tiles and stages tend to be best large, close to the resource limit */
    int big = templates[j].role == ROLE_BLOCK_M || templates[j].role == ROLE_BLOCK_N ||
              templates[j].role == ROLE_BLOCK_K || templates[j].role == ROLE_STAGES;
    st->centre[j] = big ? 0.4 + 0.6 * gsl_rng_uniform(r) : gsl_rng_uniform(r);
    double lowest = INFINITY;
    for (int v = 0; v < SYN_MAX_CHOICES; v++) {
      st->choice[j][v] = st->weight[j] * gsl_rng_uniform(r);
      lowest = fmin(lowest, st->choice[j][v]);
    }
    for (int v = 0; v < SYN_MAX_CHOICES; v++) st->choice[j][v] -= lowest;
  }
  for (int j = 0; j < d; j++)
    for (int k = j + 1; k < d; k++) {
      /* sparse: about a third of the pairs interact strongly; important parameters more */
      double strength =
          (gsl_rng_uniform(r) < 0.3 ? 1.0 : 0.2) * sqrt(st->weight[j] * st->weight[k]);
      st->coupling[j][k] = strength * gsl_ran_gaussian(r, 1.0);
      for (int v = 0; v < SYN_MAX_CHOICES; v++) {
        st->shift[j][k][v] = strength * gsl_ran_gaussian(r, 0.5);
        st->shift[k][j][v] = strength * gsl_ran_gaussian(r, 0.5);
        for (int w = 0; w < SYN_MAX_CHOICES; w++)
          st->pair[j][k][v][w] = strength * gsl_ran_gaussian(r, 0.3);
      }
    }
}

/* ---------------------------------------------------------------- one configuration */

/* Position of an ordered parameter's value on its template's range: 0 at lo, 1 at hi
 * (outside for values a [space] override added). Powers of two are exact, so their log2 is
 * their binary exponent. */
static double position(int j, double value) {
  const syn_template *t = &templates[j];
  if (t->kind == MFBO_PARAM_POW2)
    return (double)(ilogb(value) - ilogb((double)t->lo)) /
           (double)(ilogb((double)t->hi) - ilogb((double)t->lo));
  return (value - (double)t->lo) / (double)(t->hi - t->lo);
}

/* Remembers the positions of the ordered parameters' values, to spare log2 at every call. */
static void syn_remember_positions(syn_state *st, const mfbo_space *space) {
  for (int a = 0; a < st->n_ord; a++) {
    int j = st->ord[a];
    const mfbo_param *p = &space->params[j];
    st->n_known[j] = p->n_values < SYN_MAX_VALUES ? p->n_values : SYN_MAX_VALUES;
    for (int v = 0; v < st->n_known[j]; v++) {
      st->known_value[j][v] = p->values[v];
      st->known_position[j][v] = position(j, p->values[v]);
    }
  }
}

/* The position of parameter j's value in cfg (remembered unless [space] changed it). */
static double position_of(const syn_state *st, const mfbo_space *space, const int *cfg, int j) {
  double v = space->params[j].values[cfg[j]];
  if (cfg[j] < st->n_known[j] && st->known_value[j][cfg[j]] == v)
    return st->known_position[j][cfg[j]];
  return position(j, v);
}

/* A hash of the configuration's values (not of its indices, so [space] overrides keep it):
 * a multiplicative hash over their bits, finished with splitmix64's mixer. */
static uint64_t cfg_hash(const syn_state *st, const mfbo_space *space, const int *cfg) {
  uint64_t h = st->key;
  for (int j = 0; j < space->n_params; j++) {
    double v = mfbo_space_value(space, cfg, j);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    h = (h ^ bits) * UINT64_C(0x9e3779b97f4a7c15);
  }
  return mfbo_hash_u64(h, (uint64_t)space->n_params);
}

static double hash_uniform(uint64_t h) { return ((double)(h >> 11) + 0.5) / 9007199254740992.0; }

/* About N(0, 1) from the hash: the sum of four 16-bit uniforms (Irwin-Hall), standardised. */
static double hash_normal(uint64_t h) {
  double s = 0;
  for (int i = 0; i < 4; i++) s += ((double)((h >> (16 * i)) & 0xffff) + 0.5) / 65536.0;
  return (s - 2.0) / sqrt(4.0 / 12.0);
}

/* The value of the parameter playing a role, or a fixed stand-in when the dimension lacks it. */
static double role_value(const syn_state *st, const mfbo_space *space, const int *cfg,
                         syn_role role, double absent) {
  int j = st->role_param[role];
  return j >= 0 ? mfbo_space_value(space, cfg, j) : absent;
}

/* Resource use relative to a GPU's limits: the larger of shared memory over 48 KiB and
 * registers per thread over 255, varied by +-15% per configuration (compiler choices). */
static double resource_use(const syn_state *st, const mfbo_space *space, const int *cfg,
                           uint64_t h) {
  double bm = role_value(st, space, cfg, ROLE_BLOCK_M, 64);
  double bn = role_value(st, space, cfg, ROLE_BLOCK_N, bm);
  double bk = role_value(st, space, cfg, ROLE_BLOCK_K, 32);
  double warps = role_value(st, space, cfg, ROLE_WARPS, 4);
  double stages = role_value(st, space, cfg, ROLE_STAGES, 2);
  double unroll = role_value(st, space, cfg, ROLE_UNROLL, 1);
  double smem_bytes = (bm + bn) * bk * stages * 2.0; /* fp16 tiles of A and B per stage */
  double regs = 32.0 + bm * bn / (32.0 * warps) * (1.0 + 0.25 * (unroll - 1.0));
  double use = fmax(smem_bytes / 49152.0, regs / 255.0);
  return use * exp(0.3 * (hash_uniform(mfbo_hash_u64(h, 3)) - 0.5));
}

/* log(true / base_ms): main effects, interactions (scaled by `interaction`), all scaled by
 * `spread`, plus `ruggedness` x a per-configuration N(0, 1). */
static double log_time(const syn_state *st, const mfbo_space *space, const int *cfg, uint64_t h) {
  double dev[SYN_MAX_PARAMS], main_effects = 0, interactions = 0;
  const int *ord = st->ord, *cat = st->cat;
  for (int a = 0; a < st->n_ord; a++) {
    int j = ord[a];
    dev[j] = position_of(st, space, cfg, j) - st->centre[j];
    main_effects += st->weight[j] * dev[j] * dev[j];
  }
  for (int c = 0; c < st->n_cat; c++) main_effects += st->choice[cat[c]][cfg[cat[c]]];
  for (int a = 0; a < st->n_ord; a++) {
    int j = ord[a];
    for (int b = a + 1; b < st->n_ord; b++)
      interactions += st->coupling[j][ord[b]] * dev[j] * dev[ord[b]];
    for (int c = 0; c < st->n_cat; c++) interactions += st->shift[j][cat[c]][cfg[cat[c]]] * dev[j];
  }
  for (int c = 0; c < st->n_cat; c++)
    for (int e = c + 1; e < st->n_cat; e++)
      interactions += st->pair[cat[c]][cat[e]][cfg[cat[c]]][cfg[cat[e]]];
  return st->k.spread *
             (st->main_norm * main_effects + st->k.interaction * st->pair_norm * interactions) +
         st->k.ruggedness * hash_normal(mfbo_hash_u64(h, 1));
}

/* ---------------------------------------------------------------- the resource limit */

/* Places the limit so that invalid_fraction of the benchmark's own space (estimated from
 * a fixed sample of it) uses more resources than it allows. */
static int syn_place_limit(syn_state *st, const mfbo_space *space) {
  st->resource_limit = INFINITY;
  if (st->k.invalid_fraction <= 0) return 0;
  double *use = malloc(SYN_LIMIT_SAMPLE * sizeof *use);
  int *cfg = malloc((size_t)space->n_params * sizeof *cfg);
  gsl_rng *r = mfbo_stream_alloc(st->key, "synthetic-limit");
  int rc = use && cfg && r ? 0 : -1;
  for (int i = 0; rc == 0 && i < SYN_LIMIT_SAMPLE; i++) {
    mfbo_space_random(space, r, cfg);
    use[i] = resource_use(st, space, cfg, cfg_hash(st, space, cfg));
  }
  if (rc == 0) {
    gsl_sort(use, 1, SYN_LIMIT_SAMPLE);
    st->resource_limit =
        gsl_stats_quantile_from_sorted_data(use, 1, SYN_LIMIT_SAMPLE, 1 - st->k.invalid_fraction);
  }
  free(use);
  free(cfg);
  if (r) gsl_rng_free(r);
  return rc;
}

/* ---------------------------------------------------------------- the type */

static int syn_init(void *vstate, mfbo_settings *settings, int instance, mfbo_space *space,
                    mfbo_error *err) {
  syn_state *st = vstate;
  if (syn_read_settings(settings, &st->k, err) != 0) return -1;
  /* The structure depends on the instance and the dimension only; the other knobs scale it. */
  uint64_t h = mfbo_hash_str(MFBO_HASH_INIT, "synthetic");
  h = mfbo_hash_u64(h, (uint64_t)instance);
  st->key = mfbo_hash_u64(h, (uint64_t)st->k.dimension);
  if (syn_add_params(st, space, err) != 0) return -1;
  syn_remember_positions(st, space);
  gsl_rng *r = mfbo_stream_alloc(st->key, "synthetic");
  if (!r || syn_place_limit(st, space) != 0) {
    if (r) gsl_rng_free(r);
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  syn_draw_structure(st, r);
  gsl_rng_free(r);
  int d = st->k.dimension;
  st->main_norm = sqrt(8.0 / d);
  st->pair_norm = sqrt(28.0 / (d * (d - 1) / 2.0));
  return 0;
}

static double syn_true_ms(const void *vstate, const mfbo_space *space, const int *cfg) {
  const syn_state *st = vstate;
  uint64_t h = cfg_hash(st, space, cfg);
  if (resource_use(st, space, cfg, h) > st->resource_limit) return INFINITY;
  return st->k.base_ms * exp(log_time(st, space, cfg, h));
}

/* One repetition's multiplicative noise, mean exactly 1 and always > 0: a lognormal of sd
 * noise_cv, times (1 + an outlier) where an outlier (probability outlier_prob) is a
 * Pareto(3) slowdown of at least outlier_scale, mean 1.5 outlier_scale. */
static double rep_factor(const syn_knobs *k, gsl_rng *noise) {
  double cv = k->noise_cv;
  double f = exp(cv * gsl_ran_gaussian(noise, 1.0) - 0.5 * cv * cv);
  double outlier = 0;
  if (k->outlier_prob > 0 && gsl_rng_uniform(noise) < k->outlier_prob)
    outlier = k->outlier_scale * pow(gsl_rng_uniform_pos(noise), -1.0 / 3.0);
  return f * (1.0 + outlier) / (1.0 + 1.5 * k->outlier_prob * k->outlier_scale);
}

static double syn_measure_ms(const void *vstate, const mfbo_space *space, const int *cfg,
                             double true_ms, int reps, gsl_rng *noise) {
  (void)space;
  (void)cfg;
  const syn_state *st = vstate;
  if (!isfinite(true_ms)) return INFINITY;
  double sum = 0;
  for (int r = 0; r < reps; r++) sum += rep_factor(&st->k, noise);
  return true_ms * sum / reps;
}

/* Compile time: compile_s x a per-configuration lognormal of sd compile_spread (median
 * compile_s); a failing configuration costs its compile time only. */
static double syn_compile_s(const void *vstate, const mfbo_space *space, const int *cfg,
                            double true_ms) {
  (void)true_ms;
  const syn_state *st = vstate;
  uint64_t h = cfg_hash(st, space, cfg);
  return st->k.compile_s * exp(st->k.compile_spread * hash_normal(mfbo_hash_u64(h, 2)));
}

static double syn_timing_s(const void *vstate, const mfbo_space *space, const int *cfg,
                           double true_ms, int reps) {
  (void)space, (void)cfg;
  const syn_state *st = vstate;
  if (!isfinite(true_ms)) return 0;
  return reps * (true_ms + st->k.overhead_ms_per_rep) / 1000.0;
}

const mfbo_benchmark_type mfbo_benchmark_synthetic = {
    .name = "synthetic",
    .summary = "a seeded family of kernel-like landscapes (instance, dimension 5-15)",
    .state_size = sizeof(syn_state),
    .init = syn_init,
    .true_ms = syn_true_ms,
    .measure_ms = syn_measure_ms,
    .compile_s = syn_compile_s,
    .timing_s = syn_timing_s,
    .free = NULL,
};
