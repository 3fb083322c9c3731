/* tasks.c: expanding a job into its tasks, in a stable task_id order, and running one. */
#include "tasks.h"

#include <stdlib.h>

mfbo_task *mfbo_tasks_make(const mfbo_job *job, uint64_t *n_tasks) {
  uint64_t n = (uint64_t)job->n_instances * (uint64_t)job->n_algorithms * (uint64_t)job->n_seeds;
  mfbo_task *tasks = malloc((n ? n : 1) * sizeof *tasks);
  if (!tasks) return NULL;
  uint64_t id = 0;
  for (int i = 0; i < job->n_instances; i++)
    for (int a = 0; a < job->n_algorithms; a++)
      for (int s = 0; s < job->n_seeds; s++, id++)
        tasks[id] = (mfbo_task){.task_id = id, .instance_index = i, .algorithm_index = a,
                                .seed = job->seeds[s]};
  *n_tasks = n;
  return tasks;
}

int mfbo_task_run(const mfbo_job *job, mfbo_benchmark *const *benches, const mfbo_task *task,
                  mfbo_run_result *out) {
  const mfbo_job_algorithm *a = &job->algorithms[task->algorithm_index];
  mfbo_run_spec spec = {.benchmark = benches[task->instance_index], .label = a->label,
                        .searcher = a->type, .settings = &a->settings, .seed = task->seed,
                        .budget = job->budget};
  return mfbo_run(&spec, out);
}
