/* store.h: the results file (HDF5, format version 1, see docs/results-format.md). While a
 * sweep runs, its results are in FILE.partial, a journal (journal.h, not HDF5) that each
 * finished task is written to at once and that a killed sweep leaves resumable;
 * mfbo_store_finish writes FILE from it with /runs and /trace in task_id order, fsyncs and
 * renames. Only this module knows HDF5. */
#ifndef MFBO_STORE_H
#define MFBO_STORE_H

#include <stdint.h>

#include "mfbo/benchmark.h"
#include "mfbo/error.h"
#include "mfbo/job.h"
#include "mfbo/run.h"
#include "tasks.h"

#define MFBO_FORMAT_VERSION 1

typedef struct mfbo_store mfbo_store;

typedef struct {
  const char *command_line;
  int mpi_ranks;
  const char *mpi_library; /* MPI_Get_library_version's text */
} mfbo_provenance;

typedef enum {
  MFBO_STORE_NEW,    /* refuse if FILE or FILE.partial exists */
  MFBO_STORE_RESUME, /* continue FILE.partial, or accept a complete FILE of the same job */
  MFBO_STORE_FORCE   /* replace FILE / FILE.partial (not a partial another sweep writes) */
} mfbo_store_mode;

/* Opens the results file of a job. benches[i] is the landscape of job->instances[i].
 * Errors (exit code 2 for the caller): the file exists in NEW mode, it was made from a
 * different job text, it is not ours or of a newer format, another sweep is writing it.
 * Resuming drops a record that the interruption cut short (a note on stderr). */
mfbo_store *mfbo_store_open(const char *path, const mfbo_job *job,
                            mfbo_benchmark *const *benches, const mfbo_provenance *prov,
                            mfbo_store_mode mode, mfbo_error *err);
/* Is the file already complete (nothing to run)? */
int mfbo_store_complete(const mfbo_store *s);
/* Was this task finished in an earlier (interrupted) sweep? */
int mfbo_store_has_task(const mfbo_store *s, uint64_t task_id);
uint64_t mfbo_store_n_done(const mfbo_store *s);
/* Appends one finished task (what becomes its /runs row, its /trace rows and its /timing
 * row) to the journal, with one write(2). */
int mfbo_store_append(mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                      double wall_s, int rank, mfbo_error *err);
/* All tasks are in: writes FILE in task_id order, fsyncs, renames, removes FILE.partial.
 * The store stays open: close it afterwards. */
int mfbo_store_finish(mfbo_store *s, mfbo_error *err);
/* Closes and frees the store; without a finish, FILE.partial stays (synced to disk),
 * resumable. The store keeps pointers to the job and the benchmarks until then. */
void mfbo_store_close(mfbo_store *s);

#endif
