/* preload.h: a job loaded on a thread while MPI_Init runs. Loading a job builds its
 * landscapes (a Kernel Tuner file: 0.4-0.6 s of JSON), and MPI_Init takes 0.3-0.4 s: each
 * rank starts both at once and keeps the preloaded job only if it is the job rank 0 then
 * sends (the same text), so a rank that cannot read the file, or a job on stdin, loads as
 * before. Needs no MPI; the thread starts no process it does not wait for. */
#ifndef MFBO_SWEEP_PRELOAD_H
#define MFBO_SWEEP_PRELOAD_H

#include <pthread.h>
#include <stddef.h>

#include "mfbo/job.h"

typedef struct {
  pthread_t thread;
  int started;                  /* the thread runs (or ran): _take or _end joins it */
  const char *path;             /* the job file (a regular file, else nothing is started) */
  const char *seeds, *instances; /* --seeds and --instances (NULL: the job's) */
  char *text;                   /* the text loaded (after the overrides), malloc'ed */
  size_t len;
  int loaded;                   /* job holds the loaded job */
  mfbo_job job;
} mfbo_preload;

/* Starts loading path (with the overrides, as mfbo-sweep applies them) on a thread; path
 * NULL or not a regular file (stdin, a pipe): starts nothing. */
void mfbo_preload_start(mfbo_preload *p, const char *path, const char *seeds,
                        const char *instances);
/* Waits for the thread; if it loaded exactly this text (len bytes) of the job at path,
 * moves the job into *job and returns 0 (the caller then owns it); else returns -1 and the
 * caller loads the job itself. */
int mfbo_preload_take(mfbo_preload *p, const char *path, const char *text, size_t len,
                      mfbo_job *job);
/* Waits for the thread and frees what was not taken. */
void mfbo_preload_end(mfbo_preload *p);

#endif
