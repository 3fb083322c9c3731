/* mfbo_incumbent.c: the incumbent rule of the `mfbo` searcher (mfbo.c has the rest).
 * incumbent = mean (full, quick): the fastest configuration by its measurements at the top
 * fidelity; before any is measured there, the lowest posterior mean. Contenders (measured
 * or predicted faster than it) are re-timed at the top fidelity first, by the trust-region
 * phase. incumbent = top_fidelity (seed_pr): the fastest at the highest fidelity so far. */
#include <string.h>

#include "mfbo_internal.h"

/* The incumbent by the evidence (incumbent = mean): the fastest by its measurements at the
 * top fidelity among the configurations measured there; before any is, the lowest
 * posterior mean. Contenders (below) are re-timed at the top fidelity first, so a fast
 * configuration seen only at a low fidelity is not lost, and a model that smooths an
 * isolated optimum away cannot hide it either. */
static int best_by_evidence(const mfbo_state *st) {
  int best = -1, best_mean_rec = -1;
  for (int r = 0; r < st->n_rec; r++) {
    const mfbo_record *c = &st->rec[r];
    if (c->failed) continue;
    if (c->top_n && (best < 0 || mfbo_top_ms(c) < mfbo_top_ms(&st->rec[best]))) best = r;
    if (c->has_mean && (best_mean_rec < 0 || c->mean < st->rec[best_mean_rec].mean))
      best_mean_rec = r;
  }
  return best >= 0 ? best : best_mean_rec;
}

/* The configuration to re-time at the top fidelity before the next pick, or -1: the one
 * measured (at any fidelity) or predicted fastest among those faster than the incumbent's
 * top-fidelity time and not yet requested at the top fidelity. */
int mfbo_contender(const mfbo_state *st) {
  double bar = st->inc_rec >= 0 ? mfbo_top_ms(&st->rec[st->inc_rec]) : INFINITY, best_ms = INFINITY;
  int best = -1;
  for (int r = 0; r < st->n_rec; r++) {
    const mfbo_record *c = &st->rec[r];
    if (c->failed || c->best_fidelity == 0 || c->requested_max >= st->top_fidelity) continue;
    double ms = c->has_mean ? fmin(c->ms_at_best, exp(c->mean)) : c->ms_at_best;
    if (ms < bar && ms < best_ms) best_ms = ms, best = r;
  }
  return best;
}

/* The posterior mean at every measured configuration, from the model's factor in O(n)
 * (mfbo_gp_train_mean), and the incumbent by it: the configuration the evidence says is
 * fastest, whatever fidelity it was measured at. */
int mfbo_update_means(mfbo_state *st) {
  int n = mfbo_gp_n(st->gp);
  for (int r = 0; r < st->n_rec; r++) st->rec[r].has_mean = 0;
  st->inc_rec = -1;
  if (n == 0) return 0;
  if (mfbo_gp_train_mean(st->gp, st->row_mean) != 0) return -1;
  for (int i = 0; i < n; i++) {
    mfbo_record *c = &st->rec[st->row_rec[i]];
    c->mean = st->row_mean[i];
    c->has_mean = 1;
  }
  st->inc_rec = best_by_evidence(st);
  return 0;
}

/* The acquisition's reference: the lowest posterior mean of a measured configuration. */
double mfbo_best_mean(const mfbo_state *st) {
  return st->inc_rec >= 0 ? st->rec[st->inc_rec].mean : INFINITY;
}

/* incumbent = mean: the lowest posterior mean among the measured configurations (the
 * evidence of every fidelity, weighed by the model); top_fidelity (seed_pr): the fastest
 * configuration measured at the highest fidelity measured so far. */
int mfbo_incumbent_of(const void *vstate, int *cfg) {
  const mfbo_state *st = vstate;
  int best = st->set.incumbent_mean ? st->inc_rec : -1;
  if (st->set.incumbent_mean) {
    if (best < 0) return 0;
    memcpy(cfg, mfbo_rec_cfg(st, best), (size_t)st->n_params * sizeof *cfg);
    return 1;
  }
  for (int r = 0; r < st->n_rec; r++) {
    const mfbo_record *c = &st->rec[r];
    if (c->best_fidelity == 0) continue;
    if (best < 0 || c->best_fidelity > st->rec[best].best_fidelity ||
        (c->best_fidelity == st->rec[best].best_fidelity && c->ms_at_best < st->rec[best].ms_at_best))
      best = r;
  }
  if (best < 0) return 0;
  memcpy(cfg, mfbo_rec_cfg(st, best), (size_t)st->n_params * sizeof *cfg);
  return 1;
}
