/* benchmark.c: the table of benchmark types and one landscape built from a job: its space
 * (with [space] overrides), its optimum when the space can be enumerated, and its key. */
#include "mfbo/benchmark.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/stream.h"

const mfbo_benchmark_type *const mfbo_benchmark_types[] = {
    &mfbo_benchmark_seed, &mfbo_benchmark_kerneltuner, &mfbo_benchmark_synthetic,
    &mfbo_benchmark_command, NULL};

const mfbo_benchmark_type *mfbo_benchmark_type_find(const char *name) {
  for (const mfbo_benchmark_type *const *t = mfbo_benchmark_types; *t; t++)
    if (strcmp((*t)->name, name) == 0) return *t;
  return NULL;
}

/* The exhaustive optimum of an enumerable space (NaN / -1 otherwise; a live benchmark is
 * never enumerated: that would run its command once per configuration). */
static void find_optimum(mfbo_benchmark *b) {
  b->optimum_ms = NAN;
  b->optimum_index = -1;
  uint64_t size = mfbo_space_size(b->space);
  if (size > MFBO_SPACE_ENUMERABLE || mfbo_benchmark_is_live(b)) return;
  int *cfg = malloc((size_t)b->space->n_params * sizeof *cfg);
  if (!cfg) return;
  double best = INFINITY;
  for (uint64_t k = 0; k < size; k++) {
    mfbo_space_point(b->space, k, cfg);
    double t = mfbo_benchmark_true_ms(b, cfg);
    if (t < best) {
      best = t;
      b->optimum_index = (int64_t)k;
    }
  }
  if (isfinite(best)) b->optimum_ms = best;
  free(cfg);
}

static uint64_t landscape_key(const mfbo_benchmark *b, const mfbo_settings *settings,
                              const mfbo_settings *space_settings) {
  char *a = mfbo_settings_canonical(settings), *c = mfbo_settings_canonical(space_settings);
  uint64_t h = mfbo_hash_str(MFBO_HASH_INIT, b->type->name);
  h = mfbo_hash_str(h, a ? a : "");
  h = mfbo_hash_str(h, c ? c : "");
  h = mfbo_hash_u64(h, (uint64_t)b->instance);
  free(a);
  free(c);
  return h;
}

mfbo_benchmark *mfbo_benchmark_alloc(const mfbo_benchmark_type *type, mfbo_settings *settings,
                                     mfbo_settings *space_settings, int instance,
                                     mfbo_error *err) {
  mfbo_benchmark *b = calloc(1, sizeof *b);
  if (!b || !(b->space = mfbo_space_alloc()) || !(b->state = calloc(1, type->state_size))) {
    mfbo_error_set(err, 0, "out of memory");
    goto fail;
  }
  b->type = type;
  b->instance = instance;
  mfbo_settings_reset(settings);
  mfbo_settings_reset(space_settings);
  if (type->init(b->state, settings, instance, b->space, err) != 0) goto fail;
  if (mfbo_settings_check_unused(settings, "benchmark", err) != 0) goto fail;
  if (mfbo_space_override(b->space, space_settings, err) != 0) goto fail;
  b->key = landscape_key(b, settings, space_settings);
  find_optimum(b);
  return b;
fail:
  mfbo_benchmark_free(b);
  return NULL;
}

void mfbo_benchmark_free(mfbo_benchmark *b) {
  if (!b) return;
  if (b->state && b->type && b->type->free) b->type->free(b->state);
  free(b->state);
  mfbo_space_free(b->space);
  free(b);
}

int mfbo_benchmark_is_live(const mfbo_benchmark *b) { return b->type->measure_live != NULL; }

double mfbo_benchmark_true_ms(const mfbo_benchmark *b, const int *cfg) {
  if (mfbo_benchmark_is_live(b)) return NAN;
  return b->type->true_ms(b->state, b->space, cfg);
}

void mfbo_benchmark_evaluate(const mfbo_benchmark *b, const int *cfg, int reps, gsl_rng *noise,
                             double *true_ms, double *measured_ms, double *cost_s) {
  if (mfbo_benchmark_is_live(b)) {
    *true_ms = NAN;
    b->type->measure_live(b->state, b->space, cfg, reps, 0, measured_ms, cost_s);
    return;
  }
  double t = mfbo_benchmark_true_ms(b, cfg);
  *true_ms = t;
  *measured_ms = b->type->measure_ms(b->state, b->space, cfg, t, reps, noise);
  *cost_s = mfbo_benchmark_cost_s(b, cfg, t, reps, 0);
}

double mfbo_benchmark_cost_s(const mfbo_benchmark *b, const int *cfg, double true_ms, int reps,
                             int compiled) {
  double timing_s = b->type->timing_s(b->state, b->space, cfg, true_ms, reps);
  return compiled ? timing_s : b->type->compile_s(b->state, b->space, cfg, true_ms) + timing_s;
}

double mfbo_benchmark_regret(const mfbo_benchmark *b, double true_ms) {
  if (isnan(b->optimum_ms)) return NAN;
  return true_ms / b->optimum_ms - 1.0;
}
