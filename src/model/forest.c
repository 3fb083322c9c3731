/* forest.c: the random-forest classifier of forest.h (scikit-learn's
 * RandomForestClassifier rules: bootstrap, entropy, sqrt(d) features, trees grown to
 * purity). Trees are built depth first, so a node's children come after it. */
#include "forest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* scikit-learn's FEATURE_THRESHOLD: values closer than this are one value. */
#define FEATURE_THRESHOLD 1e-7
/* scikit-learn's EPSILON: a node this pure is a leaf. */
#define IMPURITY_EPSILON 2.220446049250313e-16

typedef struct {
  double value;
  int sample;
} keyed;

typedef struct {
  const double *x;
  const int *y;
  const double *w; /* weight x bootstrap count */
  int d, max_features;
  gsl_rng *rng;
  mfbo_tree *tree;
  keyed *sorted;   /* scratch, n */
  int *features;   /* scratch, d */
} builder;

static int by_value(const void *a, const void *b) {
  const keyed *p = a, *q = b;
  if (p->value != q->value) return p->value < q->value ? -1 : 1;
  return (p->sample > q->sample) - (p->sample < q->sample);
}

/* Entropy in bits of a node with weights w0, w1 (scikit-learn's log_loss criterion). */
static double entropy(double w0, double w1) {
  double total = w0 + w1, h = 0;
  if (total <= 0) return 0;
  if (w0 > 0) h -= w0 / total * log2(w0 / total);
  if (w1 > 0) h -= w1 / total * log2(w1 / total);
  return h;
}

static int new_node(mfbo_tree *t) {
  if (t->n_nodes == t->cap) {
    int cap = t->cap ? 2 * t->cap : 64;
    int *feature = realloc(t->feature, (size_t)cap * sizeof *feature);
    if (feature) t->feature = feature;
    double *threshold = realloc(t->threshold, (size_t)cap * sizeof *threshold);
    if (threshold) t->threshold = threshold;
    int *left = realloc(t->left, (size_t)cap * sizeof *left);
    if (left) t->left = left;
    int *right = realloc(t->right, (size_t)cap * sizeof *right);
    if (right) t->right = right;
    double *p1 = realloc(t->p1, (size_t)cap * sizeof *p1);
    if (p1) t->p1 = p1;
    if (!feature || !threshold || !left || !right || !p1) return -1;
    t->cap = cap;
  }
  int k = t->n_nodes++;
  t->feature[k] = -1;
  t->threshold[k] = 0;
  t->left[k] = t->right[k] = -1;
  t->p1[k] = 0;
  return k;
}

typedef struct {
  int feature;
  double threshold;
  double proxy; /* -(w_left H_left + w_right H_right): larger is better */
} split;

/* The best threshold of feature f over the node's samples; 0 if f is constant there. */
static int best_threshold(builder *b, const int *samples, int n, int f, double w0, double w1,
                          split *best) {
  for (int i = 0; i < n; i++)
    b->sorted[i] = (keyed){b->x[(size_t)samples[i] * b->d + f], samples[i]};
  qsort(b->sorted, (size_t)n, sizeof *b->sorted, by_value);
  if (b->sorted[n - 1].value <= b->sorted[0].value + FEATURE_THRESHOLD) return 0;
  double l0 = 0, l1 = 0;
  for (int i = 1; i < n; i++) {
    int s = b->sorted[i - 1].sample;
    if (b->y[s]) l1 += b->w[s]; else l0 += b->w[s];
    if (b->sorted[i].value <= b->sorted[i - 1].value + FEATURE_THRESHOLD) continue;
    double r0 = w0 - l0, r1 = w1 - l1;
    double proxy = -((l0 + l1) * entropy(l0, l1) + (r0 + r1) * entropy(r0, r1));
    if (proxy > best->proxy) {
      double t = b->sorted[i - 1].value / 2 + b->sorted[i].value / 2;
      if (t == b->sorted[i].value || !isfinite(t)) t = b->sorted[i - 1].value;
      *best = (split){f, t, proxy};
    }
  }
  return 1;
}

/* Draws features without replacement until max_features non-constant ones were tried
 * (or all were); returns the best split, feature -1 if none. */
static split choose_split(builder *b, const int *samples, int n, double w0, double w1) {
  split best = {-1, 0, -INFINITY};
  for (int j = 0; j < b->d; j++) b->features[j] = j;
  int tried = 0;
  for (int left = b->d; left > 0 && tried < b->max_features; left--) {
    int k = (int)gsl_rng_uniform_int(b->rng, (unsigned long)left);
    int f = b->features[k];
    b->features[k] = b->features[left - 1];
    b->features[left - 1] = f;
    tried += best_threshold(b, samples, n, f, w0, w1, &best);
  }
  return best;
}

