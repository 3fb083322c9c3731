/* mfbo_trust_region.c: the anytime phase of the `mfbo` searcher, after its four stages
 * (trust_region = on). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "mfbo_internal.h"
#include "model/acquisition.h"

/* After the stages mfbo keeps going (until the budget is spent; without a budget until
 * max_evals or stop_restarts collapses) with a trust region after TuRBO (Eriksson et al.,
 * NeurIPS 2019), made discrete: a box around the centre (the best configuration by
 * posterior mean found in this epoch), its side tr_len x the model's length scale over their
 * geometric mean on each coordinate, and for categorical parameters a Hamming radius; the
 * candidates are tr_candidates perturbations of the centre inside it (each parameter moved
 * with probability min(1, 20 / parameters), as TuRBO) plus the centre's neighbours, measured
 * at the low fidelity. tr_success successes in a row double the side, tr_failure failures
 * halve it; below tr_length_min it has collapsed and a new epoch starts at the global
 * acquisition's pick. Before every pick the incumbent is re-timed at the top fidelity if it
 * has not been: what the run returns is confirmed by the best evidence the run can buy. */

static int is_cat_move(const mfbo_state *st, int j) {
  const mfbo_param *p = &st->space->params[j];
  return st->cat_param[j] || (p->kind == MFBO_PARAM_ENUM && !mfbo_enum_is_numeric(p));
}

/* Moves parameter j of cfg within the box (half-widths h); 1 if it moved. */
static int tr_move(mfbo_state *st, int j, const int *centre, const double *h, int *cfg,
                   int *n_cat) {
  int n = st->space->params[j].n_values;
  if (is_cat_move(st, j)) {
    int v = (int)gsl_rng_uniform_int(st->rng, (unsigned long)(n - 1));
    cfg[j] = v >= centre[j] ? v + 1 : v;
    (*n_cat)++;
    return 1;
  }
  const double *vx = st->val_x + st->val_off[j];
  double c = vx[centre[j]], hw = h[st->coord_of[j]];
  int allowed = 0;
  for (int v = 0; v < n; v++) allowed += v != centre[j] && fabs(vx[v] - c) <= hw;
  if (allowed == 0) return 0;
  int k = (int)gsl_rng_uniform_int(st->rng, (unsigned long)allowed);
  for (int v = 0; v < n; v++)
    if (v != centre[j] && fabs(vx[v] - c) <= hw && k-- == 0) cfg[j] = v;
  return 1;
}

/* A random perturbation of the centre inside the trust region; 0 if it left it. */
static int tr_perturb(mfbo_state *st, const int *centre, const double *h, int cat_radius,
                      int *cfg) {
  int np = st->n_params, movable = 0, moved = 0, n_cat = 0;
  memcpy(cfg, centre, (size_t)np * sizeof *cfg);
  for (int j = 0; j < np; j++) movable += st->space->params[j].n_values > 1;
  if (movable == 0) return 0;
  double prob = fmin(1.0, 20.0 / movable);
  for (int j = 0; j < np; j++)
    if (st->space->params[j].n_values > 1 && gsl_rng_uniform(st->rng) < prob)
      moved += tr_move(st, j, centre, h, cfg, &n_cat);
  if (!moved) {
    int k = (int)gsl_rng_uniform_int(st->rng, (unsigned long)movable);
    for (int j = 0; j < np; j++)
      if (st->space->params[j].n_values > 1 && k-- == 0) moved = tr_move(st, j, centre, h, cfg, &n_cat);
  }
  return moved && n_cat <= cat_radius;
}

/* The centre's neighbours and tr_candidates perturbations inside the box, eligible at the
 * fidelity; how many, or -1. */
static long tr_candidates(mfbo_state *st, int centre_rec, int fidelity) {
  int dim = st->dim, np = st->n_params, n_cat = 0;
  double theta[dim + 2], h[dim], lg = 0;
  mfbo_gp_get_theta(st->gp, theta);
  for (int k = 0; k < dim; k++) lg += theta[k] / dim;
  for (int k = 0; k < dim; k++) h[k] = 0.5 * st->tr_len * exp(theta[k] - lg);
  for (int j = 0; j < np; j++) n_cat += is_cat_move(st, j);
  int cat_radius = (int)lround(st->tr_len / st->set.tr_len_max * n_cat);
  if (cat_radius < 1) cat_radius = 1;
  int max_nb = mfbo_space_max_neighbours(st->space);
  int *nb = malloc((size_t)(max_nb > 0 ? max_nb : 1) * np * sizeof *nb);
  int *cfg = malloc((size_t)np * sizeof *cfg);
  mfbo_codeset seen;
  mfbo_codeset_init(&seen);
  long m = 0;
  int rc = nb && cfg ? 0 : -1;
  const int *centre = mfbo_rec_cfg(st, centre_rec);
  int n = rc == 0 ? mfbo_space_neighbours(st->space, centre, nb, max_nb) : 0;
  for (int i = 0; i < n && rc >= 0; i++)
    rc = mfbo_pool_add(st, nb + (size_t)i * np, fidelity, &seen, &m);
  for (int i = 0; i < st->set.tr_cands && rc >= 0; i++)
    if (tr_perturb(st, centre, h, cat_radius, cfg)) rc = mfbo_pool_add(st, cfg, fidelity, &seen, &m);
  mfbo_codeset_free(&seen);
  free(nb), free(cfg);
  return rc < 0 ? -1 : m;
}

