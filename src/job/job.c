/* job.c: loads a job file (INI) into a validated mfbo_job: read (reader.c), its sections
 * turned into the job (sections.c), validated (validate.c). Nothing here runs or writes
 * anything. */
#include "reader.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses and validates text (len bytes, owned by the job from now on). */
static int load(const char *path, const char *default_name, char *text, size_t len,
                mfbo_job *job, mfbo_error *err) {
  parser p;
  job_parser_init(&p, job, err, text, len);
  job->text = text;
  job->path = strdup(path);
  int rc = -1;
  if (!job->path)
    job_fail(&p, 0, "out of memory");
  else if (len > (size_t)JOB_MAX_BYTES)
    job_fail(&p, 0, "job too large (%zu bytes, at most 1 MiB)", len);
  else if (job_parse_text(&p) == 0 && job_check_sections(&p) == 0 && job_finish_sweep(&p, default_name) == 0 &&
           job_finish_benchmark(&p) == 0 && job_finish_algorithms(&p) == 0)
    rc = job_validate(job, err);
  job_parser_free(&p);
  if (rc != 0) {
    /* errors from the core keep the file name; one about another file brings its own */
    if (err->file[0] == '\0') snprintf(err->file, sizeof err->file, "%s", path);
    mfbo_job_free(job);
  }
  return rc;
}

void job_start(const char *path, mfbo_job *job, mfbo_error *err) {
  memset(job, 0, sizeof *job);
  mfbo_settings_init(&job->benchmark);
  mfbo_settings_init(&job->space);
  mfbo_error_clear(err);
  snprintf(err->file, sizeof err->file, "%s", path);
}

int mfbo_job_load_text(const char *name, const char *text, mfbo_job *job, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  job_start(name, job, err);
  char *copy = strdup(text);
  if (!copy) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return load(name, name, copy, strlen(copy), job, err);
}

/* Reads a whole file of at most JOB_MAX_BYTES into *text (NUL-terminated). */
static int read_file(const char *path, char **text, size_t *len, mfbo_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    mfbo_error_set(err, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  char *buf = malloc((size_t)JOB_MAX_BYTES + 2);
  size_t n = buf ? fread(buf, 1, (size_t)JOB_MAX_BYTES + 1, f) : 0;
  int read_errno = errno;
  int failed = !buf || ferror(f);
  fclose(f);
  if (!buf)
    mfbo_error_set(err, 0, "out of memory");
  else if (failed)
    mfbo_error_set(err, 0, "cannot read: %s", strerror(read_errno));
  else if (n > (size_t)JOB_MAX_BYTES)
    mfbo_error_set(err, 0, "file too large (more than 1 MiB): not a job file");
  if (!buf || failed || n > (size_t)JOB_MAX_BYTES) {
    free(buf);
    return -1;
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return 0;
}

int mfbo_job_load_file(const char *path, mfbo_job *job, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  job_start(path, job, err);
  char *text = NULL;
  size_t len = 0;
  if (read_file(path, &text, &len, err) != 0) return -1;
  /* a data file named by the job is looked for in the job file's directory first */
  if (mfbo_settings_set_dir_of(&job->benchmark, path) != 0) {
    free(text);
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  char stem[sizeof job->name];
  job_basename_stem(path, stem, sizeof stem);
  return load(path, stem, text, len, job, err);
}

int mfbo_job_read_file(const char *path, char **text, size_t *len, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  mfbo_error_clear(err);
  snprintf(err->file, sizeof err->file, "%s", path);
  *text = NULL;
  *len = 0;
  return read_file(path, text, len, err);
}

int mfbo_job_load_file_text(const char *path, const char *text, size_t len, mfbo_job *job,
                            mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  job_start(path, job, err);
  char *copy = malloc(len + 1);
  if (!copy || mfbo_settings_set_dir_of(&job->benchmark, path) != 0) {
    free(copy);
    mfbo_settings_free(&job->benchmark);
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  memcpy(copy, text, len);
  copy[len] = '\0';
  char stem[sizeof job->name];
  job_basename_stem(path, stem, sizeof stem);
  return load(path, stem, copy, len, job, err);
}

void mfbo_job_free(mfbo_job *job) {
  if (!job) return;
  free(job->path);
  free(job->text);
  free(job->seeds);
  for (int i = 0; job->benchmarks && i < job->n_instances; i++)
    mfbo_benchmark_free(job->benchmarks[i]);
  free(job->benchmarks);
  free(job->instances);
  mfbo_settings_free(&job->benchmark);
  mfbo_settings_free(&job->space);
  for (int i = 0; i < job->n_algorithms; i++) {
    mfbo_settings_free(&job->algorithms[i].settings);
    free(job->algorithms[i].plugin);
  }
  free(job->algorithms);
  memset(job, 0, sizeof *job);
}

