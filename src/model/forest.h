/* forest.h: a random-forest classifier for two classes, the smallest one that does what
 * scikit-learn's RandomForestClassifier does with the arguments Helion's LFBO searchers
 * give it (criterion="log_loss", n_estimators=100, every other argument at its default):
 * each tree is a CART tree grown to purity on a bootstrap sample (n draws with
 * replacement, a sample's weight multiplied by how often it was drawn), splitting on the
 * best threshold (a midpoint between two distinct values) of the weighted entropy decrease
 * over floor(sqrt(d)) features drawn at random without replacement (constant features do
 * not count, as in scikit-learn's splitter); a leaf's probability is the weighted fraction
 * of class 1 in it; the forest's is the mean over its trees. Debian 12 packages no C
 * library for this (only R packages), hence this file. Its randomness comes from the
 * gsl_rng it is given; numbers differ from scikit-learn's, the rules do not. */
#ifndef MFBO_MODEL_FOREST_H
#define MFBO_MODEL_FOREST_H

#include <gsl/gsl_rng.h>

typedef struct {
  int n_nodes, cap;
  int *feature;      /* split feature, -1 for a leaf */
  double *threshold; /* go left when x[feature] <= threshold */
  int *left, *right;
  double *p1;        /* weighted fraction of class 1 among the node's samples */
} mfbo_tree;

typedef struct {
  int n_trees;
  int max_features; /* features tried at a split; <= 0: floor(sqrt(d)), at least 1 */
  int bootstrap;    /* 1: each tree on a bootstrap sample (scikit-learn's default) */
} mfbo_forest_params;

typedef struct {
  int n_features;
  int n_trees;
  mfbo_tree *trees;
} mfbo_forest;

/* Fits a forest on n samples x (row-major, n x d), labels y (0 or 1), weights w (> 0, or
 * NULL for 1). Replaces whatever f held. 0, or -1 when out of memory. */
int mfbo_forest_fit(mfbo_forest *f, const mfbo_forest_params *params, const double *x,
                    const int *y, const double *w, int n, int d, gsl_rng *rng);
void mfbo_forest_free(mfbo_forest *f);

/* The leaf a sample falls in (scikit-learn's apply), and that leaf's probability. */
int mfbo_tree_apply(const mfbo_tree *t, const double *x);
double mfbo_tree_proba(const mfbo_tree *t, const double *x);
/* The split features on x's path from the root to its leaf, in order (decision_path);
 * writes at most max, returns how many. */
int mfbo_tree_path_features(const mfbo_tree *t, const double *x, int *out, int max);
/* Mean of the trees' probabilities of class 1 (predict_proba[:, 1]). */
double mfbo_forest_proba(const mfbo_forest *f, const double *x);

#endif
