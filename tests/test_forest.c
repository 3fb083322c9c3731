/* test_forest.c: the random forest of src/model/forest.c against results worked out by
 * hand: a single tree without bootstrap splits at the midpoint that separates the classes,
 * prefers the informative feature, never counts a constant feature among those it tries,
 * weights its leaves; a bootstrapped forest of 100 trees on separable data, determinism. */
#include <gsl/gsl_rng.h>

#include "model/forest.h"
#include "check.h"

/* x = 1, 2, 3, 4, labels 0 0 1 1: one split at 2.5, two pure leaves. */
static void test_one_split(gsl_rng *rng) {
  const double x[4] = {1, 2, 3, 4};
  const int y[4] = {0, 0, 1, 1};
  mfbo_forest f = {0};
  mfbo_forest_params p = {.n_trees = 1, .max_features = 1, .bootstrap = 0};
  CHECK(mfbo_forest_fit(&f, &p, x, y, NULL, 4, 1, rng) == 0);
  const mfbo_tree *t = &f.trees[0];
  CHECK(t->n_nodes == 3 && t->feature[0] == 0);
  CHECK_NEAR(t->threshold[0], 2.5, 0);
  CHECK(mfbo_tree_proba(t, &x[1]) == 0 && mfbo_tree_proba(t, &x[2]) == 1);
  double between = 2.5, above = 2.6;
  CHECK(mfbo_tree_proba(t, &between) == 0 && mfbo_tree_proba(t, &above) == 1);
  int path[4];
  CHECK(mfbo_tree_path_features(t, &x[0], path, 4) == 1 && path[0] == 0);
  CHECK(mfbo_tree_apply(t, &x[0]) == t->left[0] && mfbo_tree_apply(t, &x[3]) == t->right[0]);
  mfbo_forest_free(&f);
}

/* Feature 0 says nothing (0 1 0 1 against 0 0 1 1), feature 1 separates at 2.5: trying
 * both, the tree splits on feature 1 (entropy 1 -> 0 against 1 -> 1). */
static void test_informative_feature(gsl_rng *rng) {
  const double x[8] = {0, 1, 1, 2, 0, 3, 1, 4};
  const int y[4] = {0, 0, 1, 1};
  mfbo_forest f = {0};
  mfbo_forest_params p = {.n_trees = 1, .max_features = 2, .bootstrap = 0};
  CHECK(mfbo_forest_fit(&f, &p, x, y, NULL, 4, 2, rng) == 0);
  CHECK(f.trees[0].feature[0] == 1 && f.trees[0].n_nodes == 3);
  CHECK_NEAR(f.trees[0].threshold[0], 2.5, 0);
  mfbo_forest_free(&f);
}

/* Feature 0 is constant: with max_features = 1 the splitter draws on until it has tried
 * one non-constant feature, so every seed splits on feature 1 (scikit-learn's rule). */
static void test_constant_not_counted(void) {
  const double x[8] = {7, 1, 7, 2, 7, 3, 7, 4};
  const int y[4] = {0, 0, 1, 1};
  for (unsigned long seed = 1; seed <= 20; seed++) {
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    mfbo_forest f = {0};
    mfbo_forest_params p = {.n_trees = 1, .max_features = 1, .bootstrap = 0};
    CHECK(mfbo_forest_fit(&f, &p, x, y, NULL, 4, 2, rng) == 0);
    CHECK(f.trees[0].feature[0] == 1 && f.trees[0].n_nodes == 3);
    mfbo_forest_free(&f);
    gsl_rng_free(rng);
  }
}

/* Two samples at the same point, labels 0 and 1, weights 1 and 3: no split is possible,
 * the leaf's probability is the weighted fraction 3/4. */
static void test_weighted_leaf(gsl_rng *rng) {
  const double x[2] = {5, 5};
  const int y[2] = {0, 1};
  const double w[2] = {1, 3};
  mfbo_forest f = {0};
  mfbo_forest_params p = {.n_trees = 1, .max_features = 0, .bootstrap = 0};
  CHECK(mfbo_forest_fit(&f, &p, x, y, w, 2, 1, rng) == 0);
  CHECK(f.trees[0].n_nodes == 1 && f.trees[0].feature[0] == -1);
  CHECK_NEAR(mfbo_forest_proba(&f, x), 0.75, 1e-15);
  mfbo_forest_free(&f);
}

/* 100 bootstrapped trees on x = 1..10, label x > 5: the far ends are certain (a tree whose
 * sample has one class only says that class everywhere: probability 2^-10 per tree), the
 * forest's probability rises with x, and the same seed gives the same forest. */
static void test_forest(void) {
  double x[10];
  int y[10];
  for (int i = 0; i < 10; i++) x[i] = i + 1, y[i] = i + 1 > 5;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  mfbo_forest f = {0}, g = {0};
  mfbo_forest_params p = {.n_trees = 100, .max_features = 0, .bootstrap = 1};
  gsl_rng_set(rng, 42);
  CHECK(mfbo_forest_fit(&f, &p, x, y, NULL, 10, 1, rng) == 0);
  gsl_rng_set(rng, 42);
  CHECK(mfbo_forest_fit(&g, &p, x, y, NULL, 10, 1, rng) == 0);
  CHECK(f.n_trees == 100);
  double lo = 1, hi = 10, prev = -1;
  CHECK(mfbo_forest_proba(&f, &lo) < 0.05 && mfbo_forest_proba(&f, &hi) > 0.95);
  for (int i = 0; i < 10; i++) {
    double pr = mfbo_forest_proba(&f, &x[i]);
    CHECK(pr >= prev && pr == mfbo_forest_proba(&g, &x[i]));
    prev = pr;
  }
  double mid = 5.5;
  printf("forest on 1..10 (label x > 5): p(1) = %.3f, p(5) = %.3f, p(5.5) = %.3f, "
         "p(6) = %.3f, p(10) = %.3f\n", mfbo_forest_proba(&f, &lo), mfbo_forest_proba(&f, &x[4]),
         mfbo_forest_proba(&f, &mid), mfbo_forest_proba(&f, &x[5]), mfbo_forest_proba(&f, &hi));
  mfbo_forest_free(&f);
  mfbo_forest_free(&g);
  gsl_rng_free(rng);
}

int main(void) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  test_one_split(rng);
  test_informative_feature(rng);
  test_constant_not_counted();
  test_weighted_leaf(rng);
  test_forest();
  gsl_rng_free(rng);
  CHECK_DONE();
}
