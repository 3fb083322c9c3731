/* lfbo.c: the `lfbo` searcher, Helion's default autotuner LFBOTreeSearch
 * (helion/autotuner/surrogate_pattern_search.py, pytorch/helion commit ef091f41): pattern
 * search whose neighbours are chosen by a random-forest classifier of "good"
 * configurations (likelihood-free Bayesian optimisation, Song et al. 2022).
 * 1. Initial population: the default configuration, then random distinct ones,
 *    initial_population in all; time them, re-time those within rebench_threshold of the
 *    best (population.c). The `copies` fastest finite members start the copies.
 * 2. Fit the forest (src/model/forest.c, scikit-learn's RandomForestClassifier with
 *    criterion log_loss, 100 trees, a fixed seed 42 at every fit) on every timed member:
 *    features mfbo_space_encode (Helion's encode_config), label 1 when the time is at most
 *    the `quantile` quantile of the finite times, weight (q - t) / mean for those (at least
 *    1e-5 before normalising), 1 for the rest; all labels equal: no forest.
 * 3. Each generation, each active copy judges its last selection as PatternSearch does
 *    (with `patience` extra generations allowed without improvement), then generates
 *    num_neighbors neighbours of its current point: in the first two generations (and
 *    without a forest) by random perturbation (one block size and num_warps by up to
 *    `radius` steps, up to `radius` other parameters by one step), afterwards by greedy
 *    traversal of a random tree (variant = tree; variant = pattern: random perturbation
 *    throughout, Helion's LFBOPatternSearch). The unvisited ones become visited; of them
 *    and the current point, floor(frac_selected x count) are selected greedily by forest
 *    probability minus similarity_penalty x mean leaf co-occurrence with those already
 *    selected; fewer than two stops the copy. All selections are timed as one batch, the
 *    generation's population is re-timed, and the forest is refitted on all data
 *    (except after the last generation).
 * 4. After max_generations or when no copy is active, the final re-time of the top 8.
 * The searcher never calls the benchmark: it asks for batches and is told results. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "mfbo/searcher.h"
#include "model/forest.h"
#include "pattern_internal.h"
#include "population.h"

typedef enum {
  PHASE_START,
  PHASE_INITIAL,
  PHASE_INITIAL_RETIME,
  PHASE_GENERATION,
  PHASE_GENERATION_RETIME,
  PHASE_FINAL,
  PHASE_DONE
} lfbo_phase;

typedef struct {
  int *items;
  int n, cap;
} int_list;

typedef struct {
  int active;
  int current;
  int patience;
  int_list selected; /* the last selection, in selection order (may hold current) */
} lfbo_copy;

typedef struct {
  const mfbo_space *space;
  gsl_rng *rng;
  gsl_rng *forest_rng;
  int initial_population, n_copies, max_generations, num_neighbors, radius, patience;
  int tree_variant;
  double min_improvement_delta, frac_selected, quantile, similarity_penalty;
  mfbo_population pop;
  lfbo_phase phase;
  int generation;
  int_list population;
  int_list new_members;  /* first timings of the current generation (Helion's unbenchmarked) */
  lfbo_copy *copies;
  /* training data */
  int dim;
  double *train_x;
  double *train_t;
  int n_train, cap_train;
  mfbo_forest forest;
  int has_forest;
  /* the space's structure */
  int *param_of_feature; /* dim */
  int *blocks;           /* block-size parameters */
  int n_blocks;
  int warps;             /* the num_warps parameter, -1 if none */
  /* scratch */
  int *neigh;            /* num_neighbors x n_params */
  int *cand;             /* (num_neighbors + 1) x n_params */
  double *cand_x;        /* (num_neighbors + 1) x dim */
} lfbo_state;

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

static int list_add_once(int_list *l, int x) {
  for (int i = 0; i < l->n; i++)
    if (l->items[i] == x) return 0;
  return list_push(l, x);
}

static int names_contain(const char *name, const char *word) {
  for (; *name; name++) {
    size_t k = 0;
    while (word[k] && name[k] && toupper((unsigned char)name[k]) == word[k]) k++;
    if (!word[k]) return 1;
  }
  return 0;
}

