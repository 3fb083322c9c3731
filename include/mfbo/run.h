/* run.h: the one run loop every searcher goes through. It asks the searcher, measures each
 * request on the benchmark, tells the result, enforces the budgets, tracks the incumbent's
 * true time after every evaluation and records the trace (like COCO's observer). A run is a
 * pure function of (benchmark, algorithm label and settings, seed, budget), except on a live
 * benchmark (mfbo_benchmark_is_live: measured by running a command, true times NaN, the
 * returned configuration re-measured when the run ends; docs/live.md).
 * Public (installed, include/mfbo): for an embedding program that runs one searcher on one
 * benchmark (examples/run_greedy.c). */
#ifndef MFBO_RUN_H
#define MFBO_RUN_H

#include <stdint.h>

#include "mfbo/benchmark.h"
#include "mfbo/searcher.h"
#include "mfbo/settings.h"

/* A run without a budget whose searcher never stops ends here, as a failure; a job whose
 * searcher would get there without a budget is refused when it is loaded (job.c). */
#define MFBO_RUN_HARD_MAX_EVALS 10000000L

typedef struct {
  long max_evals;    /* 0 = no limit */
  double max_cost_s; /* 0 = no limit */
} mfbo_budget;

typedef enum { MFBO_RUN_OK = 0, MFBO_RUN_FAILED = 1 } mfbo_run_status;

/* One evaluation; its configuration is row `eval - 1` of mfbo_run_result.trace_cfg. */
typedef struct {
  long eval;        /* 1-based */
  int fidelity;     /* repetitions */
  double measured_ms;
  double true_ms;
  double cost_s;
  double cum_cost_s;
  double incumbent_true_ms; /* after this evaluation; +inf while there is none; NaN (live) */
} mfbo_trace_row;

typedef struct {
  mfbo_run_status status;
  char message[512];     /* why it failed, "" if it did not */
  int n_params;
  long n_evals;
  double cost_s;
  int has_incumbent;
  int *incumbent_cfg;    /* n_params value indices */
  double incumbent_true_ms; /* live: the final re-measurement */
  double regret;            /* NaN when the optimum is unknown (always when live) */
  mfbo_trace_row *trace; /* n_evals rows */
  int *trace_cfg;        /* n_evals x n_params */
  long cap;
} mfbo_run_result;

/* What defines a run; its random streams are derived from these and nothing else. */
typedef struct {
  const mfbo_benchmark *benchmark;
  const char *label;                 /* the algorithm's label in the job */
  const mfbo_searcher_type *searcher;
  const mfbo_settings *settings;     /* the algorithm's settings */
  long seed;
  mfbo_budget budget;
} mfbo_run_spec;

uint64_t mfbo_run_key(const mfbo_run_spec *spec);
/* Runs the search. Returns 0 when the run ended normally, -1 when the searcher failed
 * (status FAILED, message set; the trace up to the failure is kept). */
int mfbo_run(const mfbo_run_spec *spec, mfbo_run_result *out);
void mfbo_run_result_free(mfbo_run_result *r);

#endif
