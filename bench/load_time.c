/* load_time.c: the wall time of building one benchmark landscape from a job file: for a
 * Kernel Tuner dataset, reading, decompressing and parsing the file and indexing it; for a
 * synthetic one, drawing its structure; both include the optimum by enumeration (as every
 * mfbo_benchmark_alloc does). The job file itself is read without validation, so exactly
 * one landscape is built. Prints "SECONDS CONFIGURATIONS" on stdout.
 * Built and run by bench/load_landscapes.sh; not part of the library. */
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mfbo/benchmark.h"

typedef struct {
  mfbo_settings settings;
  char type[64];
} bench_job;

/* Collects the [benchmark] section (type aside; instances ignored). */
static int on_key(void *user, const char *section, const char *key, const char *value) {
  bench_job *job = user;
  if (strcmp(section, "benchmark") != 0 || strcmp(key, "instances") == 0) return 1;
  if (strcmp(key, "type") == 0)
    snprintf(job->type, sizeof job->type, "%s", value);
  else
    mfbo_settings_add(&job->settings, key, value, 0, NULL);
  return 1;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s JOB\n", argv[0]);
    return 2;
  }
  bench_job job = {0};
  mfbo_settings space;
  mfbo_settings_init(&job.settings);
  mfbo_settings_init(&space);
  const mfbo_benchmark_type *type = NULL;
  if (ini_parse(argv[1], on_key, &job) != 0 || !(type = mfbo_benchmark_type_find(job.type))) {
    fprintf(stderr, "%s: cannot read the job or its benchmark type\n", argv[1]);
    return 2;
  }
  mfbo_settings_set_dir_of(&job.settings, argv[1]); /* `file =` is relative to the job */
  mfbo_error err;
  mfbo_error_clear(&err);
  double t0 = now_s();
  mfbo_benchmark *b = mfbo_benchmark_alloc(type, &job.settings, &space, 1, &err);
  double t1 = now_s();
  if (!b) {
    mfbo_error_print(&err, stderr);
    return 2;
  }
  printf("%.4f %llu\n", t1 - t0, (unsigned long long)mfbo_space_size(b->space));
  mfbo_benchmark_free(b);
  mfbo_settings_free(&job.settings);
  return 0;
}