/* Helion's spec.pattern_neighbors(value, radius) as value indices: powers of two and
 * integers within radius steps, every other enum choice, the other boolean. */
static int pattern_values(const mfbo_param *p, int v, int radius, int *out) {
  int n = 0;
  if (p->kind == MFBO_PARAM_ENUM || p->kind == MFBO_PARAM_BOOL) {
    for (int u = 0; u < p->n_values; u++)
      if (u != v) out[n++] = u;
    return n;
  }
  int lo = v - radius < 0 ? 0 : v - radius;
  int hi = v + radius >= p->n_values ? p->n_values - 1 : v + radius;
  for (int u = lo; u <= hi; u++)
    if (u != v) out[n++] = u;
  return n;
}

static int max_values(const mfbo_space *s) {
  int m = 1;
  for (int j = 0; j < s->n_params; j++)
    if (s->params[j].n_values > m) m = s->params[j].n_values;
  return m;
}

/* ---------------------------------------------------------------- settings */

static int read_settings(lfbo_state *st, mfbo_settings *settings, int quick,
                         mfbo_pop_settings *pop, mfbo_error *err) {
  static const char *const variants[] = {"tree", "pattern", NULL};
  int variant = 0;
  if (mfbo_settings_get_choice(settings, "variant", variants, &variant, err) != 0) return -1;
  st->tree_variant = variant == 0;
  st->initial_population = quick ? 30 : 100;
  st->n_copies = quick ? 2 : 5;
  st->max_generations = quick ? 5 : 20;
  st->num_neighbors = st->tree_variant ? 200 : 300;
  st->radius = 2;
  st->patience = 1;
  st->min_improvement_delta = 0.001;
  st->frac_selected = 0.10;
  st->quantile = 0.1;
  st->similarity_penalty = 1.0;
  *pop = (mfbo_pop_settings){.rebench_threshold = quick ? 0.9 : 1.5, .final_retime = 8,
                             .fidelity = 1, .rebench_fidelity = 10, .final_fidelity = 50};
  return mfbo_settings_get_int(settings, "initial_population", 1, 10000000,
                               &st->initial_population, err) ||
                 mfbo_settings_get_int(settings, "copies", 1, 1000000, &st->n_copies, err) ||
                 mfbo_settings_get_int(settings, "max_generations", 0, 1000000,
                                       &st->max_generations, err) ||
                 mfbo_settings_get_int(settings, "num_neighbors", 1, 1000000,
                                       &st->num_neighbors, err) ||
                 mfbo_settings_get_int(settings, "radius", 1, 1000000, &st->radius, err) ||
                 mfbo_settings_get_int(settings, "patience", 0, 1000000, &st->patience, err) ||
                 mfbo_settings_get_double(settings, "min_improvement_delta", 0, 1e9,
                                          &st->min_improvement_delta, err) ||
                 mfbo_settings_get_double(settings, "frac_selected", 1e-9, 1,
                                          &st->frac_selected, err) ||
                 mfbo_settings_get_double(settings, "quantile", 0, 1, &st->quantile, err) ||
                 mfbo_settings_get_double(settings, "similarity_penalty", 0, 1e9,
                                          &st->similarity_penalty, err) ||
                 mfbo_pop_read_settings(settings, pop, err)
             ? -1
             : 0;
}

