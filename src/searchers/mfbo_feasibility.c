/* mfbo_feasibility.c: the feasibility model of the `mfbo` searcher (feasibility = on):
 * the acquisition times the probability that a configuration runs, from a second GP on
 * +1 (ran) / -1 (failed). mfbo_tell feeds it; mfbo_pick_candidate asks it once a
 * configuration has failed. */
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "mfbo_internal.h"

/* Feasibility (Gardner et al., ICML 2014: the acquisition times the probability that the
 * constraint holds): a second GP, over every configuration measured once, on +1 (it ran)
 * or -1 (it failed), with its own length scales, fitted on the main model's schedule; the
 * probability of feasibility at x is Phi(mean / sd) of its posterior. Its own length scales
 * matter: a kernel that only measures distance (tried first, a kernel-smoothed Beta estimate
 * with the time model's or a fixed length scale) could not tell that only two of four
 * parameters decide a failing corner, and the failures went up. */
static int feasibility(mfbo_state *st, int n, const uint64_t *codes, double *p) {
  double *x = malloc((size_t)n * st->dim * sizeof *x), *mu = malloc((size_t)n * sizeof *mu);
  double *var = malloc((size_t)n * sizeof *var);
  int *cfg = malloc((size_t)st->n_params * sizeof *cfg);
  int rc = x && mu && var && cfg ? 0 : -1;
  if (rc == 0 && (!st->feas_fitted || st->feas_since_fit >= 1 + mfbo_gp_n(st->feas_gp) / 20)) {
    mfbo_gp_fit_settings fit = st->set.fit;
    fit.warm = st->feas_fitted++ % st->set.cold_every != 0;
    rc = mfbo_gp_fit(st->feas_gp, &fit);
    st->feas_since_fit = 0;
  }
  for (int i = 0; i < n && rc == 0; i++) {
    mfbo_space_decode(st->space, codes[i], cfg);
    mfbo_encode_scaled(st, cfg, x + (size_t)i * st->dim);
  }
  if (rc == 0) rc = mfbo_gp_predict(st->feas_gp, n, x, mu, var);
  for (int i = 0; i < n && rc == 0; i++) p[i] = gsl_cdf_ugaussian_P(mu[i] / sqrt(var[i] + 1e-12));
  free(x), free(mu), free(var), free(cfg);
  return rc;
}

typedef struct {
  double a;
  long i;
} scored;

static int cmp_scored(const void *pa, const void *pb) {
  const scored *a = pa, *b = pb;
  if (a->a != b->a) return a->a < b->a ? 1 : -1;
  return (a->i > b->i) - (a->i < b->i);
}

/* The candidate maximising acquisition x feasibility, exactly but lazily: in decreasing
 * order of the acquisition (for lcb its optimistic improvement on the best mean), stopping
 * once no later one can win since feasibility <= 1. When none promises an improvement,
 * the first of the 32 best by acquisition that is more likely feasible than not (else
 * the most likely of them). -1 if out of memory. */
long mfbo_pick_feasible(mfbo_state *st, long m, const double *acq) {
  enum { BLOCK = 32 };
  scored *sc = malloc((size_t)m * sizeof *sc);
  if (!sc) return -1;
  for (long i = 0; i < m; i++) sc[i] = (scored){acq[i], i};
  qsort(sc, (size_t)m, sizeof *sc, cmp_scored);
  double top = 0, p[BLOCK];
  uint64_t codes[BLOCK];
  long pick = -1;
  int done = 0;
  for (long k0 = 0; k0 < m && !done; k0 += BLOCK) {
    int n = m - k0 < BLOCK ? (int)(m - k0) : BLOCK;
    for (int i = 0; i < n; i++) codes[i] = st->cand_code[sc[k0 + i].i];
    if (feasibility(st, n, codes, p) != 0) /* no feasibility model: every p = 1 */
      for (int i = 0; i < n; i++) p[i] = 1;
    for (int i = 0; i < n && !done; i++) {
      done = sc[k0 + i].a <= top; /* no later candidate can win: feasibility <= 1 */
      if (!done && sc[k0 + i].a * p[i] > top) top = sc[k0 + i].a * p[i], pick = sc[k0 + i].i;
    }
    if (pick < 0 && k0 == 0) { /* no improvement promised: the likeliest to run of the best */
      int best = 0;
      for (int i = 0; i < n && p[best] < 0.5; i++)
        if (p[i] > p[best]) best = i;
      pick = sc[best].i;
    }
  }
  free(sc);
  return pick;
}
