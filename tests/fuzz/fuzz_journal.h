/* fuzz_journal.h: the fixed job whose journals fuzz_journal reads (make_corpus writes its
 * seed corpus). */
#ifndef MFBO_FUZZ_JOURNAL_H
#define MFBO_FUZZ_JOURNAL_H

#include "mfbo/job.h"

extern const char fuzz_journal_job[];
/* The job, loaded once, and its one benchmark instance. */
int fuzz_journal_setup(mfbo_job **job, mfbo_benchmark ***benches);
/* Its number of tasks. */
uint64_t fuzz_journal_n_tasks(const mfbo_job *job);

#endif