/* Which encoded feature belongs to which parameter; the block sizes and num_warps. */
static int read_structure(lfbo_state *st) {
  const mfbo_space *s = st->space;
  st->dim = mfbo_space_encoded_dim(s);
  st->param_of_feature = malloc((size_t)(st->dim > 0 ? st->dim : 1) * sizeof(int));
  st->blocks = malloc((size_t)(s->n_params > 0 ? s->n_params : 1) * sizeof(int));
  if (!st->param_of_feature || !st->blocks) return -1;
  int d = 0;
  st->warps = -1;
  for (int j = 0; j < s->n_params; j++) {
    const mfbo_param *p = &s->params[j];
    int width = p->kind == MFBO_PARAM_ENUM ? p->n_values : 1;
    for (int k = 0; k < width; k++) st->param_of_feature[d++] = j;
    if (mfbo_pattern_is_block_param(p)) st->blocks[st->n_blocks++] = j;
    else if (st->warps < 0 && p->kind == MFBO_PARAM_POW2 && names_contain(p->name, "WARPS"))
      st->warps = j;
  }
  size_t rows = (size_t)st->num_neighbors + 1;
  st->neigh = malloc(rows * (size_t)s->n_params * sizeof(int));
  st->cand = malloc(rows * (size_t)s->n_params * sizeof(int));
  st->cand_x = malloc(rows * (size_t)(st->dim > 0 ? st->dim : 1) * sizeof(double));
  return st->neigh && st->cand && st->cand_x ? 0 : -1;
}

