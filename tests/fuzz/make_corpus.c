/* make_corpus.c: writes the seed corpora of fuzz_journal and fuzz_results (the journals
 * and the results file of fuzz_journal's job), for tests/fuzz/make_corpus.sh:
 *   make_corpus JOURNAL_DIR RESULTS_DIR
 * JOURNAL_DIR gets FILE.partial after 0..4 of the job's 4 tasks, each behind fuzz_journal's
 * flag byte (1: fix CRCs), and one without the flag; RESULTS_DIR the complete results file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_journal.h"
#include "store.h"
#include "tasks.h"

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *buf = malloc(1 << 22);
  *n = buf ? fread(buf, 1, 1 << 22, f) : 0;
  fclose(f);
  return buf;
}

static void copy_with_flag(const char *from, const char *to, int flag) {
  size_t n;
  unsigned char *b = slurp(from, &n);
  if (!b) abort();
  FILE *f = fopen(to, "wb");
  if (!f) abort();
  if (flag >= 0) fputc(flag, f);
  fwrite(b, 1, n, f);
  fclose(f);
  free(b);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s JOURNAL_DIR RESULTS_DIR\n", argv[0]);
    return 2;
  }
  mfbo_job *job;
  mfbo_benchmark **benches;
  fuzz_journal_setup(&job, &benches);
  uint64_t n;
  mfbo_task *tasks = mfbo_tasks_make(job, &n);
  char path[1024], partial[1100], out[1200];
  snprintf(path, sizeof path, "%s", fuzz_tmp_path("make.h5"));
  snprintf(partial, sizeof partial, "%s.partial", path);
  mfbo_provenance prov = {.command_line = "make_corpus", .mpi_ranks = 1, .mpi_library = "none"};
  mfbo_error err;
  for (uint64_t k = 0; k <= n; k++) {
    unlink(path);
    unlink(partial);
    mfbo_store *s = mfbo_store_open(path, job, benches, &prov, MFBO_STORE_NEW, &err);
    for (uint64_t t = 0; s && t < k; t++) {
      mfbo_run_result r;
      mfbo_task_run(job, benches, &tasks[t], &r);
      if (mfbo_store_append(s, &tasks[t], &r, 0.001, 0, &err) != 0) s = NULL;
      mfbo_run_result_free(&r);
    }
    if (!s) {
      mfbo_error_print(&err, stderr);
      return 1;
    }
    mfbo_store_close(s); /* FILE.partial stays */
    snprintf(out, sizeof out, "%s/partial-%llu-of-%llu", argv[1], (unsigned long long)k,
             (unsigned long long)n);
    copy_with_flag(partial, out, 1);
    if (k == 2) {
      snprintf(out, sizeof out, "%s/partial-2-raw", argv[1]);
      copy_with_flag(partial, out, 0);
    }
    if (k == n) {
      s = mfbo_store_open(path, job, benches, &prov, MFBO_STORE_RESUME, &err);
      if (!s || mfbo_store_finish(s, &err) != 0) {
        mfbo_error_print(&err, stderr);
        return 1;
      }
      mfbo_store_close(s);
      snprintf(out, sizeof out, "%s/complete-results-file", argv[2]);
      copy_with_flag(path, out, -1);
    }
  }
  unlink(path);
  unlink(partial);
  free(tasks);
  return 0;
}
