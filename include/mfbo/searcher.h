/* searcher.h: searchers as type objects speaking ask/tell. A searcher proposes a batch of
 * (configuration, fidelity) pairs; the run loop measures them one at a time and tells it
 * each result; between two results it can be asked for its incumbent. Searchers never see
 * the benchmark, never count cost and never write results.
 * Public (installed, include/mfbo): for a searcher written outside the tree, as a plugin or
 * compiled into a program (examples/greedy.c). */
#ifndef MFBO_SEARCHER_H
#define MFBO_SEARCHER_H

#include <gsl/gsl_rng.h>

#include "mfbo/error.h"
#include "mfbo/settings.h"
#include "mfbo/space.h"

/* A batch of requests; measured_ms is filled by the run loop. */
typedef struct {
  int n, cap;
  int n_params;
  int *cfg;           /* n x n_params value indices */
  int *fidelity;      /* repetitions, >= 1 */
  double *measured_ms;
} mfbo_batch;

void mfbo_batch_init(mfbo_batch *b, int n_params);
void mfbo_batch_free(mfbo_batch *b);
void mfbo_batch_clear(mfbo_batch *b);
int mfbo_batch_push(mfbo_batch *b, const int *cfg, int fidelity);
static inline const int *mfbo_batch_cfg(const mfbo_batch *b, int i) {
  return b->cfg + (size_t)i * b->n_params;
}

typedef struct mfbo_searcher_type {
  const char *name;
  const char *summary;
  size_t state_size;
  /* Reads its settings (unknown ones are caught by the caller) and starts a search. The
   * state starts zeroed, and free is called after init even when init failed. */
  int (*init)(void *state, const mfbo_space *space, mfbo_settings *settings, gsl_rng *rng,
              mfbo_error *err);
  /* Fills an empty batch; leaving it empty means the search is over. */
  int (*ask)(void *state, mfbo_batch *batch, mfbo_error *err);
  /* Request i of the last batch has been measured (batch->measured_ms[i], +inf = failed).
   * Requests are told in order; a budget may end the run before all are told. */
  void (*tell)(void *state, const mfbo_batch *batch, int i);
  /* Writes the configuration it would return now; returns 0 if it has none yet. */
  int (*incumbent)(const void *state, int *cfg);
  void (*free)(void *state);
  /* Optional (NULL for most): told once, after init, the budget the run loop will
   * enforce (0 = no limit), so that an anytime searcher can keep going until it is spent
   * instead of stopping by its own rule. The run loop still counts cost and stops it. */
  void (*set_budget)(void *state, long max_evals, double max_cost_s);
  /* Optional (NULL: the search stops by its own rule, within the run loop's limit): the
   * most evaluations the search started by init makes without a budget, or -1 when that
   * is more than limit (it would run until a budget stops it). A job without a budget
   * whose searcher says -1 for MFBO_RUN_HARD_MAX_EVALS cannot finish and is refused when
   * it is loaded. */
  long (*max_evals)(const void *state, long limit);
} mfbo_searcher_type;

extern const mfbo_searcher_type mfbo_searcher_random;
extern const mfbo_searcher_type mfbo_searcher_pattern;
extern const mfbo_searcher_type mfbo_searcher_de;
extern const mfbo_searcher_type mfbo_searcher_lfbo;
extern const mfbo_searcher_type mfbo_searcher_hyperband;
extern const mfbo_searcher_type mfbo_searcher_sh;
extern const mfbo_searcher_type mfbo_searcher_mfbo;
extern const mfbo_searcher_type mfbo_searcher_external;
/* NULL-terminated table of every searcher type. */
extern const mfbo_searcher_type *const mfbo_searcher_types[];
const mfbo_searcher_type *mfbo_searcher_type_find(const char *name);

/* Optional setting "preset" shared by searchers: "full" (default) or "quick". */
int mfbo_searcher_preset_is_quick(mfbo_settings *settings, mfbo_error *err);

#endif
