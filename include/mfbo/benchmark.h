/* benchmark.h: benchmarks as type objects (like gsl_rng_type). A type knows how to build
 * its space from the job, the true (noise-free) time of a configuration, a noisy
 * measurement at a fidelity (repetitions) and the simulated cost of that measurement.
 * An instance (mfbo_benchmark) is one landscape: a type, its settings and an instance
 * number; it also knows its optimum when the space can be enumerated.
 * Public (installed, include/mfbo): for a plugin or embedding program that defines a benchmark
 * type or builds an instance to run a searcher on. */
#ifndef MFBO_BENCHMARK_H
#define MFBO_BENCHMARK_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "mfbo/error.h"
#include "mfbo/settings.h"
#include "mfbo/space.h"

typedef struct mfbo_benchmark_type {
  const char *name;
  const char *summary;
  size_t state_size;
  /* Reads its settings and builds the space (before [space] overrides are applied). */
  int (*init)(void *state, mfbo_settings *settings, int instance, mfbo_space *space,
              mfbo_error *err);
  /* True time in ms; INFINITY for a configuration that fails. */
  double (*true_ms)(const void *state, const mfbo_space *space, const int *cfg);
  /* One measurement at fidelity reps >= 1, drawing from noise; INFINITY if it fails. */
  double (*measure_ms)(const void *state, const mfbo_space *space, const int *cfg,
                       double true_ms, int reps, gsl_rng *noise);
  /* Simulated seconds to build (compile) the configuration, charged once per run, on its
   * first evaluation; a failing configuration's whole cost of failing belongs here. */
  double (*compile_s)(const void *state, const mfbo_space *space, const int *cfg,
                      double true_ms);
  /* Simulated seconds to time it at reps repetitions (every evaluation pays this). */
  double (*timing_s)(const void *state, const mfbo_space *space, const int *cfg,
                     double true_ms, int reps);
  void (*free)(void *state);
  /* Optional (NULL for the recorded and simulated landscapes): a live benchmark measures a
   * configuration by running it (src/benchmarks/command.c, worker.c). Its true time is unknown:
   * true_ms, measure_ms, compile_s and timing_s are never called (they may be NULL), the
   * run loop records true_ms = NaN and asks this instead, and no optimum is searched.
   * Writes the measured time at fidelity reps >= 1 (INFINITY: the configuration failed)
   * and the real cost in seconds; compiled: the configuration was evaluated earlier in
   * the same run. reps = 0 asks for the final re-measurement of the configuration a run
   * returns, at the benchmark's own final fidelity (its cost is not the search's). */
  void (*measure_live)(const void *state, const mfbo_space *space, const int *cfg, int reps,
                       int compiled, double *measured_ms, double *cost_s);
  /* Optional, live only: called as each run starts, before its first measure_live (the
   * worker benchmark resets its worker and charges the run its start-up). */
  void (*begin_run)(const void *state);
  /* Optional: the setting that names the benchmark's data file (kerneltuner: "file"). The
   * landscape's key, and so every random stream of its runs, hashes that file's bytes
   * instead of its path: the same data gives the same results wherever it lives. */
  const char *data_setting;
} mfbo_benchmark_type;

extern const mfbo_benchmark_type mfbo_benchmark_seed;
extern const mfbo_benchmark_type mfbo_benchmark_kerneltuner;
extern const mfbo_benchmark_type mfbo_benchmark_synthetic;
extern const mfbo_benchmark_type mfbo_benchmark_command;
extern const mfbo_benchmark_type mfbo_benchmark_worker;
/* NULL-terminated table of every benchmark type. */
extern const mfbo_benchmark_type *const mfbo_benchmark_types[];
const mfbo_benchmark_type *mfbo_benchmark_type_find(const char *name);

typedef struct {
  const mfbo_benchmark_type *type;
  void *state;
  mfbo_space *space;
  int instance;
  double optimum_ms;      /* NaN if unknown */
  int64_t optimum_index;  /* index in the space, -1 if unknown */
  uint64_t key;           /* hash of type, settings, space and instance */
} mfbo_benchmark;

/* Builds one landscape and finds its optimum (mfbo_benchmark_find_optimum); settings and
 * space_settings are checked for unknown keys. */
mfbo_benchmark *mfbo_benchmark_alloc(const mfbo_benchmark_type *type, mfbo_settings *settings,
                                     mfbo_settings *space_settings, int instance,
                                     mfbo_error *err);
/* The same without looking for the optimum (left unknown: NaN, -1), which costs one true
 * time per configuration: the job loader builds this way, and a sweep shares the search
 * among its ranks (mfbo_benchmark_scan, then mfbo_benchmark_set_optimum). */
mfbo_benchmark *mfbo_benchmark_build(const mfbo_benchmark_type *type, mfbo_settings *settings,
                                     mfbo_settings *space_settings, int instance,
                                     mfbo_error *err);
/* 1 if the space is small enough to search for the optimum (MFBO_SPACE_ENUMERABLE). */
int mfbo_benchmark_enumerable(const mfbo_benchmark *b);
/* The fastest true time among the configurations of index begin..end-1 (end is capped at
 * the space's size) and its index, the lowest on a tie; INFINITY and -1 if none runs.
 * -1 when out of memory. */
int mfbo_benchmark_scan(const mfbo_benchmark *b, uint64_t begin, uint64_t end, double *best_ms,
                        int64_t *best_index);
/* Records the optimum found by scans (unknown when best_ms is not finite). */
void mfbo_benchmark_set_optimum(mfbo_benchmark *b, double best_ms, int64_t best_index);
/* Searches the whole space (if enumerable; else the optimum stays unknown). -1: no memory. */
int mfbo_benchmark_find_optimum(mfbo_benchmark *b);
void mfbo_benchmark_free(mfbo_benchmark *b);

/* Does it measure live (measure_live)? Then true times are unknown (NaN). */
int mfbo_benchmark_is_live(const mfbo_benchmark *b);
/* NaN for a live benchmark. */
double mfbo_benchmark_true_ms(const mfbo_benchmark *b, const int *cfg);
/* Simulated seconds of one evaluation: timing, plus compiling unless the configuration was
 * already compiled earlier in the same run (not for a live benchmark: its cost is known only
 * once it has run). */
double mfbo_benchmark_cost_s(const mfbo_benchmark *b, const int *cfg, double true_ms, int reps,
                             int compiled);
/* One evaluation at fidelity reps of a configuration not compiled yet: the true time, a
 * measurement drawn from noise and its simulated cost (live: NaN, a measurement, its real
 * cost; noise is not used). */
void mfbo_benchmark_evaluate(const mfbo_benchmark *b, const int *cfg, int reps, gsl_rng *noise,
                             double *true_ms, double *measured_ms, double *cost_s);
/* regret = true/optimum - 1 (NaN when the optimum is unknown, +inf for a failure). */
double mfbo_benchmark_regret(const mfbo_benchmark *b, double true_ms);

#endif
