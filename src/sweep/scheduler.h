/* scheduler.h: the thin MPI layer. Rank 0 hands tasks out one at a time (labels whose
 * tasks have taken longest so far first, unknown ones before all), stores each result as
 * it arrives and stops handing out work on a signal or a deadline; the other ranks run
 * tasks, and so does rank 0 in a thread of its own (only its main thread calls MPI). */
#ifndef MFBO_SCHEDULER_H
#define MFBO_SCHEDULER_H

#include <mpi.h>

#include "progress.h"
#include "store.h"
#include "tasks.h"

typedef struct {
  const mfbo_job *job;
  mfbo_benchmark *const *benches; /* one per job instance */
  const mfbo_task *tasks;
  uint64_t n_tasks;
  mfbo_store *store;              /* rank 0 only */
  mfbo_progress *progress;        /* rank 0 only */
  double deadline_s;              /* stop handing out tasks after this (0 = never) */
  int rank0_computes;             /* rank 0 runs tasks in a thread too (MPI_THREAD_FUNNELED) */
} mfbo_sweep;

typedef enum {
  MFBO_SWEEP_DONE,    /* every task finished (some may have failed) */
  MFBO_SWEEP_STOPPED, /* a signal or the deadline stopped it with work left */
  MFBO_SWEEP_ERROR    /* the results file could not be written */
} mfbo_sweep_outcome;

/* SIGTERM, SIGINT and SIGUSR1 ask the sweep to stop handing out tasks. */
void mfbo_sweep_install_signals(void);
/* Every rank calls this; the outcome is meaningful on rank 0. */
mfbo_sweep_outcome mfbo_sweep_run(const mfbo_sweep *sw, MPI_Comm comm, mfbo_error *err);

#endif
