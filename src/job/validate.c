/* validate.c: a job validated by construction: every benchmark instance and every algorithm
 * is built once from the job's settings, so a bad setting fails now, not halfway through a
 * sweep. */
#include "reader.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/benchmark.h"
#include "mfbo/searcher.h"
#include "core/stream.h"

/* Builds one benchmark instance from copies of the job's settings. */
static mfbo_benchmark *build_benchmark(const mfbo_job *job, int instance, mfbo_error *err) {
  mfbo_settings bench, space;
  mfbo_benchmark *b = NULL;
  if (mfbo_settings_copy(&bench, &job->benchmark) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return NULL;
  }
  if (mfbo_settings_copy(&space, &job->space) != 0) {
    mfbo_error_set(err, 0, "out of memory");
  } else {
    b = mfbo_benchmark_build(job->benchmark_type, &bench, &space, instance, err);
    mfbo_settings_free(&space);
  }
  mfbo_settings_free(&bench);
  return b;
}

/* A search that would not stop by itself before the run loop's limit, in a job without a
 * budget, cannot finish: every run would fail after 10 million evaluations (and about 1 GB
 * per rank). Refused here, at the algorithm's header. */
static int check_finishes(const mfbo_job_algorithm *a, const void *state,
                          const mfbo_space *space, const mfbo_budget *budget, mfbo_error *err) {
  if (budget->max_evals > 0 || budget->max_cost_s > 0 || !a->type->max_evals) return 0;
  if (a->type->max_evals(state, MFBO_RUN_HARD_MAX_EVALS) >= 0) return 0;
  mfbo_error_set(err, a->line,
                 "[algorithm %s] (%s) cannot finish: without a budget it would make more than "
                 "%ld evaluations per run on this space of %" PRIu64 " configurations, the "
                 "most a run may make (every run would fail); set budget_evals or "
                 "budget_cost_s in [sweep]%s",
                 a->label, a->type->name, MFBO_RUN_HARD_MAX_EVALS, mfbo_space_size(space),
                 strcmp(a->type->name, "hyperband") == 0 ? ", or max_iterations"
                 : strcmp(a->type->name, "sh") == 0      ? ", or a smaller n_configs"
                 : strcmp(a->type->name, "random") == 0  ? ", or a smaller count"
                                                         : "");
  return -1;
}

/* Starts the algorithm's search once on the space, as a run will, checks that it can finish
 * within the job's budget, and frees it. */
static int validate_algorithm(const mfbo_job_algorithm *a, const mfbo_space *space,
                              const mfbo_budget *budget, mfbo_error *err) {
  mfbo_settings settings;
  if (mfbo_settings_copy(&settings, &a->settings) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  void *state = calloc(1, a->type->state_size ? a->type->state_size : 1);
  gsl_rng *rng = mfbo_stream_alloc(0, "validate");
  int rc = -1;
  if (!state || !rng) {
    mfbo_error_set(err, 0, "out of memory");
  } else {
    char what[MFBO_NAME_MAX + 16];
    snprintf(what, sizeof what, "algorithm %s", a->label);
    rc = a->type->init(state, space, &settings, rng, err);
    if (rc == 0) rc = mfbo_settings_check_unused(&settings, what, err);
    if (rc == 0) rc = check_finishes(a, state, space, budget, err);
    a->type->free(state); /* as in mfbo_run: also after a failed init */
  }
  if (rng) gsl_rng_free(rng);
  free(state);
  mfbo_settings_free(&settings);
  return rc;
}

/* Builds every instance's landscape, once: the job keeps them for the runs. Then starts each
 * algorithm on the first instance's space. */
int job_validate(mfbo_job *job, mfbo_error *err) {
  job->benchmarks = calloc((size_t)job->n_instances, sizeof *job->benchmarks);
  if (!job->benchmarks) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  for (int i = 0; i < job->n_instances; i++)
    if (!(job->benchmarks[i] = build_benchmark(job, job->instances[i], err))) return -1;
  int rc = 0;
  for (int i = 0; i < job->n_algorithms && rc == 0; i++)
    rc = validate_algorithm(&job->algorithms[i], job->benchmarks[0]->space, &job->budget, err);
  return rc;
}

