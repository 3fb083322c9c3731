/* digest.h: what identifies the data file a job reads ([benchmark] file =, found as the
 * benchmark finds it: in the job file's directory, then the installed data directory), so
 * that --resume refuses to mix results of a file that changed in between: the sweep records
 * it in each session's note of its journal (store.c). */
#ifndef MFBO_DIGEST_H
#define MFBO_DIGEST_H

#include <stddef.h>

#include "mfbo/job.h"

/* "SIZE CRC32 ADLER32 PATH", PATH as the job gives it; "" when the job reads no file;
 * "unreadable PATH" when it cannot be read. */
void mfbo_data_digest(const mfbo_job *job, char *out, size_t size);

#endif
