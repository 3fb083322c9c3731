/* benchmark.c: the dispatch to a benchmark type: one landscape built from a job's settings
 * (its space with [space] overrides, its optimum when the space can be enumerated, its key)
 * and its measurements. The table of every type is in src/job/types.c. */
#include "mfbo/benchmark.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"
#include "core/stream.h"

int mfbo_benchmark_enumerable(const mfbo_benchmark *b) {
  /* a live benchmark never: that would run its command once per configuration */
  return !mfbo_benchmark_is_live(b) && mfbo_space_size(b->space) <= MFBO_SPACE_ENUMERABLE;
}

int mfbo_benchmark_scan(const mfbo_benchmark *b, uint64_t begin, uint64_t end, double *best_ms,
                        int64_t *best_index) {
  *best_ms = INFINITY;
  *best_index = -1;
  uint64_t size = mfbo_space_size(b->space);
  if (end > size) end = size;
  int *cfg = malloc((size_t)b->space->n_params * sizeof *cfg);
  if (!cfg) return -1;
  for (uint64_t k = begin; k < end; k++) {
    mfbo_space_point(b->space, k, cfg);
    double t = mfbo_benchmark_true_ms(b, cfg);
    if (t < *best_ms) { /* strictly: the lowest index wins a tie */
      *best_ms = t;
      *best_index = (int64_t)k;
    }
  }
  free(cfg);
  return 0;
}

void mfbo_benchmark_set_optimum(mfbo_benchmark *b, double best_ms, int64_t best_index) {
  int found = isfinite(best_ms) && best_index >= 0;
  b->optimum_ms = found ? best_ms : NAN;
  b->optimum_index = found ? best_index : -1;
}

int mfbo_benchmark_find_optimum(mfbo_benchmark *b) {
  double best_ms = INFINITY;
  int64_t best_index = -1;
  if (mfbo_benchmark_enumerable(b) &&
      mfbo_benchmark_scan(b, 0, mfbo_space_size(b->space), &best_ms, &best_index) != 0)
    return -1;
  mfbo_benchmark_set_optimum(b, best_ms, best_index);
  return 0;
}

/* The benchmark's settings as hashed into its key: its data file (type->data_setting) by
 * the digest of its bytes, not by its path. */
static char *key_settings(const mfbo_benchmark *b, const mfbo_settings *settings) {
  mfbo_settings copy;
  if (mfbo_settings_copy(&copy, settings) != 0) return NULL;
  for (int i = 0; b->type->data_setting && i < copy.n; i++) {
    mfbo_setting *it = &copy.items[i];
    char found[4096], where[2 * 4096 + 8], digest[64] = "unreadable";
    if (strcmp(it->key, b->type->data_setting) != 0) continue;
    if (mfbo_settings_find_file(settings, it->value, found, sizeof found, where, sizeof where) == 0)
      mfbo_file_digest(found, digest, sizeof digest);
    char *bytes = strdup(digest);
    if (!bytes) {
      mfbo_settings_free(&copy);
      return NULL;
    }
    free(it->value);
    it->value = bytes;
  }
  char *text = mfbo_settings_canonical(&copy);
  mfbo_settings_free(&copy);
  return text;
}

static uint64_t landscape_key(const mfbo_benchmark *b, const mfbo_settings *settings,
                              const mfbo_settings *space_settings) {
  char *a = key_settings(b, settings), *c = mfbo_settings_canonical(space_settings);
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
  mfbo_benchmark *b = mfbo_benchmark_build(type, settings, space_settings, instance, err);
  if (b && mfbo_benchmark_find_optimum(b) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    mfbo_benchmark_free(b);
    return NULL;
  }
  return b;
}

mfbo_benchmark *mfbo_benchmark_build(const mfbo_benchmark_type *type, mfbo_settings *settings,
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
  b->optimum_ms = NAN; /* not searched yet: mfbo_benchmark_find_optimum */
  b->optimum_index = -1;
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
