/* mfbo_internal.h: what the files of the `mfbo` searcher share: its settings, its records
 * of the configurations asked for, its state, and the functions one file calls in another.
 *   mfbo.c               settings, encoding, candidates, the model, the four stages, ask/tell
 *   mfbo_trust_region.c  the anytime phase after the stages (a discrete TuRBO trust region)
 *   mfbo_feasibility.c   the feasibility model (a GP on ran / failed) and the pick it weighs
 *   mfbo_incumbent.c     the incumbent rule, the contenders re-timed at the top fidelity
 * Internal: not part of include/mfbo. */
#ifndef MFBO_SEARCHERS_MFBO_INTERNAL_H
#define MFBO_SEARCHERS_MFBO_INTERNAL_H

#include <math.h>
#include <stdint.h>

#include "model/gp.h"
#include "core/codeset.h"
#include "mfbo/searcher.h"

enum { STAGE_LOW, STAGE_MEDIUM, STAGE_HIGH, STAGE_ULTRA, N_STAGES, STAGE_TR = N_STAGES };

typedef struct {
  int n_picks[N_STAGES];
  int fidelity[N_STAGES];
  int n_initial;         /* picks opening the low stage, before the model chooses */
  int design;            /* the opening: DESIGN_RANDOM, DESIGN_MAXIMIN or DESIGN_ADAPTIVE */
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
  double refit_growth;   /* refit after max(refit_every, refit_growth * n) new points */
  int cold_every;        /* every this many refits is cold (restarts), the others warm */
  int incumbent_mean;    /* 1: lowest posterior mean; 0: fastest at the top fidelity */
  int feasibility;       /* 1: acquisition x probability of feasibility */
  int categorical;       /* CAT_NONE | CAT_BINARY | CAT_SMALL */
  int int_features;      /* 1: integers also by their power-of-two factor (trailing zeros) */
  /* the trust-region phase after the stages (anytime) */
  int trust_region;      /* 0: stop after the stages (seed_pr) */
  long max_evals;        /* without a budget: stop after this many evaluations (0: none) */
  int stop_restarts;     /* without a budget: stop at this many trust-region collapses */
  double stop_ei;        /* ... unless the whole space's best expected improvement (log ms) is
                            still >= this: then a new epoch (0: stop at stop_restarts) */
  double tr_len_init, tr_len_min, tr_len_max;
  int tr_succ_tol, tr_fail_tol; /* 0: max(4, parameters) failures, as TuRBO's max(4, d) */
  int tr_cands;          /* perturbations of the centre sampled per pick */
} mfbo_settings_t;

enum { CAT_NONE, CAT_BINARY, CAT_SMALL };
/* initial_design, in design_names' order */
enum { DESIGN_RANDOM, DESIGN_MAXIMIN, DESIGN_ADAPTIVE };

/* One configuration the search has asked for. */
typedef struct {
  uint64_t code;
  int best_fidelity;   /* highest fidelity with a finite measurement; 0 if none */
  double ms_at_best;   /* latest measurement at that fidelity */
  int failed;
  int requested_max;   /* highest fidelity requested so far */
  int epoch;           /* trust-region epoch that last requested it (0: the stages) */
  int has_mean;        /* mean is the model's posterior mean (log ms) at it */
  double mean;
  double top_sum_ms;   /* sum and number of its measurements at the top fidelity */
  int top_n;
} mfbo_record;

