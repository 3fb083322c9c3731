/* searcher.c: the table of searcher types, request batches, and the settings every
 * searcher shares (the "preset"). */
#include "mfbo/searcher.h"

#include <stdlib.h>
#include <string.h>

const mfbo_searcher_type *const mfbo_searcher_types[] = {
    &mfbo_searcher_random,
    &mfbo_searcher_pattern,
    &mfbo_searcher_de,
    &mfbo_searcher_hyperband,
    &mfbo_searcher_sh,
    &mfbo_searcher_mfbo,
    &mfbo_searcher_external,
    NULL,
};

const mfbo_searcher_type *mfbo_searcher_type_find(const char *name) {
  for (const mfbo_searcher_type *const *t = mfbo_searcher_types; *t; t++)
    if (strcmp((*t)->name, name) == 0) return *t;
  return NULL;
}

int mfbo_searcher_preset_is_quick(mfbo_settings *settings, mfbo_error *err) {
  static const char *const presets[] = {"full", "quick", NULL};
  int preset = 0;
  if (mfbo_settings_get_choice(settings, "preset", presets, &preset, err) != 0) return -1;
  return preset;
}

void mfbo_batch_init(mfbo_batch *b, int n_params) {
  memset(b, 0, sizeof *b);
  b->n_params = n_params;
}

void mfbo_batch_free(mfbo_batch *b) {
  free(b->cfg);
  free(b->fidelity);
  free(b->measured_ms);
  memset(b, 0, sizeof *b);
}

void mfbo_batch_clear(mfbo_batch *b) { b->n = 0; }

int mfbo_batch_push(mfbo_batch *b, const int *cfg, int fidelity) {
  if (b->n == b->cap) {
    int cap = b->cap ? 2 * b->cap : 64;
    int *c = realloc(b->cfg, (size_t)cap * (size_t)b->n_params * sizeof *c);
    if (c) b->cfg = c;
    int *f = realloc(b->fidelity, (size_t)cap * sizeof *f);
    if (f) b->fidelity = f;
    double *m = realloc(b->measured_ms, (size_t)cap * sizeof *m);
    if (m) b->measured_ms = m;
    if (!c || !f || !m) return -1;
    b->cap = cap;
  }
  memcpy(b->cfg + (size_t)b->n * b->n_params, cfg, (size_t)b->n_params * sizeof *cfg);
  b->fidelity[b->n] = fidelity;
  b->measured_ms[b->n] = 0;
  b->n++;
  return 0;
}
