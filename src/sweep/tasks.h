/* tasks.h: a job's tasks: benchmark instances x algorithm labels x seeds, each with a
 * stable task_id that depends on the job alone (instance-major, then label, then seed). */
#ifndef MFBO_TASKS_H
#define MFBO_TASKS_H

#include <stdint.h>

#include "mfbo/benchmark.h"
#include "mfbo/job.h"
#include "mfbo/run.h"

typedef struct {
  uint64_t task_id;
  int instance_index;  /* into job->instances */
  int algorithm_index; /* into job->algorithms */
  long seed;
} mfbo_task;

/* All tasks of the job in task_id order (task_id == position); free() the array. */
mfbo_task *mfbo_tasks_make(const mfbo_job *job, uint64_t *n_tasks);

/* Runs one task: benches[i] is the landscape of job->instances[i]. */
int mfbo_task_run(const mfbo_job *job, mfbo_benchmark *const *benches, const mfbo_task *task,
                  mfbo_run_result *out);

#endif