typedef struct {
  const mfbo_space *space;
  gsl_rng *rng;
  mfbo_settings_t set;
  int n_params, dim;
  double *enc_lo, *enc_scale; /* x_scaled = (x - lo) * scale */
  mfbo_gp *gp;
  mfbo_gp *feas_gp;   /* the feasibility model: a GP on +1 (ran) / -1 (failed) */
  int feas_since_fit, feas_fitted;
  int *coord_of;      /* first model coordinate of each parameter */
  int *cat_param;     /* parameter modelled as categorical (CAT_*: its own coordinate) */
  int *coord_cat;     /* per model coordinate: categorical */
  double *val_x;      /* scaled first coordinate of value v of parameter j: [val_off[j] + v] */
  int *val_off;
  /* records and a code -> record map (open addressing, keys + 1, 0 = free) */
  mfbo_record *rec;
  int *rec_cfg;
  double *rec_x;      /* scaled encoding of each record */
  int n_rec, cap_rec, n_failed, n_ok;
  int *row_rec;       /* record of each model observation */
  double *row_mean;
  int cap_rows;
  int inc_rec;        /* incumbent by posterior mean, -1 while none */
  long n_told;
  int has_budget;
  int top_fidelity;
  /* trust region: a box around the centre, side tr_len x (length scale / geometric mean) */
  double tr_len, tr_best;
  int tr_succ, tr_fail, tr_epoch, tr_restarts, tr_pending;
  uint64_t *map_keys;
  int *map_vals;
  size_t map_cap;
  /* the whole space, when small enough: codes, scaled encodings, posterior */
  long n_all;
  uint64_t *all_codes;
  double *all_x, *all_mean, *all_var;
  mfbo_gp_cands *all_cands;
  /* the search */
  int stage, picks_in_stage, n_told_since_fit, fitted, n_fits;
  int *pending;        /* record of each request of the last batch */
  int cap_pending;
  /* scratch */
  double *cand_x, *cand_mean, *cand_var;
  int *cand_rec;       /* record index or -1 (not asked yet) */
  uint64_t *cand_code;
  long cap_cand;
} mfbo_state;

/* ---- mfbo.c ---- */
/* The configuration of record r. */
static inline const int *mfbo_rec_cfg(const mfbo_state *st, int r) {
  return st->rec_cfg + (size_t)r * st->n_params;
}
/* An enum of numbers (not of labels): one ordinal coordinate in the model. */
static inline int mfbo_enum_is_numeric(const mfbo_param *p) {
  return p->kind == MFBO_PARAM_ENUM && !p->labels;
}
/* The model's scaled encoding of cfg into x (dim coordinates). */
void mfbo_encode_scaled(const mfbo_state *st, const int *cfg, double *x);
/* Requests cfg at the fidelity in the batch (its record created if new); 0 or -1. */
int mfbo_request(mfbo_state *st, mfbo_batch *batch, const int *cfg, int fidelity);
/* Requests candidate `pick`; its record index, or -1. */
int mfbo_request_candidate(mfbo_state *st, mfbo_batch *batch, long pick, int fidelity);
/* Appends cfg to the candidates if eligible at the fidelity and not in seen; 1, 0 or -1. */
int mfbo_pool_add(mfbo_state *st, const int *cfg, int fidelity, mfbo_codeset *seen, long *m);
/* The candidates: the neighbours of the best, pool_size random members and the re-times;
 * or the whole space's eligible members with their posterior. How many, or -1. */
long mfbo_pool_candidates(mfbo_state *st, int fidelity, int pool_size);
long mfbo_whole_space_candidates(mfbo_state *st, int fidelity);
/* The candidate maximising the acquisition (x feasibility when a configuration failed). */
long mfbo_pick_candidate(mfbo_state *st, long m, int fidelity);
/* Refits the model's hyperparameters when due; 0 or -1. */
int mfbo_refit_if_due(mfbo_state *st);

/* ---- mfbo_trust_region.c ---- */
/* One pick of the anytime phase (the incumbent's re-time first); an empty batch ends the
 * run. 0 or -1. */
int mfbo_ask_trust_region(mfbo_state *st, mfbo_batch *batch);

/* ---- mfbo_feasibility.c ---- */
/* Among m candidates with acquisition acq (higher is better, >= 0 where it promises an
 * improvement), the one maximising acq x probability of feasibility; -1 if out of memory. */
long mfbo_pick_feasible(mfbo_state *st, long m, const double *acq);

/* ---- mfbo_incumbent.c ---- */
/* The mean of a record's measurements at the top fidelity, +inf if none. */
static inline double mfbo_top_ms(const mfbo_record *c) {
  return c->top_n ? c->top_sum_ms / c->top_n : INFINITY;
}
/* Posterior means at every measured configuration and the incumbent by them; 0 or -1. */
int mfbo_update_means(mfbo_state *st);
/* The configuration to re-time at the top fidelity before the next pick, or -1. */
int mfbo_contender(const mfbo_state *st);
/* The acquisition's reference: the incumbent's posterior mean (+inf while none). */
double mfbo_best_mean(const mfbo_state *st);
/* The searcher's incumbent (mfbo_searcher_type.incumbent). */
int mfbo_incumbent_of(const void *vstate, int *cfg);

#endif
