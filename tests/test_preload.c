/* test_preload.c: the job preloaded while MPI_Init runs (src/sweep/preload.c) is taken only
 * when it is the very job the rank is then given: the same path and text (after --seeds and
 * --instances); a pipe is never read, a bad job is not kept, and the caller loads instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "preload.h"

static char *read_text(const char *path, size_t *len) {
  mfbo_error err;
  char *text = NULL;
  mfbo_error_clear(&err);
  return mfbo_job_read_file(path, &text, len, &err) == 0 ? text : NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  if (argc != 2) return 1;
  char path[4096];
  snprintf(path, sizeof path, "%s/sweep/small.ini", argv[1]);
  size_t len = 0;
  char *text = read_text(path, &len);
  CHECK(text != NULL);
  if (!text) return 1;

  mfbo_preload p;
  mfbo_job job;
  mfbo_preload_start(&p, path, NULL, NULL); /* the same text: taken */
  CHECK(mfbo_preload_take(&p, path, text, len, &job) == 0);
  if (check_failures == 0) {
    CHECK(job.n_seeds == 6 && job.n_algorithms == 2);
    mfbo_job_free(&job);
  }
  mfbo_preload_end(&p);

  mfbo_preload_start(&p, path, NULL, NULL); /* another text (rank 0 read a newer file) */
  char *other = strdup(text);
  other[len - 2] = other[len - 2] == '0' ? '1' : '0';
  CHECK(mfbo_preload_take(&p, path, other, len, &job) == -1);
  CHECK(mfbo_preload_take(&p, path, text, len - 1, &job) == -1);
  mfbo_preload_end(&p);
  free(other);

  mfbo_preload_start(&p, path, NULL, NULL); /* another path */
  CHECK(mfbo_preload_take(&p, "elsewhere/small.ini", text, len, &job) == -1);
  mfbo_preload_end(&p);

  /* --seeds: the preload applies it as mfbo-sweep does, so the texts agree */
  char *over = NULL;
  mfbo_error err;
  mfbo_error_clear(&err);
  CHECK(mfbo_job_override(text, len, "1-3", NULL, &over, &err) == 0);
  mfbo_preload_start(&p, path, "1-3", NULL);
  CHECK(over && mfbo_preload_take(&p, path, over, strlen(over), &job) == 0);
  if (check_failures == 0) {
    CHECK(job.n_seeds == 3);
    mfbo_job_free(&job);
  }
  mfbo_preload_end(&p);
  free(over);

  /* a bad --seeds list: nothing loaded, the caller loads (and reports) */
  mfbo_preload_start(&p, path, "3-1x", NULL);
  CHECK(mfbo_preload_take(&p, path, text, len, &job) == -1);
  mfbo_preload_end(&p);

  /* a pipe (a job on stdin) is not read: it is rank 0's to read */
  char dir[] = "/tmp/test_preload_XXXXXX"; /* mkdtemp's template: a directory for the pipe */
  CHECK(mkdtemp(dir) != NULL);
  char pipe_path[sizeof dir + 8];
  snprintf(pipe_path, sizeof pipe_path, "%s/job", dir);
  CHECK(mkfifo(pipe_path, 0600) == 0);
  mfbo_preload_start(&p, pipe_path, NULL, NULL);
  CHECK(!p.started);
  CHECK(mfbo_preload_take(&p, pipe_path, text, len, &job) == -1);
  mfbo_preload_end(&p);
  unlink(pipe_path);
  rmdir(dir);

  /* no job file (the built-in default job) */
  mfbo_preload_start(&p, NULL, NULL, NULL);
  CHECK(!p.started && mfbo_preload_take(&p, NULL, text, len, &job) == -1);
  mfbo_preload_end(&p);
  free(text);
  CHECK_DONE();
}
