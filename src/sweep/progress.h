/* progress.h: the sweep's progress line on stderr: tasks done/total, rate, elapsed, ETA,
 * at most about once a second, and a final line. */
#ifndef MFBO_PROGRESS_H
#define MFBO_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "core/clock.h" /* mfbo_now_s */

typedef struct {
  FILE *out;          /* NULL = quiet */
  uint64_t total;     /* tasks in the job */
  uint64_t skipped;   /* finished in an earlier, resumed sweep */
  uint64_t done;      /* finished by this sweep */
  uint64_t failed;
  double start_s;
  double last_print_s;
} mfbo_progress;

void mfbo_progress_start(mfbo_progress *p, FILE *out, uint64_t total, uint64_t skipped);
void mfbo_progress_task_done(mfbo_progress *p, int failed);
/* The final line: what happened and where the results are. */
void mfbo_progress_finish(mfbo_progress *p, const char *how, const char *path);

#endif
