/* population.h: what Helion's population-based searchers (PopulationBasedSearch in
 * helion/autotuner/base_search.py) share, in ask/tell form: population members with their
 * latest measurement, the visited set, the re-timing of promising members at a higher
 * fidelity, the final re-time of the top distinct configurations, and the incumbent.
 *
 * A member is one timed configuration with its own measurements (as a Helion
 * PopulationMember): two members may share a configuration (differential evolution may
 * time a configuration twice, as Helion does). Members live in one array for the whole
 * search and are named by their index, which never changes.
 *
 * This module only fills batches and reads results; it never calls a benchmark, counts
 * cost or writes results (the run loop does). Internal to the searchers: not in include/. */
#ifndef MFBO_SEARCHERS_POPULATION_H
#define MFBO_SEARCHERS_POPULATION_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "core/codeset.h"
#include "mfbo/searcher.h"

/* The settings every population-based searcher reads (same keys, same meaning). */
typedef struct {
  double rebench_threshold; /* re-time members whose time < this x the best so far (1.5) */
  int final_retime;         /* re-time the top N distinct configurations at the end; < 2 = off */
  int fidelity;             /* repetitions of a first timing (1) */
  int rebench_fidelity;     /* repetitions of a re-time (10) */
  int final_fidelity;       /* repetitions of the final re-time (50) */
} mfbo_pop_settings;

typedef struct {
  uint64_t code;          /* mfbo_space_code of its configuration */
  double latest_ms;       /* its latest measurement; NAN until timed, +inf if it failed */
  int latest_fidelity;    /* repetitions of that measurement; 0 until timed */
  double low_water_ms;    /* its fastest finite measurement, +inf if none */
  int n_measured;
  int finalist;           /* chosen for the final re-time */
} mfbo_member;

typedef struct {
  const mfbo_space *space;
  int n_params;
  mfbo_pop_settings settings;
  mfbo_member *members;
  int *cfgs;              /* n_members x n_params */
  int n_members, cap_members;
  mfbo_codeset visited;   /* codes of every member ever added */
  int *pending;           /* member of each request in the current batch */
  int cap_pending;
  double best_ms_so_far;  /* fastest measurement of any member (Helion's best_perf_so_far) */
  int incumbent;          /* member index, -1 if none (see mfbo_pop_incumbent) */
  int final_requested;
  int final_winner;       /* fastest finalist by its final re-time, -1 before */
} mfbo_population;

/* Reads rebench_threshold, final_retime, fidelity, rebench_fidelity and final_fidelity
 * into *io, whose values are the defaults. */
int mfbo_pop_read_settings(mfbo_settings *settings, mfbo_pop_settings *io, mfbo_error *err);

int mfbo_pop_init(mfbo_population *p, const mfbo_space *space, const mfbo_pop_settings *s);
void mfbo_pop_free(mfbo_population *p);

/* A new, untimed member with this configuration, which becomes visited. Returns its
 * index, or -1 when out of memory. It does not refuse a visited configuration: the
 * searcher decides (mfbo_pop_visited). */
int mfbo_pop_add(mfbo_population *p, const int *cfg);
int mfbo_pop_visited(const mfbo_population *p, const int *cfg);
static inline const int *mfbo_pop_cfg(const mfbo_population *p, int m) {
  return p->cfgs + (size_t)m * p->n_params;
}

/* Helion's random_population_flat: the default configuration first (when it is a member
 * of the space), then random distinct ones, n in all (fewer in a smaller space). Adds
 * them as members, writes their indices to out (room for n) and returns how many, or
 * -1 when out of memory. */
int mfbo_pop_add_initial(mfbo_population *p, gsl_rng *rng, int n, int *out);

/* Appends a request to time member m at this fidelity. 0, or -1 when out of memory. */
int mfbo_pop_request(mfbo_population *p, mfbo_batch *batch, int m, int fidelity);
/* Records the measurement of request i of the current batch. */
void mfbo_pop_tell(mfbo_population *p, const mfbo_batch *batch, int i);

/* Time used to rank members: the latest measurement, +inf while untimed (a NaN never
 * compares, so an untimed member never wins). */
double mfbo_pop_perf_ms(const mfbo_population *p, int m);
/* Helion's min(members, key=performance): the first of the fastest; -1 if n == 0. */
int mfbo_pop_fastest(const mfbo_population *p, const int *ms, int n);
/* Sorts member indices by mfbo_pop_perf_ms, stable (Helion's list.sort(key=performance)). */
void mfbo_pop_sort(const mfbo_population *p, int *ms, int n);

/* Helion's should_rebenchmark: timed, finite and below rebench_threshold x the best so far. */
int mfbo_pop_should_retime(const mfbo_population *p, int m);
/* Helion's rebenchmark_population: requests a re-time at rebench_fidelity of every listed
 * member that should be re-timed (each member once, fastest first), but only when there
 * are at least two of them, as Helion does. Returns the number requested or -1. */
int mfbo_pop_request_retimes(mfbo_population *p, mfbo_batch *batch, const int *ms, int n);
/* Helion's final_rebenchmark_best: the top final_retime distinct configurations, ranked
 * by their fastest finite measurement (one member each), re-timed at final_fidelity when
 * there are at least two. Afterwards the incumbent is the fastest of them by that
 * re-time. Returns the number requested (0 when off or fewer than two) or -1. */
int mfbo_pop_request_final(mfbo_population *p, mfbo_batch *batch);

/* The member the searcher would return now, -1 if none: after the final re-time its
 * winner; before, among the members whose latest measurement is finite and at the
 * highest fidelity of any such member, the one with the fastest latest measurement. */
int mfbo_pop_incumbent(const mfbo_population *p);
/* The searcher's incumbent callback on top of mfbo_pop_incumbent. */
int mfbo_pop_incumbent_cfg(const mfbo_population *p, int *cfg);
/* The .tell and .incumbent of a searcher type whose state begins with its population (its
 * first member, checked with a _Static_assert on offsetof): mfbo_pop_tell and
 * mfbo_pop_incumbent_cfg on it. */
void mfbo_pop_searcher_tell(void *state, const mfbo_batch *batch, int i);
int mfbo_pop_searcher_incumbent(const void *state, int *cfg);

#endif
