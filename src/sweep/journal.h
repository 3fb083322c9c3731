/* journal.h: the journal of a running sweep (FILE.partial, see docs/results-format.md): an
 * append-only binary file of records, one per finished task, each appended with one write(2)
 * and checked by a CRC32, so that a writer killed at any moment leaves every whole record
 * readable. Opening it again drops a torn or corrupt tail. Holds an exclusive flock while
 * open: one writer at a time. Knows nothing of HDF5 or of what the payloads mean. */
#ifndef MFBO_JOURNAL_H
#define MFBO_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mfbo/error.h"

#define MFBO_JOURNAL_VERSION 1
/* The task_id of a note: a record that is not a task (the store keeps its sessions' provenance
 * in notes). Every note is kept, in order. */
#define MFBO_JOURNAL_NOTE UINT64_MAX

typedef struct mfbo_journal mfbo_journal;

/* Creates a journal for task ids 0 .. n_tasks-1 of the job job_text. Its header is written
 * and synced under a temporary name first, so path appears whole or not at all; fails if
 * path exists. */
mfbo_journal *mfbo_journal_create(const char *path, const char *job_text, uint64_t n_tasks,
                                  mfbo_error *err);
/* Opens an existing journal of that job: refuses another job's, a newer version's, one that
 * another process has open; skips damaged records between whole ones (mfbo_journal_damaged)
 * and truncates the file after its last whole record (mfbo_journal_dropped). */
mfbo_journal *mfbo_journal_open(const char *path, const char *job_text, uint64_t n_tasks,
                                mfbo_error *err);
/* Appends one record (task_id < n_tasks, or MFBO_JOURNAL_NOTE) with one write(2), which
 * survives the death of the process; fdatasync()s the file if its last sync is
 * MFBO_JOURNAL_SYNC_S seconds old. A task already in the journal is refused. */
#define MFBO_JOURNAL_SYNC_S 10.0
int mfbo_journal_append(mfbo_journal *j, uint64_t task_id, int32_t rank, const void *data,
                        size_t len, mfbo_error *err);
int mfbo_journal_has(const mfbo_journal *j, uint64_t task_id);
uint64_t mfbo_journal_n_tasks_done(const mfbo_journal *j);
size_t mfbo_journal_n_notes(const mfbo_journal *j);
/* Bytes cut off the end of the file by mfbo_journal_open (0 if it was whole). */
uint64_t mfbo_journal_dropped(const mfbo_journal *j);
/* Bytes of damaged records that mfbo_journal_open skipped between whole records (they stay
 * in the file; their tasks are not in the index), and where the first of them starts. */
uint64_t mfbo_journal_damaged(const mfbo_journal *j, uint64_t *first);
/* Reads a task's record (checking its CRC again) into *data (malloc'ed, free() it). */
int mfbo_journal_read(const mfbo_journal *j, uint64_t task_id, char **data, size_t *len,
                      int32_t *rank, mfbo_error *err);
/* Reads note i (0 = the oldest) the same way. */
int mfbo_journal_read_note(const mfbo_journal *j, size_t i, char **data, size_t *len,
                           mfbo_error *err);
/* fdatasync now. */
int mfbo_journal_sync(mfbo_journal *j, mfbo_error *err);
/* Closes the file (no sync) and frees j. */
void mfbo_journal_close(mfbo_journal *j);
/* Removes the journal at path unless another process has it open; 0 also if it is absent. */
int mfbo_journal_remove(const char *path, mfbo_error *err);

#endif
