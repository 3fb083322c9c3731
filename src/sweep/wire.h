/* wire.h: one finished task's result as a flat byte buffer: what a worker sends to rank 0
 * and what the journal (FILE.partial) stores. Same machine type sizes on both ends. */
#ifndef MFBO_WIRE_H
#define MFBO_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "mfbo/run.h"

/* A malloc'ed buffer holding the task index, the wall time and the whole result; NULL if
 * out of memory or larger than 2 GiB. *size receives its length. */
char *mfbo_wire_pack(uint64_t task_index, const mfbo_run_result *r, double wall_s, int *size);
/* Fills r (allocating its arrays; free with mfbo_run_result_free) from a buffer of size
 * bytes; -1 if the buffer is malformed (sizes disagree) or memory runs out. */
int mfbo_wire_unpack(const char *buf, size_t size, int n_params, uint64_t *task_index,
                     mfbo_run_result *r, double *wall_s);

#endif