/* Grows the subtree of these samples (reordered in place); returns its root or -1. */
static int grow(builder *b, int *samples, int n) {
  int node = new_node(b->tree);
  if (node < 0) return -1;
  double w0 = 0, w1 = 0;
  for (int i = 0; i < n; i++) {
    if (b->y[samples[i]]) w1 += b->w[samples[i]]; else w0 += b->w[samples[i]];
  }
  b->tree->p1[node] = w0 + w1 > 0 ? w1 / (w0 + w1) : 0;
  if (n < 2 || entropy(w0, w1) <= IMPURITY_EPSILON) return node;
  split s = choose_split(b, samples, n, w0, w1);
  if (s.feature < 0) return node;
  int n_left = 0;
  for (int i = 0; i < n; i++)
    if (b->x[(size_t)samples[i] * b->d + s.feature] <= s.threshold) {
      int t = samples[i];
      samples[i] = samples[n_left];
      samples[n_left++] = t;
    }
  b->tree->feature[node] = s.feature;
  b->tree->threshold[node] = s.threshold;
  int l = grow(b, samples, n_left);
  if (l < 0) return -1;
  b->tree->left[node] = l;
  int r = grow(b, samples + n_left, n - n_left);
  if (r < 0) return -1;
  b->tree->right[node] = r;
  return node;
}

static void tree_free(mfbo_tree *t) {
  free(t->feature);
  free(t->threshold);
  free(t->left);
  free(t->right);
  free(t->p1);
  memset(t, 0, sizeof *t);
}

void mfbo_forest_free(mfbo_forest *f) {
  for (int k = 0; k < f->n_trees; k++) tree_free(&f->trees[k]);
  free(f->trees);
  memset(f, 0, sizeof *f);
}

/* One tree: the bootstrap sample (scikit-learn draws n indices, counts become weights;
 * samples never drawn take no part), then the growth. */
static int fit_tree(builder *b, const double *w, int n, int bootstrap, double *w_eff,
                    int *samples) {
  for (int i = 0; i < n; i++) w_eff[i] = bootstrap ? 0 : 1;
  if (bootstrap)
    for (int i = 0; i < n; i++) w_eff[gsl_rng_uniform_int(b->rng, (unsigned long)n)] += 1;
  int m = 0;
  for (int i = 0; i < n; i++) {
    w_eff[i] *= w ? w[i] : 1.0;
    if (w_eff[i] != 0) samples[m++] = i;
  }
  b->w = w_eff;
  return m > 0 && grow(b, samples, m) < 0 ? -1 : 0;
}

int mfbo_forest_fit(mfbo_forest *f, const mfbo_forest_params *params, const double *x,
                    const int *y, const double *w, int n, int d, gsl_rng *rng) {
  mfbo_forest_free(f);
  int n_trees = params->n_trees > 0 ? params->n_trees : 1;
  int max_features = params->max_features > 0 ? params->max_features : (int)floor(sqrt(d));
  if (max_features < 1) max_features = 1;
  if (max_features > d) max_features = d;
  f->trees = calloc((size_t)n_trees, sizeof *f->trees);
  double *w_eff = malloc((size_t)(n > 0 ? n : 1) * sizeof *w_eff);
  int *samples = malloc((size_t)(n > 0 ? n : 1) * sizeof *samples);
  builder b = {.x = x, .y = y, .d = d, .max_features = max_features, .rng = rng,
               .sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof(keyed)),
               .features = malloc((size_t)(d > 0 ? d : 1) * sizeof(int))};
  int rc = f->trees && w_eff && samples && b.sorted && b.features ? 0 : -1;
  if (f->trees) f->n_trees = n_trees;
  f->n_features = d;
  for (int k = 0; k < n_trees && rc == 0; k++) {
    b.tree = &f->trees[k];
    rc = fit_tree(&b, w, n, params->bootstrap, w_eff, samples);
  }
  free(w_eff);
  free(samples);
  free(b.sorted);
  free(b.features);
  if (rc != 0) mfbo_forest_free(f);
  return rc;
}

int mfbo_tree_apply(const mfbo_tree *t, const double *x) {
  int k = 0;
  if (t->n_nodes == 0) return -1;
  while (t->feature[k] >= 0) k = x[t->feature[k]] <= t->threshold[k] ? t->left[k] : t->right[k];
  return k;
}

double mfbo_tree_proba(const mfbo_tree *t, const double *x) {
  int k = mfbo_tree_apply(t, x);
  return k < 0 ? 0 : t->p1[k];
}

int mfbo_tree_path_features(const mfbo_tree *t, const double *x, int *out, int max) {
  int n = 0;
  if (t->n_nodes == 0) return 0;
  for (int k = 0; t->feature[k] >= 0;) {
    if (n < max) out[n++] = t->feature[k];
    k = x[t->feature[k]] <= t->threshold[k] ? t->left[k] : t->right[k];
  }
  return n;
}

double mfbo_forest_proba(const mfbo_forest *f, const double *x) {
  double sum = 0;
  for (int k = 0; k < f->n_trees; k++) sum += mfbo_tree_proba(&f->trees[k], x);
  return f->n_trees > 0 ? sum / f->n_trees : 0;
}