static int lfbo_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                     gsl_rng *rng, mfbo_error *err) {
  lfbo_state *st = vstate;
  int quick = mfbo_searcher_preset_is_quick(settings, err);
  if (quick < 0) return -1;
  st->space = space;
  st->rng = rng;
  mfbo_pop_settings pop;
  if (read_settings(st, settings, quick, &pop, err) != 0) return -1;
  st->forest_rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!st->forest_rng || mfbo_pop_init(&st->pop, space, &pop) != 0 || read_structure(st) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- the classifier */

static int add_training(lfbo_state *st, int m) {
  if (st->n_train == st->cap_train) {
    int cap = st->cap_train ? 2 * st->cap_train : 256;
    double *x = realloc(st->train_x, (size_t)cap * (size_t)st->dim * sizeof *x);
    if (x) st->train_x = x;
    double *t = realloc(st->train_t, (size_t)cap * sizeof *t);
    if (t) st->train_t = t;
    if (!x || !t) return -1;
    st->cap_train = cap;
  }
  mfbo_space_encode(st->space, mfbo_pop_cfg(&st->pop, m),
                    st->train_x + (size_t)st->n_train * st->dim);
  st->train_t[st->n_train++] = mfbo_pop_perf_ms(&st->pop, m);
  return 0;
}

/* Helion's _fit_surrogate: labels by the quantile of the finite times, weights. */
static int fit_forest(lfbo_state *st) {
  int n = st->n_train;
  int *label = malloc((size_t)(n > 0 ? n : 1) * sizeof *label);
  double *weight = malloc((size_t)(n > 0 ? n : 1) * sizeof *weight);
  double *finite = malloc((size_t)(n > 0 ? n : 1) * sizeof *finite);
  int rc = label && weight && finite ? 0 : -1, n_finite = 0, n_pos = 0;
  for (int i = 0; rc == 0 && i < n; i++)
    if (isfinite(st->train_t[i])) finite[n_finite++] = st->train_t[i];
  double q = 0, pos_sum = 0;
  if (rc == 0 && n_finite > 0) {
    gsl_sort(finite, 1, (size_t)n_finite);
    q = gsl_stats_quantile_from_sorted_data(finite, 1, (size_t)n_finite, st->quantile);
  }
  for (int i = 0; rc == 0 && i < n; i++) {
    label[i] = n_finite > 0 && st->train_t[i] <= q;
    weight[i] = label[i] ? fmax(1e-5, q - st->train_t[i]) : 1.0;
    if (label[i]) pos_sum += weight[i], n_pos++;
  }
  for (int i = 0; rc == 0 && i < n; i++)
    if (label[i]) weight[i] /= pos_sum / n_pos;
  st->has_forest = 0;
  if (rc == 0 && n_pos > 0 && n_pos < n) {
    mfbo_forest_params params = {.n_trees = 100, .max_features = 0, .bootstrap = 1};
    gsl_rng_set(st->forest_rng, 42);
    rc = mfbo_forest_fit(&st->forest, &params, st->train_x, label, weight, n, st->dim,
                         st->forest_rng);
    st->has_forest = rc == 0;
  }
  free(label);
  free(weight);
  free(finite);
  return rc;
}

/* ---------------------------------------------------------------- neighbours */

/* LFBOPatternSearch._generate_neighbors: random perturbations of base. Writes them to
 * st->neigh; returns how many (duplicates and non-members included, as in Helion). */
static int random_neighbours(lfbo_state *st, const int *base, int *values) {
  const mfbo_space *s = st->space;
  int np = s->n_params, count = 0;
  int *remaining = malloc((size_t)(np > 0 ? np : 1) * sizeof *remaining);
  int *chosen = malloc((size_t)(np > 0 ? np : 1) * sizeof *chosen);
  if (!remaining || !chosen) {
    free(remaining);
    free(chosen);
    return -1;
  }
  for (int trial = 0; trial < st->num_neighbors; trial++) {
    int *cfg = st->neigh + (size_t)count * np;
    memcpy(cfg, base, (size_t)np * sizeof *cfg);
    int block = -1, n;
    if (st->n_blocks > 0) {
      block = st->blocks[gsl_rng_uniform_int(st->rng, (unsigned long)st->n_blocks)];
      n = pattern_values(&s->params[block], base[block], st->radius, values);
      if (n > 0) cfg[block] = values[gsl_rng_uniform_int(st->rng, (unsigned long)n)];
    }
    if (st->warps >= 0) {
      n = pattern_values(&s->params[st->warps], base[st->warps], st->radius, values);
      if (n > 0) cfg[st->warps] = values[gsl_rng_uniform_int(st->rng, (unsigned long)n)];
    }
    int n_remaining = 0;
    for (int j = 0; j < np; j++)
      if (j != block && j != st->warps && pattern_values(&s->params[j], base[j], 1, values) > 0)
        remaining[n_remaining++] = j;
    if (n_remaining > 0) {
      int most = st->radius < n_remaining ? st->radius : n_remaining;
      int k = (int)gsl_rng_uniform_int(st->rng, (unsigned long)most + 1);
      if (k > 0) {
        gsl_ran_choose(st->rng, chosen, (size_t)k, remaining, (size_t)n_remaining, sizeof(int));
        for (int i = 0; i < k; i++) {
          int j = chosen[i];
          n = pattern_values(&s->params[j], base[j], 1, values);
          cfg[j] = values[gsl_rng_uniform_int(st->rng, (unsigned long)n)];
        }
      }
    }
    if (memcmp(cfg, base, (size_t)np * sizeof *cfg) != 0) count++;
  }
  free(remaining);
  free(chosen);
  return count;
}

/* One greedy step of the tree traversal: the best value of parameter j for tree t among
 * the current one and its pattern neighbours (members only), ties at random. */
static void greedy_step(lfbo_state *st, const mfbo_tree *t, int *cfg, double *x, int j,
                        int *values, int *ties) {
  const mfbo_space *s = st->space;
  int current = cfg[j];
  int n = pattern_values(&s->params[j], current, st->radius, values);
  if (n == 0) return;
  values[n++] = current; /* scored first below, as Helion's [current, *neighbors] */
  double best = -1;
  int n_ties = 0;
  for (int i = 0; i < n; i++) {
    int v = i == 0 ? current : values[i - 1];
    cfg[j] = v;
    if (v != current && !mfbo_space_contains(s, cfg)) continue;
    mfbo_space_encode(s, cfg, x);
    double p = mfbo_tree_proba(t, x);
    if (p > best) best = p, n_ties = 0;
    if (p == best) ties[n_ties++] = v;
  }
  cfg[j] = ties[gsl_rng_uniform_int(st->rng, (unsigned long)n_ties)];
  mfbo_space_encode(s, cfg, x);
}

/* LFBOTreeSearch._generate_neighbors: greedy traversal of random trees from base. */
static int tree_neighbours(lfbo_state *st, const int *base, int *values) {
  const mfbo_space *s = st->space;
  int np = s->n_params, count = 0;
  int *order = malloc((size_t)(np + 2) * sizeof *order);
  int *seen = malloc((size_t)(np > 0 ? np : 1) * sizeof *seen);
  int *ties = malloc((size_t)(max_values(s) + 1) * sizeof *ties);
  double *x = malloc((size_t)(st->dim > 0 ? st->dim : 1) * sizeof *x);
  int rc = order && seen && ties && x ? 0 : -1;
  for (int trial = 0; rc == 0 && trial < st->num_neighbors; trial++) {
    const mfbo_tree *t =
        &st->forest.trees[gsl_rng_uniform_int(st->rng, (unsigned long)st->forest.n_trees)];
    mfbo_space_encode(s, base, x);
    int n_order = 0;
    memset(seen, 0, (size_t)np * sizeof *seen);
    for (int k = 0; t->n_nodes > 0 && t->feature[k] >= 0;) { /* the decision path */
      int j = st->param_of_feature[t->feature[k]];
      if (!seen[j]) seen[j] = 1, order[n_order++] = j;
      k = x[t->feature[k]] <= t->threshold[k] ? t->left[k] : t->right[k];
    }
    if (st->n_blocks > 0) {
      int j = st->blocks[gsl_rng_uniform_int(st->rng, (unsigned long)st->n_blocks)];
      if (!seen[j]) seen[j] = 1, order[n_order++] = j;
    }
    if (st->warps >= 0 && !seen[st->warps]) seen[st->warps] = 1, order[n_order++] = st->warps;
    int *cfg = st->neigh + (size_t)count * np;
    memcpy(cfg, base, (size_t)np * sizeof *cfg);
    for (int i = 0; i < n_order; i++) greedy_step(st, t, cfg, x, order[i], values, ties);
    if (memcmp(cfg, base, (size_t)np * sizeof *cfg) != 0) count++;
  }
  free(order);
  free(seen);
  free(ties);
  free(x);
  return rc == 0 ? count : -1;
}

/* ---------------------------------------------------------------- selection */

/* Helion's _surrogate_select over n candidate configurations (st->cand, st->cand_x):
 * writes the indices of the k selected, in selection order, to out. */
static int surrogate_select(lfbo_state *st, int n, int k, int *out) {
  if (!st->has_forest) { /* random scores, lowest first */
    double *score = malloc((size_t)n * sizeof *score);
    size_t *perm = malloc((size_t)n * sizeof *perm);
    int rc = score && perm ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) score[i] = gsl_rng_uniform(st->rng);
    if (rc == 0) gsl_sort_index(perm, score, 1, (size_t)n);
    for (int i = 0; rc == 0 && i < k; i++) out[i] = (int)perm[i];
    free(score);
    free(perm);
    return rc;
  }
  int n_trees = st->forest.n_trees;
  double *proba = malloc((size_t)n * sizeof *proba);
  double *sim = calloc((size_t)n, sizeof *sim);
  int *leaf = malloc((size_t)n * (size_t)n_trees * sizeof *leaf);
  char *taken = calloc((size_t)n, 1);
  int rc = proba && sim && leaf && taken ? 0 : -1;
  for (int i = 0; rc == 0 && i < n; i++) {
    const double *x = st->cand_x + (size_t)i * st->dim;
    proba[i] = mfbo_forest_proba(&st->forest, x);
    for (int t = 0; t < n_trees; t++)
      leaf[(size_t)i * n_trees + t] = mfbo_tree_apply(&st->forest.trees[t], x);
  }
  for (int r = 0; rc == 0 && r < k; r++) {
    int best = -1;
    double best_score = -INFINITY;
    for (int i = 0; i < n; i++) {
      if (taken[i]) continue;
      double score = r > 0 ? proba[i] - st->similarity_penalty * sim[i] / r : proba[i];
      if (best < 0 || score > best_score) best = i, best_score = score;
    }
    if (best < 0) break; /* fewer candidates than picks */
    taken[best] = 1;
    out[r] = best;
    for (int i = 0; i < n; i++) {
      int same = 0;
      for (int t = 0; t < n_trees; t++)
        same += leaf[(size_t)i * n_trees + t] == leaf[(size_t)best * n_trees + t];
      sim[i] += (double)same / n_trees;
    }
  }
  free(proba);
  free(sim);
  free(leaf);
  free(taken);
  return rc;
}

