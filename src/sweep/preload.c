/* preload.c: a job loaded on a thread while MPI_Init runs (preload.h). */
#include "preload.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void *preload_main(void *arg) {
  mfbo_preload *p = arg;
  mfbo_error err;
  mfbo_error_clear(&err);
  char *text = NULL;
  size_t len = 0;
  if (mfbo_job_read_file(p->path, &text, &len, &err) != 0) return NULL;
  if (p->seeds || p->instances) {
    char *out = NULL;
    int rc = mfbo_job_override(text, len, p->seeds, p->instances, &out, &err);
    free(text);
    if (rc != 0) return NULL;
    text = out;
    len = strlen(out);
  }
  if (mfbo_job_load_file_text(p->path, text, len, &p->job, &err) != 0) {
    free(text);
    return NULL;
  }
  p->text = text;
  p->len = len;
  p->loaded = 1;
  return NULL;
}

void mfbo_preload_start(mfbo_preload *p, const char *path, const char *seeds,
                        const char *instances) {
  memset(p, 0, sizeof *p);
  struct stat st;
  if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return;
  p->path = path, p->seeds = seeds, p->instances = instances;
  p->started = pthread_create(&p->thread, NULL, preload_main, p) == 0;
}

static void join(mfbo_preload *p) {
  if (p->started) pthread_join(p->thread, NULL);
  p->started = 0;
}

int mfbo_preload_take(mfbo_preload *p, const char *path, const char *text, size_t len,
                      mfbo_job *job) {
  join(p);
  if (!p->loaded || !path || !p->path || strcmp(path, p->path) != 0 || len != p->len ||
      memcmp(text, p->text, len) != 0)
    return -1;
  *job = p->job;
  p->loaded = 0;
  return 0;
}

void mfbo_preload_end(mfbo_preload *p) {
  join(p);
  if (p->loaded) mfbo_job_free(&p->job);
  p->loaded = 0;
  free(p->text);
  p->text = NULL;
}
