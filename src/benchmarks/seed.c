/* seed.c: the `seed` benchmark, exactly as docs/spec/seed-benchmark.md defines it: a
 * quadratic bowl over (BLOCK_M, BLOCK_N, BLOCK_K, num_warps, num_stages) with two Gaussian
 * attractors and non-smooth penalties; Gaussian noise of sd noise_sd_ms / sqrt(reps),
 * floored at 0.1 ms; cost = compile_s (once per configuration and run) + reps x (true time +
 * overhead), in seconds.
 * Instances, as in COCO: instance 1 is the spec's landscape exactly (its default
 * configuration is its global optimum). Instance i >= 2 shifts each parameter's value order
 * cyclically by a seeded amount: configuration c is timed as the spec times the one whose
 * value index of parameter j is (c_j + shift_j) mod n_j. That is a bijection of the space,
 * so the distribution of true times is the same; the optimum and the attractors move, and
 * the default configuration stays where it is (no longer the optimum: at least one shift
 * is non-zero). */
#include <math.h>
#include <gsl/gsl_randist.h>

#include "mfbo/benchmark.h"
#include "core/stream.h"

#define SEED_PARAMS 5

typedef struct {
  double compile_s;          /* simulated compile time of one configuration */
  double noise_sd_ms;        /* sd of a single-repetition measurement */
  double overhead_ms_per_rep; /* launch/sync overhead added to each timed repetition */
  uint32_t shift[SEED_PARAMS]; /* the instance's seeded shifts (all 0 for instance 1); taken
                                * modulo each parameter's number of values, which [space]
                                * may change */
  int moves;                   /* instance >= 2: the optimum must move */
} seed_state;

static int seed_init(void *vstate, mfbo_settings *settings, int instance, mfbo_space *space,
                     mfbo_error *err) {
  seed_state *st = vstate;
  st->moves = instance >= 2;
  for (int j = 0; j < SEED_PARAMS; j++)
    st->shift[j] = instance <= 1 ? 0
                                 : (uint32_t)(mfbo_hash_u64(mfbo_hash_u64(mfbo_hash_str(
                                                  MFBO_HASH_INIT, "seed-instance"),
                                                  (uint64_t)instance), (uint64_t)j) >> 32);
  st->compile_s = 0.5;
  st->noise_sd_ms = 0.2;
  st->overhead_ms_per_rep = 0.0;
  if (mfbo_settings_get_double(settings, "compile_s", 0, 1e6, &st->compile_s, err) ||
      mfbo_settings_get_double(settings, "noise_sd_ms", 0, 1e6, &st->noise_sd_ms, err) ||
      mfbo_settings_get_double(settings, "overhead_ms_per_rep", 0, 1e6,
                               &st->overhead_ms_per_rep, err))
    return -1;
  static const double stages[] = {2, 3, 4, 5};
  if (mfbo_space_add_pow2(space, "BLOCK_M", 32, 256, 128, err) ||
      mfbo_space_add_pow2(space, "BLOCK_N", 32, 256, 128, err) ||
      mfbo_space_add_pow2(space, "BLOCK_K", 16, 128, 64, err) ||
      mfbo_space_add_pow2(space, "num_warps", 2, 16, 8, err) ||
      mfbo_space_add_enum(space, "num_stages", 4, stages, NULL, 1, err))
    return -1;
  return 0;
}

static double sq(double x) { return x * x; }

/* The spec's formula for any positive values (M, N, K, w, s). */
static double seed_formula_ms(double M, double N, double K, double w, double s) {
  double t = 2.0 + 0.002 * sq(M - 128) + 0.002 * sq(N - 128) + 0.003 * sq(K - 64) +
             0.15 * sq(w - 8) + 0.25 * sq(s - 3);
  static const double attractors[2][5] = {{64, 64, 32, 4, 2}, {256, 128, 64, 16, 4}};
  for (int a = 0; a < 2; a++) {
    const double *A = attractors[a];
    double d2 = 0.001 * sq(M - A[0]) + 0.001 * sq(N - A[1]) + 0.002 * sq(K - A[2]) +
                0.1 * sq(w - A[3]) + 0.2 * sq(s - A[4]);
    t -= 0.8 * exp(-d2 / 2);
  }
  if (fmod(M, 128) != 0) t += 0.3;
  if (fmod(N, 128) != 0) t += 0.3;
  if (w > 4 * s) t += 0.5;
  return t;
}

/* The configuration that instance's cfg is timed as: each value index shifted cyclically;
 * when every shift is 0 modulo its range (instance >= 2 only), the first parameter with
 * more than one value is shifted by 1, so the optimum never stays at the default. */
static void shifted(const seed_state *st, const mfbo_space *space, const int *cfg, int *out) {
  int any = 0, first = -1;
  for (int j = 0; j < SEED_PARAMS; j++) {
    int n = space->params[j].n_values;
    int sh = (int)(st->shift[j] % (uint32_t)n);
    out[j] = (cfg[j] + sh) % n;
    any |= sh != 0;
    if (first < 0 && n > 1) first = j;
  }
  if (st->moves && !any && first >= 0) out[first] = (cfg[first] + 1) % space->params[first].n_values;
}

static double seed_true_ms(const void *vstate, const mfbo_space *space, const int *cfg) {
  int c[SEED_PARAMS];
  shifted(vstate, space, cfg, c);
  return seed_formula_ms(mfbo_space_value(space, c, 0), mfbo_space_value(space, c, 1),
                         mfbo_space_value(space, c, 2), mfbo_space_value(space, c, 3),
                         mfbo_space_value(space, c, 4));
}

static double seed_measure_ms(const void *vstate, const mfbo_space *space, const int *cfg,
                              double true_ms, int reps, gsl_rng *noise) {
  (void)space;
  (void)cfg;
  const seed_state *st = vstate;
  double e = gsl_ran_gaussian(noise, st->noise_sd_ms / sqrt((double)reps));
  return fmax(0.1, true_ms + e);
}

static double seed_compile_s(const void *vstate, const mfbo_space *space, const int *cfg,
                             double true_ms) {
  (void)space, (void)cfg, (void)true_ms;
  return ((const seed_state *)vstate)->compile_s;
}

static double seed_timing_s(const void *vstate, const mfbo_space *space, const int *cfg,
                            double true_ms, int reps) {
  (void)space, (void)cfg;
  const seed_state *st = vstate;
  return reps * (true_ms + st->overhead_ms_per_rep) / 1000.0;
}

const mfbo_benchmark_type mfbo_benchmark_seed = {
    .name = "seed",
    .summary = "the seed's synthetic GPU-kernel landscape (1024 configurations; instance 1 "
               "exactly, instances >= 2 with each parameter's values shifted cyclically)",
    .state_size = sizeof(seed_state),
    .init = seed_init,
    .true_ms = seed_true_ms,
    .measure_ms = seed_measure_ms,
    .compile_s = seed_compile_s,
    .timing_s = seed_timing_s,
    .free = NULL,
};