/* ---------------------------------------------------------------- one copy */

/* Helion's _check_early_stopping with patience: 1 when the copy stops. */
static int judge_copy(lfbo_state *st, lfbo_copy *c) {
  if (c->selected.n == 0) return 0;
  int best = mfbo_pop_fastest(&st->pop, c->selected.items, c->selected.n);
  if (mfbo_pattern_copy_stops(best == c->current, mfbo_pop_perf_ms(&st->pop, best),
                              mfbo_pop_perf_ms(&st->pop, c->current),
                              st->min_improvement_delta)) {
    if (c->patience == 0) return 1;
    c->patience--;
  }
  c->current = best;
  return 0;
}

/* The copy's next selection: neighbours of its current point, the unvisited members
 * among them (now visited), the forest's pick of them and the current point. */
static int next_selection(lfbo_state *st, lfbo_copy *c, int *values, int *picked) {
  const mfbo_space *s = st->space;
  int np = s->n_params;
  const int *base = mfbo_pop_cfg(&st->pop, c->current);
  int use_tree = st->tree_variant && st->has_forest && st->generation >= 2;
  int n_neigh = use_tree ? tree_neighbours(st, base, values) : random_neighbours(st, base, values);
  if (n_neigh < 0) return -1;
  memcpy(st->cand, base, (size_t)np * sizeof(int));
  int n = 1;
  for (int i = 0; i < n_neigh; i++) {
    const int *cfg = st->neigh + (size_t)i * np;
    if (!mfbo_space_contains(s, cfg)) continue; /* Helion: an invalid config is dropped */
    int added = mfbo_codeset_add(&st->pop.visited, mfbo_space_code(s, cfg));
    if (added < 0) return -1;
    if (added == 0) continue;
    memcpy(st->cand + (size_t)n * np, cfg, (size_t)np * sizeof(int));
    n++;
  }
  for (int i = 0; i < n; i++)
    mfbo_space_encode(s, st->cand + (size_t)i * np, st->cand_x + (size_t)i * st->dim);
  int k = (int)(n * st->frac_selected);
  c->selected.n = 0;
  if (k <= 1) {
    c->active = 0;
    return 0;
  }
  if (surrogate_select(st, n, k, picked) != 0) return -1;
  for (int r = 0; r < k; r++) {
    int m = picked[r] == 0 ? c->current : mfbo_pop_add(&st->pop, st->cand + (size_t)picked[r] * np);
    if (m < 0 || list_push(&c->selected, m) != 0) return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- the search */

static int ask_initial(lfbo_state *st, mfbo_batch *batch) {
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

/* After the initial population: the copies, the training data, the first forest. */
static int start_copies(lfbo_state *st) {
  mfbo_pop_sort(&st->pop, st->population.items, st->population.n);
  st->copies = calloc((size_t)st->n_copies, sizeof *st->copies);
  if (!st->copies) return -1;
  for (int c = 0; c < st->n_copies && c < st->population.n; c++) {
    int m = st->population.items[c];
    st->copies[c] = (lfbo_copy){.current = m, .patience = st->patience,
                                .active = isfinite(mfbo_pop_perf_ms(&st->pop, m))};
  }
  for (int i = 0; i < st->population.n; i++)
    if (add_training(st, st->population.items[i]) != 0) return -1;
  return fit_forest(st);
}

static int ask_generation(lfbo_state *st, mfbo_batch *batch) {
  int *values = malloc((size_t)(2 * max_values(st->space) + 2) * sizeof *values);
  int *picked = malloc((size_t)(st->num_neighbors + 1) * sizeof *picked);
  int rc = values && picked ? 0 : -1;
  int prior_best = mfbo_pop_fastest(&st->pop, st->population.items, st->population.n);
  st->population.n = 0;
  st->new_members.n = 0;
  if (rc == 0 && prior_best >= 0) rc = list_push(&st->population, prior_best);
  for (int k = 0; rc == 0 && k < st->n_copies; k++) {
    lfbo_copy *c = &st->copies[k];
    if (!c->active) continue;
    if (judge_copy(st, c)) {
      c->active = 0;
      continue;
    }
    rc = next_selection(st, c, values, picked);
    for (int i = 0; rc == 0 && c->active && i < c->selected.n; i++) {
      int m = c->selected.items[i];
      rc = list_add_once(&st->population, m);
      if (rc == 0 && st->pop.members[m].n_measured == 0) rc = list_add_once(&st->new_members, m);
    }
  }
  for (int i = 0; rc == 0 && i < st->new_members.n; i++)
    rc = mfbo_pop_request(&st->pop, batch, st->new_members.items[i], st->pop.settings.fidelity);
  free(values);
  free(picked);
  st->generation++;
  st->phase = PHASE_GENERATION;
  return rc;
}

static int ask_retimes(lfbo_state *st, mfbo_batch *batch, lfbo_phase next_phase) {
  int n = mfbo_pop_request_retimes(&st->pop, batch, st->population.items, st->population.n);
  if (n > 0) st->phase = next_phase;
  return n < 0 ? -1 : 0;
}

static int ask_final(lfbo_state *st, mfbo_batch *batch) {
  st->phase = PHASE_FINAL;
  return mfbo_pop_request_final(&st->pop, batch) < 0 ? -1 : 0;
}

static int ask_next_generation(lfbo_state *st, mfbo_batch *batch) {
  if (st->generation < st->max_generations) {
    if (ask_generation(st, batch) != 0) return -1;
    if (batch->n > 0) return 0;
  }
  return ask_final(st, batch);
}

/* After a generation is timed and re-timed: learn from its new members (not after the
 * last generation, as Helion), then go on. */
static int after_generation(lfbo_state *st, mfbo_batch *batch) {
  if (st->generation != st->max_generations) {
    for (int i = 0; i < st->new_members.n; i++)
      if (add_training(st, st->new_members.items[i]) != 0) return -1;
    if (fit_forest(st) != 0) return -1;
  }
  return ask_next_generation(st, batch);
}

static int lfbo_ask_step(lfbo_state *st, mfbo_batch *batch) {
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
    return after_generation(st, batch);
  case PHASE_FINAL:
  case PHASE_DONE:
    st->phase = PHASE_DONE;
    return 0;
  }
  return 0;
}

static int lfbo_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  if (lfbo_ask_step(vstate, batch) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static void lfbo_tell(void *vstate, const mfbo_batch *batch, int i) {
  lfbo_state *st = vstate;
  mfbo_pop_tell(&st->pop, batch, i);
}

static int lfbo_incumbent(const void *vstate, int *cfg) {
  const lfbo_state *st = vstate;
  return mfbo_pop_incumbent_cfg(&st->pop, cfg);
}

static void lfbo_free(void *vstate) {
  lfbo_state *st = vstate;
  if (st->copies)
    for (int k = 0; k < st->n_copies; k++) free(st->copies[k].selected.items);
  free(st->copies);
  free(st->population.items);
  free(st->new_members.items);
  free(st->train_x);
  free(st->train_t);
  mfbo_forest_free(&st->forest);
  free(st->param_of_feature);
  free(st->blocks);
  free(st->neigh);
  free(st->cand);
  free(st->cand_x);
  if (st->forest_rng) gsl_rng_free(st->forest_rng);
  mfbo_pop_free(&st->pop);
}

const mfbo_searcher_type mfbo_searcher_lfbo = {
    .name = "lfbo",
    .summary = "Helion's LFBOTreeSearch (its default): pattern search whose neighbours a "
               "random-forest classifier of good configurations picks",
    .state_size = sizeof(lfbo_state),
    .init = lfbo_init,
    .ask = lfbo_ask,
    .tell = lfbo_tell,
    .incumbent = lfbo_incumbent,
    .free = lfbo_free,
};
