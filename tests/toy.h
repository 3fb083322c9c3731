/* toy.h: tiny noise-free landscapes for the searcher tests (test_pattern.c, test_de.c),
 * with failures and restricted spaces, so that a test can predict every evaluation. A
 * measurement is the true time itself; a failed configuration measures +inf and costs
 * its compile time only. Also helpers to build settings and run a searcher. */
#ifndef MFBO_TEST_TOY_H
#define MFBO_TEST_TOY_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/run.h"

typedef enum {
  TOY_BOWL,    /* BLOCK_A, BLOCK_B: powers of two 1..1024, default (8, 512); optimum (256, 4) */
  TOY_LINE,    /* x: 1, 2, 4, 8 timing 1.0, 1.4, 1.6, 3.0 ms */
  TOY_SPREAD,  /* x: 1, 2, 4, 8 timing 1, 2, 3, 4 ms: only the best within 1.5x */
  TOY_FAIL,    /* BLOCK_M, BLOCK_N, num_warps, flag: a corner fails */
  TOY_ALLFAIL, /* the same space, every configuration fails */
  TOY_FLAT,    /* four powers of two of three values: all within 1.25x of the best */
  TOY_HOLES,   /* three powers of two of four values, only even index sums are members */
  TOY_SIX,     /* x: integer 0..5 */
  TOY_THREE    /* x: integer 0..2 */
} toy_landscape;

typedef struct {
  int landscape;
} toy_state;

static int toy_init(void *vstate, mfbo_settings *settings, int instance, mfbo_space *space,
                    mfbo_error *err) {
  (void)instance;
  static const char *const names[] = {"bowl", "line", "spread", "fail", "allfail", "flat",
                                      "holes", "six", "three", NULL};
  toy_state *st = vstate;
  if (mfbo_settings_get_choice(settings, "landscape", names, &st->landscape, err) != 0)
    return -1;
  switch (st->landscape) {
  case TOY_BOWL:
    return mfbo_space_add_pow2(space, "BLOCK_A", 1, 1024, 8, err) ||
           mfbo_space_add_pow2(space, "BLOCK_B", 1, 1024, 512, err);
  case TOY_LINE:
  case TOY_SPREAD:
    return mfbo_space_add_pow2(space, "x", 1, 8, 1, err);
  case TOY_FAIL:
  case TOY_ALLFAIL:
    return mfbo_space_add_pow2(space, "BLOCK_M", 16, 256, 16, err) ||
           mfbo_space_add_pow2(space, "BLOCK_N", 16, 256, 16, err) ||
           mfbo_space_add_pow2(space, "num_warps", 1, 16, 1, err) ||
           mfbo_space_add_bool(space, "flag", 1, err);
  case TOY_FLAT:
    for (int j = 0; j < 4; j++) {
      char name[16];
      snprintf(name, sizeof name, "p%d", j);
      if (mfbo_space_add_pow2(space, name, 1, 4, 1, err)) return -1;
    }
    return 0;
  case TOY_HOLES: {
    if (mfbo_space_add_pow2(space, "BLOCK_X", 1, 8, 1, err) ||
        mfbo_space_add_pow2(space, "BLOCK_Y", 1, 8, 1, err) ||
        mfbo_space_add_pow2(space, "z", 1, 8, 1, err))
      return -1;
    uint64_t codes[64];
    size_t n = 0;
    for (uint64_t k = 0; k < 64; k++)
      if ((k / 16 + k / 4 % 4 + k % 4) % 2 == 0) codes[n++] = k;
    return mfbo_space_restrict(space, codes, n, err);
  }
  case TOY_SIX:
    return mfbo_space_add_int(space, "x", 0, 5, 0, err);
  case TOY_THREE:
    return mfbo_space_add_int(space, "x", 0, 2, 0, err);
  }
  return -1;
}

static double toy_sq(double x) { return x * x; }

static double toy_true_ms(const void *vstate, const mfbo_space *space, const int *cfg) {
  (void)space;
  const toy_state *st = vstate;
  static const double line[4] = {1.0, 1.4, 1.6, 3.0}, spread[4] = {1, 2, 3, 4};
  switch (st->landscape) {
  case TOY_BOWL:
    return 1 + toy_sq(cfg[0] - 8) + toy_sq(cfg[1] - 2);
  case TOY_LINE:
    return line[cfg[0]];
  case TOY_SPREAD:
    return spread[cfg[0]];
  case TOY_FAIL:
    if (cfg[0] + cfg[1] >= 6) return INFINITY;
    return 1 + fabs(cfg[0] - 2.0) + fabs(cfg[1] - 1.0) + 0.5 * fabs(cfg[2] - 3.0) + 0.3 * cfg[3];
  case TOY_ALLFAIL:
    return INFINITY;
  case TOY_FLAT:
    return 1 + 0.01 * (cfg[0] + 2 * cfg[1] + 3 * cfg[2] + 4 * cfg[3]);
  case TOY_HOLES:
    return 1 + fabs(cfg[0] - 1.0) + fabs(cfg[1] - 2.0) + fabs(cfg[2] - 1.0);
  case TOY_SIX:
  case TOY_THREE:
    return 1 + toy_sq(cfg[0] - 1) + 0.1 * cfg[0];
  }
  return INFINITY;
}

