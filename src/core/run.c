/* run.c: the one run loop. It asks the searcher for a batch, measures each request on the
 * benchmark (drawing noise from the run's own stream), tells the searcher, enforces the
 * budgets, and records every evaluation with the incumbent's true time after it.
 * Searchers never count cost or write results: this file does, once, for all of them. */
#include "mfbo/run.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codeset.h"
#include "core/stream.h"

uint64_t mfbo_run_key(const mfbo_run_spec *spec) {
  char *settings = mfbo_settings_canonical(spec->settings);
  uint64_t h = mfbo_hash_u64(MFBO_HASH_INIT, spec->benchmark->key);
  h = mfbo_hash_str(h, spec->label);
  h = mfbo_hash_str(h, spec->searcher->name);
  h = mfbo_hash_str(h, settings ? settings : "");
  h = mfbo_hash_u64(h, (uint64_t)spec->seed);
  free(settings);
  return h;
}

static int result_init(mfbo_run_result *r, int n_params) {
  memset(r, 0, sizeof *r);
  r->n_params = n_params;
  r->incumbent_true_ms = INFINITY;
  r->regret = NAN;
  r->incumbent_cfg = calloc((size_t)n_params, sizeof *r->incumbent_cfg);
  return r->incumbent_cfg ? 0 : -1;
}

void mfbo_run_result_free(mfbo_run_result *r) {
  free(r->incumbent_cfg);
  free(r->trace);
  free(r->trace_cfg);
  memset(r, 0, sizeof *r);
}

__attribute__((format(printf, 2, 3))) static int fail(mfbo_run_result *r, const char *fmt,
                                                      ...) {
  r->status = MFBO_RUN_FAILED;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->message, sizeof r->message, fmt, ap);
  va_end(ap);
  return -1;
}

static int grow_trace(mfbo_run_result *r) {
  if (r->n_evals < r->cap) return 0;
  long cap = r->cap ? 2 * r->cap : 256;
  mfbo_trace_row *t = realloc(r->trace, (size_t)cap * sizeof *t);
  if (t) r->trace = t;
  int *c = realloc(r->trace_cfg, (size_t)cap * (size_t)r->n_params * sizeof *c);
  if (c) r->trace_cfg = c;
  if (!t || !c) return -1;
  r->cap = cap;
  return 0;
}

/* Would one more evaluation costing cost_s break a budget? */
static int over_budget(const mfbo_budget *b, const mfbo_run_result *r, double cost_s) {
  if (b->max_evals > 0 && r->n_evals >= b->max_evals) return 1;
  if (b->max_cost_s > 0 && r->cost_s + cost_s > b->max_cost_s) return 1;
  return 0;
}

/* Asks the searcher for its incumbent and records its true time (NaN on a live benchmark,
 * whose true times are unknown until final_live re-measures the one returned). */
static void update_incumbent(const mfbo_run_spec *spec, void *state, mfbo_run_result *r) {
  if (!spec->searcher->incumbent(state, r->incumbent_cfg)) return;
  r->has_incumbent = 1;
  r->incumbent_true_ms = mfbo_benchmark_true_ms(spec->benchmark, r->incumbent_cfg);
  r->regret = mfbo_benchmark_regret(spec->benchmark, r->incumbent_true_ms);
}

/* Would a budget stop the next evaluation? A simulated one's cost is known before it is
 * made, so one that would break the cost budget is not made; a live one is made while the
 * budget is not spent yet (its real cost, known after, may overrun it). */
static int budget_stops(const mfbo_run_spec *spec, const mfbo_run_result *r, double cost_s) {
  if (!mfbo_benchmark_is_live(spec->benchmark)) return over_budget(&spec->budget, r, cost_s);
  return over_budget(&spec->budget, r, 0) ||
         (spec->budget.max_cost_s > 0 && r->cost_s >= spec->budget.max_cost_s);
}

/* Measures request i of the batch and records it; 1 if a budget ended the run first.
 * compiled holds the configurations built earlier in the run: they pay no compile time. */
