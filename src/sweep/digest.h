/* digest.h: what identifies the data file a job reads ([benchmark] file =, found as the
 * benchmark finds it: in the job file's directory, then the installed data directory) and
 * the programs it runs (an external searcher's program, a plugin's shared object), so that
 * --resume refuses to mix results of a file or a program that changed in between: the sweep
 * records both in each session's note of its journal (store.c). */
#ifndef MFBO_DIGEST_H
#define MFBO_DIGEST_H

#include <stddef.h>

#include "mfbo/job.h"

/* "SIZE CRC32 ADLER32 PATH", PATH as the job gives it; "" when the job reads no file;
 * "unreadable PATH" when it cannot be read. */
void mfbo_data_digest(const mfbo_job *job, char *out, size_t size);

/* One line "LABEL: SIZE CRC32 ADLER32 PATH" per algorithm that runs a program of its own
 * (type external: the file its command starts; a plugin: its shared object); "unreadable"
 * for the digest of a file that cannot be read; "" when the job runs none. */
void mfbo_programs_digest(const mfbo_job *job, char *out, size_t size);

#endif