static double toy_measure_ms(const void *state, const mfbo_space *space, const int *cfg,
                             double true_ms, int reps, gsl_rng *noise) {
  (void)state, (void)space, (void)cfg, (void)reps, (void)noise;
  return true_ms;
}

static double toy_compile_s(const void *state, const mfbo_space *space, const int *cfg,
                            double true_ms) {
  (void)state, (void)space, (void)cfg, (void)true_ms;
  return 1.0;
}

static double toy_timing_s(const void *state, const mfbo_space *space, const int *cfg,
                           double true_ms, int reps) {
  (void)state, (void)space, (void)cfg;
  return isfinite(true_ms) ? reps * true_ms / 1000 : 0.0;
}

static const mfbo_benchmark_type toy_type = {
    .name = "toy", .summary = "test landscapes", .state_size = sizeof(toy_state),
    .init = toy_init, .true_ms = toy_true_ms, .measure_ms = toy_measure_ms,
    .compile_s = toy_compile_s, .timing_s = toy_timing_s, .free = NULL};

/* Settings from "k=v, k=v" (NULL or "" for none). */
static inline void toy_settings(mfbo_settings *s, const char *text) {
  mfbo_settings_init(s);
  char buf[512];
  snprintf(buf, sizeof buf, "%s", text ? text : "");
  int line = 1;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    char *eq = strchr(tok, '=');
    if (!eq) continue;
    *eq = '\0';
    mfbo_settings_add(s, tok, eq + 1, line++, NULL);
  }
}

static inline mfbo_benchmark *toy_alloc(const char *landscape) {
  mfbo_settings settings, space;
  char text[64];
  snprintf(text, sizeof text, "landscape=%s", landscape);
  toy_settings(&settings, text);
  mfbo_settings_init(&space);
  mfbo_error err;
  mfbo_benchmark *b = mfbo_benchmark_alloc(&toy_type, &settings, &space, 1, &err);
  if (!b) fprintf(stderr, "toy_alloc(%s): %s\n", landscape, err.msg);
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
  return b;
}

/* The seed benchmark at instance 2, for the searchers' quality checks: its optimum is not the
 * default configuration (instance 1's is, so a searcher that times the default first holds
 * the optimum from its first evaluation and such a check cannot fail). NULL, with a message
 * on stderr, if the instance does not move the optimum. */
static inline mfbo_benchmark *toy_seed_moved(void) {
  mfbo_settings empty, space;
  mfbo_settings_init(&empty);
  mfbo_settings_init(&space);
  mfbo_error err;
  mfbo_benchmark *b = mfbo_benchmark_alloc(&mfbo_benchmark_seed, &empty, &space, 2, &err);
  if (!b) {
    fprintf(stderr, "toy_seed_moved: %s\n", err.msg);
    return NULL;
  }
  int cfg[16];
  mfbo_space_default(b->space, cfg);
  double t = mfbo_benchmark_true_ms(b, cfg);
  if (!(t > b->optimum_ms * 1.01)) {
    fprintf(stderr, "toy_seed_moved: the default configuration is within 1%% of the optimum\n");
    mfbo_benchmark_free(b);
    return NULL;
  }
  return b;
}

/* Runs a searcher with settings "k=v, ..." on a benchmark, without a budget. */
static inline mfbo_run_result toy_run(const mfbo_benchmark *b, const mfbo_searcher_type *type,
                                      const char *settings_text, long seed) {
  mfbo_settings s;
  toy_settings(&s, settings_text);
  mfbo_run_spec spec = {.benchmark = b, .label = type->name, .searcher = type,
                        .settings = &s, .seed = seed};
  mfbo_run_result r;
  mfbo_run(&spec, &r);
  mfbo_settings_free(&s);
  return r;
}

/* Number of trace rows at this fidelity. */
static inline long toy_count_fidelity(const mfbo_run_result *r, int fidelity) {
  long n = 0;
  for (long i = 0; i < r->n_evals; i++) n += r->trace[i].fidelity == fidelity;
  return n;
}

/* The two runs agree bit for bit. */
static inline int toy_same_run(const mfbo_run_result *a, const mfbo_run_result *b) {
  if (a->n_evals != b->n_evals || a->cost_s != b->cost_s) return 0;
  for (long i = 0; i < a->n_evals; i++) {
    const mfbo_trace_row *x = &a->trace[i], *y = &b->trace[i];
    if (x->fidelity != y->fidelity || memcmp(&x->measured_ms, &y->measured_ms, sizeof(double)) ||
        memcmp(&x->incumbent_true_ms, &y->incumbent_true_ms, sizeof(double)))
      return 0;
  }
  return memcmp(a->trace_cfg, b->trace_cfg,
                (size_t)a->n_evals * (size_t)a->n_params * sizeof(int)) == 0;
}

/* Does row i of the trace have this configuration? */
static inline int toy_row_is(const mfbo_run_result *r, long i, const int *cfg) {
  return memcmp(r->trace_cfg + (size_t)i * r->n_params, cfg, (size_t)r->n_params * sizeof(int)) ==
         0;
}

#endif