static int evaluate_one(const mfbo_run_spec *spec, void *state, mfbo_batch *batch, int i,
                        gsl_rng *noise, mfbo_codeset *compiled, mfbo_run_result *r) {
  const int *cfg = mfbo_batch_cfg(batch, i);
  const mfbo_benchmark *b = spec->benchmark;
  int live = mfbo_benchmark_is_live(b);
  int reps = batch->fidelity[i];
  if (reps < 1) return fail(r, "searcher asked for fidelity < 1");
  if (!mfbo_space_contains(b->space, cfg))
    return fail(r, "searcher asked for a configuration outside the space");
  double true_ms = mfbo_benchmark_true_ms(b, cfg), measured_ms, cost_s = 0;
  uint64_t code = mfbo_space_code(b->space, cfg);
  int was_compiled = mfbo_codeset_has(compiled, code);
  if (!live) cost_s = mfbo_benchmark_cost_s(b, cfg, true_ms, reps, was_compiled);
  if (budget_stops(spec, r, cost_s)) return 1;
  if (r->n_evals >= MFBO_RUN_HARD_MAX_EVALS)
    return fail(r, "more than 10 million evaluations without a budget");
  if (grow_trace(r) != 0 || mfbo_codeset_add(compiled, code) < 0)
    return fail(r, "out of memory");
  if (live)
    b->type->measure_live(b->state, b->space, cfg, reps, was_compiled, &measured_ms, &cost_s);
  else
    measured_ms = b->type->measure_ms(b->state, b->space, cfg, true_ms, reps, noise);
  batch->measured_ms[i] = measured_ms;
  spec->searcher->tell(state, batch, i);
  r->cost_s += cost_s;
  memcpy(r->trace_cfg + (size_t)r->n_evals * r->n_params, cfg, (size_t)r->n_params * sizeof *cfg);
  update_incumbent(spec, state, r);
  r->trace[r->n_evals] = (mfbo_trace_row){
      .eval = r->n_evals + 1, .fidelity = reps, .measured_ms = measured_ms,
      .true_ms = true_ms, .cost_s = cost_s, .cum_cost_s = r->cost_s,
      .incumbent_true_ms = r->incumbent_true_ms};
  r->n_evals++;
  return 0;
}

/* A live run's result: the configuration it returns, re-measured at the benchmark's final
 * fidelity, is its incumbent time (+inf if that fails); regret stays NaN (no known optimum).
 * The trace keeps NaN: the searcher never saw this measurement, and the run's cost_s leaves
 * it out (it is the experimenter's, not the search's). */
static void final_live(const mfbo_run_spec *spec, mfbo_run_result *r) {
  const mfbo_benchmark *b = spec->benchmark;
  if (!mfbo_benchmark_is_live(b) || !r->has_incumbent) return;
  double measured_ms, cost_s;
  b->type->measure_live(b->state, b->space, r->incumbent_cfg, 0, 1, &measured_ms, &cost_s);
  r->incumbent_true_ms = measured_ms;
  r->regret = NAN;
}

/* The ask / evaluate / tell loop; returns -1 on a failure, 0 otherwise. */
static int search(const mfbo_run_spec *spec, void *state, gsl_rng *noise, mfbo_run_result *r) {
  mfbo_batch batch;
  mfbo_batch_init(&batch, r->n_params);
  mfbo_codeset compiled;
  mfbo_codeset_init(&compiled);
  mfbo_error err;
  mfbo_error_clear(&err);
  int rc = 0;
  for (;;) {
    mfbo_batch_clear(&batch);
    if (spec->searcher->ask(state, &batch, &err) != 0) {
      rc = fail(r, "searcher failed: %s", err.msg);
      break;
    }
    if (batch.n == 0) break;
    int stop = 0;
    for (int i = 0; i < batch.n && !stop; i++)
      stop = evaluate_one(spec, state, &batch, i, noise, &compiled, r);
    if (stop) {
      rc = stop < 0 ? -1 : 0;
      break;
    }
  }
  mfbo_batch_free(&batch);
  mfbo_codeset_free(&compiled);
  return rc;
}

int mfbo_run(const mfbo_run_spec *spec, mfbo_run_result *out) {
  const mfbo_searcher_type *type = spec->searcher;
  if (result_init(out, spec->benchmark->space->n_params) != 0)
    return fail(out, "out of memory");
  uint64_t key = mfbo_run_key(spec);
  gsl_rng *rng = mfbo_stream_alloc(key, "searcher");
  gsl_rng *noise = mfbo_stream_alloc(key, "noise");
  void *state = calloc(1, type->state_size);
  mfbo_settings settings;
  int rc = mfbo_settings_copy(&settings, spec->settings);
  mfbo_error err;
  mfbo_error_clear(&err);
  if (!rng || !noise || !state || rc != 0) {
    rc = fail(out, "out of memory");
  } else {
    if (type->init(state, spec->benchmark->space, &settings, rng, &err) != 0)
      rc = fail(out, "searcher settings: %s", err.msg);
    else {
      if (type->set_budget)
        type->set_budget(state, spec->budget.max_evals, spec->budget.max_cost_s);
      const mfbo_benchmark *b = spec->benchmark;
      if (mfbo_benchmark_is_live(b) && b->type->begin_run) b->type->begin_run(b->state);
      rc = search(spec, state, noise, out);
      final_live(spec, out);
    }
    type->free(state);
  }
  mfbo_settings_free(&settings);
  free(state);
  gsl_rng_free(rng);
  gsl_rng_free(noise);
  return rc;
}