/* The best record by posterior mean of the current epoch, or -1. */
static int tr_centre(const mfbo_state *st) {
  int best = -1;
  for (int r = 0; r < st->n_rec; r++) {
    const mfbo_record *c = &st->rec[r];
    if (c->epoch == st->tr_epoch && c->has_mean && !c->failed &&
        (best < 0 || c->mean < st->rec[best].mean))
      best = r;
  }
  return best;
}

/* Success or failure of the last pick (did the epoch's best mean improve?), and the
 * box's new side. */
static void tr_account(mfbo_state *st, int centre) {
  double now = centre >= 0 ? st->rec[centre].mean : INFINITY;
  if (st->tr_pending) {
    int fail_tol = st->set.tr_fail_tol;
    if (fail_tol == 0) fail_tol = st->n_params > 4 ? st->n_params : 4;
    if (now < st->tr_best - 1e-3) st->tr_succ++, st->tr_fail = 0;
    else st->tr_fail++, st->tr_succ = 0;
    if (st->tr_succ >= st->set.tr_succ_tol)
      st->tr_len = fmin(2 * st->tr_len, st->set.tr_len_max), st->tr_succ = 0;
    if (st->tr_fail >= fail_tol) st->tr_len /= 2, st->tr_fail = 0;
  }
  st->tr_pending = 0;
  st->tr_best = now;
}

static int tr_request(mfbo_state *st, mfbo_batch *batch, long pick, int fidelity) {
  int r = mfbo_request_candidate(st, batch, pick, fidelity);
  if (r < 0) return -1;
  st->rec[r].epoch = st->tr_epoch;
  st->tr_pending = 1;
  return 0;
}

/* Whether a run without a budget ends at this collapse: at the stop_restarts-th, unless
 * the global pick still expects an improvement of at least stop_ei (in log ms, so about a
 * relative improvement) over the incumbent's posterior mean. */
static int tr_stops(const mfbo_state *st, long pick) {
  if (st->has_budget || st->tr_restarts < st->set.stop_restarts) return 0;
  if (st->set.stop_ei <= 0) return 1;
  double ei = mfbo_acq_ei(st->cand_mean[pick], sqrt(st->cand_var[pick]), mfbo_best_mean(st), 0);
  return !(ei >= st->set.stop_ei);
}

/* The trust region collapsed (or has nothing left): a new epoch at the global
 * acquisition's pick, unless the run ends here (tr_stops). */
static int tr_restart(mfbo_state *st, mfbo_batch *batch, int fidelity) {
  st->tr_restarts++;
  if (!st->has_budget && st->tr_restarts >= st->set.stop_restarts && st->set.stop_ei <= 0)
    return 0;
  int whole = st->n_all > 0;
  long m = whole ? mfbo_whole_space_candidates(st, fidelity)
                 : mfbo_pool_candidates(st, fidelity, st->set.pool_size);
  if (m <= 0) return (int)m;
  if (!whole && mfbo_gp_predict(st->gp, (int)m, st->cand_x, st->cand_mean, st->cand_var) != 0)
    return -1;
  long pick = mfbo_pick_candidate(st, m, fidelity);
  if (pick < 0) return -1;
  if (tr_stops(st, pick)) return 0;
  st->tr_epoch++;
  st->tr_len = st->set.tr_len_init;
  st->tr_succ = st->tr_fail = st->tr_pending = 0;
  st->tr_best = INFINITY;
  return tr_request(st, batch, pick, fidelity);
}

int mfbo_ask_trust_region(mfbo_state *st, mfbo_batch *batch) {
  if (mfbo_refit_if_due(st) != 0) return -1;
  int inc = st->inc_rec, fidelity = st->set.fidelity[STAGE_LOW], c = mfbo_contender(st);
  if (inc >= 0 && st->rec[inc].requested_max < st->top_fidelity) c = inc;
  if (c >= 0) return mfbo_request(st, batch, mfbo_rec_cfg(st, c), st->top_fidelity);
  if (!st->has_budget && st->set.max_evals > 0 && st->n_told >= st->set.max_evals) return 0;
  int centre = tr_centre(st);
  tr_account(st, centre);
  if (centre < 0 || st->tr_len < st->set.tr_len_min) return tr_restart(st, batch, fidelity);
  long m = tr_candidates(st, centre, fidelity);
  if (m < 0) return -1;
  if (m == 0) return tr_restart(st, batch, fidelity);
  if (mfbo_gp_predict(st->gp, (int)m, st->cand_x, st->cand_mean, st->cand_var) != 0) return -1;
  long pick = mfbo_pick_candidate(st, m, fidelity);
  return pick < 0 ? -1 : tr_request(st, batch, pick, fidelity);
}
